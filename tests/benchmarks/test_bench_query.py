"""``bench query``: the query mix and the latency budget."""

from __future__ import annotations

import json

from bench_common import QUERIES
from bench_query import over_budget, query_mix


def test_the_built_in_mix_is_used_without_query_files():
    assert query_mix([]) == list(QUERIES)


def test_query_files_replace_the_mix(tmp_path):
    path = tmp_path / "q.jsonl"
    rows = [{"id": "1", "query": "电池回收", "lang": "zh", "relevant": ["回收"]},
            {"id": "2", "query": "battery passport", "lang": "en", "relevant": ["passport"]}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert query_mix([path, path]) == ["电池回收", "battery passport"] * 2


def test_only_modes_over_the_budget_are_reported():
    report = {"modes": {"hybrid": {"p95": 120.5}, "keyword": {"p95": 4.1}}}
    assert over_budget(report, None) == []
    assert over_budget(report, 200) == []
    assert over_budget(report, 100) == ["hybrid p95 120.5 ms > budget 100 ms"]
