"""Shared pieces of the benchmark harness."""

from __future__ import annotations

import bench_common
import pytest


def test_latency_summary_uses_nearest_rank_percentiles():
    # 20 durations of 1..20 ms: nearest rank gives p50 = 10 ms and p95 = 19 ms, values that occurred
    # (numpy's interpolation would give 10.5 and 19.05).
    summary = bench_common.ms([i / 1000 for i in range(20, 0, -1)])
    assert summary == {"p50": 10.0, "p95": 19.0, "mean": 10.5, "n": 20}


def test_find_cclw_prefers_the_explicit_path(tmp_path, monkeypatch):
    explicit = tmp_path / "export.jsonl"
    explicit.write_text("{}\n", encoding="utf-8")
    monkeypatch.setenv("POLICYSCOPE_CCLW", str(tmp_path / "elsewhere.jsonl"))
    assert bench_common.find_cclw(explicit) == explicit.resolve()


def test_find_cclw_without_the_export_says_how_to_pass_it(tmp_path, monkeypatch):
    monkeypatch.delenv("POLICYSCOPE_CCLW", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(bench_common, "REPO", tmp_path)
    with pytest.raises(bench_common.BenchError, match="pass --cclw PATH or set POLICYSCOPE_CCLW"):
        bench_common.find_cclw()


def test_bench_settings_replace_only_the_encoder(tmp_path):
    s = bench_common.bench_settings(tmp_path / "ws", "hash")
    assert s.home == tmp_path / "ws" and s.encoder == "hash"
