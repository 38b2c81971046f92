"""The Compare tab: measure table, heatmap of the compared jurisdictions, their timeline, passage alignment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from policyscope.corpus.errors import PolicyscopeError
from policyscope.ui import render
from policyscope.ui.workspace import Workspace

if TYPE_CHECKING:
    from policyscope.index.compare import Item


def _label(item: Item) -> str:
    if item.kind == "country":
        return f"{item.key} · {item.label_en}"
    return item.label_en if item.kind == "region" else (item.label_zh or item.label_en)


class CompareTab:
    """Comparisons over the workspace's store; corpus-wide views are cached until the store changes."""

    def __init__(self, workspace: Workspace):
        self.ws = workspace

    def compare(self, items: Sequence[str] | None, k: int = 2) -> tuple[str, str, str, str]:
        """(measure table, heatmap, timeline, alignment of the first two items) as HTML.

        With 2–4 items the heatmap marks their countries and the timeline shows their documents; before
        that (or on an error) the heatmap is unmarked and the timeline is the corpus' documents per year.
        """
        from policyscope.index import compare as cmp

        items = [i for i in (items or []) if i]
        if len(items) < 2:
            msg = render.message("Pick 2–4 documents, countries or regions to compare.", "empty")
            return msg, self.heatmap(), self.timeline(), msg
        with self.ws.friendly("compare") as box:
            table = cmp.measure_table(self.ws.store, items)
            a, b = table.items[0], table.items[1]
            with self.ws.search_lock:
                aligned = cmp.align_passages(self.ws.searcher, a.key, b.key, k=k, max_passages=60)
            return (render.measure_table(table), self.heatmap(table.items), self.timeline(table.items),
                    render.alignment(aligned, _label(a), _label(b)))
        return box[0], self.heatmap(), self.timeline(), box[0]

    def compare_json(self, items: Sequence[str] | None, k: int = 2) -> dict[str, Any]:
        """The measure table and the alignment of the first two items as data (the ``compare`` API)."""
        from policyscope.index import compare as cmp

        try:
            table = cmp.measure_table(self.ws.store, list(items or []))
            out = table.to_dict()
            if len(table.items) >= 2:
                with self.ws.search_lock:
                    aligned = cmp.align_passages(self.ws.searcher, table.items[0].key, table.items[1].key, k=k,
                                                 max_passages=60)
                out["alignment"] = [
                    {"passage_id": a.passage.id, "text": a.passage.text,
                     "matches": [{"passage_id": m.id, "doc_id": m.doc_id, "score": s} for m, s in a.matches]}
                    for a in aligned
                ]
            return out
        except PolicyscopeError as exc:
            return {"error": str(exc), "rows": []}

    def heatmap(self, items: Sequence[Item] = ()) -> str:
        """The country × measure heatmap; the rows of the compared ``items``' countries are marked.

        The matrix is cached until the store changes; the HTML is rendered per call (it depends on the items).
        """
        from policyscope.index.compare import country_measure_matrix, item_countries

        with self.ws.friendly("heatmap") as box:
            matrix = self.ws.cached("heatmap-matrix", lambda: country_measure_matrix(self.ws.store))
            return render.heatmap(matrix, {c for it in items for c in item_countries(it)})
        return box[0]

    def timeline(self, items: Sequence[Item] = ()) -> str:
        """The compared ``items``' documents by year, or with no items the corpus' documents per year."""
        from policyscope.index.timeline import item_timeline, year_counts

        with self.ws.friendly("timeline") as box:
            if items:
                return render.timeline(item_timeline(self.ws.store, items))
            return self.ws.cached("timeline", lambda: render.year_strip(year_counts(self.ws.store)))
        return box[0]

    def cell_evidence(self, country: str, measure: str, limit: int = 20) -> str:
        """Passages behind one heatmap cell (country × measure), strongest first."""
        from policyscope.index.compare import cell_passages

        with self.ws.friendly("evidence") as box:
            rows = cell_passages(self.ws.store, country, measure, limit=limit)
            if not rows:
                return render.message(f"No passage of {country} carries {render.measure_label(measure)}.", "empty")
            return render.result_cards(rows, {r["passage_id"]: r["spans"] for r in rows},
                                       f"{country} · {render.measure_label(measure)}: {len(rows)} passages")
        return box[0]
