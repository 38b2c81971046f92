"""English query normalisation: one key per word, whatever its number, spelling or case.

The glossary, the CC-CEDICT reverse index and every English query are folded the same way
(:func:`en_keys`), so "Solid-State Batteries", "solid state battery" and "solid-state battery"
all look up the key ``("solid", "state", "battery")``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from policyscope.nlp.words import singular

LATIN_TOKEN = re.compile(r"[a-z0-9]+")

# British spellings that the suffix rules below do not catch; only consistency matters (see fold_word).
_AMERICAN = {
    "aluminium": "aluminum",
    "sulphur": "sulfur",
    "programme": "program",
    "defence": "defense",
    "licence": "license",
    "modelling": "modeling",
    "labelling": "labeling",
    "fuelled": "fueled",
    "travelling": "traveling",
    "cancelled": "canceled",
    "tonne": "ton",
}
_BRITISH_ISE = re.compile(r"is(e|ed|ing)$")
_BRITISH_YSE = re.compile(r"ys(e|ed)$")

# Past tenses a policy query uses, mapped to the base form CC-CEDICT glosses ("to rise").
IRREGULAR_VERBS = {
    "rose": "rise",
    "risen": "rise",
    "grew": "grow",
    "grown": "grow",
    "fell": "fall",
    "fallen": "fall",
    "led": "lead",
    "held": "hold",
    "built": "build",
    "made": "make",
    "took": "take",
    "taken": "take",
    "began": "begin",
    "begun": "begin",
    "sold": "sell",
    "bought": "buy",
    "spent": "spend",
    "sought": "seek",
    "brought": "bring",
    "fought": "fight",
    "gave": "give",
    "given": "give",
    "became": "become",
    "chose": "choose",
    "chosen": "choose",
    "drew": "draw",
    "drawn": "draw",
    "struck": "strike",
    "met": "meet",
    "lost": "lose",
    "paid": "pay",
    "sent": "send",
    "kept": "keep",
    "meant": "mean",
    "saw": "see",
    "seen": "see",
}


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """Fold one lowercase English word to a key: singular, American spelling.

    The same fold is applied to the glossary, the CC-CEDICT reverse index and queries, so it only has
    to be consistent, not linguistically exact. Example: ``"batteries" -> "battery"``,
    ``"localisation" -> "localization"``, ``"analyses" -> "analysis"``, ``"tonnes" -> "ton"``.
    """
    w = singular(word)
    if w in _AMERICAN:
        return _AMERICAN[w]
    # British -> American; only consistency matters, see above.
    if w.endswith("isation"):
        w = w[:-7] + "ization"
    elif len(w) > 5 and w.endswith(("ise", "ised", "ising")):
        w = _BRITISH_ISE.sub(r"iz\1", w)
    elif w.endswith(("yse", "ysed")):
        w = _BRITISH_YSE.sub(r"yz\1", w)
    elif w.endswith("our") and len(w) >= 6:
        w = w[:-3] + "or"
    elif w.endswith("ogue"):
        w = w[:-2]
    elif w.endswith("tre") and len(w) >= 5:
        w = w[:-3] + "ter"
    return w


def normalize_en(text: str) -> str:
    """NFKC, unify dashes and quotes, expand "U.S.", drop possessive "'s", lowercase."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"[\u2018\u2019\u02bc`]", "'", text)
    text = re.sub(r"\bU\.S\.(?:A\.)?", "US", text)
    # "US" and "us" fold to the same key; keep the country readable before lowercasing.
    text = re.sub(r"\bUSA?\b", "United States", text)
    text = re.sub(r"(?<=\w)'s\b", "", text)
    return text.lower()


def en_keys(text: str) -> tuple[str, ...]:
    """Folded word keys of an English phrase: ``"Solid-state batteries" -> ("solid", "state", "battery")``."""
    return tuple(fold_word(t) for t in LATIN_TOKEN.findall(normalize_en(text)))


def base_forms(word: str) -> list[str]:
    """Candidate base forms of an inflected English word: "doubled" -> ["doubl", "double"]."""
    out: list[str] = []
    for suffix, repl in (
        ("ied", "y"),
        ("ed", ""),
        ("ed", "e"),
        ("d", ""),
        ("ing", ""),
        ("ing", "e"),
        ("ier", "y"),
        ("er", ""),
        ("er", "e"),
        ("est", ""),
        ("ly", ""),
        ("ally", "al"),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)] + repl
            if stem not in out:
                out.append(stem)
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        out.append(word[:-1])
    return out
