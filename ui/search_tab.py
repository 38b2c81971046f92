"""The Search tab: hybrid search with filters as result cards, the ``search`` API, more like this."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policyscope.corpus.errors import PolicyscopeError, QueryError
from policyscope.ui import render
from policyscope.ui.workspace import Workspace

if TYPE_CHECKING:
    from policyscope.index.search import Hit, SearchFilters, SearchResult

#: What a year box may send: text typed by a user, a number from the API, or nothing.
YearValue = str | int | float | None

#: How many passages the page's search fetches (the "Results" slider) and shows per page. Paging and sorting
#: work on the whole set in memory: a page turn is no new search.
DEFAULT_RESULTS = 100
DEFAULT_PAGE_SIZE = 20
PAGE_SIZES: tuple[int, ...] = (10, 20, 50)
#: The sort choices as the page says them (``index.search.results.SORTS``).
SORT_LABELS = {"relevance": "by relevance", "newest": "newest first", "oldest": "oldest first"}
#: Result exports older than this are removed when the next one is written.
EXPORT_MAX_AGE_S = 24 * 3600


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


def more_like_label(result: SearchResult) -> str:
    """The summary line's opening for "more like this" results: the start of the passage they are like."""
    return f"passages like: “{result.query[:80]}…”"


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

    def result_set(
        self, query: str, mode: str = "hybrid", regions: Sequence[str] | None = None,
        docs: Sequence[str] | None = None, langs: Sequence[str] | None = None, year_from: YearValue = None,
        year_to: YearValue = None, measures: Sequence[str] | None = None, k: int | str = DEFAULT_RESULTS,
        countries: Sequence[str] | None = None, per_doc: int | str = 0,
    ) -> tuple[SearchResult | None, str]:
        """A query from the page: ``(result, "")``, or ``(None, a friendly message)`` when it is empty, matches
        nothing or fails. The result holds the whole set (``k`` passages); :meth:`page` shows part of it."""
        if not (query or "").strip():
            return None, render.message("Type a question or some words in Chinese or English, e.g. 电池回收 or"
                                        " critical minerals stockpile.", "empty")
        with self.ws.friendly("search") as box:
            result = self.run_search(query, mode, regions, docs, langs, year_from, year_to, measures, k, countries,
                                     _whole_number(per_doc or 0, "per_doc"))
            if not result.hits:
                return None, render.message(f"No passages match {query!r} with these filters. Try another mode,"
                                            " fewer filters or the other language.", "empty")
            return result, ""
        return None, box[0]

    @staticmethod
    def ordered(result: SearchResult, sort: str = "relevance", group: bool = False) -> list[Hit]:
        """The result set in the page's order: ``sort`` (relevance, newest, oldest), then grouped by document."""
        from policyscope.index.search.results import group_hits, sort_hits

        try:
            hits = sort_hits(result.hits, sort or "relevance")
        except ValueError as exc:
            raise QueryError(str(exc)) from None
        return [h for g in group_hits(hits) for h in g] if group else hits

    def page(
        self, result: SearchResult | None, page: int | str = 1, size: int | str = DEFAULT_PAGE_SIZE,
        sort: str = "relevance", group: bool = False, per_doc: int | str = 0, label: str = "",
    ) -> tuple[str, int]:
        """``(html, page shown)``: one page of the result set as cards, each with its citation and official link.

        ``page`` is clamped to the pages there are. Grouped, a header opens each document's run of cards and
        says how many of the results are that document's. ``label`` opens the summary line.
        """
        from policyscope.index.search.export import cite_hits

        if result is None:
            return render.message("Type a query in Chinese or English and press Enter."), 1
        with self.ws.friendly("search") as box:
            size = max(1, _whole_number(size or DEFAULT_PAGE_SIZE, "page size"))
            hits = self.ordered(result, sort, group)
            pages = max(1, -(-len(hits) // size))
            page = min(max(1, _whole_number(page or 1, "page")), pages)
            lo = (page - 1) * size
            shown = hits[lo:lo + size]
            cites = {c.passage_id: c for c in cite_hits(shown, self.ws.store, result.query)}
            sizes = Counter(h.doc_id for h in hits) if group else None
            continued = shown[0].doc_id if group and lo and hits[lo - 1].doc_id == shown[0].doc_id else ""
            per_doc = _whole_number(per_doc or 0, "per_doc")
            notes = [label] if label else []
            notes += [f"{lo + 1}–{lo + len(shown)} of {render.count_noun(len(hits), 'passage')}",
                     f"page {page} of {pages}"]
            notes += [f"at most {per_doc} per document"] if per_doc else []
            notes += [f"sorted {SORT_LABELS.get(sort, sort)}"] if sort and sort != "relevance" else []
            notes += [f"grouped by document ({render.count_noun(len(sizes), 'document')})"] if sizes else []
            took = result.timings_ms.get("total", 0.0)
            notes += [result.mode, f"{took:.0f} ms"]
            html = render.result_cards(shown, self.evidence_spans(shown), " · ".join(notes), result.translations,
                                       cites, sizes, continued)
            return html, page
        return box[0], 1

    def export_file(self, result: SearchResult | None, fmt: str, sort: str = "relevance", group: bool = False) -> Path:
        """The whole result set, in the page's order, as a file in ``fmt`` under ``<home>/exports/results/``.

        Files older than a day are removed first: each search of each visitor writes one.
        """
        from policyscope.index.search.export import cite_hits, get_exporter

        if result is None:
            raise QueryError("search first; there are no results to export")
        try:
            exporter = get_exporter(fmt)
        except ValueError as exc:
            raise QueryError(str(exc)) from None
        out_dir = self.ws.settings.home / "exports" / "results"
        out_dir.mkdir(parents=True, exist_ok=True)
        cutoff = time.time() - EXPORT_MAX_AGE_S
        for old in out_dir.iterdir():
            if old.is_file() and old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        rows = cite_hits(self.ordered(result, sort, group), self.ws.store, result.query)
        path = out_dir / exporter.file_name(f"policyscope-results-{time.strftime('%Y%m%d-%H%M%S')}-"
                                            f"{uuid.uuid4().hex[:6]}")
        path.write_text(exporter.write(rows), encoding="utf-8")
        return path

    def search(
        self, query: str, mode: str = "hybrid", regions: Sequence[str] | None = None,
        docs: Sequence[str] | None = None, langs: Sequence[str] | None = None, year_from: YearValue = None,
        year_to: YearValue = None, measures: Sequence[str] | None = None, k: int | str = 10,
        countries: Sequence[str] | None = None, per_doc: int | str = 0,
    ) -> str:
        """The first page of result cards as HTML; empty or failing queries give a friendly message."""
        result, message = self.result_set(query, mode, regions, docs, langs, year_from, year_to, measures, k,
                                          countries, per_doc)
        if result is None:
            return message
        return self.page(result, 1, DEFAULT_PAGE_SIZE, per_doc=per_doc)[0]

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

    def more_like_this_set(self, passage_id: str, k: int = 20) -> tuple[SearchResult | None, str]:
        """The passages nearest to ``passage_id`` by embedding: ``(result, "")`` or ``(None, a message)``."""
        with self.ws.friendly("more like this") as box:
            with self.ws.search_lock:
                result = self.ws.searcher.more_like_this(passage_id, k=k)
            if not result.hits:
                return None, render.message("No similar passages found.", "empty")
            return result, ""
        return None, box[0]

    def more_like_this(self, passage_id: str, k: int = 10) -> str:
        """The passages nearest to ``passage_id`` by embedding, as result cards."""
        result, message = self.more_like_this_set(passage_id, k)
        if result is None:
            return message
        return self.page(result, 1, k, label=more_like_label(result))[0]
