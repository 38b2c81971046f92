"""The Search tab: hybrid search with filters as result cards, the ``search`` API, more like this."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from policyscope.corpus.errors import PolicyscopeError, QueryError
from policyscope.ui import render
from policyscope.ui.workspace import Workspace

if TYPE_CHECKING:
    from policyscope.index.search import Hit, SearchFilters, SearchResult

#: What a year box may send: text typed by a user, a number from the API, or nothing.
YearValue = str | int | float | None


def _whole_number(value: int | str | None, name: str) -> int:
    """A form field's whole number, or a ``QueryError`` naming the field."""
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise QueryError(f"{name} must be a number, got {value!r}") from None


def search_filters(
    regions: Sequence[str] | None, docs: Sequence[str] | None, langs: Sequence[str] | None,
    year_from: YearValue, year_to: YearValue, measures: Sequence[str] | None,
    countries: Sequence[str] | None = None, kinds: Sequence[str] | None = None,
    measures_all: Sequence[str] | None = None,
) -> SearchFilters:
    """The page's (or API's) filter values as ``SearchFilters``; ``QueryError`` names a bad year.

    ``countries`` are codes or names in en/zh/ja/ko; ``regions`` are UN M49 regions or blocs (or countries).
    An empty number box arrives as 0 and means "no bound".
    """
    from policyscope.index.search import SearchFilters

    return SearchFilters.from_options(
        region=regions, doc=docs, lang=langs, measure=measures, country=countries, kind=kinds,
        measure_all=measures_all,
        year_from=None if year_from in (None, "", 0) else year_from,
        year_to=None if year_to in (None, "", 0) else year_to,
    )


class SearchTab:
    """Search over the workspace's one shared ``Searcher`` (queries serialized by ``search_lock``)."""

    def __init__(self, workspace: Workspace):
        self.ws = workspace

    def evidence_spans(self, hits: Sequence[Hit]) -> dict[str, list[tuple[int, int]]]:
        """Measure evidence (machine tag spans of the hit's effective measures) per passage."""
        tags = self.ws.store.tags_for([h.passage_id for h in hits])
        out: dict[str, list[tuple[int, int]]] = {}
        for h in hits:
            keep = set(h.measures)
            out[h.passage_id] = [(s.start, s.end) for t in tags.get(h.passage_id, []) if t.measure in keep
                                 for s in t.spans]
        return out

    def run_search(
        self, query: str, mode: str = "hybrid", regions: Sequence[str] | None = None,
        docs: Sequence[str] | None = None, langs: Sequence[str] | None = None, year_from: YearValue = None,
        year_to: YearValue = None, measures: Sequence[str] | None = None, k: int | str = 10,
        countries: Sequence[str] | None = None, per_doc: int | str = 0, kinds: Sequence[str] | None = None,
        measures_all: Sequence[str] | None = None,
    ) -> SearchResult:
        """The raw ``SearchResult`` (raises ``QueryError`` on bad input)."""
        filters = search_filters(regions, docs, langs, year_from, year_to, measures, countries, kinds, measures_all)
        return self.search_filtered(query, filters, k, mode, per_doc)

    def search_filtered(
        self, query: str, filters: SearchFilters, k: int | str = 10, mode: str = "hybrid", per_doc: int | str = 0
    ) -> SearchResult:
        """One search on the shared searcher, under ``search_lock``; ``k`` and ``per_doc`` may arrive as text."""
        with self.ws.search_lock:
            return self.ws.searcher.search(query or "", k=_whole_number(k, "k"), mode=mode or "hybrid",
                                           filters=filters, per_doc=_whole_number(per_doc or 0, "per_doc"))

    def search(
        self, query: str, mode: str = "hybrid", regions: Sequence[str] | None = None,
        docs: Sequence[str] | None = None, langs: Sequence[str] | None = None, year_from: YearValue = None,
        year_to: YearValue = None, measures: Sequence[str] | None = None, k: int | str = 10,
        countries: Sequence[str] | None = None, per_doc: int | str = 0,
    ) -> str:
        """Result cards as HTML; empty or failing queries give a friendly message."""
        if not (query or "").strip():
            return render.message("Type a question or some words in Chinese or English, e.g. 电池回收 or"
                                  " critical minerals stockpile.", "empty")
        with self.ws.friendly("search") as box:
            per_doc = _whole_number(per_doc or 0, "per_doc")
            result = self.run_search(query, mode, regions, docs, langs, year_from, year_to, measures, k, countries,
                                     per_doc)
            if not result.hits:
                return render.message(f"No passages match {query!r} with these filters. Try another mode,"
                                      " fewer filters or the other language.", "empty")
            took = result.timings_ms.get("total", 0.0)
            n = len(result.hits)
            unit = "passage" if n == 1 else "passages"
            grouped = f" · at most {per_doc} per document" if per_doc else ""
            header = f"{n} {unit}{grouped} · {result.mode} · {took:.0f} ms"
            return render.result_cards(result.hits, self.evidence_spans(result.hits), header,
                                       result.translations)
        return box[0]

    def search_json(
        self, query: str, mode: str = "hybrid", regions: Sequence[str] | None = None,
        docs: Sequence[str] | None = None, langs: Sequence[str] | None = None, year_from: YearValue = None,
        year_to: YearValue = None, measures: Sequence[str] | None = None, k: int | str = 10,
        countries: Sequence[str] | None = None, per_doc: int | str = 0, kinds: Sequence[str] | None = None,
        measures_all: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Search results as data (the ``search`` API endpoint); errors as ``{"error": ...}``."""
        try:
            return self.run_search(query, mode, regions, docs, langs, year_from, year_to, measures, k,
                                   countries, per_doc, kinds, measures_all).to_dict()
        except PolicyscopeError as exc:
            return {"error": str(exc), "hits": []}

    def more_like_this(self, passage_id: str, k: int = 10) -> str:
        """The passages nearest to ``passage_id`` by embedding, as result cards."""
        with self.ws.friendly("more like this") as box:
            with self.ws.search_lock:
                result = self.ws.searcher.more_like_this(passage_id, k=k)
            src = self.ws.store.get_passages([passage_id]).get(passage_id)
            excerpt = src.text[:80] if src else ""
            if not result.hits:
                return render.message("No similar passages found.", "empty")
            return render.result_cards(result.hits, self.evidence_spans(result.hits),
                                       f"passages like: “{excerpt}…”")
        return box[0]
