"""Label import on a real built workspace: every export format, edited with its own tool, round-trips
through import_labels; a missing or broken label column is refused in one line with nothing changed."""

from __future__ import annotations

import json

import pytest
from policyscope.nlp.labels import (
    WRITERS,
    LabelFileError,
    effective_tags,
    export_dataset,
    import_labels,
    iter_records,
)

from tests.nlp.labels.editors import EDITORS, EXPORT_FILTERS, MEASURES, hf_labels_with_stale_multi_hot

CASES = [
    pytest.param(fmt, editor, id=editor.__name__) for fmt, editors in EDITORS.items() for editor in editors
]


def _path(tmp_path, fmt):
    return tmp_path / WRITERS[fmt].file_name("out")


def _labels(store):
    """Every passage's effective labels."""
    ids = [r.id for r in store.passage_rows()]
    return {pid: set(labels) for pid, labels in effective_tags(store, ids).items()}


def _pick_edits(records):
    """Drop a measure from one passage, clear another, label an unlabelled one, swap one on a fourth."""
    multi = [r for r in records if len(r.accept) >= 2]
    single = [r for r in records if len(r.accept) == 1]
    untagged = [r for r in records if not r.accept]
    assert len(multi) >= 2 and single and untagged, "the export has too few labelled passages to edit"
    swap = next(m for m in ("stockpiling", "workforce", "alliance") if m not in multi[1].accept)
    edits = {
        multi[0].id: list(multi[0].accept[1:]),
        single[0].id: [],
        untagged[0].id: ["workforce", "recycling"],
        multi[1].id: [*multi[1].accept[1:], swap],
    }
    return {pid: [m for m in MEASURES if m in labels] for pid, labels in edits.items()}


def test_every_export_format_has_an_edit_test():
    assert set(EDITORS) == set(WRITERS)


@pytest.mark.parametrize(
    ("fmt", "editor"), [(fmt, editors[0]) for fmt, editors in EDITORS.items()], ids=list(EDITORS)
)
def test_importing_an_unedited_export_changes_nothing(store, tmp_path, fmt, editor):
    pid = next(r.id for r in iter_records(store, **EXPORT_FILTERS.get(fmt, {})) if r.accept)
    store.add_annotation(pid, "workforce", "add", "alice")  # a human label must survive the round trip too
    before = _labels(store)
    path = _path(tmp_path, fmt)
    export_dataset(store, fmt, path, **EXPORT_FILTERS.get(fmt, {}))
    report = import_labels(store, editor(path, {}), "alice")
    assert report.rows == len(list(iter_records(store, **EXPORT_FILTERS.get(fmt, {})))) > 0
    assert (report.changed_passages, report.added, report.removed, report.annotations) == (0, 0, 0, 0)
    assert report.format == fmt
    assert store.count("annotations") == 1
    assert _labels(store) == before


@pytest.mark.parametrize(("fmt", "editor"), CASES)
def test_labels_edited_in_the_export_are_the_store_labels_after_import(store, tmp_path, fmt, editor):
    records = list(iter_records(store, **EXPORT_FILTERS.get(fmt, {})))
    edits = _pick_edits(records)
    before = _labels(store)
    machine_before = store.tags_for(list(edits))
    path = _path(tmp_path, fmt)
    export_dataset(store, fmt, path, **EXPORT_FILTERS.get(fmt, {}))
    edited = editor(path, edits)

    preview = import_labels(store, edited, "alice", dry_run=True)
    assert store.count("annotations") == 0
    assert _labels(store) == before
    report = import_labels(store, edited, "alice")
    assert report.to_dict() | {"dry_run": True} == preview.to_dict()

    after = _labels(store)
    assert {pid: sorted(after[pid], key=MEASURES.index) for pid in edits} == edits
    assert {pid: labels for pid, labels in after.items() if pid not in edits} == {
        pid: labels for pid, labels in before.items() if pid not in edits
    }
    assert report.changed_passages == len(edits)
    assert {c.id: (set(c.added), set(c.removed)) for c in report.changes} == {
        pid: (set(labels) - before[pid], before[pid] - set(labels)) for pid, labels in edits.items()
    }
    assert report.added == sum(len(set(v) - before[p]) for p, v in edits.items())
    assert report.removed == sum(len(before[p] - set(v)) for p, v in edits.items())
    assert store.tags_for(list(edits)) == machine_before  # machine tags are never touched

    # The edited file again, and a fresh export of the result, change nothing.
    assert import_labels(store, edited, "alice").changed_passages == 0
    again = tmp_path / "again" / WRITERS[fmt].file_name("out")
    export_dataset(store, fmt, again, **EXPORT_FILTERS.get(fmt, {}))
    report = import_labels(store, again, "alice")
    assert (report.changed_passages, report.annotations) == (0, 0)


def _drop_jsonl_accept(path):
    import pandas as pd

    pd.read_json(path, lines=True, dtype=False).drop(columns=["accept"]).to_json(
        path, orient="records", lines=True, force_ascii=False
    )
    return path


def _drop_csv_measures(path):
    import pandas as pd

    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df.drop(columns=list(MEASURES)).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _drop_parquet_labels(path):
    import pandas as pd

    pd.read_parquet(path).drop(columns=list(MEASURES)).to_parquet(path)
    return path


def _drop_hf_labels(path):
    import datasets

    out = path.parent / "no-labels"
    datasets.load_from_disk(str(path)).remove_columns(["labels", "multi_hot"]).save_to_disk(str(out))
    return out


def _clear_spacy_cats(path):
    import spacy
    from spacy.tokens import DocBin

    docs = list(DocBin().from_disk(path).get_docs(spacy.blank("xx").vocab))
    for doc in docs:
        doc.cats = {}
    DocBin(docs=docs, store_user_data=True).to_disk(path)
    return path


def _null_parquet_measure(path):
    import pandas as pd

    df = pd.read_parquet(path)
    df["alliance"] = None
    df.to_parquet(path)
    return path


def _drop_one_parquet_measure(path):
    import pandas as pd

    pd.read_parquet(path).drop(columns=["recycling"]).to_parquet(path)
    return path


def _csv_words_in_a_measure_column(path):
    import pandas as pd

    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df["alliance"] = "maybe"
    df.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _jsonl_accept_as_a_number(path):
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    path.write_text("".join(json.dumps({**r, "accept": 1}) + "\n" for r in rows), encoding="utf-8")
    return path


BROKEN = [
    ("jsonl", _drop_jsonl_accept, "no label column"),
    ("csv", _drop_csv_measures, "no label column"),
    ("parquet", _drop_parquet_labels, "no label column"),
    ("hf", _drop_hf_labels, "no label column"),
    ("spacy", _clear_spacy_cats, "cats unusable in all"),
    ("parquet", _null_parquet_measure, "column 'alliance' is empty (null in every row)"),
    ("parquet", _drop_one_parquet_measure, "measure column(s) recycling missing"),
    ("csv", _csv_words_in_a_measure_column, "the measure columns unusable in all"),
    ("jsonl", _jsonl_accept_as_a_number, "'accept' unusable in all"),
]


@pytest.mark.parametrize(("fmt", "breaker", "problem"), [pytest.param(*b, id=b[1].__name__) for b in BROKEN])
def test_a_missing_or_broken_label_column_is_one_line_naming_the_file_and_nothing_changes(
    store, tmp_path, fmt, breaker, problem
):
    before = _labels(store)
    path = _path(tmp_path, fmt)
    export_dataset(store, fmt, path, **EXPORT_FILTERS.get(fmt, {}))
    broken = breaker(path)
    for dry_run in (True, False):
        with pytest.raises(LabelFileError) as err:
            import_labels(store, broken, "alice", dry_run=dry_run)
        assert len(err.value.errors) == 1
        message = str(err.value)
        assert message.startswith(str(broken)) and problem in message and "\n" not in message
    assert store.count("annotations") == 0
    assert _labels(store) == before


def test_labels_and_multi_hot_edited_differently_are_refused_by_row(store, tmp_path):
    path = tmp_path / "hf"
    export_dataset(store, "hf", path)
    edits = _pick_edits(list(iter_records(store)))
    before = _labels(store)
    edited = hf_labels_with_stale_multi_hot(path, edits)
    with pytest.raises(LabelFileError) as err:
        import_labels(store, edited, "alice")
    assert len(err.value.errors) == len(edits)
    for pid, labels in edits.items():
        stale, new = sorted(before[pid]), sorted(labels)
        assert any(
            e.startswith(f"{edited}:")
            and e.endswith(
                f": 'labels' [{', '.join(new)}] and 'multi_hot' [{', '.join(stale)}] disagree; edit both, or "
                "remove the column you did not edit"
            )
            for e in err.value.errors
        ), pid
    assert store.count("annotations") == 0


def test_a_parquet_file_with_accept_and_measure_columns_must_agree(store, tmp_path):
    import pandas as pd

    path = tmp_path / "out.parquet"
    export_dataset(store, "parquet", path)
    df = pd.read_parquet(path)
    df["accept"] = [[m for m in MEASURES if row[m]] for _, row in df.iterrows()]
    df.to_parquet(path)
    assert import_labels(store, path, "alice", dry_run=True).changed_passages == 0
    row = int(df.index[df["recycling"] == 0][0])
    df.loc[row, "recycling"] = 1
    df.to_parquet(path)
    with pytest.raises(LabelFileError) as err:
        import_labels(store, path, "alice")
    assert len(err.value.errors) == 1
    assert err.value.errors[0].startswith(f"{path}:{row + 1}: 'accept' [")
    assert "disagree; edit both, or remove the column you did not edit" in err.value.errors[0]
    assert store.count("annotations") == 0


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


def test_an_unsupported_file_type_lists_the_readable_ones_from_the_registry(store, tmp_path):
    path = tmp_path / "labels.xlsx"
    path.write_bytes(b"")
    with pytest.raises(LabelFileError) as err:
        import_labels(store, path, "alice")
    for w in WRITERS.values():
        assert (w.suffix or f"directory of the {w.name} export") in str(err.value)
