"""What a search returns: one ``Hit`` per passage, gathered in a ``SearchResult``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from policyscope.corpus.frames import to_frame

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Hit:
    """One search result with everything a researcher needs to judge it."""

    rank: int
    score: float
    passage_id: str
    doc_id: str
    text: str
    title: str
    title_zh: str
    title_en: str
    region: str
    country: str
    year: int | None
    page: int | None
    kind: str
    heading: str
    context: str
    lang: str
    start: int
    end: int
    catalog_id: str
    matched_terms: tuple[str, ...] = ()
    semantic_rank: int | None = None
    keyword_rank: int | None = None
    measures: tuple[str, ...] = ()
    # With search(per_doc=N): how many of the candidates came from this hit's document (0 = not grouped).
    doc_hits: int = 0
    # The document's kind (law, executive order, fact sheet, …); ``kind`` is the passage's block kind.
    doc_kind: str = ""
    # The document's date as stored (ISO ``2021-08-05``, or a year), for sorting and citing.
    date: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SearchResult:
    """The hits of one query, with what the query was analysed into and where the time went."""

    query: str
    mode: str
    hits: list[Hit]
    query_terms: tuple[str, ...] = ()
    translations: tuple[str, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query, "mode": self.mode, "query_terms": list(self.query_terms),
            "translations": list(self.translations), "timings_ms": self.timings_ms,
            "hits": [h.to_dict() for h in self.hits],
        }

    def to_pandas(self) -> pd.DataFrame:
        """One row per hit (every :class:`Hit` field, in rank order), plus the query."""
        columns = ["query", *(f.name for f in fields(Hit))]
        return to_frame(({"query": self.query, **h.to_dict()} for h in self.hits), columns)


# -- ordering a result set ----------------------------------------------------------------------------

#: How a result set may be ordered: by the search's own rank, or by the document's date.
SORTS: tuple[str, ...] = ("relevance", "newest", "oldest")


def _date_key(h: Hit) -> str:
    """``2021-08-05`` or ``2021``: ISO dates and bare years compare correctly as strings of the same year."""
    return h.date or (str(h.year) if h.year else "")


def sort_hits(hits: Sequence[Hit], order: str = "relevance") -> list[Hit]:
    """``hits`` in ``order`` (one of :data:`SORTS`); undated hits come last either way, ties keep rank order.

    Example: dates 2021-08-05, (none), 1991 sorted ``newest`` give 2021-08-05, 1991, (none).
    """
    if order not in SORTS:
        raise ValueError(f"unknown sort {order!r}; available: {', '.join(SORTS)}")
    by_rank = sorted(hits, key=lambda h: h.rank)
    if order == "relevance":
        return by_rank
    dated = [h for h in by_rank if _date_key(h)]
    undated = [h for h in by_rank if not _date_key(h)]
    # sorted() is stable, with reverse=True too, so hits of one date stay in rank order both ways.
    return sorted(dated, key=_date_key, reverse=order == "newest") + undated


def group_hits(hits: Sequence[Hit]) -> list[list[Hit]]:
    """``hits`` gathered by document, each group in the order of its first hit, hits inside in the given order.

    Example: documents A, B, A, C give groups [A, A], [B], [C].
    """
    groups: dict[str, list[Hit]] = {}
    for h in hits:
        groups.setdefault(h.doc_id, []).append(h)
    return list(groups.values())
