"""Literal text matching: the exact-phrase mode, the exact-match list and "why it matched"."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from policyscope.nlp.words import EN_QUERY_STOPWORDS, JA_STOPWORDS, ZH_QUERY_STOPWORDS

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


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


def content_terms(terms: Iterable[str], labels: Iterable[str] = ()) -> tuple[str, ...]:
    """The ``terms`` worth highlighting when the query is a whole passage ("more like this").

    A passage used as a query brings its boilerplate along: the field labels of a catalog record
    (``labels``: Issuer, Date, 要点) and date parts (年, 月) would be marked in every result, though
    they say nothing about why the results are alike. Dropped: those labels (and their words), the
    translator's stopwords, numbers, one Han character alone and Latin words under three letters.

    Example: ``content_terms(["issuer", "2021", "年", "lithium", "电池"], ["Issuer"])`` gives
    ``("lithium", "电池")``.
    """
    dropped = {normalize_for_match(w) for label in labels for w in (label, *label.split())}
    stop = EN_QUERY_STOPWORDS | ZH_QUERY_STOPWORDS | JA_STOPWORDS
    out = []
    for term in terms:
        t = normalize_for_match(term)
        if not t or t in dropped or t in stop or not re.search(r"[^\W\d_]", t):
            continue
        if (len(t) == 1 and _HAN.match(t)) or (t.isascii() and len(t) < 3):
            continue
        out.append(term)
    return tuple(dict.fromkeys(out))
