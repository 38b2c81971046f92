"""What every tagger shares: the ``Tagger`` and ``SentenceEncoder`` protocols, language resolution,
mixed-language sentence spans and L2-normalised encoding."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from policyscope.corpus.records import Tag
from policyscope.nlp.language import detect_language
from policyscope.nlp.measures import LEXICON_LANGS, LexiconLang

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "SentenceEncoder",
    "Tagger",
    "TaggerLang",
    "encode_normalized",
    "guess_lang",
    "resolve_langs",
]

TaggerLang = LexiconLang
"""A language the taggers resolve every text to: one with a lexicon (zh, en, ja, ko)."""


@runtime_checkable
class Tagger(Protocol):
    """Tags passages with policy measures."""

    name: str

    def tag(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> list[list[Tag]]:
        """One list of tags per text; ``langs`` (zh, en, ja, ko) per text, guessed when None."""
        ...


@runtime_checkable
class SentenceEncoder(Protocol):
    """What the embedding and classifier taggers need from an encoder: L2-normalised rows."""

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...


def guess_lang(text: str) -> TaggerLang:
    """The lexicon language for ``text``: zh, ja or ko when ``nlp.language`` detects it, else "en".

    Text detected as another language (French, Russian, no letters) keeps getting the English lexicon,
    as before Japanese and Korean had their own.
    """
    lang = detect_language(text)
    return lang if lang in ("zh", "ja", "ko") else "en"


def resolve_langs(texts: Sequence[str], langs: Sequence[str] | None) -> list[TaggerLang]:
    """One lexicon language per text: the given code when it names a lexicon language (``"ja"``,
    ``"ko-KR"``), else guessed from the text."""
    if langs is None:
        return [guess_lang(t) for t in texts]
    if len(langs) != len(texts):
        raise ValueError(f"got {len(langs)} langs for {len(texts)} texts")
    out: list[TaggerLang] = []
    for t, lang in zip(texts, langs):
        code = (lang or "").lower()[:2]
        out.append(code if code in LEXICON_LANGS else guess_lang(t))  # type: ignore[arg-type]
    return out


def encode_normalized(encoder: SentenceEncoder, texts: Sequence[str], mode: str) -> np.ndarray:
    """``(len(texts), dim)`` float32 rows of unit length, in the encoder's query or passage form."""
    import numpy as np

    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    fn = encoder.encode_queries if mode == "query" else encoder.encode_passages
    x = np.asarray(fn(list(texts)), dtype=np.float32)
    if x.ndim != 2 or x.shape[0] != len(texts):
        raise ValueError(f"encoder returned shape {x.shape} for {len(texts)} texts")
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)
