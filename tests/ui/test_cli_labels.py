"""The human-loop commands (export, import-labels, review), called through the real ``policyscope`` app."""

from __future__ import annotations

from policyscope.corpus.store import Store

from tests.ui.test_cli_tags import run, run_json


def test_every_export_format_through_the_cli(home, tmp_path):
    n = Store(home / "policyscope.sqlite").count("passages")
    for fmt, name in [
        ("jsonl", "a.jsonl"),
        ("csv", "a.csv"),
        ("parquet", "a.parquet"),
        ("hf", "hf"),
        ("spacy", "a.spacy"),
    ]:
        report = run_json(home, "export", "--format", fmt, "--output", str(tmp_path / name))
        assert report["passages"] == n and (tmp_path / name).exists()
    only = run_json(
        home, "export", "--format", "jsonl", "--measure", "recycling", "--output", str(tmp_path / "r.jsonl")
    )
    assert 0 < only["passages"] == only["by_measure"]["recycling"] < n


def test_import_labels_of_a_bad_file_exits_1_and_stores_nothing(home, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "nope", "accept": ["alliance"]}\n', encoding="utf-8")
    result = run(home, "import-labels", str(bad), "--annotator", "alice", ok=False)
    assert result.exit_code == 1
    assert f"{bad}:1: unknown passage id 'nope'" in result.stderr
    assert "nothing imported" in result.stderr
    assert Store(home / "policyscope.sqlite").count("annotations") == 0


def test_review_next_then_reject_removes_the_measure(home):
    queue = run_json(home, "review", "next", "--n", "3")
    assert len(queue) == 3
    pid, measure = queue[0]["passage_id"], queue[0]["effective"][0]
    out = run_json(home, "review", "reject", pid, measure, "--annotator", "alice")
    assert measure not in out["effective"]
    assert pid not in [q["passage_id"] for q in run_json(home, "review", "next", "--n", "3")]
    result = run(home, "review", "add", pid, "teleportation", "--annotator", "alice", ok=False)
    assert "unknown measure 'teleportation'" in result.stderr
