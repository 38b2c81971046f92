"""Japanese <-> English words from JMdict (``data/jmdict_ja_en.tsv``, extracted by
``benchmarks/tools/make_jmdict.py``; (C) EDRDG, CC BY-SA 4.0, see ``data/SOURCES.md``).

Japanese -> English: a word's kanji and katakana spellings map to the glosses of its first senses
(蓄電池 -> storage battery; レアアース -> rare earth). Hiragana-only spellings are left out: they are
mostly particles and homographs (とき is "time" far more often than a Shinkansen line), and the words
a policy query needs are written in kanji or katakana.

English -> Japanese: a gloss's folded words map back to the spellings of the entries that hold it,
but only for entries chosen for this corpus (a word of the Japanese policy texts or a glossary term,
``src`` ``t``/``g``): reversing all 24,000 common words would turn "use" into a dozen unrelated verbs.
"""

from __future__ import annotations

import importlib.resources
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from policyscope.nlp.translate.english import en_keys
from policyscope.nlp.translate.glossary import ja_key

# Parts of speech that carry no searchable meaning of their own.
_SKIP_POS = frozenset({"prt", "aux", "aux-v", "aux-adj", "conj", "cop", "int", "pn"})
_HIRAGANA_ONLY = re.compile(r"^[\u3040-\u309f\u30fc]+$")
# How many glosses one Japanese word contributes: the first sense's best two, then one per later sense.
_MAX_GLOSSES = 3


@dataclass(frozen=True)
class JapaneseWord:
    """One JMdict entry as this module uses it."""

    spellings: tuple[str, ...]
    glosses: tuple[str, ...]
    pos: tuple[str, ...]
    corpus: bool  # a word of the Japanese policy texts or a glossary term (src t or g)


def jmdict_path() -> Path:
    return Path(str(importlib.resources.files("policyscope.nlp").joinpath("data/jmdict_ja_en.tsv")))


def read_jmdict(path: str | Path | None = None) -> list[JapaneseWord]:
    """Parse the extracted word list (header ``seq kanji kana pos gloss notes src``)."""
    text = Path(path or jmdict_path()).read_text(encoding="utf-8")
    words = []
    for lineno, line in enumerate(text.splitlines()[1:], 2):
        cols = line.split("\t")
        if len(cols) < 7:
            raise ValueError(f"{path or 'jmdict_ja_en.tsv'}:{lineno}: expected 7 columns, got {len(cols)}")
        _, kanji, kana, pos, gloss, _, src = cols[:7]
        spellings = [s for s in kanji.split("|") if s]
        spellings += [s for s in kana.split("|") if s and not _HIRAGANA_ONLY.match(s)]
        senses = [[g.strip() for g in sense.split("|") if g.strip()] for sense in gloss.split(";")]
        glosses = [*senses[0][:2], *(s[0] for s in senses[1:] if s)] if senses and senses[0] else []
        if spellings and glosses:
            words.append(
                JapaneseWord(tuple(spellings), tuple(dict.fromkeys(glosses))[:_MAX_GLOSSES],
                             tuple(p.strip() for p in pos.split(",") if p.strip()), "t" in src or "g" in src)
            )
    return words


class JapaneseDictionary:
    """Look Japanese words up by spelling, and English words up by gloss (see the module docstring)."""

    def __init__(self, path: str | Path | None = None):
        self._path = path

    @cached_property
    def words(self) -> list[JapaneseWord]:
        return read_jmdict(self._path)

    @cached_property
    def _by_spelling(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for w in self.words:
            if _SKIP_POS.issuperset(w.pos):
                continue
            for s in w.spellings:
                glosses = index.setdefault(ja_key(s), [])
                glosses.extend(g for g in w.glosses if g not in glosses)
        return index

    @cached_property
    def max_len(self) -> int:
        return max(map(len, self._by_spelling), default=0)

    @cached_property
    def _by_gloss(self) -> dict[tuple[str, ...], list[str]]:
        index: dict[tuple[str, ...], list[str]] = {}
        for w in self.words:
            if not w.corpus or _SKIP_POS.issuperset(w.pos):
                continue
            for g in w.glosses:
                keys = en_keys(g)
                if keys:
                    spellings = index.setdefault(keys, [])
                    spellings.extend(s for s in w.spellings[:2] if s not in spellings)
        return index

    def english(self, word: str) -> list[str]:
        """English glosses of a Japanese word (exact spelling, NFKC), best first; [] when unknown."""
        return list(self._by_spelling.get(ja_key(word), ()))

    def japanese(self, keys: tuple[str, ...]) -> list[str]:
        """Japanese spellings whose gloss is the English phrase with these folded ``keys``."""
        return list(self._by_gloss.get(keys, ()))
