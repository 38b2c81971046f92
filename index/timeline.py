"""The compared items on a timeline: their documents by year, with each document's catalog context.

- :func:`item_timeline`: the compared items' documents by year, with their catalog context;
  :func:`year_counts`: documents per year over the corpus; :func:`timeline`: every dated document.

Items come from :func:`.compare.resolve_items`; a country or region item shows the documents of the
jurisdictions :func:`.compare.item_countries` names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from policyscope.index.compare import item_countries

if TYPE_CHECKING:
    from policyscope.corpus.store import Store
    from policyscope.index.compare import Item


@dataclass(frozen=True)
class TimelineEntry:
    """One document on a compared item's timeline, with the catalog context the app shows on demand.

    ``linked`` holds (document id, label, relation) for each document it is tied to: the Table 1 or
    catalog entries a text implements (``meta["links"]``), the full texts of a catalog entry
    (``meta["texts"]`` and ``catalog_id``), and a full text's own catalog record.
    """

    doc_id: str
    year: int | None
    country: str
    title_zh: str
    title_en: str
    title: str
    kind: str
    status: str
    issuer: str = ""
    catalog_list: str = ""  # the catalog list of a record ("strategy" = a row of the seed paper's Table 1)
    linked: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class TimelineLane:
    """A compared item's documents by year: the documents of a document item (the record and its full
    texts), or the dated documents of a country or region, at most ``max_entries`` of them."""

    item: Item
    entries: tuple[TimelineEntry, ...]
    undated: int = 0  # documents of a country or region without a year, left off the timeline
    more: int = 0  # dated documents past ``max_entries``, left off


@dataclass(frozen=True)
class YearCounts:
    """Documents per year over the whole corpus (the timeline's summary before any comparison)."""

    years: tuple[int, ...]
    counts: tuple[int, ...]
    undated: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts)


def _entry(info: Any, doc: Any, infos: dict[str, Any], full_texts: dict[str, list[str]]) -> TimelineEntry:
    """``full_texts``: catalog id -> ids of the documents whose ``catalog_id`` names it."""
    meta = (doc.meta if doc is not None else None) or {}

    def label(doc_id: str) -> str:
        i = infos.get(doc_id) or next((infos[t] for t in full_texts.get(doc_id, ())), None)
        if i is None:
            return doc_id
        return " / ".join(t for t in dict.fromkeys((i.title_zh, i.title_en)) if t) or i.title or doc_id

    linked: dict[str, tuple[str, str, str]] = {}
    for link in meta.get("links", ()):
        if link.get("id"):
            linked.setdefault(link["id"], (link["id"], label(link["id"]), str(link.get("relation", ""))))
    for t in meta.get("texts", ()):
        target = t.get("doc_id") or t.get("catalog_id")
        if target:
            linked.setdefault(target, (target, label(target), str(t.get("relation", "full text"))))
    for other in full_texts.get(info.id, ()):
        if other != info.id:
            linked.setdefault(other, (other, label(other), "full text"))
    if info.catalog_id and info.catalog_id != info.id:
        linked.setdefault(info.catalog_id, (info.catalog_id, label(info.catalog_id), "catalog record"))
    return TimelineEntry(
        info.id, info.year, (info.country or "").upper(), info.title_zh, info.title_en, info.title, info.kind,
        info.status, str(meta.get("issuer", "")), str(meta.get("list", "")), tuple(linked.values()),
    )


def item_timeline(store: Store, items: Sequence[Item], max_entries: int = 200) -> list[TimelineLane]:
    """The compared items' documents by year, one lane per item (see :class:`TimelineLane`).

    A document item shows itself and the full texts linked to it by ``catalog_id`` (dated or not, they
    are what is being compared); a country or region shows its dated documents, oldest first. Only the
    lanes' documents are read in full (for the issuer and links), so the cost follows the comparison, not
    the corpus: with 2,125 documents a lane still reads at most ``max_entries`` of them.
    """
    infos = {i.id: i for i in store.document_infos()}
    full_texts: dict[str, list[str]] = defaultdict(list)
    for i in infos.values():
        if i.catalog_id:
            full_texts[i.catalog_id].append(i.id)
    lanes = []
    for item in items:
        if item.kind == "document":
            chosen = ([infos[item.key]] if item.key in infos else []) + sorted(
                (infos[d] for d in full_texts.get(item.key, ()) if d != item.key),
                key=lambda i: (i.year or 0, i.id))
            undated = 0
        else:
            codes = item_countries(item)
            mine = [i for i in infos.values() if (i.country or "").upper() in codes]
            chosen = sorted((i for i in mine if i.year is not None), key=lambda i: (i.year, i.country, i.id))
            undated = len(mine) - len(chosen)
        more = max(0, len(chosen) - max_entries)
        entries = tuple(_entry(i, store.get_document(i.id), infos, full_texts)
                        for i in chosen[:max_entries])
        lanes.append(TimelineLane(item, entries, undated, more))
    return lanes


def year_counts(store: Store) -> YearCounts:
    """Documents per year over the corpus, every year from the first to the last (zeros included)."""
    years = [i.year for i in store.document_infos()]
    dated = [y for y in years if y is not None]
    if not dated:
        return YearCounts((), (), len(years))
    per: dict[int, int] = defaultdict(int)
    for y in dated:
        per[y] += 1
    span = tuple(range(min(dated), max(dated) + 1))
    return YearCounts(span, tuple(per[y] for y in span), len(years) - len(dated))


def timeline(store: Store) -> list[dict[str, Any]]:
    """Documents by year: one row per document with a year, sorted by year then country."""
    rows = [
        {"year": i.year, "country": i.country, "doc_id": i.id, "title_zh": i.title_zh, "title_en": i.title_en,
         "title": i.title, "kind": i.kind, "status": i.status}
        for i in store.document_infos()
        if i.year is not None
    ]
    return sorted(rows, key=lambda r: (r["year"], r["country"], r["doc_id"]))
