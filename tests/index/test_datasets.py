"""Tagging datasets on a real built workspace: export in five formats, label import, review queue."""

from __future__ import annotations

import csv
import json

import pytest
from policyscope.corpus.records import Span, Tag
from policyscope.corpus.store import Store
from policyscope.index.datasets import (
    EXPORT_FORMATS,
    LabelFileError,
    export_dataset,
    import_labels,
    iter_records,
    review_queue,
)
from policyscope.nlp.effective import effective_tags
from policyscope.nlp.measures import load_taxonomy

MEASURES = load_taxonomy().ids


@pytest.fixture
def store(home):
    s = Store(home / "policyscope.sqlite")
    yield s
    s.close()


def _read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _labels(records):
    return {r["id"]: r["accept"] for r in records}


# -- export -----------------------------------------------------------------------------------


def test_every_format_exports_every_passage(store, tmp_path):
    import pyarrow.parquet as pq

    n = store.count("passages")
    assert n > 100
    paths = {fmt: tmp_path / f"out-{fmt}" for fmt in EXPORT_FORMATS}
    for fmt, path in paths.items():
        report = export_dataset(store, fmt, path)
        assert report.passages == n
        assert path.exists()
    assert len(_read_jsonl(paths["jsonl"])) == n
    with paths["csv"].open(encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.DictReader(f))) == n
    assert pq.read_table(paths["parquet"]).num_rows == n
    assert pq.read_table(paths["hf"] / "data" / "train.parquet").num_rows == n


def test_jsonl_record_carries_meta_tags_and_spans_inside_the_text(store, tmp_path):
    path = tmp_path / "out.jsonl"
    export_dataset(store, "jsonl", path)
    records = _read_jsonl(path)
    zh = next(r for r in records if r["meta"]["lang"] == "zh" and r["tags"])
    assert set(zh["meta"]) >= {"doc_id", "title", "title_zh", "title_en", "region", "year", "lang", "page"}
    assert zh["answer"] == "accept" and [o["id"] for o in zh["options"]] == list(MEASURES)
    n_spans = 0
    for r in records:
        assert r["accept"] == [m for m in MEASURES if m in {t["measure"] for t in r["tags"]}]
        for t in r["tags"]:
            assert t["source"] == "rule" and 0 < t["score"] <= 1
            for s in t["spans"]:
                assert r["text"][s["start"] : s["end"]] == s["text"]
                n_spans += 1
    assert n_spans > 100
    # Chinese is written as is, not as \\u escapes.
    assert "电池" in path.read_text(encoding="utf-8")


def test_hf_export_loads_with_datasets_and_shows_measure_columns(store, tmp_path):
    datasets = pytest.importorskip("datasets")
    path = tmp_path / "hfds"
    export_dataset(store, "hf", path)
    ds = datasets.load_dataset(str(path), split="train")
    assert ds.num_rows == store.count("passages")
    assert set(MEASURES) <= set(ds.column_names)
    for row in ds.select(range(20)):
        assert [m for m in MEASURES if row[m]] == row["accept"]
    same = datasets.load_dataset("parquet", data_files=str(path / "data" / "train.parquet"), split="train")
    assert same.num_rows == ds.num_rows
    assert "recycling" in (path / "README.md").read_text(encoding="utf-8")


def test_jsonl_export_loads_with_datasets_json(store, tmp_path):
    datasets = pytest.importorskip("datasets")
    path = tmp_path / "out.jsonl"
    export_dataset(store, "jsonl", path)
    ds = datasets.load_dataset("json", data_files=str(path), split="train")
    assert ds.num_rows == store.count("passages")
    assert {"id", "text", "meta", "tags", "accept"} <= set(ds.column_names)


def test_spacy_export_docs_have_every_measure_in_cats(store, tmp_path):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    path = tmp_path / "train.spacy"
    export_dataset(store, "spacy", path)
    docs = list(DocBin().from_disk(path).get_docs(spacy.blank("xx").vocab))
    assert len(docs) == store.count("passages")
    labels = _labels(iter_records(store))
    for doc in docs:
        assert set(doc.cats) == set(MEASURES)
        assert {m for m, v in doc.cats.items() if v == 1.0} == set(labels[doc.user_data["id"]])
        for span in doc.spans["evidence"]:
            assert span.label_ in labels[doc.user_data["id"]]
    zh = [d for d in docs if d.user_data["lang"] == "zh"]
    assert zh
    # The jieba segmenter gives words, not one token per character.
    assert any(len(t.text) > 1 and "\u4e00" <= t.text[0] <= "\u9fff" for d in zh for t in d)


def test_export_filters_by_measure_source_and_language(store, tmp_path):
    recs = list(iter_records(store, measures=["alliance", "workforce"]))
    assert recs and all({"alliance", "workforce"} & set(r["accept"]) for r in recs)
    assert list(iter_records(store, sources=["human"])) == []
    pid = recs[0]["id"]
    store.add_annotation(pid, "stockpiling", "add", "alice")
    human = list(iter_records(store, sources=["human"]))
    assert [r["id"] for r in human] == [pid]
    assert human[0]["tags"] == [{"measure": "stockpiling", "score": 1.0, "source": "human", "spans": []}]
    assert all(r["meta"]["lang"] == "en" for r in iter_records(store, langs=["en"]))
    with pytest.raises(ValueError, match="unknown measure.*available: localization"):
        export_dataset(store, "jsonl", tmp_path / "x.jsonl", measures=["nope"])
    with pytest.raises(ValueError, match="unknown export format 'xml'; available: jsonl, csv"):
        export_dataset(store, "xml", tmp_path / "x.xml")


# -- import and round trip --------------------------------------------------------------------


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
    before = {r["id"]: r for r in iter_records(store)}
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
        {"id": recs[0]["id"], "accept": ["workforce"]},
        {"id": recs[1]["id"], "accept": []},
        {"id": recs[2]["id"], "accept": ["alliance", "teleportation"]},
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
        f"id,accept\n{recs[0]['id']},workforce\nno-such-passage,alliance\n{recs[0]['id']},\n",
        encoding="utf-8",
    )
    with pytest.raises(LabelFileError) as err:
        import_labels(store, path, "alice")
    assert err.value.errors == [
        f"{path}:3: unknown passage id 'no-such-passage'",
        f"{path}:4: passage {recs[0]['id']} already labelled on line 2",
    ]
    assert store.count("annotations") == 0


def test_import_confirm_records_kept_machine_tags_once(store, tmp_path):
    rec = next(r for r in iter_records(store) if r["accept"])
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps({"id": rec["id"], "accept": rec["accept"]}) + "\n", encoding="utf-8")
    first = import_labels(store, path, "alice", confirm=True)
    assert first.confirmed == len(rec["accept"]) and first.changed_passages == 0
    assert import_labels(store, path, "alice", confirm=True).confirmed == 0
    assert {a["action"] for a in store.annotations()} == {"accept"}


# -- human labels survive re-tagging ----------------------------------------------------------


def test_human_annotations_survive_a_forced_retag(home, store):
    from policyscope.corpus.config import Settings
    from policyscope.index.pipeline import Pipeline

    rec = next(r for r in iter_records(store) if r["accept"])
    pid, dropped = rec["id"], rec["accept"][0]
    store.add_annotation(pid, dropped, "reject", "alice")
    store.add_annotation(pid, "workforce", "add", "alice")
    expected = (set(rec["accept"]) - {dropped}) | {"workforce"}
    assert effective_tags(store, [pid])[pid] == expected

    pipe = Pipeline(Settings.load(home, encoder="hash"))
    assert pipe.tag(force=True) == store.count("passages")
    pipe.store.close()
    assert dropped in {t.measure for t in store.tags_for([pid])[pid]}  # the machine still says it …
    assert effective_tags(store, [pid])[pid] == expected  # … but the human word wins
    assert len(store.annotations(pid)) == 2


# -- review queue -----------------------------------------------------------------------------


def test_review_queue_puts_tagger_disagreement_first_then_near_threshold_scores(store):
    queue = review_queue(store, limit=30)
    assert len(queue) == 30
    assert queue == review_queue(store, limit=30)  # deterministic
    keys = [(-q["disagreement"], -q["closeness"]) for q in queue]
    assert keys == sorted(keys)
    assert queue[0]["closeness"] >= queue[-1]["closeness"]

    # An embedding tag set that disagrees with the lexicon on a confidently tagged passage jumps the queue.
    confident = next(r for r in iter_records(store) if r["tags"] and min(t["score"] for t in r["tags"]) > 0.9)
    pid = confident["id"]
    store.replace_tags(
        {pid: [Tag("workforce", 0.8, "model", (Span(0, 2, confident["text"][:2]),))]}, ["model"]
    )
    top = review_queue(store, limit=3)[0]
    assert top["passage_id"] == pid
    assert top["disagreement"] == len(confident["accept"]) + 1
    assert any("workforce: only model" in r for r in top["reasons"])


def test_review_queue_skips_reviewed_passages(store):
    first = review_queue(store, limit=5)
    store.add_annotation(first[0]["passage_id"], first[0]["effective"][0], "accept", "alice")
    assert first[0]["passage_id"] not in [q["passage_id"] for q in review_queue(store, limit=5)]
    # Bob has not reviewed it yet.
    assert review_queue(store, limit=5, annotator="bob")[0]["passage_id"] == first[0]["passage_id"]


def test_review_queue_uses_extra_scores_for_untagged_passages(store):
    untagged = next(r for r in iter_records(store) if not r["tags"])
    queue = review_queue(store, limit=1, scores={untagged["id"]: {"recycling": 0.5}})
    assert queue[0]["passage_id"] == untagged["id"] and queue[0]["closeness"] == 1.0
