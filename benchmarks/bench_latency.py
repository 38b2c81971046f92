"""Hybrid query latency at the CCLW + seed scale, model loaded: prints p50 / p95.

Usage:
    python benchmarks/bench_latency.py [--home DIR] [--rounds 5] [--budget-ms 100]

Builds the workspace when DIR has no index (the built-in corpus plus the 2,100 CCLW records of
``../shared/sources/``, ≈ 7,000 passages; about a minute with the default ``use`` encoder) or
reuses it. The query mix is the shared dev queries plus the project's CCLW dev queries, each
run ``--rounds`` times after one warm-up pass (the first query loads the encoder, jieba and
CC-CEDICT: several seconds, not counted). Exits 1 when p95 exceeds ``--budget-ms``.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT.parent / "shared" / "sources" / "cclw-laws-2021-03.jsonl"
QUERY_FILES = (
    ROOT.parent / "shared" / "eval" / "search_dev.jsonl",
    ROOT / "benchmarks" / "eval" / "search_cclw.jsonl",
)
COLUMNS = "text=text,title=title,id=id,country=country,region=region,date=date,year=year,kind=type"


def ensure_workspace(home: Path) -> None:
    """Build the seed corpus and add CCLW unless ``home`` already holds an index with CCLW in it."""
    from policyscope.corpus.config import Settings
    from policyscope.index.build import current_index_dir, read_manifest

    current = current_index_dir(Settings.load(home).index_root)
    if current is not None and read_manifest(current)["counts"]["passages"] > 5000:
        return
    cli = [sys.executable, "-c", "from policyscope.ui.cli import main; main()", "--home", str(home)]
    print(f"building {home} (seed + CCLW) …", file=sys.stderr)
    subprocess.run([*cli, "build"], check=True)
    subprocess.run([*cli, "add", str(SOURCES), "--columns", COLUMNS], check=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--home", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "policyscope-bench-cclw"
    )
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--budget-ms", type=float, default=100.0)
    args = ap.parse_args()

    from policyscope.corpus.config import Settings
    from policyscope.index.evaluate import load_queries
    from policyscope.index.search import Searcher

    ensure_workspace(args.home)
    queries = [q.query for path in QUERY_FILES for q in load_queries(path)]
    searcher = Searcher(Settings.load(args.home))
    t = time.perf_counter()
    for q in queries:  # warm-up: loads the encoder, jieba, CC-CEDICT, the store connection
        searcher.search(q, k=args.k)
    warm = time.perf_counter() - t
    totals: list[float] = []
    parts: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for q in queries:
            t = time.perf_counter()
            result = searcher.search(q, k=args.k)
            totals.append((time.perf_counter() - t) * 1000)
            for name, ms in result.timings_ms.items():
                parts.setdefault(name, []).append(ms)
    n = searcher.index.n
    print(
        f"hybrid search, {n} passages, encoder {searcher.index.manifest['encoder']['name']}, "
        f"{len(queries)} queries x {args.rounds} rounds, {os.cpu_count()} cores (warm-up pass {warm:.1f} s)"
    )
    print(
        f"p50 {percentile(totals, 0.5):.1f} ms   p95 {percentile(totals, 0.95):.1f} ms   "
        f"max {max(totals):.1f} ms"
    )
    print(
        "  stages p50/p95: "
        + ", ".join(
            f"{name} {percentile(v, 0.5):.1f}/{percentile(v, 0.95):.1f}"
            for name, v in parts.items()
            if name != "total"
        )
    )
    p95 = percentile(totals, 0.95)
    if p95 > args.budget_ms:
        print(f"FAIL: p95 {p95:.1f} ms > budget {args.budget_ms:.0f} ms", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
