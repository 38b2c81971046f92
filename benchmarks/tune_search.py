"""Grid-search the hybrid fusion settings on a query file against an existing workspace.

Usage: python benchmarks/tune_search.py --home DIR --queries ../shared/eval/search_dev.jsonl
Prints MRR@10 / R@10 (overall, en, zh) for each setting, best first. Dev data: tune freely,
but prefer broad plateaus over single best points (a held-out set is checked too).
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace

from policyscope.corpus.config import Settings
from policyscope.index.evaluate import evaluate, load_queries
from policyscope.index.search import Searcher


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--home", required=True)
    ap.add_argument("--queries", required=True)
    args = ap.parse_args()
    qs = load_queries(args.queries)
    searcher = Searcher(Settings.load(args.home))
    base = searcher.settings
    grid = {
        "semantic_weight": [0.3, 0.5],
        "keyword_normalize": [True],
        "keyword_weight": [1.0],
        "translation_weight_en": [0.7, 1.0, 1.5, 2.0],
        "translation_weight_zh": [0.2, 0.5, 1.0],
        "rrf_k": [10, 30],
    }
    rows = []
    for values in itertools.product(*grid.values()):
        searcher.settings = replace(base, **dict(zip(grid, values)))
        r = evaluate(qs, lambda q, k: [h.text for h in searcher.search(q, k=k).hits])
        o, b = r["overall"], r["by_lang"]
        rows.append((o["MRR@10"], o["R@10"], b.get("en", {}).get("MRR@10"), b.get("zh", {}).get("MRR@10"),
                     dict(zip(grid, values))))
    for row in sorted(rows, key=lambda x: (-x[0], -x[1]))[:25]:
        print(f"MRR {row[0]:.3f} R@10 {row[1]:.3f} en {row[2]} zh {row[3]}  {row[4]}")


if __name__ == "__main__":
    main()
