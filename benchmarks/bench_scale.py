"""``bench scale``: ANN and BM25 at 1M passages — build time, memory, recall@10 against exact search,
latency — and a hybrid (vector + BM25 + fusion) latency.

Part of ``python benchmarks/bench.py``; see docs/performance.md for the figures.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench_common import (
    CCLW_COLUMNS,
    QUERIES,
    BenchError,
    bench_settings,
    default_bench_home,
    echo,
    find_cclw,
    ms,
    print_table,
    rss_mb,
)

if TYPE_CHECKING:
    import numpy as np

KINDS: tuple[str, ...] = ("flat", "hnsw", "ivfpq", "ivfpq-flat", "ivfpq-none")


def real_passages(home: Path | None, encoder_spec: str | None, cclw: Path | None) -> list[str]:
    """Real passage texts: from the CCLW bench workspace when built, else CCLW + seed segmented here."""
    from policyscope.index.build import keyword_text

    enc = bench_settings(None, encoder_spec).encoder
    ws = home or default_bench_home(enc)
    store_path = bench_settings(ws, encoder_spec).store_path
    if store_path.is_file():
        from policyscope.corpus.store import Store

        with Store(store_path, readonly=True) as store:
            texts = [keyword_text(r) for r in store.passage_rows()]
        if texts:
            return texts
    from policyscope.corpus.builtin import builtin_documents
    from policyscope.corpus.loaders import ColumnMap, load_path
    from policyscope.nlp.segment import segment_document

    docs = [*builtin_documents(), *load_path(find_cclw(cclw), columns=ColumnMap.parse(CCLW_COLUMNS))]
    return [p.text for d in docs for p in segment_document(d)]


def synthetic_vectors(n: int, dim: int, seed: int, clusters: int = 1000, latent: int = 32) -> np.ndarray:
    """Unit vectors shaped like sentence embeddings: topics (cluster centres) plus a low-rank spread.

    ``x = normalise(c + 0.5 * U z / sqrt(latent) + 0.1 * e / sqrt(dim))`` with ``c`` one of
    ``clusters`` random unit centres (fixed by the seed's base), ``U`` a shared random
    ``latent``-dim orthonormal basis, ``z`` and ``e`` standard normal. A query's nearest
    neighbour then has cosine ~0.89 and its 10th ~0.86, like real passage embeddings of
    one topic; pure isotropic noise would make every neighbour equidistant.
    """
    import numpy as np

    latent = min(latent, dim)  # an orthonormal basis has at most ``dim`` vectors (tiny test runs)
    base = np.random.default_rng(12345)
    centres = base.standard_normal((clusters, dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    basis = np.linalg.qr(base.standard_normal((dim, latent)))[0].T.astype(np.float32)
    rng = np.random.default_rng(seed)
    out = np.empty((n, dim), dtype=np.float32)
    step = 100_000
    for s in range(0, n, step):
        m = min(step, n - s)
        x = centres[rng.integers(0, clusters, m)]
        x += (rng.standard_normal((m, latent), dtype=np.float32) @ basis) * np.float32(0.5 / np.sqrt(latent))
        x += rng.standard_normal((m, dim), dtype=np.float32) * np.float32(0.1 / np.sqrt(dim))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        out[s : s + m] = x
    return out


def faiss_bytes(index: Any) -> int:
    """Serialized size of a faiss index: what it holds in memory, within a few percent."""
    import faiss

    return int(faiss.serialize_index(index).nbytes)


def bench_scale(n: int, dim: int, n_queries: int, kinds: Sequence[str], hnsw_max: int, home: Path | None,
                encoder_spec: str | None, cclw: Path | None, seed: int) -> dict[str, Any]:
    import numpy as np
    from policyscope.index.fusion import reciprocal_rank_fusion
    from policyscope.index.keywords import KeywordIndex
    from policyscope.index.vectors import VectorIndex
    from policyscope.nlp.tokens import BilingualTokenizer

    out: dict[str, Any] = {"n": n, "dim": dim, "queries": n_queries, "cores": os.cpu_count(), "vectors": {},
                           "rss_start_mb": round(rss_mb())}
    t = time.perf_counter()
    xb = synthetic_vectors(n, dim, seed)
    xq = synthetic_vectors(n_queries, dim, seed + 1)
    echo(f"{n:,} x {dim} synthetic vectors in {time.perf_counter() - t:.1f} s")

    import faiss

    exact = faiss.IndexFlatIP(dim)
    exact.add(xb)
    t = time.perf_counter()
    _, truth = exact.search(xq, 10)
    echo(f"exact top-10 of {n_queries} queries (batched) in {time.perf_counter() - t:.1f} s")
    del exact

    def measure(label: str, build: Callable[[], Any], ntotal: int) -> Any:
        rss0 = rss_mb()
        t0 = time.perf_counter()
        idx = build()
        build_s = time.perf_counter() - t0
        ids, times = [], []
        for i in range(n_queries):
            t1 = time.perf_counter()
            _, got = idx.search(xq[i : i + 1], 10)
            times.append(time.perf_counter() - t1)
            ids.append(got[0])
        got_ids = np.asarray(ids)
        sub_truth = truth if ntotal == n else None
        if sub_truth is None:  # a subsample: its own exact answer
            sub = faiss.IndexFlatIP(dim)
            sub.add(xb[:ntotal])
            _, sub_truth = sub.search(xq, 10)
        recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got_ids, sub_truth)]))
        row = {"rows": ntotal, "build_s": round(build_s, 1), "index_mb": round(faiss_bytes(idx._index) / 2**20),
               "rss_growth_mb": round(rss_mb() - rss0), "recall_at_10": round(recall, 4),
               "latency_ms": ms(times), "params": idx.params}
        if ntotal != n:
            row["build_s_extrapolated_to_n"] = round(build_s * n / ntotal)
        out["vectors"][label] = row
        echo(f"{label}: {json.dumps(row, default=str)}")
        return idx

    chosen = None
    for kind in kinds:
        if kind == "hnsw":
            rows = min(n, hnsw_max)
            echo(f"hnsw on {rows:,} rows (M=32, efConstruction=64) …")
            measure("hnsw", lambda r=rows: VectorIndex.build(xb[:r], kind="hnsw", ef_construction=64), rows)
        elif kind == "flat":
            echo("flat (exact) …")
            measure("flat", lambda: VectorIndex.build(xb, kind="flat"), n)
        elif kind.startswith("ivfpq"):
            refine = kind.partition("-")[2] or "sq8"
            echo(f"ivfpq (refine {refine}) …")
            idx = measure(kind, lambda r=refine: VectorIndex.build(xb, kind="ivfpq", refine=r), n)
            if refine == "sq8":
                chosen = idx
        else:
            raise BenchError(f"unknown kind {kind!r}; available: {', '.join(KINDS)}")
    if chosen is None:
        chosen = VectorIndex.build(xb, kind="auto")

    # BM25 at the same size: real passages repeated (each unique text tokenized once).
    texts = real_passages(home, encoder_spec, cclw)
    tokenizer = BilingualTokenizer()
    t = time.perf_counter()
    unique_tokens = tokenizer.tokenize_many(texts)
    tok_s = time.perf_counter() - t
    order = np.random.default_rng(seed).integers(0, len(unique_tokens), n)
    token_lists = [unique_tokens[i] for i in order]
    rss0 = rss_mb()
    t = time.perf_counter()
    keywords = KeywordIndex.build(token_lists)
    bm25_build = time.perf_counter() - t
    del token_lists
    model = keywords._model
    bm25_bytes = sum(int(a.nbytes) for a in model.scores.values() if hasattr(a, "nbytes"))
    echo(f"BM25 over {n:,} passages ({len(texts):,} unique real texts) in {bm25_build:.1f} s")
    queries = [QUERIES[i % len(QUERIES)] for i in range(n_queries)]
    q_tokens = [tokenizer.tokenize(q) for q in queries]
    kw_times, hy_times = [], []
    for i, toks in enumerate(q_tokens):
        t1 = time.perf_counter()
        keywords.search(toks, k=100, normalize=True)
        kw_times.append(time.perf_counter() - t1)
        # Hybrid as the Searcher does it: vector top-100 and BM25 top-100, fused by RRF.
        t1 = time.perf_counter()
        _, vid = chosen.search(xq[i : i + 1], 100)
        _, kid = keywords.search(toks, k=100, normalize=True)
        reciprocal_rank_fusion([vid[0][vid[0] >= 0].tolist(), kid.tolist()], [0.3, 1.0], k=10, limit=10)
        hy_times.append(time.perf_counter() - t1)
    out["bm25"] = {"rows": n, "unique_texts": len(texts), "tokenize_unique_s": round(tok_s, 1),
                   "build_s": round(bm25_build, 1), "arrays_mb": round(bm25_bytes / 2**20),
                   "rss_growth_mb": round(rss_mb() - rss0), "vocab": keywords.vocab_size,
                   "latency_ms": ms(kw_times)}
    out["hybrid"] = {"vector_kind": chosen.kind, "vector_params": chosen.params, "latency_ms": ms(hy_times)}
    out["rss_end_mb"] = round(rss_mb())
    return out


def print_scale(r: dict[str, Any]) -> None:
    rows = []
    for label, v in r["vectors"].items():
        rows_note = "" if v["rows"] == r["n"] else f" (on {v['rows']:,} rows; ~{v['build_s_extrapolated_to_n']} s at n)"
        rows.append((label, f"{v['build_s']}{rows_note}", str(v["index_mb"]), str(v["rss_growth_mb"]),
                     f"{v['recall_at_10']:.3f}", str(v["latency_ms"]["p50"]), str(v["latency_ms"]["p95"])))
    b = r["bm25"]
    rows.append(("bm25", f"{b['build_s']} (+{b['tokenize_unique_s']} tokenize {b['unique_texts']:,} texts)",
                 str(b["arrays_mb"]), str(b["rss_growth_mb"]), "—", str(b["latency_ms"]["p50"]),
                 str(b["latency_ms"]["p95"])))
    h = r["hybrid"]
    rows.append((f"hybrid ({h['vector_kind']} + bm25 + RRF)", "—", "—", "—", "—", str(h["latency_ms"]["p50"]),
                 str(h["latency_ms"]["p95"])))
    print_table(f"bench scale — {r['n']:,} passages, {r['dim']}-d, {r['queries']} queries, {r['cores']} cores, "
                 f"process RSS {r['rss_end_mb']} MB at the end",
                 rows, ("index", "build s", "index MB", "RSS +MB", "recall@10", "p50 ms", "p95 ms"))
