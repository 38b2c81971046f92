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
from typing import TYPE_CHECKING, Any

import numpy as np
from policyscope.corpus.config import Settings
from policyscope.corpus.errors import IndexMismatchError
from policyscope.corpus.records import PassageView
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
    BuildReport,
    EmbeddingText,
    Progress,
    base_manifest,
    build_fingerprint,
    current_index_dir,
    embed_rows,
    embedding_text,
    keyword_tokens,
    point_to,
    read_manifest,
    verify_index_files,
    write_index_dir,
)
from policyscope.index.columns import passage_columns

if TYPE_CHECKING:
    from policyscope.index.encoders import Encoder

log = logging.getLogger(__name__)

REBUILD_FRACTION = 0.10
BATCH = 500  # rows per insert request: ~1 MB with 512-d vectors, well under the 64 MB gRPC limit


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
    sparse: list[dict[int, float]], progress: Progress | None,
) -> None:
    for start in range(0, len(records), BATCH):
        batch = []
        for j in range(start, min(start + BATCH, len(records))):
            # An empty sparse vector is refused by Milvus; a passage without a token matches no keyword anyway.
            batch.append({**records[j], "dense": vectors[j].tolist(), "sparse": sparse[j] or {0: 1e-9}})
        milvus.upsert(collection, batch)
        if progress:
            progress("milvus", min(start + BATCH, len(records)), len(records))


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

    rows = list(store.passage_rows())
    columns = passage_columns(store, rows)
    records = _scalar_records(columns)
    if encoder is None:
        encoder = get_encoder(settings.encoder, device=settings.device)

    if reusable and current is not None and old is not None:
        collection = old_spec["collection"]
        stats = Bm25Stats.load(current)
        stored = {rec["id"]: rec["filter_key"] for batch in _iterate(milvus, collection, ["id", "filter_key"])
                  for rec in batch}
        changed = [i for i, rec in enumerate(records) if stored.get(rec["id"]) != rec["filter_key"]]
        removed = sorted(set(stored) - {rec["id"] for rec in records})
        since_full = int(old_spec.get("changed_since_full", 0)) + len(changed) + len(removed)
        if since_full > REBUILD_FRACTION * max(stats.n_docs, 1):
            log.info("%d of %d passages changed since the last full build: building a new collection",
                     since_full, stats.n_docs)
            reusable = False
    if not (reusable and current is not None and old is not None):
        collection = f"{collection_prefix(settings)}_{time.strftime('%Y%m%d%H%M%S')}_{uuid.uuid4().hex[:6]}"
        changed, removed, since_full = list(range(len(rows))), [], 0
        stats = None

    todo: list[PassageView] = [rows[i] for i in changed]
    vectors, embedded = embed_rows(todo, settings, encoder, embedding_text, progress) if todo else (
        np.zeros((0, 0), np.float32), 0)
    if progress:
        progress("keywords", 0, len(todo))
    tokens = keyword_tokens(tokenizer, todo) if todo else []
    if stats is None:
        # A full build: the statistics of every passage, as bm25s takes them for the faiss backend.
        stats = Bm25Stats.of(tokens)
    else:
        stored_ids = set(stored)
        stats.add([t for i, t in zip(changed, tokens) if records[i]["id"] not in stored_ids])
    sparse = [stats.weights(t) for t in tokens]
    if progress:
        progress("keywords", len(todo), len(todo))

    created = False
    if not milvus.has_collection(collection):
        dim = int(encoder.info().get("dim") or (vectors.shape[1] if vectors.size else 0))
        create_collection(milvus, collection, dim, uri, spec["index_type"])
        created = True
    try:
        _upsert(milvus, collection, [records[i] for i in changed], vectors, sparse, progress)
        _wait_visible(milvus, collection, len(rows))  # the removed rows go after the switch
        manifest = base_manifest(fingerprint, columns, embedded, tokenizer, encoder.info())
        manifest["backend"] = "milvus"
        manifest["milvus"] = {**spec, "collection": collection, "changed_since_full": since_full,
                              "upserted_now": len(changed), "deleted_now": len(removed)}
        manifest["keywords"] = {"kind": "sparse BM25 (project tokenizer)", "n_docs": stats.n_docs,
                                "vocab_size": len(stats.df), "params": {"k1": stats.k1, "b": stats.b}}
        manifest["versions"] = {p: package_version(p) for p in ("pymilvus", "milvus-lite", "jieba", "numpy")}
        final = write_index_dir(root, columns, manifest, stats.save)
    except BaseException:
        if created:  # nothing points at it: a failed full build leaves no collection behind
            milvus.drop_collection(collection)
        raise
    point_to(root, final, current)
    for start in range(0, len(removed), BATCH):
        milvus.delete(collection, ids=removed[start:start + BATCH])
    _drop_unreferenced(milvus, settings)
    return BuildReport(final, len(rows), embedded, False, time.perf_counter() - started)


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
