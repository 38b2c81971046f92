"""Policy-measure taggers: lexicon rules, embedding prototypes, a trained classifier and their ensemble.

Every tagger follows one protocol (``base.Tagger``): ``tag(texts, langs=None) -> list[list[Tag]]``, one list
of :class:`~policyscope.corpus.records.Tag` per text, each with a measure id, a score in [0, 1], a source and
evidence spans whose offsets point into that text (``text[s.start:s.end] == s.text``).

Backends, one module each:

* ``lexicon`` - :class:`LexiconTagger` (``source="rule"``): spaCy ``PhraseMatcher`` over the taxonomy's
  terms, Chinese on jieba token boundaries, English on whole tokens, with negative terms and a few
  ``Matcher`` rules; Japanese and Korean terms and regular-expression rules on the raw text.
* ``embedding`` - :class:`EmbeddingTagger` (``source="model"``): cosine similarity to measure prototypes
  (definitions and examples) under an injected sentence encoder, with a per-measure threshold.
* ``classifier`` - :class:`ClassifierTagger` (``source="classifier"``): one-vs-rest logistic regression on
  embeddings, trained from labelled passages, saved as JSON + npz.
* ``ensemble`` - :class:`EnsembleTagger` (``source="ensemble"``): a weighted mean of the members' scores.

This module is the registry: :data:`TAGGERS` by name, :func:`make_tagger`, and :func:`default_tagger`, the
one every build applies. spaCy, jieba and numpy are imported lazily, inside the classes that need them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policyscope.nlp.measures import Taxonomy, load_taxonomy
from policyscope.nlp.taggers.base import SentenceEncoder, Tagger, guess_lang
from policyscope.nlp.taggers.classifier import ClassifierTagger
from policyscope.nlp.taggers.embedding import EmbeddingTagger
from policyscope.nlp.taggers.ensemble import (
    DEFAULT_ENSEMBLE_THRESHOLD,
    DEFAULT_ENSEMBLE_WEIGHTS,
    EnsembleTagger,
)
from policyscope.nlp.taggers.lexicon import LexiconTagger

__all__ = [
    "DEFAULT_ENSEMBLE_THRESHOLD",
    "DEFAULT_ENSEMBLE_WEIGHTS",
    "TAGGERS",
    "ClassifierTagger",
    "EmbeddingTagger",
    "EnsembleTagger",
    "LexiconTagger",
    "SentenceEncoder",
    "Tagger",
    "TaggerInputs",
    "default_tagger",
    "default_tagger_key",
    "guess_lang",
    "make_tagger",
]


@dataclass(frozen=True)
class TaggerInputs:
    """What a registry factory may draw on besides its constructor options.

    The encoder is resolved on demand (:meth:`sentence_encoder`), so building the lexicon never loads a
    model, and the classifier checks its model directory before paying for one.
    """

    name: str
    taxonomy: Taxonomy | None = None
    encoder: SentenceEncoder | None = None
    load_encoder: Callable[[], SentenceEncoder] | None = None
    model_path: Path | None = None
    encoder_name: str | None = None

    def sentence_encoder(self) -> SentenceEncoder:
        """The given encoder, else the loaded one; ``ValueError`` when the caller offered neither."""
        if self.encoder is not None:
            return self.encoder
        if self.load_encoder is not None:
            return self.load_encoder()
        raise ValueError(f"the {self.name!r} tagger needs an encoder")


TaggerFactory = Callable[..., Tagger]


def _make_lexicon(inputs: TaggerInputs, **kw: Any) -> Tagger:
    return LexiconTagger(inputs.taxonomy, **kw)


def _make_embedding(inputs: TaggerInputs, **kw: Any) -> Tagger:
    return EmbeddingTagger(inputs.taxonomy, inputs.sentence_encoder(), **kw)


def _make_ensemble(inputs: TaggerInputs, **kw: Any) -> Tagger:
    encoder = inputs.sentence_encoder()
    taxonomy = inputs.taxonomy or load_taxonomy()
    return EnsembleTagger(
        [LexiconTagger(taxonomy), EmbeddingTagger(taxonomy, encoder)],
        weights=kw.pop("weights", DEFAULT_ENSEMBLE_WEIGHTS),
        threshold=kw.pop("threshold", DEFAULT_ENSEMBLE_THRESHOLD),
    )


def _make_classifier(inputs: TaggerInputs, **kw: Any) -> Tagger:
    """A trained classifier from ``inputs.model_path``; refuses one trained with another encoder."""
    path = inputs.model_path
    if path is None:
        raise ValueError(
            "the 'classifier' tagger needs a model path (a directory ClassifierTagger.save wrote)"
        )
    if not (path / "classifier.json").exists():
        raise FileNotFoundError(f"{path}: no trained classifier; run `policyscope tag train` first")
    tagger = ClassifierTagger.load(path)
    expected = inputs.encoder_name
    if expected and tagger.encoder_name and tagger.encoder_name != expected:
        raise ValueError(
            f"{path}: the classifier was trained with encoder {tagger.encoder_name!r}, not {expected!r}; "
            f"pass --encoder {tagger.encoder_name} or retrain with `policyscope tag train`"
        )
    tagger.encoder = inputs.sentence_encoder()
    return tagger


TAGGERS: dict[str, TaggerFactory] = {
    "lexicon": _make_lexicon,
    "embedding": _make_embedding,
    "ensemble": _make_ensemble,
    "classifier": _make_classifier,
}
"""Tagger factories by name: ``factory(inputs, **constructor_options)``."""


def make_tagger(
    name: str,
    taxonomy: Taxonomy | None = None,
    encoder: SentenceEncoder | None = None,
    *,
    load_encoder: Callable[[], SentenceEncoder] | None = None,
    model_path: str | Path | None = None,
    encoder_name: str | None = None,
    **kwargs: Any,
) -> Tagger:
    """Build a tagger by registry name; ``ValueError`` listing the available names otherwise.

    Args:
        name: a key of :data:`TAGGERS`.
        taxonomy: the measures (default: the packaged taxonomy).
        encoder: the sentence encoder of the embedding, ensemble and classifier taggers.
        load_encoder: called instead when ``encoder`` is None and the tagger needs one.
        model_path: the classifier's directory (written by :meth:`ClassifierTagger.save`).
        encoder_name: the encoder the caller embeds with; a classifier trained with another one is refused.
        **kwargs: options of the backend's constructor.
    """
    try:
        factory = TAGGERS[name]
    except KeyError:
        raise ValueError(f"unknown tagger {name!r}; available: {', '.join(TAGGERS)}") from None
    inputs = TaggerInputs(
        name,
        taxonomy,
        encoder,
        load_encoder,
        Path(model_path) if model_path is not None else None,
        encoder_name,
    )
    return factory(inputs, **kwargs)


TAGGER_VERSION = 2
"""Bumped when the default tagger's output changes for an unchanged taxonomy (2: Japanese and Korean
passages get their own lexicons instead of the English one), so stored tags are recomputed."""


def default_tagger_key(taxonomy: Taxonomy | None = None) -> str:
    """The version stamp of :func:`default_tagger`'s tags, known without building the tagger
    (only the taxonomy file is read), so a no-change build never loads spaCy and jieba."""
    return f"lexicon:{(taxonomy or load_taxonomy()).version}:{TAGGER_VERSION}"


_default_lock = threading.Lock()
_default: dict[str, Tagger] = {}


def default_tagger() -> Tagger:
    """The tagger every build applies: the lexicon (best measured on both dev sets, see README).

    Built once per process and taxonomy version (spaCy pipelines, matchers and a jieba
    dictionary take a few tenths of a second), so a server re-building after an upload, or
    a benchmark round, reuses it.
    """
    taxonomy = load_taxonomy()
    key = default_tagger_key(taxonomy)
    with _default_lock:
        tagger = _default.get(key)
        if tagger is None:
            tagger = LexiconTagger(taxonomy)
            tagger.version = key  # type: ignore[attr-defined]
            _default.clear()
            _default[key] = tagger
        return tagger
