"""Literal text matching: the exact-phrase mode, the exact-match list and "why it matched"."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence


def normalize_for_match(text: str) -> str:
    """Lowercase, NFKC, whitespace removed: how the exact-phrase mode and highlighting compare."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def phrase_needle(query: str) -> str:
    """A query as an exact phrase: surrounding quotes dropped, normalised for matching."""
    return normalize_for_match(query.strip("\"'“”"))


def matched_terms(text: str, terms: Sequence[str]) -> tuple[str, ...]:
    """Query terms (and translations) that occur in ``text``, longest first, for highlighting."""
    haystack = normalize_for_match(text)
    seen: list[str] = []
    for term in sorted(set(terms), key=lambda t: (-len(t), t)):
        t = normalize_for_match(term)
        if len(t) < 2 and not re.search(r"[\u4e00-\u9fff]", t):
            continue
        if t and t in haystack and not any(t in s for s in seen):
            seen.append(term)
    return tuple(seen)
