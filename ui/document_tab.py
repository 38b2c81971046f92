"""The Document tab: a whole document, passage by passage, with the passage a click came from in focus.

Above the text: the document's facts (titles in every language, country, kind, dates, issuer, official
address, licence, source repository and commit) and its links to other documents, both ways: a policy
text shows the Table 1 row it is the basis of ("Basis of Table 1 row: 国防生产法" on Presidential
Determination 2022-11); the catalog record shows the full texts that implement it; the seed paper
shows them under each linked table row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
            if doc is None:  # a catalog id whose full text has a content id (a built-in policy text)
                match = next((i for i in store.document_infos() if i.catalog_id == doc_id and i.status == "full"), None)
                doc = store.get_document(match.id) if match else None
                if doc is None:
                    raise QueryError(f"unknown document {doc_id!r}")
                doc_id = doc.id
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
            infos = {i.id: i for i in store.document_infos()}
            related, passage_links = self.links(doc, passages, infos)
            html = render.document_view(doc, passages, passage_id, eff, spans, terms, related, passage_links)
            full = [i for i in infos.values() if i.catalog_id == doc_id and i.id != doc_id]
            if doc.status == "catalog" and full:
                links = " ".join(render.action(f"open full text ({i.passages} passages)", "open", doc=i.id)
                                 for i in full)
                html = f'<div class="ps-summary">{links}</div>' + html
            return html
        return box[0]

    def links(
        self, doc: Any, passages: Sequence[Any], infos: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, str]]]]:
        """(related groups above the text, links under single passages) for :func:`render.document_view`;
        ``infos`` maps every document id to its ``DocumentInfo``."""
        from policyscope.corpus.catalog import RELATIONS

        by_catalog = {i.catalog_id: i for i in infos.values() if i.catalog_id}

        def label(catalog_id: str) -> str:
            i = by_catalog.get(catalog_id) or infos.get(catalog_id)
            if i is None:
                return catalog_id
            return " / ".join(t for t in dict.fromkeys((i.title_zh, i.title_en)) if t) or i.title

        def relation(name: str) -> str:
            return name.replace("_", " ") + (" (primary)" if RELATIONS.get(name, "").startswith("primary") else "")

        meta = doc.meta or {}
        related: list[dict[str, Any]] = []
        basis = [link for link in meta.get("links", ()) if link.get("id") in by_catalog or link.get("id") in infos]
        if basis:
            table1 = [link for link in basis if self._list_of(link["id"]) == "strategy"]
            others = [link for link in basis if link not in table1]
            related.append({"heading": "Basis of Table 1 row 表1条目依据", "items": [
                {"label": label(link["id"]), "doc": link["id"], "note": relation(link["relation"])} for link in table1]})
            related.append({"heading": "Related catalog entries 相关目录条目", "items": [
                {"label": label(link["id"]), "doc": link["id"], "note": relation(link["relation"])} for link in others]})
        texts = meta.get("texts", ())
        if texts:
            related.append({"heading": "Full texts that implement it 实施该政策的全文", "items": [
                {"label": t.get("title") or t.get("title_en") or t["catalog_id"], "doc": t.get("doc_id") or t["catalog_id"],
                 "note": f"{t.get('date', '')} · {relation(t['relation'])}"} for t in texts]})
        # Seed-paper table rows: the full texts of the policy each linked row describes.
        passage_links: dict[str, list[dict[str, str]]] = {}
        spans = [(b.start, b.end, b.meta.get("catalog_id")) for b in doc.blocks if b.meta.get("catalog_id")]
        if spans and doc.status == "full":
            records = {cid: self.ws.store.get_document(cid) for _, _, cid in spans if cid in infos}
            for p in passages:
                for start, end, cid in spans:
                    rec = records.get(cid)
                    if rec is not None and start <= p.start and p.end <= end and rec.meta.get("texts"):
                        passage_links[p.id] = [
                            {"label": f"full text: {t.get('title_en') or t.get('title')}",
                             "doc": t.get("doc_id") or t["catalog_id"]}
                            for t in rec.meta["texts"] if t.get("primary")
                        ]
                        break
        return related, {k: v for k, v in passage_links.items() if v}

    def _list_of(self, catalog_id: str) -> str:
        doc = self.ws.store.get_document(catalog_id)
        return str((doc.meta or {}).get("list", "")) if doc is not None else ""
