"""Label import on a real built workspace: round trips through the exports, and every bad line named."""

from __future__ import annotations

import csv
import json

import pytest
from policyscope.nlp.labels import LabelFileError, export_dataset, import_labels, iter_records
from policyscope.nlp.measures import load_taxonomy

MEASURES = load_taxonomy().ids


def _read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_importing_an_unedited_export_changes_nothing(store, tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    export_dataset(store, fmt, path)
    report = import_labels(store, path, "alice")
    assert report.rows == store.count("passages")
    assert (report.changed_passages, report.added, report.rejected) == (0, 0, 0)
    assert store.count("annotations") == 0


def _edit(records):
    """Drop a measure from two tagged passages, add one to an untagged passage, swap one on another."""
    tagged = [r for r in records if len(r["accept"]) >= 2]
    untagged = [r for r in records if not r["accept"]]
    edits = {
        tagged[0]["id"]: tagged[0]["accept"][1:],
        tagged[1]["id"]: [],
        untagged[0]["id"]: ["workforce", "recycling"],
        tagged[2]["id"]: [*tagged[2]["accept"][1:], "stockpiling"],
    }
    # Exports list labels in taxonomy order.
    return {pid: [m for m in MEASURES if m in labels] for pid, labels in edits.items()}


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_edit_import_export_round_trip_is_lossless(store, tmp_path, fmt):
    first = tmp_path / f"first.{fmt}"
    export_dataset(store, fmt, first)
    before = {r.id: r.to_dict() for r in iter_records(store)}
    edits = _edit(list(before.values()))
    if fmt == "jsonl":
        rows = _read_jsonl(first)
        for r in rows:
            r["accept"] = edits.get(r["id"], r["accept"])
        first.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    else:
        with first.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            fields, rows = reader.fieldnames, list(reader)
        for r in rows:
            if r["id"] in edits:
                for m in MEASURES:
                    r[m] = "1" if m in edits[r["id"]] else "0"
        with first.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.DictWriter(f, fieldnames=fields)
            w.writeheader()
            w.writerows(rows)
    report = import_labels(store, first, "alice")
    assert report.changed_passages == len(edits)

    second = tmp_path / "second.jsonl"
    export_dataset(store, "jsonl", second)
    after = {r["id"]: r for r in _read_jsonl(second)}
    assert set(after) == set(before)
    assert any("\n" in r["text"] for r in after.values())  # multi-line texts survive CSV too
    for pid, r in after.items():
        assert r["accept"] == edits.get(pid, before[pid]["accept"])
        assert r["text"] == before[pid]["text"]
        assert r["meta"] == before[pid]["meta"]
        machine = [t for t in r["tags"] if t["source"] != "human"]
        assert machine == before[pid]["tags"]
    # Importing the edited file again is a no-op.
    again = import_labels(store, first, "alice")
    assert (again.added, again.rejected) == (0, 0)


def test_import_with_an_unknown_measure_stores_nothing_and_names_file_and_line(store, tmp_path):
    recs = list(iter_records(store))
    path = tmp_path / "labels.jsonl"
    lines = [
        {"id": recs[0].id, "accept": ["workforce"]},
        {"id": recs[1].id, "accept": []},
        {"id": recs[2].id, "accept": ["alliance", "teleportation"]},
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    with pytest.raises(LabelFileError) as err:
        import_labels(store, path, "alice")
    assert f"{path}:3: unknown measure(s) teleportation" in str(err.value)
    assert "\n" not in str(err.value)
    assert store.count("annotations") == 0


def test_import_reports_every_bad_line_including_unknown_passages(store, tmp_path):
    recs = list(iter_records(store))
    path = tmp_path / "labels.csv"
    path.write_text(
        f"id,accept\n{recs[0].id},workforce\nno-such-passage,alliance\n{recs[0].id},\n",
        encoding="utf-8",
    )
    with pytest.raises(LabelFileError) as err:
        import_labels(store, path, "alice")
    assert err.value.errors == [
        f"{path}:3: unknown passage id 'no-such-passage'",
        f"{path}:4: passage {recs[0].id} already labelled on line 2",
    ]
    assert store.count("annotations") == 0


def test_import_confirm_records_kept_machine_tags_once(store, tmp_path):
    rec = next(r for r in iter_records(store) if r.accept)
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps({"id": rec.id, "accept": list(rec.accept)}) + "\n", encoding="utf-8")
    first = import_labels(store, path, "alice", confirm=True)
    assert first.confirmed == len(rec.accept) and first.changed_passages == 0
    assert import_labels(store, path, "alice", confirm=True).confirmed == 0
    assert {a["action"] for a in store.annotations()} == {"accept"}


def test_import_names_each_malformed_jsonl_line(store, tmp_path):
    recs = list(iter_records(store))
    path = tmp_path / "labels.jsonl"
    path.write_bytes(
        json.dumps({"id": recs[0].id, "accept": ["workforce"]}).encode()
        + b"\n\nnot json\n[1, 2]\n"
        + b'{"id": "\xff", "accept": []}\n'
    )
    with pytest.raises(LabelFileError) as err:
        import_labels(store, path, "alice")
    assert err.value.errors == [
        f"{path}:3: invalid json (expecting value)",
        f"{path}:4: expected a json object, got list",
        f"{path}:5: undecodable bytes (jsonl must be utf-8)",
    ]
    assert store.count("annotations") == 0
