"""Build the Milvus backend's index: a full build into a new collection, or an incremental add into the
current one; either way a search reads the previous state until ``indexes/CURRENT`` switches.

A full build creates a new collection, inserts every passage, checks with a strongly consistent
count that all are visible, writes the index directory (manifest naming the collection, row order
and filter columns, BM25 statistics) and only then points ``CURRENT`` at it; older collections of
this workspace are dropped afterwards (the previous one is kept with the previous directory).

An add compares the store with the collection (ids and filter fields, read back from Milvus) and
upserts only the new passages and those whose filter fields changed (a corrected measure tag),
embedding only what the cache lacks; rows it has inserted are invisible to searches until the new
directory lists them. Removed passages are deleted after the switch, so the previous directory never
names a row that is gone. A kill at any point leaves ``CURRENT`` on a complete state, and the next
run reconciles the collection with the store (Milvus Lite has no collection aliases, so the switch
is the ``CURRENT`` file, not ``alter_alias``).

New passages are weighted with the statistics of the last full build plus the added passages; the
stored ones keep their weights, so after more than ``REBUILD_FRACTION`` of the collection has changed
since the last full build, the next build is a full one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from policyscope.corpus.config import Settings
from policyscope.corpus.errors import IndexMismatchError
from policyscope.corpus.store import Store
from policyscope.index.backends.milvus import (
    COLLECTION_SCHEMA,
    _iterate,
    client,
    create_collection,
    index_type,
    require_pymilvus,
)
from policyscope.index.backends.sparse import Bm25Stats
from policyscope.index.build import (
    BUILD_BATCH,
    BuildReport,
    EmbeddingText,
    Progress,
    base_manifest,
    build_fingerprint,
    current_index_dir,
    embedding_text,
    in_batches,
    keyword_tokens,
    point_to,
    read_manifest,
    verify_index_files,
    write_index_dir,
)
from policyscope.index.columns import ColumnParts, passage_columns
from policyscope.index.keywords import TokenRows

if TYPE_CHECKING:
    from policyscope.index.encoders import Encoder

log = logging.getLogger(__name__)

REBUILD_FRACTION = 0.10
BATCH = 500  # rows per insert request: ~1 MB with 512-d vectors, well under the 64 MB gRPC limit
STORE_CHANGED = "the store changed during the Milvus build; run the build again"


def collection_prefix(settings: Settings) -> str:
    """The collections of one workspace share this prefix (several workspaces may share a server)."""
    return "ps_" + hashlib.sha1(str(settings.home.resolve()).encode()).hexdigest()[:10]


def _scalar_records(columns: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """Per row, the filter fields as Milvus stores them, and ``filter_key``: a digest of them that an add
    reads back to find the rows whose fields changed (reading the ``measures`` array back fails in
    pymilvus 2.5 with Milvus Lite when it is empty: "Unsupported data type: 0")."""
    measures = columns["measures"].tolist()
    matrix = columns["measure_matrix"]
    out = []
    for i, pid in enumerate(columns["ids"].tolist()):
        rec = {
            "id": pid, "doc_id": str(columns["doc_id"][i]), "catalog_id": str(columns["catalog_id"][i]),
            "country": str(columns["country_code"][i]), "region": str(columns["region"][i]),
            "lang": str(columns["lang"][i]), "kind": str(columns["kind"][i]), "year": int(columns["year"][i]),
            "measures": [m for j, m in enumerate(measures) if matrix[i, j]] if measures else [],
        }
        key = json.dumps(rec, sort_keys=True, ensure_ascii=False).encode("utf-8")
        rec["filter_key"] = hashlib.sha1(key).hexdigest()[:16]
        out.append(rec)
    return out


def _upsert(
    milvus: Any, collection: str, records: list[dict[str, Any]], vectors: np.ndarray,
    sparse: list[dict[int, float]],
) -> None:
    for start in range(0, len(records), BATCH):
        batch = []
        for j in range(start, min(start + BATCH, len(records))):
            # An empty sparse vector is refused by Milvus; a passage without a token matches no keyword anyway.
            batch.append({**records[j], "dense": vectors[j].tolist(), "sparse": sparse[j] or {0: 1e-9}})
        milvus.upsert(collection, batch)


def _wait_visible(milvus: Any, collection: str, expected: int) -> None:
    """Block until a strongly consistent count sees ``expected`` rows: a search after the switch must."""
    got = milvus.query(collection, filter="", output_fields=["count(*)"], consistency_level="Strong")
    count = int(got[0]["count(*)"])
    if count < expected:  # more is fine: rows of a removed passage are deleted after the switch
        raise IndexMismatchError(f"Milvus collection {collection}: {count} rows visible, expected {expected}")


def build_milvus(
    store: Store,
    settings: Settings,
    *,
    force: bool = False,
    progress: Progress | None = None,
    encoder: Encoder | None = None,
    embedding_text: EmbeddingText = embedding_text,
) -> BuildReport:
    """``build_index`` for ``backend = "milvus"``: same arguments, same report (``embedded``: encoded now)."""
    from policyscope.index.encoders import get_encoder, package_version
    from policyscope.nlp.tokens import BilingualTokenizer

    require_pymilvus()
    started = time.perf_counter()
    root = settings.index_root
    root.mkdir(parents=True, exist_ok=True)
    uri = settings.milvus_target
    spec = {"uri": uri, "index_type": index_type(settings.milvus_index, uri), "schema": COLLECTION_SCHEMA}
    tokenizer = BilingualTokenizer()
    fingerprint = build_fingerprint(store, settings, tokenizer, milvus=spec)
    milvus = client(uri)

    current = current_index_dir(root)
    old: dict[str, Any] | None = None
    if current is not None:
        try:
            old = read_manifest(current)
        except IndexMismatchError:
            old = None
    old_spec = (old or {}).get("milvus") or {}
    reusable = (
        not force and old is not None and old.get("backend") == "milvus"
        and {k: old_spec.get(k) for k in spec} == spec
        and old["encoder"]["name"] == settings.encoder and old.get("tokenizer") == tokenizer.settings()
        and milvus.has_collection(old_spec.get("collection", ""))
    )
    if (
        reusable and old is not None and current is not None
        and old.get("fingerprint") == fingerprint and not verify_index_files(current, old)
    ):
        _drop_unreferenced(milvus, settings)  # a build killed earlier may have left a collection
        return BuildReport(current, old["counts"]["passages"], 0, True, time.perf_counter() - started)

    if encoder is None:
        encoder = get_encoder(settings.encoder, device=settings.device)
    stored: dict[str, str] = {}
    if reusable:
        stored = {rec["id"]: rec["filter_key"]
                  for batch in _iterate(milvus, old_spec["collection"], ["id", "filter_key"]) for rec in batch}
    scan = _scan(store, tokenizer, stored if reusable else None, progress)
    stats: Bm25Stats | None = None
    removed: list[str] = []
    since_full = 0
    if reusable and current is not None:
        stats = Bm25Stats.load(current)
        removed = sorted(set(stored) - scan.ids)
        since_full = int(old_spec.get("changed_since_full", 0)) + len(scan.changed) + len(removed)
        if since_full > REBUILD_FRACTION * max(stats.n_docs, 1):
            log.info("%d of %d passages changed since the last full build: building a new collection",
                     since_full, stats.n_docs)
            reusable, stats, removed, since_full = False, None, [], 0
            scan = _scan(store, tokenizer, None, progress)
    if stats is None:  # a full build: the statistics of every passage, as bm25s takes them for the faiss backend
        collection = f"{collection_prefix(settings)}_{time.strftime('%Y%m%d%H%M%S')}_{uuid.uuid4().hex[:6]}"
        stats = Bm25Stats.of(scan.token_lists())
    else:
        collection = old_spec["collection"]
        stats.add([t for t, new in zip(scan.token_lists(), scan.new) if new])

    created = False
    if not milvus.has_collection(collection):
        create_collection(milvus, collection, int(encoder.dim), uri, spec["index_type"])
        created = True
    try:
        embedded = _upsert_changed(milvus, collection, store, settings, encoder, embedding_text, scan, stats,
                                   progress)
        _wait_visible(milvus, collection, scan.total)  # the removed rows go after the switch
        manifest = base_manifest(fingerprint, scan.columns, embedded, tokenizer, encoder.info())
        manifest["backend"] = "milvus"
        manifest["milvus"] = {**spec, "collection": collection, "changed_since_full": since_full,
                              "upserted_now": len(scan.changed), "deleted_now": len(removed)}
        manifest["keywords"] = {"kind": "sparse BM25 (project tokenizer)", "n_docs": stats.n_docs,
                                "vocab_size": len(stats.df), "params": {"k1": stats.k1, "b": stats.b}}
        manifest["versions"] = {p: package_version(p) for p in ("pymilvus", "milvus-lite", "jieba", "numpy")}
        final = write_index_dir(root, scan.columns, manifest, stats.save)
    except BaseException:
        if created:  # nothing points at it: a failed full build leaves no collection behind
            milvus.drop_collection(collection)
        raise
    point_to(root, final, current)
    for start in range(0, len(removed), BATCH):
        milvus.delete(collection, ids=removed[start:start + BATCH])
    _drop_unreferenced(milvus, settings)
    return BuildReport(final, scan.total, embedded, False, time.perf_counter() - started)


@dataclass
class Scan:
    """One pass over the store's passages (:func:`_scan`): the filter columns of every passage, and of the
    passages to upsert (``changed``, in store order) their BM25 tokens and whether each is ``new``."""

    columns: ColumnParts
    ids: set[str]
    changed: list[str]
    new: list[bool]
    tokens: TokenRows
    total: int = 0

    def token_lists(self) -> Iterator[list[str]]:
        words = list(self.tokens.vocab)
        return ([words[i] for i in row] for row in self.tokens)


def _scan(
    store: Store, tokenizer: Any, stored: dict[str, str] | None, progress: Progress | None
) -> Scan:
    """Read the passages :data:`BUILD_BATCH` at a time: every passage's filter columns, and the tokens of
    those to upsert (all when ``stored`` is ``None``, a full build; otherwise the passages the collection
    lacks or holds with other filter fields, ``stored``: id → filter key)."""
    scan = Scan(ColumnParts(), set(), [], [], TokenRows())
    total = store.count("passages")
    for rows in in_batches(store.passage_rows(), BUILD_BATCH):
        columns = passage_columns(store, rows)
        scan.columns.add(columns)
        todo = []
        for row, rec in zip(rows, _scalar_records(columns)):
            scan.ids.add(row.id)
            if stored is None or stored.get(row.id) != rec["filter_key"]:
                todo.append(row)
                scan.changed.append(row.id)
                scan.new.append(stored is None or row.id not in stored)
        scan.tokens.extend(keyword_tokens(tokenizer, todo) if todo else [])
        scan.total += len(rows)
        if progress:
            progress("keywords", scan.total, max(total, scan.total))
    if not scan.total:
        scan.columns.add(passage_columns(store, []))
    return scan


def _upsert_changed(
    milvus: Any, collection: str, store: Store, settings: Settings, encoder: Encoder,
    embedding_text: EmbeddingText, scan: Scan, stats: Bm25Stats, progress: Progress | None,
) -> int:
    """Embed (through the cache) and upsert the scan's changed passages, a batch at a time, with their
    BM25 weights under ``stats``; returns how many were encoded now. The store must not have changed
    since the scan (the build holds the workspace's lock): a passage out of the scan's order is an error."""
    from policyscope.index.cache import EmbeddingCache

    wanted = set(scan.changed)
    order = iter(scan.changed)
    tokens = scan.token_lists()
    embedded = done = 0
    with EmbeddingCache(settings.cache_path) as cache:
        for rows in in_batches((r for r in store.passage_rows() if r.id in wanted), BATCH):
            if any(r.id != next(order, None) for r in rows):
                raise IndexMismatchError(STORE_CHANGED)
            planned: list[int] = []
            vectors = cache.embed(encoder, [embedding_text(r) for r in rows], batch_size=settings.batch_size,
                                  planned=planned.append)
            embedded += planned[0] if planned else 0
            sparse = [stats.weights(next(tokens)) for _ in rows]
            _upsert(milvus, collection, _scalar_records(passage_columns(store, rows)), np.asarray(vectors), sparse)
            done += len(rows)
            if progress:
                progress("milvus", done, len(scan.changed))
    if next(order, None) is not None:
        raise IndexMismatchError(STORE_CHANGED)
    return embedded


def _drop_unreferenced(milvus: Any, settings: Settings) -> None:
    """Drop this workspace's collections that no index directory names (after the switch only the current
    and the previous one remain): those of pruned directories and of builds killed midway."""
    keep = set()
    for manifest in settings.index_root.glob("idx-*/manifest.json"):
        try:
            keep.add(json.loads(manifest.read_text(encoding="utf-8")).get("milvus", {}).get("collection"))
        except (OSError, ValueError):
            continue
    prefix = collection_prefix(settings) + "_"
    for name in milvus.list_collections():
        if name.startswith(prefix) and name not in keep:
            log.info("dropping unreferenced Milvus collection %s", name)
            milvus.drop_collection(name)
