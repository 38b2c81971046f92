"""The Milvus backend's read side: the collection schema, filters as expressions, and a ``LoadedIndex``
whose vector and keyword searches run in Milvus.

One collection holds one build's passages: the passage id (primary key), the filter fields, the dense
vector (``dense``, from the same encoder and embedding cache as a FAISS build) and the BM25 sparse
vector (``sparse``, the project's own BM25 weights: :mod:`policyscope.index.backends.sparse`). The
index directory beside it (``indexes/idx-*/``) holds the manifest naming the collection and the URI,
and ``columns.npz``: the row order and filter columns the ``Searcher`` reads, exactly as a FAISS
index's. A hit whose id is not among those rows (a passage an add in progress has inserted, before it
switches ``CURRENT``) is skipped, so a search never sees half an add.

Fusion stays client-side: the keyword list is ``concept_scores`` over ``MilvusKeywords.scores``
(each query token one sparse search), so both backends rank with the same code (docs/scale.md has the
measured parity and why the engine's own BM25 function was not kept).
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from policyscope.corpus.config import Settings
from policyscope.corpus.errors import ConfigError, WorkspaceDamagedError
from policyscope.index.backends.sparse import term_dim
from policyscope.index.search.loaded_index import LoadedIndex

if TYPE_CHECKING:
    from policyscope.index.search.filters import SearchFilters
    from policyscope.index.search.query import QueryAnalysis

# The collection's fields; a build reuses a collection only of this version (2: filter_key).
COLLECTION_SCHEMA = 2
INSTALL_HINT = "the milvus backend needs pymilvus and milvus-lite: pip install 'policyscope[milvus]'"
# Milvus answers at most this many hits per query (its topk limit); a token held by more passages
# scores only its best 16384 (docs/scale.md: what that costs and when it matters).
MAX_TOPK = 16384
# Milvus Lite 2.5 builds only these; "auto" picks FLAT there and HNSW on a server.
LITE_INDEX_TYPES = ("FLAT", "IVF_FLAT", "AUTOINDEX")
_VECTOR_INDEX_PARAMS: dict[str, dict[str, Any]] = {
    "FLAT": {},
    "AUTOINDEX": {},
    "IVF_FLAT": {"nlist": 1024},
    "HNSW": {"M": 32, "efConstruction": 200},
    "IVF_PQ": {"nlist": 4096, "m": 32, "nbits": 8},
    "DISKANN": {},
}
_SEARCH_PARAMS: dict[str, dict[str, Any]] = {
    "IVF_FLAT": {"nprobe": 64},
    "IVF_PQ": {"nprobe": 64},
    "HNSW": {"ef": 256},
    "DISKANN": {"search_list": 256},
}
_SPARSE_SEARCH = {"metric_type": "IP", "params": {"drop_ratio_search": 0.0}}


def require_pymilvus() -> None:
    """Fail with the install hint when the ``milvus`` extra is missing."""
    try:
        import pymilvus  # noqa: F401
    except ImportError:
        raise ConfigError(INSTALL_HINT) from None


def is_lite(uri: str) -> bool:
    """A file path runs Milvus Lite in this process; ``http://host:19530`` is a server."""
    return "://" not in uri


def index_type(settings_value: str, uri: str) -> str:
    """The vector index type to build: the setting, with "auto" resolved for Lite or a server.

    Raises:
        ConfigError: an index type Milvus Lite cannot build, asked of a Lite file.
    """
    lite = is_lite(uri)
    chosen = ("FLAT" if lite else "HNSW") if settings_value == "auto" else settings_value
    if lite and chosen not in LITE_INDEX_TYPES:
        raise ConfigError(
            f"milvus_index={chosen}: Milvus Lite builds only {', '.join(LITE_INDEX_TYPES)}; use a Milvus server for {chosen}"
        )
    return chosen


_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


def client(uri: str) -> Any:
    """One ``MilvusClient`` per URI per process (a Lite file admits one process: docs/scale.md)."""
    require_pymilvus()
    with _clients_lock:
        if uri not in _clients:
            import warnings

            from pymilvus import MilvusClient

            if is_lite(uri):
                Path(uri).parent.mkdir(parents=True, exist_ok=True)
            with warnings.catch_warnings():  # milvus-lite 2.5 imports pkg_resources, which warns on import
                warnings.simplefilter("ignore", UserWarning)
                _clients[uri] = MilvusClient(uri)
        return _clients[uri]


def create_collection(milvus: Any, name: str, dim: int, uri: str, vector_index: str) -> None:
    """An empty collection for passages: filter fields, ``dense`` and ``sparse``, indexed and loaded.

    The partition key (the jurisdiction) groups a country's passages so a country filter searches
    only its partitions; Milvus Lite 2.5.1 rejects every filter expression on a collection that has
    one (measured: "Invalid expr … primary_key_offset == -1"), so Lite collections go without.
    """
    from pymilvus import DataType

    lite = is_lite(uri)
    schema = milvus.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.VARCHAR, max_length=128, is_primary=True)
    schema.add_field("doc_id", DataType.VARCHAR, max_length=512)
    schema.add_field("catalog_id", DataType.VARCHAR, max_length=512)
    schema.add_field("country", DataType.VARCHAR, max_length=16, **({} if lite else {"is_partition_key": True}))
    schema.add_field("region", DataType.VARCHAR, max_length=256)
    schema.add_field("lang", DataType.VARCHAR, max_length=16)
    schema.add_field("kind", DataType.VARCHAR, max_length=128)
    schema.add_field("year", DataType.INT32)
    schema.add_field("measures", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=128, max_length=128)
    schema.add_field("filter_key", DataType.VARCHAR, max_length=32)  # digest of the fields above (milvus_build)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    params = milvus.prepare_index_params()
    params.add_index("dense", index_type=vector_index, metric_type="IP", params=_VECTOR_INDEX_PARAMS[vector_index])
    params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    milvus.create_collection(name, schema=schema, index_params=params, **({} if lite else {"num_partitions": 64}))


def _literal(values: Sequence[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def filter_expression(filters: SearchFilters | None) -> str:
    """The Milvus boolean expression of a search's filters ("" for none); the same rows as ``allowed_mask``.

    Example: countries ("US",), year_from 2020 and measures_any ("subsidy",) give
    ``country in ["US"] and year >= 2020 and array_contains_any(measures, ["subsidy"])``.
    """
    if filters is None or filters.is_empty():
        return ""
    parts: list[str] = []
    codes = filters.jurisdiction_codes()
    if codes is not None:
        parts.append(f"country in {_literal(sorted(codes))}")
    if filters.doc_ids:
        ids = _literal(filters.doc_ids)
        parts.append(f"(doc_id in {ids} or catalog_id in {ids})")
    if filters.langs:
        parts.append(f"lang in {_literal([x.lower() for x in filters.langs])}")
    if filters.kinds:
        parts.append(f"kind in {_literal([x.lower() for x in filters.kinds])}")
    if filters.year_from is not None:
        parts.append(f"year >= {int(filters.year_from)}")
    if filters.year_to is not None:
        parts.append(f"(year <= {int(filters.year_to)} and year >= 0)")
    if filters.measures_any:
        parts.append(f"array_contains_any(measures, {_literal(filters.measures_any)})")
    if filters.measures_all:
        parts.append(f"array_contains_all(measures, {_literal(filters.measures_all)})")
    return " and ".join(parts)


class MilvusVectors:
    """Dense search in the collection, answering in the index's rows like ``VectorIndex.search``."""

    def __init__(self, milvus: Any, collection: str, dim: int, row_of: dict[str, int], search_params: dict[str, Any]):
        self._milvus, self._collection, self.dim, self._row_of = milvus, collection, dim, row_of
        self._params = {"metric_type": "IP", "params": search_params}
        self._xb: np.ndarray | None = None

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None, expr: str = ""
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` rows per query, in the engine under ``expr``; the mask drops what the expression
        cannot know (rows outside this index's row order)."""
        # A few spare hits: ids an add in progress has inserted are not rows yet and are skipped.
        limit = min(MAX_TOPK, k + 16)
        found = self._milvus.search(
            self._collection, data=np.asarray(queries, dtype=np.float32).tolist(), anns_field="dense",
            limit=limit, filter=expr, search_params=self._params, output_fields=[],
        )
        scores = np.full((len(found), k), -np.inf, dtype=np.float32)
        rows = np.full((len(found), k), -1, dtype=np.int64)
        for q, hits in enumerate(found):
            j = 0
            for hit in hits:
                row = self._row_of.get(hit["id"])
                if row is None or (allowed is not None and not allowed[row]):
                    continue
                scores[q, j], rows[q, j] = hit["distance"], row
                j += 1
                if j == k:
                    break
        return scores, rows

    def _exact_vectors(self) -> np.ndarray:
        """Every row's vector, fetched once (compare's passage alignment reads them)."""
        if self._xb is None:
            xb = np.zeros((len(self._row_of), self.dim), dtype=np.float32)
            for batch in _iterate(self._milvus, self._collection, ["id", "dense"]):
                for rec in batch:
                    row = self._row_of.get(rec["id"])
                    if row is not None:
                        xb[row] = rec["dense"]
            self._xb = xb
        return self._xb


class MilvusKeywords:
    """BM25 scores of every row from sparse searches: ``scores(tokens)`` equals ``KeywordIndex.scores``.

    Each distinct query token is one sparse query ``{dim(t): 1}`` (all sent in one request); its hits
    carry the token's BM25 weight in each passage, and a token given twice counts twice, as in bm25s.
    Only a token's best ``MAX_TOPK`` passages come back (the engine's topk limit).
    """

    def __init__(self, milvus: Any, collection: str, row_of: dict[str, int], n_docs: int):
        self._milvus, self._collection, self._row_of, self.n_docs = milvus, collection, row_of, n_docs
        self._prefetched: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def _token_scores(self, tokens: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per token: (rows, scores) of the passages holding it; one request for all of them."""
        cached = self._prefetched
        wanted = [t for t in dict.fromkeys(tokens) if t not in cached]
        found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if wanted and self.n_docs:
            for t, (ids, vals) in zip(wanted, self._search_columns([{term_dim(t): 1.0} for t in wanted])):
                rows = np.fromiter((self._row_of.get(i, -1) for i in ids), np.int64, len(ids))
                keep = rows >= 0  # ids an add in progress has inserted are not rows yet
                found[t] = (rows[keep], vals[keep])
        empty = (np.zeros(0, np.int64), np.zeros(0, np.float32))
        return [cached.get(t) or found.get(t, empty) for t in tokens]

    def _search_columns(self, data: list[dict[int, float]]) -> list[tuple[list[str], np.ndarray]]:
        """Per sparse query, the hits' ids and scores as columns.

        pymilvus 2.5 turns every hit into a ``Hit`` dict before returning (measured: 75 ms of a 145 ms
        keyword query on 9,831 passages, ~2,000 hits a query); the raw response of its ``_async`` call
        carries the same columns as arrays. Falls back to the public result when that is unavailable.
        """
        limit = min(MAX_TOPK, self.n_docs)
        kwargs = {"anns_field": "sparse", "limit": limit, "search_params": _SPARSE_SEARCH, "output_fields": []}
        try:
            response = self._milvus.search(self._collection, data=data, _async=True, **kwargs)._future.result()
        except AttributeError:
            response = None
        if response is None or response.status.code != 0:
            found = self._milvus.search(self._collection, data=data, **kwargs)  # raises the engine's error
            return [(list(hits.ids), np.asarray(hits.distances, dtype=np.float32)) for hits in found]
        res = response.results
        ids, scores = list(res.ids.str_id.data), np.asarray(res.scores, dtype=np.float32)
        out, start = [], 0
        for n in res.topks:
            out.append((ids[start:start + n], scores[start:start + n]))
            start += n
        return out

    def for_query(self, analysis: QueryAnalysis) -> MilvusKeywords:
        """A view of these scores that holds every token ``concept_scores`` will ask for ``analysis`` (its
        concepts' renderings and their verb forms), fetched in one request instead of one per token
        (measured: ~5 ms a round trip on Milvus Lite, 10-30 tokens a query)."""
        from policyscope.nlp.words import verb_forms

        tokens = [*analysis.tokens, *analysis.translated]
        for concept in analysis.concepts:
            tokens += [*concept.source, *(t for alt in concept.alternatives for t in alt)]
        tokens += [form for t in list(tokens) for form in verb_forms(t)]
        view = MilvusKeywords(self._milvus, self._collection, self._row_of, self.n_docs)
        view._prefetched = dict(zip(dict.fromkeys(tokens), self._token_scores(list(dict.fromkeys(tokens)))))
        return view

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every row for the query, shape (n_docs,); unknown tokens add 0."""
        if isinstance(query_tokens, str):
            raise TypeError("query_tokens must be a list of tokens, not a str (tokenize it first)")
        counts = Counter(t for t in query_tokens if t)
        total = np.zeros(self.n_docs, dtype=np.float32)
        for (rows, vals), n in zip(self._token_scores(list(counts)), counts.values()):
            np.add.at(total, rows, vals * n)
        return total

    def coverage_scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """As ``KeywordIndex.coverage_scores``: summed scores over the sum of each token's best score."""
        tokens = list(dict.fromkeys(t for t in query_tokens if t))
        total = np.zeros(self.n_docs, dtype=np.float32)
        norm = 0.0
        for rows, vals in self._token_scores(tokens):
            np.add.at(total, rows, vals)
            norm += float(vals.max()) if vals.size else 0.0
        return total / norm if norm > 0 else total


def _iterate(milvus: Any, collection: str, fields: list[str], batch_size: int = 2000):
    """Every record of the collection, in batches (query_iterator pages past the 16384 query window).

    Stops at the counted total instead of asking for the empty last page: with Milvus Lite 2.5.1 that
    request fails in pymilvus ("Unsupported data type: 0") on a collection holding an ARRAY field.
    """
    total = int(milvus.query(collection, filter="", output_fields=["count(*)"], consistency_level="Strong")[0]["count(*)"])
    it = milvus.query_iterator(collection, batch_size=batch_size, filter="", output_fields=fields)
    seen = 0
    try:
        while seen < total and (batch := it.next()):
            seen += len(batch)
            yield batch
    finally:
        it.close()


class MilvusLoadedIndex(LoadedIndex):
    """An index directory whose vectors and BM25 live in a Milvus collection (the manifest names it)."""

    def __init__(self, path: Path, settings: Settings):
        self._settings = settings
        super().__init__(path)

    def _open_parts(self, path: Path) -> None:
        spec = self.manifest["milvus"]
        # A URI given now wins: app servers may reach the cluster under another name than the builder.
        uri = self._settings.milvus_uri or spec["uri"]
        self.collection: str = spec["collection"]
        self.milvus = client(uri)
        if not self.milvus.has_collection(self.collection):
            raise WorkspaceDamagedError(
                path, f"Milvus collection {self.collection} is missing at {uri}; run `policyscope build --force`"
            )
        self.milvus.load_collection(self.collection)
        params = _SEARCH_PARAMS.get(spec["index_type"], {})
        self.vectors = MilvusVectors(self.milvus, self.collection, int(self.manifest["encoder"]["dim"]),
                                     self.row_of, params)
        self.keywords = MilvusKeywords(self.milvus, self.collection, self.row_of, self.n)

    def vector_search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None, filters: Any = None
    ) -> tuple[np.ndarray, np.ndarray]:
        return self.vectors.search(queries, k, allowed=allowed, expr=filter_expression(filters))
