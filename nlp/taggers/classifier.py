"""The classifier tagger: one-vs-rest logistic regression on sentence embeddings, saved as JSON + npz."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from policyscope.corpus.records import Tag, TagSource
from policyscope.nlp.taggers.base import SentenceEncoder, encode_normalized

if TYPE_CHECKING:
    import numpy as np

__all__ = ["ClassifierTagger"]


_CLASSIFIER_FORMAT = 1
"""Version of the ``classifier.json`` + ``weights.npz`` layout; :meth:`ClassifierTagger.load` refuses others."""


class ClassifierTagger:
    """One-vs-rest logistic regression on sentence embeddings, trained from labelled passages.

    Plain numpy (full-batch gradient descent with L2 and class-balanced weights) rather than scikit-learn:
    15 labels x 384 features train in well under a second and the saved model is two arrays and a JSON
    manifest - no pickle, no extra dependency. A label never seen as positive in training gets a bias of
    -inf and is never predicted.

    Worked example: fit on 120 passages, ``threshold=0.5``; a passage whose ``recycling`` probability is
    0.81 gets ``Tag("recycling", 0.81, "classifier", ())``. The classifier gives no evidence spans; in an
    ensemble, evidence comes from the other members.
    """

    name = "classifier"
    source: TagSource = "classifier"

    def __init__(
        self,
        encoder: SentenceEncoder | None,
        labels: Sequence[str],
        *,
        threshold: float = 0.5,
        l2: float = 1e-3,
        epochs: int = 400,
        learning_rate: float = 0.5,
        mode: Literal["query", "passage"] = "query",
        encoder_name: str = "",
    ) -> None:
        if not labels:
            raise ValueError("ClassifierTagger needs at least one label")
        if len(set(labels)) != len(labels):
            raise ValueError("duplicate labels")
        self.encoder = encoder
        self.labels = tuple(labels)
        self.threshold = threshold
        self.l2 = l2
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.mode = mode
        self.encoder_name = encoder_name
        self.weights: np.ndarray | None = None  # (n_labels, dim)
        self.bias: np.ndarray | None = None  # (n_labels,)
        self.mean: np.ndarray | None = None  # (dim,) feature centring
        self.scale: float = 1.0

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if self.encoder is None:
            raise ValueError("this ClassifierTagger has no encoder; pass one to load() or the constructor")
        return encode_normalized(self.encoder, texts, self.mode)

    def fit(self, texts: Sequence[str], label_sets: Sequence[Iterable[str]]) -> ClassifierTagger:
        """Train on ``texts`` with their gold label sets; labels outside ``self.labels`` raise."""
        if len(texts) != len(label_sets):
            raise ValueError(f"got {len(label_sets)} label sets for {len(texts)} texts")
        if not texts:
            raise ValueError("cannot fit on zero texts")
        return self.fit_embeddings(self._embed(texts), label_sets)

    def fit_embeddings(self, x: np.ndarray, label_sets: Sequence[Iterable[str]]) -> ClassifierTagger:
        """Train on precomputed embeddings (rows aligned with ``label_sets``)."""
        import numpy as np

        sets = [set(ls) for ls in label_sets]
        unknown = sorted(set().union(*sets) - set(self.labels))
        if unknown:
            raise ValueError(f"unknown label(s) {unknown}; available: {', '.join(self.labels)}")
        y = np.array([[lab in s for lab in self.labels] for s in sets], dtype=np.float64)
        x = np.asarray(x, dtype=np.float64)
        self.mean = x.mean(axis=0)
        xc = x - self.mean
        # Normalised embeddings differ by a few hundredths per dimension; rescaling to unit RMS lets one
        # learning rate work for any encoder.
        self.scale = float(1.0 / max(np.sqrt((xc**2).sum(axis=1).mean()), 1e-12))
        xc = xc * self.scale
        n, d = xc.shape
        n_pos = y.sum(axis=0)
        # Balanced weights: positives and negatives each carry half the loss of a label.
        w_pos = np.where(n_pos > 0, n / (2.0 * np.maximum(n_pos, 1)), 0.0)
        w_neg = n / (2.0 * np.maximum(n - n_pos, 1))
        sample_w = y * w_pos + (1 - y) * w_neg
        w = np.zeros((d, y.shape[1]))
        b = np.zeros(y.shape[1])
        for _ in range(self.epochs):
            p = 1.0 / (1.0 + np.exp(-(xc @ w + b)))
            g = (p - y) * sample_w / n
            w -= self.learning_rate * (xc.T @ g + self.l2 * w)
            b -= self.learning_rate * g.sum(axis=0)
        b = np.where(n_pos > 0, b, -np.inf)
        self.weights, self.bias = w.T.copy(), b
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), n_labels)`` probabilities."""
        import numpy as np

        self._fitted()
        if not texts:
            return np.zeros((0, len(self.labels)))
        return self.predict_embeddings(self._embed(texts))

    def predict_embeddings(self, x: np.ndarray) -> np.ndarray:
        """``(len(x), n_labels)`` probabilities of precomputed embeddings (rows as :meth:`fit_embeddings`)."""
        import numpy as np

        weights, bias, mean = self._fitted()
        x = (np.asarray(x) - mean) * self.scale
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-(x @ weights.T + bias)))

    def _fitted(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(weights, bias, mean)``; ``ValueError`` before :meth:`fit` or :meth:`load`."""
        if self.weights is None or self.bias is None or self.mean is None:
            raise ValueError("ClassifierTagger is not fitted; call fit() or load()")
        return self.weights, self.bias, self.mean

    def tag(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> list[list[Tag]]:
        """Tags whose probability reaches ``threshold`` (no evidence spans)."""
        probs = self.predict_proba(texts)
        return [
            [
                Tag(lab, round(float(p[j]), 4), self.source)
                for j, lab in enumerate(self.labels)
                if p[j] >= self.threshold
            ]
            for p in probs
        ]

    def save(self, path: str | Path) -> Path:
        """Write ``classifier.json`` (labels, settings) and ``weights.npz`` into directory ``path``.

        Both files go into a fresh directory beside ``path`` that then replaces it, so a crash mid-save
        leaves the previous model whole: never new weights under an old manifest, nor a half-written file.
        """
        import numpy as np
        from policyscope.corpus.atomic import staged, write_json_atomic

        if self.weights is None or self.bias is None or self.mean is None:
            raise ValueError("cannot save an unfitted ClassifierTagger")
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        finite_bias = np.where(np.isfinite(self.bias), self.bias, 0.0)
        manifest = {
            "format": _CLASSIFIER_FORMAT,
            "kind": "ovr-logistic-regression",
            "labels": list(self.labels),
            "dim": int(self.weights.shape[1]),
            "scale": self.scale,
            "threshold": self.threshold,
            "l2": self.l2,
            "epochs": self.epochs,
            "learning_rate": self.learning_rate,
            "mode": self.mode,
            "encoder": self.encoder_name,
        }
        with staged(p) as out:
            out.mkdir()
            with (out / "weights.npz").open("wb") as fh:
                np.savez(
                    fh,
                    weights=self.weights.astype(np.float32),
                    bias=finite_bias.astype(np.float32),
                    active=np.isfinite(self.bias),
                    mean=self.mean.astype(np.float32),
                )
                fh.flush()
                os.fsync(fh.fileno())
            write_json_atomic(out / "classifier.json", manifest)
        return p

    @classmethod
    def load(cls, path: str | Path, encoder: SentenceEncoder | None = None) -> ClassifierTagger:
        """Read a model written by :meth:`save`; checks the format version and array shapes.

        Raises:
            FileNotFoundError: no ``classifier.json`` in ``path``.
            IndexMismatchError: the model was saved in another format version.
        """
        import numpy as np
        from policyscope.corpus.atomic import read_versioned_json

        p = Path(path)
        manifest = read_versioned_json(
            p / "classifier.json", "classifier manifest", _CLASSIFIER_FORMAT, "retrain with `policyscope tag train`"
        )
        tagger = cls(
            encoder,
            manifest["labels"],
            threshold=manifest["threshold"],
            l2=manifest["l2"],
            epochs=manifest["epochs"],
            learning_rate=manifest["learning_rate"],
            mode=manifest["mode"],
            encoder_name=manifest.get("encoder", ""),
        )
        with np.load(p / "weights.npz", allow_pickle=False) as z:
            weights, bias, active, mean = z["weights"], z["bias"], z["active"], z["mean"]
        if weights.shape != (len(tagger.labels), manifest["dim"]) or mean.shape != (manifest["dim"],):
            raise ValueError(f"{p}: weights shape {weights.shape} does not match the manifest")
        tagger.weights = weights.astype(np.float64)
        tagger.bias = np.where(active, bias.astype(np.float64), -np.inf)
        tagger.mean = mean.astype(np.float64)
        tagger.scale = float(manifest["scale"])
        return tagger
