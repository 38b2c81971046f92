"""Dense vector search over L2-normalised rows with faiss (inner product = cosine).

Three kinds of index, chosen by :meth:`VectorIndex.build`:

``flat``   exact ``IndexFlatIP``; the default below ``ann_threshold`` rows (200k), where a brute
           force scan over a few hundred MB still answers in milliseconds.
``hnsw``   ``IndexHNSWFlat`` with inner product. No training; keeps the full vectors plus
           2*M links per row. Its build is the slowest: on 2 cores ~0.2 ms per row with M=32,
           efConstruction=64 and super-linear (minutes for a million rows, ~1.7 GB at
           384-d), so ``auto`` uses it only between 50k rows and a low ``ann_threshold``.
``ivfpq``  ``IndexIVFPQ`` candidates re-ranked by an ``IndexRefine`` over 8-bit scalar-quantized
           vectors (``refine="sq8"``, the default) or the exact float vectors (``refine="flat"``).
           The default above the threshold: at 1M x 384 it holds ~0.5 GB (PQ codes 96 B +
           SQ8 384 B + id 8 B per row), builds in about two minutes on 2 cores and reaches
           recall@10 ≈ 0.98 against exact search in about a millisecond per query
           (``python benchmarks/bench.py scale``). Needs training data (see :func:`_ivfpq_shape`).

Filtering: ``search(..., allowed=mask)`` takes a boolean mask over rows. When the mask keeps
few rows (< ``brute_force_below``, 5,000 by default) those rows are scored directly with numpy,
which is exact and faster than walking an ANN structure that mostly yields rejected ids.
Otherwise the mask becomes a faiss ``IDSelectorBitmap`` passed through ``SearchParameters``.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Self

import numpy as np
from policyscope.corpus.atomic import read_versioned_json, write_json_atomic
from policyscope.corpus.errors import IndexMismatchError

logger = logging.getLogger(__name__)

IndexKind = Literal["auto", "flat", "hnsw", "ivfpq"]
_KINDS = ("auto", "flat", "hnsw", "ivfpq")
FORMAT_VERSION = 1
INDEX_FILE = "vectors.faiss"
SETTINGS_FILE = "vectors.json"

# faiss k-means warns (and clusters poorly) with fewer than 39 training points per centroid.
_MIN_POINTS_PER_CENTROID = 39

_DEFAULTS: dict[str, dict[str, Any]] = {
    "flat": {},
    # M=32 / efConstruction=200 / efSearch=128: recall@10 ≈ 0.99 on e5-like data; M costs
    # 2*M*4 bytes per vector on top of the vectors themselves.
    "hnsw": {"M": 32, "ef_construction": 200, "ef_search": 128},
    # nlist / pq_m / nbits are derived from the data when None (see _ivfpq_shape).
    # refine: "sq8" re-ranks with 8-bit vectors (1/4 of the memory of "flat", recall@10 within
    # ~0.005 of it), "flat" with the exact vectors, "none" returns raw PQ order (recall ~0.7).
    "ivfpq": {"nlist": None, "pq_m": None, "nbits": 8, "nprobe": 32, "refine_factor": 8, "refine": "sq8"},
}
_REFINES = ("sq8", "flat", "none")
# k-means and PQ training cost grows with the sample, recall barely does past ~100 points per
# centroid: train on a fixed-seed subset of at most this many rows.
_MAX_TRAIN = 100_000
# Under this many rows (only reachable with a low ann_threshold) HNSW builds in seconds and
# IVF-PQ's codebooks have too little data to train well: auto picks HNSW there.
_AUTO_IVFPQ_MIN = 50_000


def _faiss() -> Any:
    import faiss

    return faiss


def _as_matrix(x: np.ndarray, name: str, dim: int | None = None) -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n, dim), got shape {arr.shape}")
    if dim is not None and arr.shape[1] != dim:
        raise ValueError(f"{name} have dimension {arr.shape[1]}, the index has {dim}")
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contain NaN or infinite values")
    return arr


def _ivfpq_shape(n: int, dim: int, nlist: int | None, pq_m: int | None, nbits: int) -> tuple[int, int, int]:
    """(nlist, pq_m, nbits) that faiss can train on ``n`` vectors of ``dim`` dims.

    Constraints: ``dim % pq_m == 0``; IVF k-means wants >= 39 points per list, and each PQ
    codebook has ``2**nbits`` centroids so it wants >= 39 * 2**nbits training points.
    """
    if nlist is None:
        # sqrt(n) lists: at 1M rows, 1,000 lists train ~4x faster than 4*sqrt(n) and nprobe=32
        # still scans only ~3% of the codes (~1 ms per query).
        nlist = max(1, min(round(math.sqrt(n)), n // _MIN_POINTS_PER_CENTROID))
    if n < _MIN_POINTS_PER_CENTROID * nlist:
        raise ValueError(
            f"ivfpq with nlist={nlist} needs at least {_MIN_POINTS_PER_CENTROID * nlist} vectors, "
            f"got {n}; use kind='flat' or 'hnsw'"
        )
    if pq_m is None:
        # about 4 dims per sub-quantizer (96 bytes per 384-d vector), a divisor of dim.
        target = max(1, dim // 4)
        pq_m = min((m for m in range(1, dim + 1) if dim % m == 0), key=lambda m: (abs(m - target), -m))
    if dim % pq_m:
        raise ValueError(f"ivfpq pq_m={pq_m} must divide the dimension {dim}")
    while nbits > 4 and n < _MIN_POINTS_PER_CENTROID * 2**nbits:
        nbits -= 1
    if n < _MIN_POINTS_PER_CENTROID * 2**nbits:
        raise ValueError(
            f"ivfpq needs at least {_MIN_POINTS_PER_CENTROID * 2**nbits} vectors to train "
            f"{2**nbits}-centroid codebooks, got {n}; use kind='flat' or 'hnsw'"
        )
    return nlist, pq_m, nbits


@contextmanager
def _omp_threads(faiss: Any, n: int) -> Iterator[None]:
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def _pad(scores: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Widen (nq, m) results to (nq, k) with score -inf and id -1."""
    nq, m = ids.shape
    if m == k:
        return scores, ids
    out_s = np.full((nq, k), -np.inf, dtype=np.float32)
    out_i = np.full((nq, k), -1, dtype=np.int64)
    out_s[:, :m] = scores
    out_i[:, :m] = ids
    return out_s, out_i


def _topk_dense(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-row top-k of an (nq, m) score matrix, best first; ties broken by lower column."""
    nq, m = scores.shape
    k = min(k, m)
    if k == 0:
        return np.zeros((nq, 0), np.float32), np.zeros((nq, 0), np.int64)
    if k < m:
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    else:
        part = np.broadcast_to(np.arange(m), (nq, m))
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -part_scores), axis=1)
    cols = np.take_along_axis(part, order, axis=1)
    return np.take_along_axis(scores, cols, axis=1).astype(np.float32), cols.astype(np.int64)


class VectorFile:
    """Row vectors spilled to an anonymous temporary file as they are made, read back in chunks: a build
    over a million passages holds one chunk and the training sample, not every vector (1M x 512
    float32 is 2 GB). The file has no name, so a killed build leaves nothing behind.

    Example::

        with VectorFile(dim=384, directory=index_root) as spill:
            for batch in batches:
                spill.append(encoder.encode(batch))
            index = VectorIndex.build(spill)
    """

    def __init__(self, dim: int, directory: str | Path | None = None):
        if dim < 1:
            raise ValueError("vectors must have at least one dimension")
        self.dim = dim
        self.n = 0
        self._file = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 - closed by close()/__exit__

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    @property
    def shape(self) -> tuple[int, int]:
        return self.n, self.dim

    def append(self, block: np.ndarray) -> None:
        """Add rows (checked like :meth:`VectorIndex.build`'s input: 2-D, this dimension, finite)."""
        arr = _as_matrix(block, "vectors", self.dim)
        self._file.seek(0, os.SEEK_END)
        self._file.write(arr.tobytes())
        self.n += arr.shape[0]

    def chunks(self, rows: int = 65_536) -> Iterator[np.ndarray]:
        """The rows in order, ``rows`` at a time."""
        self._file.flush()
        self._file.seek(0)
        left = self.n
        while left:
            take = min(rows, left)
            block = np.fromfile(self._file, dtype=np.float32, count=take * self.dim)
            if block.size != take * self.dim:
                raise OSError(f"vector spill file ended early: {block.size // self.dim} of {take} rows read")
            left -= take
            yield block.reshape(take, self.dim)

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The given rows (sorted, unique), read chunk by chunk."""
        out = np.empty((len(rows), self.dim), dtype=np.float32)
        start = filled = 0
        for block in self.chunks():
            end = start + len(block)
            hit = rows[(rows >= start) & (rows < end)]
            out[filled : filled + len(hit)] = block[hit - start]
            filled += len(hit)
            start = end
        return out


class _ArrayRows:
    """An in-memory (n, dim) matrix with :class:`VectorFile`'s reading interface."""

    def __init__(self, vectors: np.ndarray):
        self._xb = _as_matrix(vectors, "vectors")
        self.shape = self._xb.shape

    def chunks(self, rows: int = 65_536) -> Iterator[np.ndarray]:
        yield self._xb

    def take(self, rows: np.ndarray) -> np.ndarray:
        return self._xb if len(rows) == len(self._xb) else self._xb[rows]


class VectorIndex:
    """A faiss index over unit-norm vectors with masked search, save and load.

    Rows are addressed by position (0..ntotal-1), matching the passage order the caller used
    at build time. Example::

        idx = VectorIndex.build(P)                       # P: (n, 384) float32, unit rows
        scores, ids = idx.search(q[None], k=10, allowed=year_mask)
        ids[0]                                           # best rows first, -1 when < 10 allowed
    """

    def __init__(self, index: Any, kind: str, params: dict[str, Any], brute_force_below: int = 5_000):
        self._index = index
        self.kind = kind
        self.params = dict(params)
        self.brute_force_below = brute_force_below
        self._xb: np.ndarray | None = None

    # -- construction -------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        vectors: np.ndarray | VectorFile,
        ann_threshold: int = 200_000,
        kind: IndexKind = "auto",
        *,
        brute_force_below: int = 5_000,
        **params: Any,
    ) -> VectorIndex:
        """Index ``vectors`` (n, dim), normally unit-norm float32.

        Args:
            vectors: one row per passage: an array, or a :class:`VectorFile` (added chunk by chunk;
                IVF-PQ trains on a sample read from it).
            ann_threshold: with ``kind="auto"``, rows at which IVF-PQ (HNSW under 50k rows)
                replaces exact search.
            kind: ``auto``, ``flat``, ``hnsw`` or ``ivfpq``.
            brute_force_below: masks keeping fewer rows are searched exactly with numpy.
            **params: overrides of the kind's defaults: hnsw ``M``, ``ef_construction``,
                ``ef_search``; ivfpq ``nlist``, ``pq_m``, ``nbits``, ``nprobe``, ``refine_factor``.
        """
        if kind not in _KINDS:
            raise ValueError(f"unknown index kind {kind!r}; available: {', '.join(_KINDS)}")
        source = vectors if isinstance(vectors, VectorFile) else _ArrayRows(vectors)
        n, dim = source.shape
        if dim < 1:
            raise ValueError("vectors must have at least one dimension")
        if kind == "auto":
            kind = "flat" if n < ann_threshold else ("ivfpq" if n >= _AUTO_IVFPQ_MIN else "hnsw")
        unknown = sorted(set(params) - set(_DEFAULTS[kind]))
        if unknown:
            raise ValueError(
                f"unknown parameter(s) {unknown} for kind {kind!r}; "
                f"available: {', '.join(_DEFAULTS[kind]) or 'none'}"
            )
        settings = {**_DEFAULTS[kind], **params}
        faiss = _faiss()
        if kind == "flat":
            index = faiss.IndexFlatIP(dim)
        elif kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, int(settings["M"]), faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = int(settings["ef_construction"])
            index.hnsw.efSearch = int(settings["ef_search"])
        else:
            if settings["refine"] not in _REFINES:
                raise ValueError(f"unknown ivfpq refine {settings['refine']!r}; available: {', '.join(_REFINES)}")
            nlist, pq_m, nbits = _ivfpq_shape(n, dim, settings["nlist"], settings["pq_m"], settings["nbits"])
            settings.update(nlist=nlist, pq_m=pq_m, nbits=nbits)
            pick = np.arange(n)
            if n > _MAX_TRAIN:
                pick = np.sort(np.random.default_rng(0).choice(
                    n, max(_MAX_TRAIN, _MIN_POINTS_PER_CENTROID * nlist), replace=False))
            train = source.take(pick)
            quantizer = faiss.IndexFlatIP(dim)
            # Coarse k-means (full dimension) gains from every core; train it first so that
            # IndexIVFPQ.train finds the quantizer trained and only fits the PQ codebooks.
            faiss.Clustering(dim, nlist).train(train, quantizer)
            base = faiss.IndexIVFPQ(quantizer, dim, nlist, pq_m, nbits, faiss.METRIC_INNER_PRODUCT)
            # PQ k-means runs on dim/pq_m-dimensional sub-vectors, where OpenMP threads cost more
            # than they compute: one thread trains 4x faster than two (1.15, 2 cores).
            with _omp_threads(faiss, 1):
                base.train(train)
            base.nprobe = min(int(settings["nprobe"]), nlist)
            # PQ codes alone lose ~30% recall@10; re-ranking k*refine_factor candidates with
            # better vectors restores it (sq8: 1 byte per dimension instead of 4).
            if settings["refine"] == "flat":
                index = faiss.IndexRefineFlat(base)
            elif settings["refine"] == "sq8":
                refine = faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
                refine.train(train)
                index = faiss.IndexRefine(base, refine)
            else:
                index = base
            if settings["refine"] != "none":
                index.k_factor = float(settings["refine_factor"])
        for block in source.chunks():
            if len(block):
                index.add(block)
        logger.info("built %s vector index: %d x %d", kind, n, dim)
        return cls(index, kind, settings, brute_force_below=brute_force_below)

    # -- properties ---------------------------------------------------------------------

    @property
    def ntotal(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def info(self) -> dict[str, Any]:
        return {"kind": self.kind, "ntotal": self.ntotal, "dim": self.dim, "params": dict(self.params)}

    def __repr__(self) -> str:
        return f"VectorIndex(kind={self.kind!r}, ntotal={self.ntotal}, dim={self.dim})"

    def _exact_vectors(self) -> np.ndarray:
        """(ntotal, dim) vectors as stored: a zero-copy view of flat storage, else decoded once.

        ``ivfpq`` with ``refine="sq8"`` decodes its 8-bit codes (max error ~1/255 of each
        dimension's range) and ``refine="none"`` its PQ codes; both cost 4 * dim bytes per row.
        """
        if self._xb is None:
            faiss = _faiss()
            n, d = self.ntotal, self.dim
            refine = self.params.get("refine", "flat")
            if n == 0:
                self._xb = np.zeros((0, d), dtype=np.float32)
            elif self.kind == "ivfpq" and refine == "sq8":
                self._xb = faiss.downcast_index(self._index.refine_index).reconstruct_n(0, n)
            elif self.kind == "ivfpq" and refine == "none":
                base = faiss.downcast_index(self._index)
                base.make_direct_map()
                self._xb = base.reconstruct_n(0, n)
            else:
                if self.kind == "flat":
                    flat = self._index
                elif self.kind == "hnsw":
                    flat = faiss.downcast_index(self._index.storage)
                else:
                    flat = faiss.downcast_index(self._index.refine_index)
                self._xb = faiss.rev_swig_ptr(flat.get_xb(), n * d).reshape(n, d)
        return self._xb

    def _row_vectors(self, rows: np.ndarray) -> np.ndarray:
        """Vectors of a few rows; decodes only those rows when the storage is compressed."""
        if self._xb is not None or self.kind != "ivfpq" or self.params.get("refine", "flat") == "flat":
            return self._exact_vectors()[rows]
        faiss = _faiss()
        if self.params.get("refine") == "sq8":
            store = faiss.downcast_index(self._index.refine_index)
        else:
            store = faiss.downcast_index(self._index)
            store.make_direct_map()
        return store.reconstruct_batch(np.ascontiguousarray(rows, dtype=np.int64))

    # -- search -------------------------------------------------------------------------

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` rows by inner product for each query.

        Args:
            queries: (nq, dim) or (dim,) float32.
            k: results per query (>= 1); may exceed the number of rows.
            allowed: optional boolean mask of length ``ntotal``; rows where it is False are
                never returned.

        Returns:
            ``(scores, ids)``, both (nq, k), best first. Missing results are id -1, score -inf.
        """
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        k = int(k)
        xq = _as_matrix(queries, "queries", self.dim)
        nq, n = xq.shape[0], self.ntotal

        if allowed is not None:
            mask = np.asarray(allowed)
            if mask.dtype != np.bool_ or mask.shape != (n,):
                raise ValueError(
                    f"allowed must be a boolean array of shape ({n},), got {mask.dtype} {mask.shape}"
                )
            count = int(np.count_nonzero(mask))
            if count == n:
                mask = None
        else:
            mask, count = None, n

        if count == 0 or nq == 0:
            return _pad(np.zeros((nq, 0), np.float32), np.zeros((nq, 0), np.int64), k)

        if mask is not None and count < self.brute_force_below:
            rows = np.flatnonzero(mask)
            scores, cols = _topk_dense(xq @ self._row_vectors(rows).T, k)
            return _pad(scores, rows[cols], k)

        k_eff = min(k, count)
        faiss = _faiss()
        # faiss keeps raw pointers to bits, sel and params: these locals must outlive the search.
        bits = sel = None
        if mask is not None:
            # faiss reads bit i of the bitmap as (bitmap[i >> 3] >> (i & 7)) & 1: little-endian bits.
            bits = np.packbits(mask, bitorder="little")
            sel = faiss.IDSelectorBitmap(bits)
        params = self._search_params(faiss, sel, k_eff, count / n)
        scores, ids = self._index.search(xq, k_eff, params=params)
        ids = ids.astype(np.int64, copy=False)
        scores = np.where(ids >= 0, scores, -np.inf).astype(np.float32)
        return _pad(scores, ids, k)

    def _search_params(self, faiss: Any, sel: Any, k: int, fraction: float) -> Any:
        if self.kind == "flat":
            return faiss.SearchParameters(sel=sel) if sel is not None else None
        if self.kind == "hnsw":
            ef = max(int(self.params["ef_search"]), k)
            if sel is not None:
                # A filter discards (1 - fraction) of the visited nodes; widen the beam so about
                # ef allowed candidates are still collected (capped: beyond it HNSW ≈ a scan).
                ef = min(max(ef, int(ef / fraction)), max(ef, 4096))
            return faiss.SearchParametersHNSW(sel=sel, efSearch=ef)
        nlist = int(self.params["nlist"])
        nprobe = min(int(self.params["nprobe"]), nlist)
        if sel is not None:
            # Same reasoning per inverted list: probe more lists when most of their ids are masked.
            nprobe = min(nlist, max(nprobe, math.ceil(nprobe / fraction)))
        base = faiss.SearchParametersIVF(sel=sel, nprobe=nprobe)
        if self.params.get("refine", "flat") == "none":
            return base
        return faiss.IndexRefineSearchParameters(
            k_factor=float(self.params["refine_factor"]), base_index_params=base
        )

    # -- persistence --------------------------------------------------------------------

    def save(self, directory: str | Path) -> None:
        """Write ``vectors.faiss`` and ``vectors.json`` into ``directory`` (created if needed)."""
        faiss = _faiss()
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        settings = {
            "format": FORMAT_VERSION,
            "faiss_version": faiss.__version__,
            "brute_force_below": self.brute_force_below,
            **self.info(),
        }
        tmp_index = d / (INDEX_FILE + ".tmp")
        faiss.write_index(self._index, str(tmp_index))
        os.replace(tmp_index, d / INDEX_FILE)
        write_json_atomic(d / SETTINGS_FILE, settings)

    @classmethod
    def load(cls, directory: str | Path) -> VectorIndex:
        """Read an index written by :meth:`save`; checks its settings against the faiss file."""
        d = Path(directory)
        settings_path, index_path = d / SETTINGS_FILE, d / INDEX_FILE
        settings = read_versioned_json(settings_path, "vector index", FORMAT_VERSION)
        if not index_path.is_file():
            raise FileNotFoundError(f"{index_path}: vector index file missing")
        kind = settings.get("kind")
        if kind not in _DEFAULTS:
            raise IndexMismatchError(f"{settings_path}: unknown vector index kind {kind!r}")
        faiss = _faiss()
        index = faiss.read_index(str(index_path))
        if int(index.ntotal) != settings.get("ntotal") or int(index.d) != settings.get("dim"):
            raise IndexMismatchError(
                f"{index_path}: holds {index.ntotal} x {index.d} vectors, "
                f"{SETTINGS_FILE} says {settings.get('ntotal')} x {settings.get('dim')}"
            )
        params = settings.get("params", {})
        if kind == "ivfpq":
            params.setdefault("refine", "flat")  # indexes saved before the refine option
        return cls(index, kind, params, brute_force_below=int(settings.get("brute_force_below", 5_000)))
