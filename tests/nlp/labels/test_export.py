"""Label export on a real built workspace: every format, filters, and the writers registry (the hf
directory format has its own tests in test_hf.py)."""

from __future__ import annotations

import csv
import json

import pytest
from policyscope.corpus.records import Tag
from policyscope.nlp.labels import (
    EXPORT_FORMATS,
    WRITERS,
    default_export_path,
    export_dataset,
    iter_records,
)
from policyscope.nlp.measures import load_taxonomy

MEASURES = load_taxonomy().ids


def _read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_format_exports_every_passage(store, tmp_path):
    import datasets
    import pyarrow.parquet as pq
    from spacy.tokens import DocBin

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
    assert sum(ds.num_rows for ds in datasets.load_from_disk(str(paths["hf"])).values()) == n
    assert len(DocBin().from_disk(paths["spacy"])) == n


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


def test_jsonl_export_loads_with_datasets_json(store, tmp_path):
    import datasets

    path = tmp_path / "out.jsonl"
    export_dataset(store, "jsonl", path)
    ds = datasets.load_dataset("json", data_files=str(path), split="train")
    assert ds.num_rows == store.count("passages")
    assert {"id", "text", "meta", "tags", "accept"} <= set(ds.column_names)


def test_spacy_export_docs_have_every_measure_in_cats(store, tmp_path):
    import spacy
    from spacy.tokens import DocBin

    path = tmp_path / "train.spacy"
    export_dataset(store, "spacy", path)
    docs = list(DocBin().from_disk(path).get_docs(spacy.blank("xx").vocab))
    assert len(docs) == store.count("passages")
    labels = {r.id: r.accept for r in iter_records(store)}
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
    assert recs and all({"alliance", "workforce"} & set(r.accept) for r in recs)
    assert list(iter_records(store, sources=["human"])) == []
    pid = recs[0].id
    store.add_annotation(pid, "stockpiling", "add", "alice")
    human = list(iter_records(store, sources=["human"]))
    assert [r.id for r in human] == [pid]
    assert human[0].tags == (Tag("stockpiling", 1.0, "human"),)
    assert human[0].to_dict()["tags"] == [
        {"measure": "stockpiling", "score": 1.0, "source": "human", "spans": []}
    ]
    assert all(r.meta.lang == "en" for r in iter_records(store, langs=["en"]))
    with pytest.raises(ValueError, match="unknown measure.*available: localization"):
        export_dataset(store, "jsonl", tmp_path / "x.jsonl", measures=["nope"])
    with pytest.raises(ValueError, match="unknown export format 'xml'; available: jsonl, csv"):
        export_dataset(store, "xml", tmp_path / "x.xml")


def test_formats_and_default_paths_come_from_the_writers_registry(tmp_path):
    assert EXPORT_FORMATS == tuple(WRITERS) == ("jsonl", "csv", "parquet", "hf", "spacy")
    assert {name: w.suffix for name, w in WRITERS.items()} == {
        "jsonl": ".jsonl",
        "csv": ".csv",
        "parquet": ".parquet",
        "hf": "",
        "spacy": ".spacy",
    }
    assert default_export_path("csv", tmp_path) == tmp_path / "policyscope-tags.csv"
    assert default_export_path("hf", tmp_path) == tmp_path / "policyscope-tags-hf"
    with pytest.raises(
        ValueError, match="unknown export format 'xml'; available: jsonl, csv, parquet, hf, spacy"
    ):
        default_export_path("xml")


def test_a_record_is_typed_and_its_json_line_keeps_the_export_shape(store):
    rec = next(r for r in iter_records(store) if r.tags)
    assert isinstance(rec.accept, tuple) and all(isinstance(t, Tag) for t in rec.tags)
    line = rec.to_dict()
    assert list(line) == ["id", "text", "meta", "tags", "annotations", "options", "accept", "answer"]
    assert line["meta"]["doc_id"] == rec.meta.doc_id and line["accept"] == list(rec.accept)
    json.dumps(line)  # plain JSON types only


def test_an_export_never_replaces_a_folder_of_other_files(store, tmp_path):
    folder = tmp_path / "my-data"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ValueError, match="not an earlier hf export"):
        export_dataset(store, "hf", folder)
    with pytest.raises(ValueError, match="is a directory; give a file name"):
        export_dataset(store, "csv", folder)
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    export_dataset(store, "hf", tmp_path / "hf", langs=["ko"])
    export_dataset(store, "hf", tmp_path / "hf", langs=["ko"])  # an earlier export is replaced
    assert (tmp_path / "hf" / "dataset_dict.json").is_file()
