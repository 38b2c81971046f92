"""``bench query``: search latency per mode on the CCLW + seed workspace, model loaded.

Part of ``python benchmarks/bench.py``; see docs/performance.md for the figures.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench_common import (
    QUERIES,
    BenchError,
    bench_settings,
    default_bench_home,
    device_note,
    echo,
    find_cclw,
    ms,
    print_table,
    whole_pipeline,
)

if TYPE_CHECKING:
    from policyscope.corpus.config import Settings


def ensure_cclw_workspace(home: Path, encoder_spec: str | None, cclw: Path | None) -> Path:
    """Bring the CCLW + seed workspace in ``home`` up to date (incremental: a second run embeds nothing).

    Without the CCLW export, an existing workspace whose index holds the CCLW records is reused.
    """
    from policyscope.index.build import current_index_dir, read_manifest
    from policyscope.ui.console import progress_bars

    settings = bench_settings(home, encoder_spec)
    try:
        path = find_cclw(cclw)
    except BenchError:
        current = current_index_dir(settings.index_root)
        if current is not None and read_manifest(current)["counts"]["passages"] > 1000:
            return home
        raise
    echo(f"CCLW + seed workspace in {home} (the first run embeds ~7,000 passages) …")
    with progress_bars() as progress:
        whole_pipeline(settings, [path], progress)
    return home


def query_mix(files: Sequence[Path]) -> list[str]:
    """The queries of ``files`` (shared/eval JSONL), or the built-in bilingual mix when there are none."""
    if not files:
        return list(QUERIES)
    from policyscope.index.evaluate import load_queries

    return [q.query for path in files for q in load_queries(path)]


def milvus_workspace(home: Path, encoder_spec: str | None, milvus_uri: str | None) -> Settings:
    """A sibling workspace ``<home>-milvus`` with the same store, indexed by the milvus backend.

    The store and the embedding cache are copied, so the build embeds nothing and both backends
    answer over the same passages (an unchanged store is not rebuilt: the build is skipped).
    """
    import shutil
    from dataclasses import replace

    from policyscope.corpus.store import Store
    from policyscope.index.build import build_index

    src = bench_settings(home, encoder_spec)
    dst = home.parent / f"{home.name}-milvus"
    (dst / "cache").mkdir(parents=True, exist_ok=True)
    shutil.copy2(src.store_path, dst / src.store_path.name)
    if src.cache_path.is_file() and not (dst / "cache" / src.cache_path.name).is_file():
        shutil.copy2(src.cache_path, dst / "cache" / src.cache_path.name)
    settings = replace(src, home=dst, backend="milvus", milvus_uri=milvus_uri or "")
    store = Store(settings.store_path)
    try:
        report = build_index(store, settings)
    finally:
        store.close()
    echo(f"milvus index of {report.passages} passages in {dst} ({'unchanged' if report.skipped else f'built in {report.seconds:.1f}s'})")
    return settings


def bench_query(home: Path | None, encoder_spec: str | None, cclw: Path | None, rounds: int,
                modes: Sequence[str], query_files: Sequence[Path] = (), k: int = 10,
                backends: Sequence[str] = ("faiss",), milvus_uri: str | None = None) -> dict[str, Any]:
    """Latency of every mode over ``rounds`` passes of the query mix, after one warm-up query per mode.

    The warm-up loads the encoder, jieba, CC-CEDICT and the store connection (several seconds,
    reported as ``first_query_s``, not counted). With several ``backends`` each one answers the same
    queries in turn (the ``milvus`` rows are named ``MODE (milvus)``).
    """
    from policyscope.index.search import Searcher

    queries = query_mix(query_files)
    enc = bench_settings(None, encoder_spec).encoder
    home = home or default_bench_home(enc)
    ensure_cclw_workspace(home, encoder_spec, cclw)
    out: dict[str, Any] = {"workspace": str(home), "queries": len(queries), "query_files": [str(p) for p in query_files],
                           "k": k, "rounds": rounds, "backends": list(backends), "modes": {}}
    for backend in backends:
        settings = bench_settings(home, encoder_spec)
        if backend != "faiss":
            settings = milvus_workspace(home, encoder_spec, milvus_uri)
        # Every round searches again: kept results (Settings.search_cache_size) would time the cache.
        settings = replace(settings, search_cache_size=0)
        suffix = "" if backend == "faiss" else f" ({backend})"
        _time_modes(Searcher(settings), queries, modes, rounds, k, out, suffix)
    return out


def _time_modes(searcher: Any, queries: list[str], modes: Sequence[str], rounds: int, k: int,
                out: dict[str, Any], suffix: str) -> None:
    """Time every mode with one searcher into ``out["modes"]["MODE" + suffix]``."""
    t = time.perf_counter()
    for m in modes:
        searcher.search(queries[0], k=k, mode=m)  # load the model, translator and index first
    warm_s = time.perf_counter() - t
    out.update({"encoder": searcher.settings.encoder, "passages": searcher.index.n,
                "device": device_note(searcher.encoder)})
    out.setdefault("first_query_s", round(warm_s, 2))
    for m in modes:
        times: list[float] = []
        stages: dict[str, list[float]] = {}
        for _ in range(rounds):
            for q in queries:
                t = time.perf_counter()
                res = searcher.search(q, k=k, mode=m)
                times.append(time.perf_counter() - t)
                for name, stage_ms in res.timings_ms.items():
                    stages.setdefault(name, []).append(stage_ms / 1000)
        out["modes"][m + suffix] = {**ms(times), "max": round(max(times) * 1000, 2),
                                    "stages_p50_ms": {k: ms(v)["p50"] for k, v in stages.items()},
                                    "stages_p95_ms": {k: ms(v)["p95"] for k, v in stages.items()}}
    if "query_encoding" not in out:
        enc_times = []
        for q in queries:
            t = time.perf_counter()
            searcher.encoder.encode_queries([q])
            enc_times.append(time.perf_counter() - t)
        out["query_encoding"] = ms(enc_times)


def over_budget(r: dict[str, Any], budget_ms: float | None) -> list[str]:
    """``mode p95 X ms > budget Y ms`` for every mode whose p95 exceeds ``budget_ms`` (none without a budget)."""
    if budget_ms is None:
        return []
    return [f"{m} p95 {v['p95']} ms > budget {budget_ms:g} ms" for m, v in r["modes"].items() if v["p95"] > budget_ms]


def print_query(r: dict[str, Any]) -> None:
    rows = [(m, str(v["p50"]), str(v["p95"]), str(v["mean"]), str(v["max"]),
             ", ".join(f"{k} {x}/{v['stages_p95_ms'][k]}" for k, x in v["stages_p50_ms"].items()))
            for m, v in r["modes"].items()]
    e = r["query_encoding"]
    rows.append(("(query encoding alone)", str(e["p50"]), str(e["p95"]), str(e["mean"]), "", ""))
    print_table(f"bench query — {r['passages']} passages, {r['queries']} queries x {r['rounds']} rounds, "
                f"encoder {r['encoder']} on {r['device']}; first query after load {r['first_query_s']} s",
                rows, ("mode", "p50 ms", "p95 ms", "mean ms", "max ms", "stage p50/p95 ms"))
