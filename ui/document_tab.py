"""The Document tab: a whole document, passage by passage, with the passage a click came from in focus."""

from __future__ import annotations

from collections.abc import Sequence

from policyscope.corpus.errors import QueryError
from policyscope.ui import render
from policyscope.ui.workspace import Workspace


class DocumentTab:
    """Documents of the workspace's store, with their measures and evidence."""

    def __init__(self, workspace: Workspace):
        self.ws = workspace

    def document_view(self, doc_id: str, passage_id: str | None = None, terms: Sequence[str] = ()) -> str:
        """The whole document with ``passage_id`` highlighted (the page scrolls it into view)."""
        from policyscope.nlp.labels import effective_tags

        if not doc_id:
            return render.message("Open a document from a search result, the Compare tab or the Corpus tab.")
        store = self.ws.store
        with self.ws.friendly("document view") as box:
            doc = store.get_document(doc_id)
            if doc is None:
                raise QueryError(f"unknown document {doc_id!r}")
            passages = list(store.iter_passages(doc_id))
            if passage_id and passage_id not in {p.id for p in passages}:
                # A linked passage of another document (a seed-paper table row about this record): show that one.
                row = store.get_passages([passage_id]).get(passage_id)
                if row is not None and row.doc_id != doc_id:
                    return self.document_view(row.doc_id, passage_id, terms)
            pids = [p.id for p in passages]
            eff = effective_tags(store, pids)
            machine = store.tags_for(pids)
            spans = {pid: [(s.start, s.end) for t in ts if t.measure in eff.get(pid, set()) for s in t.spans]
                     for pid, ts in machine.items()}
            html = render.document_view(doc, passages, passage_id, eff, spans, terms)
            full = [i for i in store.document_infos() if i.catalog_id == doc_id and i.id != doc_id]
            if doc.status == "catalog" and full:
                links = " ".join(render.action(f"open full text ({i.passages} passages)", "open", doc=i.id)
                                 for i in full)
                html = f'<div class="ps-summary">{links}</div>' + html
            return html
        return box[0]
