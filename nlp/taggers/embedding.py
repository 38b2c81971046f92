"""The embedding tagger: zero-shot cosine similarity to each measure's prototypes under a sentence encoder."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from policyscope.corpus.records import Span, Tag, TagSource
from policyscope.nlp.measures import Taxonomy, load_taxonomy
from policyscope.nlp.sentences import split_sentences
from policyscope.nlp.taggers.base import SentenceEncoder, encode_normalized

if TYPE_CHECKING:
    import numpy as np

__all__ = ["EmbeddingTagger"]


class EmbeddingTagger:
    """Zero-shot tagger: cosine similarity between a passage and each measure's prototypes.

    Prototypes are the measure's English and Chinese definitions plus its example sentences, embedded once
    with the injected encoder. A passage's raw similarity to a measure is the mean of its ``top_k`` best
    prototype cosines (``top_k=2`` keeps one lucky example from deciding alone). The *relative* similarity
    subtracts the passage's mean raw similarity over all measures: E5 puts Chinese passages about 0.07
    closer to every prototype than English ones, so one raw threshold cannot serve both languages, while
    the relative one transfers (best global threshold 0.016-0.022 on both dev sets). The tag is emitted
    when the relative similarity reaches the measure's threshold; the score maps the threshold to 0.5 and
    ``threshold + spread`` to 1.0, so scores are comparable across measures with different thresholds.

    Worked example: with thresholds ``{"recycling": 0.02}`` and ``spread=0.03``, a passage whose raw
    similarity to recycling is 0.87 while its mean over the 15 measures is 0.835 (relative 0.035) gets
    ``recycling`` with score 0.75. Evidence is the passage's sentence closest to that measure.

    ``mode="query"`` embeds both sides with the encoder's query form, E5's advice for symmetric
    similarity; ``mode="passage"`` uses the passage form.
    """

    name = "embedding"
    source: TagSource = "model"

    def __init__(
        self,
        taxonomy: Taxonomy | None,
        encoder: SentenceEncoder,
        *,
        thresholds: Mapping[str, float] | None = None,
        default_threshold: float = 0.02,
        spread: float = 0.03,
        top_k: int = 2,
        mode: Literal["query", "passage"] = "query",
    ) -> None:
        import numpy as np

        if mode not in ("query", "passage"):
            raise ValueError(f"unknown mode {mode!r}; available: query, passage")
        self.taxonomy = taxonomy or load_taxonomy()
        self.encoder = encoder
        self.mode = mode
        self.spread = spread
        self.top_k = top_k
        unknown = sorted(set(thresholds or {}) - set(self.taxonomy.ids))
        if unknown:
            raise ValueError(
                f"thresholds for unknown measure(s) {unknown}; available: {', '.join(self.taxonomy.ids)}"
            )
        self.thresholds = {
            mid: float((thresholds or {}).get(mid, default_threshold)) for mid in self.taxonomy.ids
        }
        protos: list[str] = []
        owner: list[int] = []
        for i, m in enumerate(self.taxonomy):
            for p in m.prototypes():
                protos.append(p)
                owner.append(i)
        self._proto = encode_normalized(encoder, protos, mode)
        self._owner = np.asarray(owner)

    def similarities(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), n_measures)`` relative similarities (top-k prototype cosine minus the row mean)."""
        return (
            self._aggregate(encode_normalized(self.encoder, texts, self.mode) @ self._proto.T)
            if texts
            else self._empty()
        )

    def _empty(self) -> np.ndarray:
        import numpy as np

        return np.zeros((0, len(self.taxonomy)), dtype=np.float32)

    def _aggregate(self, cos: np.ndarray) -> np.ndarray:
        import numpy as np

        out = np.zeros((cos.shape[0], len(self.taxonomy)), dtype=np.float32)
        for j in range(len(self.taxonomy)):
            block = cos[:, self._owner == j]
            k = min(self.top_k, block.shape[1])
            out[:, j] = np.sort(block, axis=1)[:, -k:].mean(axis=1)
        return out - out.mean(axis=1, keepdims=True)

    def score(self, sims: np.ndarray) -> np.ndarray:
        """Map similarities to [0, 1] scores: the measure's threshold becomes 0.5."""
        import numpy as np

        thr = np.asarray([self.thresholds[m] for m in self.taxonomy.ids], dtype=np.float32)
        return np.clip(0.5 + 0.5 * (sims - thr) / self.spread, 0.0, 1.0)

    def calibrate(
        self,
        texts: Sequence[str],
        label_sets: Sequence[Iterable[str]],
        *,
        grid: Sequence[float] | None = None,
        fallback: float | None = None,
    ) -> dict[str, float]:
        """Pick each measure's threshold maximising its F1 on labelled texts; returns and keeps them.

        A measure with no positive example keeps ``fallback`` (default: its current threshold).
        """
        import numpy as np

        sims = self.similarities(texts)
        gold = np.array([[mid in set(ls) for mid in self.taxonomy.ids] for ls in label_sets], dtype=bool)
        grid = np.arange(0.0, 0.08, 0.002) if grid is None else np.asarray(grid)
        for j, mid in enumerate(self.taxonomy.ids):
            if not gold[:, j].any():
                if fallback is not None:
                    self.thresholds[mid] = fallback
                continue
            best, best_f = self.thresholds[mid], -1.0
            for t in grid:
                pred = sims[:, j] >= t
                tp = float((pred & gold[:, j]).sum())
                f = 2 * tp / (pred.sum() + gold[:, j].sum()) if (pred.sum() + gold[:, j].sum()) else 0.0
                if f > best_f + 1e-9:
                    best, best_f = float(t), f
            self.thresholds[mid] = best
        return dict(self.thresholds)

    def tag(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> list[list[Tag]]:
        """Tags whose similarity reaches the measure threshold, with the best sentence as evidence."""
        import numpy as np

        if not texts:
            return []
        scores = self.score(self.similarities(texts))
        out: list[list[Tag]] = []
        for i, text in enumerate(texts):
            chosen = [j for j in range(len(self.taxonomy)) if scores[i, j] >= 0.5]
            if not chosen:
                out.append([])
                continue
            sents = split_sentences(text, "mixed")
            if len(sents) > 1:
                sent_sims = self._aggregate(
                    encode_normalized(self.encoder, [text[s:e] for s, e in sents], self.mode) @ self._proto.T
                )
            tags = []
            for j in chosen:
                if not sents:
                    spans: tuple[Span, ...] = ()
                else:
                    k = int(np.argmax(sent_sims[:, j])) if len(sents) > 1 else 0
                    s, e = sents[k]
                    spans = (Span(s, e, text[s:e]),)
                tags.append(Tag(self.taxonomy.ids[j], round(float(scores[i, j]), 4), self.source, spans))
            out.append(tags)
        return out
