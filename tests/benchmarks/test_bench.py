"""``python benchmarks/bench.py``: argument handling, called as a user calls it.

Figures are never asserted (docs/performance.md): only that options are checked, errors are one
line and ``--json`` prints JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import bench
import pytest

from tests.benchmarks.conftest import BENCHMARKS


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(BENCHMARKS / "bench.py"), *args], capture_output=True, text=True,
                          timeout=timeout, check=False)


def test_help_lists_the_four_benchmarks():
    proc = run("--help")
    assert proc.returncode == 0
    assert all(name in proc.stdout for name in ("build", "query", "scale", "serve"))


@pytest.mark.parametrize("command", ["build", "query", "scale", "serve"])
def test_each_benchmark_has_help(command, capsys):
    assert bench.main([command, "--help"]) == 0
    assert "--json" in capsys.readouterr().out


def test_no_arguments_show_the_help(capsys):
    assert bench.main([]) == 0
    assert "build" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["frob"], "error: No such command 'frob'."),
        (["scale", "--bogus"], "error: No such option: --bogus"),
        (["scale", "--n", "many"], "error: Invalid value for '--n': "),
        (["scale", "--n", "0"], "error: Invalid value for '--n': must be at least 1, got 0"),
        (["scale", "--kinds", "flat,annoy"], "error: Invalid value for '--kinds': unknown kind(s) annoy; available: "),
        (["build", "--repeat"], "error: Option '--repeat' requires an argument."),
        (["query", "--queries", "/no/such/queries.jsonl"], "error: Invalid value for '--queries': /no/such/"),
        (["serve", "--timeout", "soon"], "error: Invalid value for '--timeout': "),
    ],
)
def test_bad_or_missing_options_are_one_line_and_exit_2(args, message, capsys):
    assert bench.main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith(message), captured.err


def test_a_benchmark_that_cannot_run_says_why_in_one_line(tmp_path, monkeypatch, capsys):
    # No CCLW export anywhere and no CCLW workspace: bench query cannot build its workspace.
    monkeypatch.delenv("POLICYSCOPE_CCLW", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("bench_common.REPO", tmp_path)
    assert bench.main(["query", "--home", str(tmp_path / "ws"), "--encoder", "hash", "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[-1] == (
        "error: cclw-laws-2021-03.jsonl not found; pass --cclw PATH or set POLICYSCOPE_CCLW"
    )


def test_scale_json_is_a_report_of_each_index(built_hash_home):
    proc = run("scale", "--n", "2000", "--dim", "16", "--queries", "5", "--kinds", "flat",
               "--home", str(built_hash_home), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["n"] == 2000 and report["dim"] == 16 and set(report["vectors"]) == {"flat"}
    flat = report["vectors"]["flat"]
    assert flat["rows"] == 2000 and flat["recall_at_10"] == 1.0  # exact search finds the exact answer
    assert flat["latency_ms"]["n"] == 5 and flat["latency_ms"]["p50"] <= flat["latency_ms"]["p95"]
    assert report["bm25"]["rows"] == 2000 and report["bm25"]["unique_texts"] > 100
    assert report["hybrid"]["vector_kind"] == "flat"


def test_query_json_reports_each_mode_and_enforces_the_budget(built_hash_home, tmp_path, monkeypatch, capsys):
    import bench_query

    # The CCLW workspace takes minutes to build; the built-in one shows the report's shape.
    monkeypatch.setattr(bench_query, "ensure_cclw_workspace", lambda home, encoder, cclw: home)
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": "1", "query": "电池回收", "lang": "zh", "relevant": ["回收"]}\n'
                       '{"id": "2", "query": "critical minerals", "lang": "en", "relevant": ["minerals"]}\n',
                       encoding="utf-8")
    args = ["query", "--home", str(built_hash_home), "--encoder", "hash", "--rounds", "2",
            "--modes", "hybrid,keyword", "--queries", str(queries), "--k", "5", "--json"]
    assert bench.main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["queries"] == 2 and report["rounds"] == 2 and report["k"] == 5
    assert set(report["modes"]) == {"hybrid", "keyword"}
    hybrid = report["modes"]["hybrid"]
    assert hybrid["n"] == 4 and hybrid["p50"] <= hybrid["p95"] <= hybrid["max"]
    assert set(hybrid["stages_p50_ms"]) == set(hybrid["stages_p95_ms"]) >= {"total"}
    assert bench.main([*args, "--budget-ms", "0.000001"]) == 1
    assert capsys.readouterr().err.strip().startswith("error: hybrid p95 ")


def _stage_memory(what: str, home: Path) -> dict:
    """``benchmarks/stage_memory.py WHAT paper --home HOME --json`` on the seed paper as a text file."""
    paper = BENCHMARKS.parent / "corpus" / "data" / "battery-supply-chain-paper.txt"
    proc = subprocess.run([sys.executable, str(BENCHMARKS / "stage_memory.py"), what, str(paper), "--home",
                           str(home), "--json"], capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_stage_memory_reports_each_stage_of_an_add_as_json(tmp_path):
    """``benchmarks/stage_memory.py``: the stages of a real add (the seed paper as a text file)."""
    report = _stage_memory("add", tmp_path / "home")
    assert report["errors"] == [] and report["passages"] > 100
    assert {"read", "segment", "tag", "embed", "keywords", "vectors"} <= set(report["peaks_mb"])
    assert report["max_rss_mb"] >= max(report["peaks_mb"].values()) > 100


def test_stage_memory_store_reports_the_load_and_the_store_of_a_file(tmp_path):
    """``stage_memory.py store``: the file is loaded, then stored uncut (no passages, no index)."""
    report = _stage_memory("store", tmp_path / "home")
    assert report["documents"] == 1 and report["passages"] == 0
    assert set(report["peaks_mb"]) == {"read", "store"}
    assert not (tmp_path / "home" / "indexes").exists()
