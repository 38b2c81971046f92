"""Compare documents and countries by the policy measures their passages carry.

Pure functions over the store (and, for alignment, the index's stored passage vectors):

- :func:`measure_table`: for 2–4 items (document ids, catalog ids, countries or regions), which of the
  measures each one has, with its strongest evidence passage, and which measures are shared or unique.
- :func:`country_measure_matrix`: documents and passages per country × measure over the whole corpus,
  the automatic counterpart of the seed paper's Table 1.
- :func:`align_passages`: for each passage of one item, its closest passages in another, across languages.

The compared items' documents by year (the timeline) are in :mod:`.timeline`.

An *item* resolves to passages in four ways. A document id gives that document's passages. A catalog id
also gives the full texts of that entry (``catalog_id`` link: a shipped or fetched text) and the seed
paper's table rows that describe it (their block carries ``meta["catalog_id"]``), so a catalog record is
compared on all the evidence the corpus holds about it. A country — a code or any name or alias of
:mod:`policyscope.corpus.jurisdictions` (``US``, ``美国``, ``米国``, ``eu``) — gives every passage
attributed to that country: a linked table row counts for the country of the policy it describes, not
for the paper's. A region or bloc (``G7``, ``EU27``, ``东亚``) gives the passages of its countries.

Example: ``measure_table(store, ["us-li-blueprint-2021", "eu-batteries-regulation"])`` returns one row per
measure; the row for ``localization`` holds the blueprint's table row 打造…美国本土锂电池供应链 as evidence
and ``None`` for the regulation if nothing there mentions domestic production, so the row is unique to
the blueprint.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from policyscope.corpus.errors import QueryError
from policyscope.corpus.frames import to_frame
from policyscope.corpus.records import PassageView
from policyscope.corpus.store import Store

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

MAX_ITEMS = 4
HUMAN_SCORE = 1.0  # an accepted or added human tag outranks any machine score


@dataclass(frozen=True)
class Item:
    """A resolved comparison item: what the user named and the passages it stands for."""

    key: str
    kind: str  # "document", "country" or "region" (a region or bloc)
    label_zh: str
    label_en: str
    country: str  # the document's or the item's country code; "" for a region or bloc
    year: int | None
    passage_ids: tuple[str, ...]


@dataclass(frozen=True)
class Evidence:
    """The strongest passage of an item for one measure."""

    passage_id: str
    doc_id: str
    score: float
    text: str
    spans: tuple[tuple[int, int], ...] = ()
    passages: int = 1  # how many passages of the item carry the measure


@dataclass(frozen=True)
class MeasureRow:
    measure: str
    cells: tuple[Evidence | None, ...]

    @property
    def present(self) -> tuple[bool, ...]:
        return tuple(c is not None for c in self.cells)

    @property
    def shared(self) -> bool:
        """Every item has the measure."""
        return len(self.cells) > 1 and all(self.present)

    @property
    def unique_to(self) -> int | None:
        """Index of the only item having the measure, when exactly one has it."""
        idx = [i for i, p in enumerate(self.present) if p]
        return idx[0] if len(idx) == 1 and len(self.cells) > 1 else None


@dataclass(frozen=True)
class MeasureTable:
    items: tuple[Item, ...]
    rows: tuple[MeasureRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": [
                {"key": i.key, "kind": i.kind, "label_zh": i.label_zh, "label_en": i.label_en,
                 "country": i.country, "year": i.year, "passages": len(i.passage_ids)}
                for i in self.items
            ],
            "rows": [
                {"measure": r.measure, "shared": r.shared,
                 "unique_to": None if r.unique_to is None else self.items[r.unique_to].key,
                 "cells": [None if c is None else {"passage_id": c.passage_id, "doc_id": c.doc_id,
                                                   "score": round(c.score, 4), "text": c.text,
                                                   "passages": c.passages}
                           for c in r.cells]}
                for r in self.rows
            ],
        }

    def to_pandas(self) -> pd.DataFrame:
        """One row per measure, one column per item (``US``, ``日本``…): True where the item has it.

        The evidence (passage id, score, text) is in :meth:`to_dict`; this is the overview table.
        """
        columns = [i.key for i in self.items]
        frame = to_frame(({"measure": r.measure, **dict(zip(columns, r.present))} for r in self.rows),
                         ["measure", *columns])
        return frame.set_index("measure")


@dataclass(frozen=True)
class MeasureMatrix:
    """Counts per country × measure: documents having the measure, and tagged passages."""

    countries: tuple[str, ...]
    measures: tuple[str, ...]
    documents: np.ndarray  # (countries, measures) int
    passages: np.ndarray  # (countries, measures) int
    country_documents: tuple[int, ...] = ()  # documents per country (denominator)


@dataclass(frozen=True)
class Alignment:
    """One passage of item A with its closest passages of item B."""

    passage: PassageView
    matches: tuple[tuple[PassageView, float], ...] = field(default=())


# -- resolving items ------------------------------------------------------------------------------


def linked_passages(store: Store) -> dict[str, str]:
    """Passage id -> catalog id, for passages inside blocks linked to a catalog entry (seed table rows)."""
    out: dict[str, str] = {}
    for doc in store.iter_documents():
        spans = [(b.start, b.end, b.meta.get("catalog_id")) for b in doc.blocks if b.meta.get("catalog_id")]
        if not spans:
            continue
        for p in store.iter_passages(doc.id):
            for start, end, cid in spans:
                if start <= p.start and p.end <= end:
                    out[p.id] = str(cid)
                    break
    return out


def passage_countries(store: Store, links: dict[str, str] | None = None) -> dict[str, tuple[str, str]]:
    """Passage id -> (country code, document key) where a linked passage counts for its catalog entry."""
    links = linked_passages(store) if links is None else links
    infos = {i.id: i for i in store.document_infos()}
    out: dict[str, tuple[str, str]] = {}
    for row in store.passage_rows():
        pid = row.id
        cid = links.get(pid)
        if cid and cid in infos:
            out[pid] = ((infos[cid].country or "").upper(), cid)
        else:
            key = row.catalog_id or row.doc_id
            out[pid] = ((row.country or "").upper(), key)
    return out


def _titles(infos: dict[str, Any], key: str) -> tuple[str, str, str, int | None]:
    """(zh label, en label, country, year) of a document or of the full texts of a catalog id."""
    info = infos.get(key) or next(i for i in infos.values() if i.catalog_id == key)
    return info.title_zh or info.title, info.title_en or info.title, info.country, info.year


def resolve_items(store: Store, keys: Sequence[str], links: dict[str, str] | None = None) -> list[Item]:
    """Turn document ids, catalog ids, countries or regions/blocs into :class:`Item` s.

    Raises:
        QueryError: an unknown key, fewer than one or more than ``MAX_ITEMS`` keys.
    """
    from policyscope.corpus.jurisdictions import country_names, grouping, resolve_country

    keys = [k.strip() for k in keys if k and k.strip()]
    keys = list(dict.fromkeys(keys))
    if not keys:
        raise QueryError("pick at least one document or country to compare")
    if len(keys) > MAX_ITEMS:
        raise QueryError(f"compare at most {MAX_ITEMS} items at a time, got {len(keys)}")
    infos = {i.id: i for i in store.document_infos()}
    catalog_ids = {i.catalog_id for i in infos.values() if i.catalog_id}
    countries = {(i.country or "").upper() for i in infos.values() if i.country}
    links = linked_passages(store) if links is None else links
    where: dict[str, tuple[str, str]] | None = None
    items = []
    for key in keys:
        if key in infos or key in catalog_ids:
            docs = ([key] if key in infos else []) + [i.id for i in infos.values() if i.catalog_id == key and i.id != key]
            pids = [p.id for d in docs for p in store.iter_passages(d)]
            pids += [pid for pid, cid in links.items() if cid == key and pid not in pids]
            zh, en, country, year = _titles(infos, key)
            items.append(Item(key, "document", zh, en, country, year, tuple(pids)))
            continue
        code = resolve_country(key)
        group = None if code in countries else grouping(key)
        if code in countries:
            where = passage_countries(store, links) if where is None else where
            pids = [pid for pid, (c, _) in where.items() if c == code]
            names = country_names(str(code))
            items.append(Item(str(code), "country", names["zh"], names["en"], str(code), None, tuple(pids)))
        elif group is not None and group.codes & countries:
            where = passage_countries(store, links) if where is None else where
            pids = [pid for pid, (c, _) in where.items() if c in group.codes]
            zh = (group.names.get("zh") or (group.name,))[0]
            items.append(Item(group.key, "region", zh, group.name, "", None, tuple(pids)))
        else:
            raise QueryError(
                f"unknown document or country {key!r}; use a document id from the Corpus tab, a country"
                f" ({', '.join(sorted(countries))}) or a region or bloc (G7, EU27, Eastern Asia)"
            )
    return items


# -- measure table --------------------------------------------------------------------------------


def _strengths(store: Store, pids: Sequence[str]) -> dict[str, dict[str, tuple[float, tuple[tuple[int, int], ...]]]]:
    """passage -> measure -> (score, evidence spans), after human corrections (effective tags).

    The score is the best machine score of the measure on the passage; a human accept or add sets it
    to ``HUMAN_SCORE``, so reviewed evidence is preferred as a cell's strongest passage.
    """
    from policyscope.nlp.labels import effective_tags

    effective = effective_tags(store, pids)
    machine = store.tags_for(list(pids))
    wanted = set(pids)
    human: dict[str, set[str]] = defaultdict(set)
    for ann in store.annotations():  # in id order: the latest word on a pair wins
        if ann["passage_id"] not in wanted:
            continue
        if ann["action"] == "reject":
            human[ann["passage_id"]].discard(ann["measure"])
        else:
            human[ann["passage_id"]].add(ann["measure"])
    out: dict[str, dict[str, tuple[float, tuple[tuple[int, int], ...]]]] = {}
    for pid in pids:
        best: dict[str, tuple[float, tuple[tuple[int, int], ...]]] = {}
        for t in machine.get(pid, []):
            if t.measure not in best or t.score > best[t.measure][0]:
                best[t.measure] = (float(t.score), tuple((s.start, s.end) for s in t.spans))
        row = {}
        for m in effective.get(pid, set()):
            score, spans = best.get(m, (HUMAN_SCORE, ()))
            row[m] = (HUMAN_SCORE if m in human[pid] else score, spans)
        if row:
            out[pid] = row
    return out


def measure_ids(found: Iterable[str] = ()) -> list[str]:
    """The taxonomy's measure ids in file order, then any other measure ``found`` in the data."""
    try:
        from policyscope.nlp.measures import load_taxonomy

        ids = list(load_taxonomy().ids)
    except (ImportError, OSError, ValueError):  # taxonomy file absent or being edited
        ids = []
    return ids + sorted(set(found) - set(ids))


def measure_table(store: Store, keys: Sequence[str], measures: Sequence[str] | None = None) -> MeasureTable:
    """Side-by-side presence of each measure for 1–4 items, with the strongest evidence passage per cell."""
    links = linked_passages(store)
    items = resolve_items(store, keys, links)
    all_pids = sorted({pid for it in items for pid in it.passage_ids})
    strengths = _strengths(store, all_pids)
    texts = store.get_passages([pid for pid in all_pids if pid in strengths])
    if measures is None:
        measures = measure_ids(m for row in strengths.values() for m in row)
    rows = []
    for m in measures:
        cells: list[Evidence | None] = []
        for it in items:
            having = [(strengths[p][m][0], p) for p in it.passage_ids if p in strengths and m in strengths[p]]
            if not having:
                cells.append(None)
                continue
            score, pid = max(having, key=lambda x: (x[0], -it.passage_ids.index(x[1])))
            r = texts[pid]
            cells.append(Evidence(pid, r.doc_id, score, r.text, strengths[pid][m][1], len(having)))
        rows.append(MeasureRow(m, tuple(cells)))
    return MeasureTable(tuple(items), tuple(rows))


# -- corpus overviews -----------------------------------------------------------------------------


def country_measure_matrix(store: Store, measures: Sequence[str] | None = None) -> MeasureMatrix:
    """Documents and passages per country × measure over the whole corpus (effective tags).

    A document counts for a cell when at least one of its passages carries the measure. The seed paper's
    table rows count for the policy they describe (and its country), so a catalog record whose own text
    is one short summary still shows the measures the paper attributes to it.
    """
    from policyscope.nlp.labels import effective_tags

    where = passage_countries(store)
    tags = effective_tags(store, list(where))
    if measures is None:
        measures = measure_ids(m for ms in tags.values() for m in ms)
    countries = sorted({c for c, _ in where.values() if c})
    ci = {c: i for i, c in enumerate(countries)}
    mi = {m: j for j, m in enumerate(measures)}
    docs_per_cell: dict[tuple[int, int], set[str]] = defaultdict(set)
    passages = np.zeros((len(countries), len(measures)), dtype=np.int64)
    country_docs: dict[str, set[str]] = defaultdict(set)
    for pid, (country, doc_key) in where.items():
        if country not in ci:
            continue
        country_docs[country].add(doc_key)
        for m in tags.get(pid, ()):
            if m in mi:
                passages[ci[country], mi[m]] += 1
                docs_per_cell[(ci[country], mi[m])].add(doc_key)
    documents = np.zeros_like(passages)
    for (i, j), ds in docs_per_cell.items():
        documents[i, j] = len(ds)
    return MeasureMatrix(tuple(countries), tuple(measures), documents, passages,
                         tuple(len(country_docs[c]) for c in countries))


def item_countries(item: Item) -> frozenset[str]:
    """The jurisdiction codes an item stands for: a document's or country's code, a region's members."""
    if item.kind == "region":
        from policyscope.corpus.jurisdictions import grouping

        group = grouping(item.key)
        return frozenset(group.codes) if group is not None else frozenset()
    return frozenset({item.country.upper()}) if item.country else frozenset()


# -- passage alignment ----------------------------------------------------------------------------


def passage_vectors(searcher: Any, passage_ids: Sequence[str]) -> np.ndarray:
    """Unit vectors of stored passages: read from the loaded index, encoded (cached) only if missing."""
    idx = searcher.index
    dim = idx.vectors.dim
    out = np.zeros((len(passage_ids), dim), dtype=np.float32)
    missing: list[int] = []
    rows = [idx.row_of.get(pid) for pid in passage_ids]
    try:
        xb = idx.vectors._exact_vectors()  # zero-copy view of the flat storage
    except Exception:  # noqa: BLE001 - an index kind without exact storage: reconstruct or encode
        xb = None
    for i, row in enumerate(rows):
        if row is None:
            missing.append(i)
        elif xb is not None:
            out[i] = xb[row]
        else:
            out[i] = idx.vectors._index.reconstruct(int(row))
    if missing:
        from policyscope.index.build import embedding_text
        from policyscope.index.cache import EmbeddingCache

        info = searcher.store.get_passages([passage_ids[i] for i in missing])
        texts = [embedding_text(info[passage_ids[i]]) for i in missing]
        with EmbeddingCache(searcher.settings.cache_path) as cache:
            out[missing] = cache.embed(searcher.encoder, texts)
    return out


def align_passages(
    searcher: Any, item_a: str, item_b: str, k: int = 3, min_score: float | None = None,
    max_passages: int = 200,
) -> list[Alignment]:
    """For each passage of ``item_a`` (in document order), its ``k`` closest passages of ``item_b``.

    Uses the passage embeddings the index already holds, so a Chinese passage meets its English
    counterpart when the encoder is multilingual; nothing is re-embedded for indexed passages.
    """
    if not 1 <= k <= 20:
        raise QueryError(f"k must be between 1 and 20, got {k}")
    store = searcher.store
    links = linked_passages(store)
    a, b = resolve_items(store, [item_a, item_b], links) if item_a != item_b else (
        resolve_items(store, [item_a], links) * 2)
    pa, pb = list(a.passage_ids)[:max_passages], list(b.passage_ids)
    if not pa or not pb:
        return []
    va, vb = passage_vectors(searcher, pa), passage_vectors(searcher, pb)
    sims = va @ vb.T
    info = store.get_passages(list(dict.fromkeys(pa + pb)))
    kk = min(k, len(pb))
    out = []
    for i, pid in enumerate(pa):
        order = np.argsort(-sims[i], kind="stable")
        matches = []
        for j in order:
            if pb[j] == pid:
                continue
            score = float(sims[i, j])
            if min_score is not None and score < min_score:
                break
            matches.append((info[pb[j]], round(score, 4)))
            if len(matches) == kk:
                break
        out.append(Alignment(info[pid], tuple(matches)))
    return out


def cell_passages(store: Store, country: str, measure: str, limit: int = 20) -> list[dict[str, Any]]:
    """The passages behind one heatmap cell (country × measure), strongest evidence first.

    Rows carry the passage and document fields a result card shows, plus ``spans`` (evidence offsets).
    """
    country = (country or "").upper()
    where = passage_countries(store)
    pids = [pid for pid, (c, _) in where.items() if c == country]
    strengths = _strengths(store, pids)
    having = sorted(
        ((strengths[p][measure][0], p) for p in pids if p in strengths and measure in strengths[p]),
        key=lambda x: -x[0],
    )[:limit]
    info = store.get_passages([p for _, p in having])
    out = []
    for rank, (score, pid) in enumerate(having, start=1):
        row = asdict(info[pid])
        row.update(passage_id=pid, rank=rank, score=score, spans=list(strengths[pid][measure][1]),
                   measures=tuple(sorted(strengths[pid])))
        out.append(row)
    return out
