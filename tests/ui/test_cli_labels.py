"""The human-loop commands (export, import-labels, review), called through the real ``policyscope`` app."""

from __future__ import annotations

import json

from policyscope.corpus.store import Store
from policyscope.nlp.labels import WRITERS, effective_tags

from tests.ui.test_cli_tags import run, run_json


def test_every_export_format_through_the_cli(home, tmp_path):
    n = Store(home / "policyscope.sqlite").count("passages")
    for fmt, writer in WRITERS.items():
        out = tmp_path / writer.file_name("a")
        report = run_json(home, "export", "--format", fmt, "--output", str(out), "--lang", "en")
        assert 0 < report["passages"] < n and out.exists()
        assert bool(report["splits"]) == writer.splits
    only = run_json(
        home, "export", "--format", "jsonl", "--measure", "recycling", "--output", str(tmp_path / "r.jsonl")
    )
    assert 0 < only["passages"] == only["by_measure"]["recycling"] < n


def test_export_format_help_lists_exactly_the_registry_formats():
    import re
    import typing

    from policyscope.ui.cli_labels import export

    option = typing.get_type_hints(export, include_extras=True)["fmt"].__metadata__[0]
    assert re.findall(r"[a-z]+", option.help.replace(" or ", ", ")) == list(WRITERS)


def test_hf_export_split_options_reach_the_dataset(home, tmp_path):
    out = tmp_path / "hf"
    report = run_json(home, "export", "-f", "hf", "-o", str(out), "--split", "0.6,0.2,0.2", "--seed", "3")
    assert report["split"] == {
        "ratios": {"train": 0.6, "validation": 0.2, "test": 0.2},
        "seed": 3,
        "by": "document",
    }
    assert sum(s["passages"] for s in report["splits"].values()) == report["passages"]
    import datasets

    dd = datasets.load_from_disk(str(out))
    assert {n: ds.num_rows for n, ds in dd.items()} == {n: s["passages"] for n, s in report["splits"].items()}
    text = run(home, "export", "-f", "hf", "-o", str(out), "--split", "0.6,0.2,0.2", "--seed", "3").stdout
    assert f"train {report['splits']['train']['passages']} passages" in text


def test_split_options_are_one_line_errors_where_they_do_not_apply(home, tmp_path):
    for args, problem in [
        (("-f", "csv", "--seed", "3"), "applies to the hf format only, not 'csv'"),
        (("-f", "hf", "--split", "0.7,0.2"), "split ratios must be three numbers"),
        (("-f", "hf", "--split", "0.7,0.2,0.2"), "sum to 1"),
    ]:
        result = run(home, "export", *args, "-o", str(tmp_path / "x"), ok=False)
        assert result.exit_code == 1
        assert result.stderr.strip().splitlines() == [result.stderr.strip()]
        assert problem in result.stderr
    assert not (tmp_path / "x").exists()


def test_import_labels_without_a_label_column_is_one_line_and_stores_nothing(home, tmp_path):
    import pandas as pd
    from policyscope.nlp.measures import load_taxonomy

    path = tmp_path / "a.parquet"
    run(home, "export", "-f", "parquet", "-o", str(path))
    pd.read_parquet(path).drop(columns=list(load_taxonomy().ids)).to_parquet(path)
    result = run(home, "import-labels", str(path), "--annotator", "alice", ok=False)
    assert result.exit_code == 1
    ids = load_taxonomy().ids
    problem = (
        "no label column: expected 'accept' (a list of measure ids), 'labels', 'multi_hot' or the "
        f"{len(ids)} 0/1 measure columns ({', '.join(ids)})"
    )
    assert result.stderr.splitlines() == [f"error: {path}: {problem} (nothing imported)"]
    assert Store(home / "policyscope.sqlite").count("annotations") == 0


def test_import_labels_dry_run_shows_the_changes_and_writes_nothing(home, tmp_path):
    path = tmp_path / "a.jsonl"
    run(home, "export", "-f", "jsonl", "-o", str(path))
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    tagged = next(r for r in rows if r["accept"])
    untagged = next(r for r in rows if not r["accept"] and r["id"] != tagged["id"])
    dropped = tagged["accept"][0]
    tagged["accept"] = tagged["accept"][1:]
    untagged["accept"] = ["workforce", "stockpiling"]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")

    report = run_json(home, "import-labels", str(path), "--annotator", "alice", "--dry-run")
    assert report["dry_run"] is True and report["changed_passages"] == 2
    assert {c["id"]: (c["added"], c["removed"]) for c in report["changes"]} == {
        tagged["id"]: ([], [dropped]),
        untagged["id"]: (["stockpiling", "workforce"], []),
    }
    assert report["by_measure"]["workforce"] == {"added": 1, "removed": 0}
    assert report["by_measure"][dropped]["removed"] == 1
    text = run(home, "import-labels", str(path), "--annotator", "alice", "--dry-run").stdout
    assert "dry run: nothing written" in text
    assert f"  {untagged['id']}  +stockpiling  +workforce" in text
    assert f"  {tagged['id']}  -{dropped}" in text
    store = Store(home / "policyscope.sqlite")
    assert store.count("annotations") == 0

    done = run_json(home, "import-labels", str(path), "--annotator", "alice")
    assert done["changes"] == report["changes"] and done["dry_run"] is False
    assert effective_tags(store, [untagged["id"]])[untagged["id"]] == {"workforce", "stockpiling"}
    again = run_json(home, "import-labels", str(path), "--annotator", "alice")
    assert (again["changed_passages"], again["annotations"]) == (0, 0)


def test_import_labels_of_a_bad_file_exits_1_and_stores_nothing(home, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "nope", "accept": ["alliance"]}\n', encoding="utf-8")
    result = run(home, "import-labels", str(bad), "--annotator", "alice", ok=False)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"error: {bad}:1: unknown passage id 'nope' (nothing imported)"]
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
