"""English (and other Latin-script) keyword analyzer: one word or number in, its tokens out."""

from __future__ import annotations

from typing import Literal

from policyscope.nlp.words import EN_STOPWORDS, s_stem

__all__ = ["STEMS", "EnglishAnalyzer", "Stem"]

Stem = Literal["none", "s"]
STEMS: tuple[str, ...] = ("none", "s")


class EnglishAnalyzer:
    """A lower-cased Latin word (``li-ion``, ``2030``, ``3.5``, ``co2``) -> its tokens.

    A possessive ``'s`` and stopwords are dropped, a number range ``2021-2030`` becomes
    ``2021``, ``2030``, and the S-stemmer folds plurals (``batteries`` -> ``battery``) unless
    ``stem="none"``.
    """

    def __init__(self, *, stem: Stem = "s") -> None:
        if stem not in STEMS:
            raise ValueError(f"unknown stemmer {stem!r}; available: {', '.join(STEMS)}")
        self.stem: Stem = stem

    def analyze(self, word: str) -> list[str]:
        """Example: ``analyze("batteries")`` -> ``["battery"]``; ``analyze("the")`` -> ``[]``."""
        word = word.removesuffix("'s")
        if word in EN_STOPWORDS or not word:
            return []
        if "-" in word and word.replace("-", "").isdigit():
            return [part for part in word.split("-") if part]
        if self.stem == "s":
            word = s_stem(word)
        return [word]
