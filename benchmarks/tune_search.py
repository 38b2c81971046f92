"""Grid-search the hybrid fusion settings on several (workspace, query file) pairs at once.

Usage:
    python benchmarks/tune_search.py --set /tmp/seed:../shared/eval/search_dev.jsonl \\
        --set /tmp/cclw:benchmarks/eval/search_cclw.jsonl [--grid 'translation_weight_en=1,2' ...]

Prints MRR@10 and R@10 per set and language for each setting, ranked by the worst per-language
MRR@10 over all sets (a setting must be good for English *and* Chinese queries on every set),
then by the mean. Query embeddings are cached across settings, so a grid of hundreds of points
runs in seconds. Dev data: tune freely, but prefer broad plateaus over single best points.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import fields, replace
from typing import Any

import numpy as np
from policyscope.corpus.config import Settings
from policyscope.index.evaluate import evaluate, load_queries
from policyscope.index.search import Searcher

DEFAULT_GRID: dict[str, list[Any]] = {
    "rrf_k": [10, 30],
    "semantic_weight": [0.3, 0.5],
    "semantic_translation_weight": [0.0, 0.3],
    "translation_weight_en": [1.0, 1.5, 2.0],
    "translation_weight_zh": [0.5, 1.0, 1.5],
}


class _CachedEncoder:
    """Remembers query embeddings: fusion settings do not change them."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.memo: dict[str, np.ndarray] = {}

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self.memo]
        if missing:
            for t, v in zip(missing, self.inner.encode_queries(missing)):
                self.memo[t] = np.asarray(v, dtype=np.float32)
        return np.stack([self.memo[t] for t in texts])

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _parse_grid(specs: list[str]) -> dict[str, list[Any]]:
    if not specs:
        return DEFAULT_GRID
    kinds = {f.name: type(f.default) for f in fields(Settings) if f.name != "home"}
    grid: dict[str, list[Any]] = {}
    for spec in specs:
        name, _, values = spec.partition("=")
        if name not in kinds:
            raise SystemExit(f"unknown setting {name!r}; available: {', '.join(sorted(kinds))}")
        kind = kinds[name]
        conv = (lambda v: v.lower() in ("1", "true", "yes")) if kind is bool else kind
        grid[name] = [conv(v) for v in values.split(",")]
    return grid


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--set",
        action="append",
        required=True,
        metavar="HOME:QUERIES",
        help="a workspace and a query file evaluated on it (repeatable)",
    )
    ap.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="NAME=V1,V2",
        help="a setting and its values (repeatable); default: a built-in grid",
    )
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    grid = _parse_grid(args.grid)
    sets = []
    for spec in args.set:
        home, _, queries = spec.partition(":")
        searcher = Searcher(Settings.load(home))
        searcher._encoder = _CachedEncoder(searcher.encoder)
        sets.append(
            (
                f"{home.rstrip('/').rsplit('/', 1)[-1]}:{queries.rsplit('/', 1)[-1].split('.')[0]}",
                searcher,
                searcher.settings,
                load_queries(queries),
            )
        )
    rows = []
    for values in itertools.product(*grid.values()):
        point = dict(zip(grid, values))
        cells, mrrs = [], []
        for name, searcher, base, qs in sets:
            searcher.settings = replace(base, **point)
            r = evaluate(qs, lambda q, k, s=searcher: [h.text for h in s.search(q, k=k).hits])
            langs = r["by_lang"]
            mrrs += [m["MRR@10"] for m in langs.values()]
            cells.append(
                f"{name} "
                + " ".join(f"{lang} {m['MRR@10']:.3f}/{m['R@10']:.2f}" for lang, m in langs.items())
            )
        rows.append((min(mrrs), float(np.mean(mrrs)), cells, point))
    for worst, mean, cells, point in sorted(rows, key=lambda x: (-x[0], -x[1]))[: args.top]:
        print(f"min {worst:.3f} mean {mean:.3f} | " + " | ".join(cells) + f" | {point}")


if __name__ == "__main__":
    main()
