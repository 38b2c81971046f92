"""The hf export on a real built workspace: a DatasetDict split by document, typed features, a dataset card,
no stale cache after a re-export, and the directory read back by import_labels."""

from __future__ import annotations

import datasets
import pytest
from datasets import ClassLabel, Sequence, Value
from policyscope.nlp.analyzers import package_version
from policyscope.nlp.labels import (
    SPLIT_NAMES,
    DocumentSplit,
    effective_tags,
    export_dataset,
    import_labels,
    iter_records,
)
from policyscope.nlp.measures import load_taxonomy

MEASURES = load_taxonomy().ids


@pytest.fixture(autouse=True)
def _quiet_datasets():
    datasets.disable_progress_bars()


def _ids_by_split(dd):
    return {name: list(dd[name]["id"]) for name in dd}


def test_hf_export_is_a_dataset_dict_split_by_document_with_classlabel_labels(store, tmp_path):
    path = tmp_path / "hf"
    report = export_dataset(store, "hf", path)
    dd = datasets.load_from_disk(str(path))
    assert list(dd) == list(SPLIT_NAMES)
    records = {r.id: r for r in iter_records(store)}
    docs_of = {}
    for name, ds in dd.items():
        assert ds.num_rows > 0
        assert ds.features["labels"] == Sequence(ClassLabel(names=list(MEASURES)))
        assert ds.features["multi_hot"] == Sequence(Value("float32"), length=len(MEASURES))
        assert ds.features["year"] == Value("int32")
        for row in ds:
            rec = records[row["id"]]
            assert [MEASURES[i] for i in row["labels"]] == list(rec.accept)
            assert [MEASURES[i] for i, v in enumerate(row["multi_hot"]) if v == 1.0] == list(rec.accept)
            assert row["text"] == rec.text and row["doc_id"] == rec.meta.doc_id
        docs_of[name] = set(ds["doc_id"])
        assert report.splits[name] == {
            "documents": len(docs_of[name]),
            "passages": ds.num_rows,
            "labelled": sum(1 for labels in ds["labels"] if labels),
        }
    assert not docs_of["train"] & docs_of["validation"]
    assert not docs_of["train"] & docs_of["test"]
    assert not docs_of["validation"] & docs_of["test"]
    assert sorted(i for ids in _ids_by_split(dd).values() for i in ids) == sorted(records)


def test_hf_export_loads_with_load_dataset_as_the_same_splits(store, tmp_path):
    path = tmp_path / "hf"
    export_dataset(store, "hf", path)
    on_disk = datasets.load_from_disk(str(path))
    loaded = datasets.load_dataset(str(path), cache_dir=str(tmp_path / "cache"))
    assert _ids_by_split(loaded) == _ids_by_split(on_disk)
    assert loaded["test"].features == on_disk["test"].features
    assert "configs:" not in (path / "README.md").read_text(encoding="utf-8")


def test_a_reexport_after_a_label_change_loads_the_change(store, tmp_path):
    path, cache = tmp_path / "hf", str(tmp_path / "cache")
    export_dataset(store, "hf", path)
    first = datasets.load_dataset(str(path), cache_dir=cache)
    datasets.load_from_disk(str(path))
    name, row = next(
        (n, r) for n in SPLIT_NAMES for r in first[n] if MEASURES.index("workforce") not in r["labels"]
    )
    store.add_annotation(row["id"], "workforce", "add", "alice")

    export_dataset(store, "hf", path)
    for dd in (datasets.load_dataset(str(path), cache_dir=cache), datasets.load_from_disk(str(path))):
        again = next(r for r in dd[name] if r["id"] == row["id"])
        assert again["labels"] == sorted([*row["labels"], MEASURES.index("workforce")])
        assert _ids_by_split(dd) == _ids_by_split(first)  # a label edit moves no document


def test_hf_exports_under_one_folder_name_load_their_own_rows(store, tmp_path):
    cache = str(tmp_path / "cache")
    counts = {}
    for langs in (["en"], ["zh"]):  # two exports, both in a folder named "tagset"
        path = tmp_path / langs[0] / "tagset"
        counts[langs[0]] = export_dataset(store, "hf", path, langs=langs).passages
        loaded = datasets.load_dataset(str(path), cache_dir=cache)
        assert sum(ds.num_rows for ds in loaded.values()) == counts[langs[0]]
    assert counts["en"] != counts["zh"]


def test_split_ratios_and_seed_decide_which_documents_go_where(store, tmp_path):
    sizes = {}
    for r in iter_records(store):
        sizes[r.meta.doc_id] = sizes.get(r.meta.doc_id, 0) + 1

    def docs(split):
        path = tmp_path / f"hf-{split.seed}-{split.ratios[0]}"
        report = export_dataset(store, "hf", path, split=split)
        assert report.split == split.to_dict()
        dd = datasets.load_from_disk(str(path))
        return {n: set(dd[n]["doc_id"]) for n in SPLIT_NAMES}, report

    half, report = docs(DocumentSplit((0.5, 0.25, 0.25), seed=7))
    for name, share in zip(SPLIT_NAMES, (0.5, 0.25, 0.25), strict=True):
        passages = report.splits[name]["passages"]
        assert abs(passages - share * report.passages) <= max(sizes.values())
    assert docs(DocumentSplit((0.5, 0.25, 0.25), seed=7))[0] == half
    assert docs(DocumentSplit((0.5, 0.25, 0.25), seed=8))[0] != half
    with pytest.raises(ValueError, match="applies to the hf format only, not 'csv'"):
        export_dataset(store, "csv", tmp_path / "x.csv", split=DocumentSplit())


def test_a_one_document_export_has_empty_validation_and_test_splits_that_load(store, tmp_path):
    docs = {r.meta.doc_id for r in iter_records(store, langs=["ko"])}
    assert len(docs) == 1, "the built-in corpus has one Korean document"
    path = tmp_path / "hf"
    report = export_dataset(store, "hf", path, langs=["ko"])
    dd = datasets.load_from_disk(str(path))
    assert {n: ds.num_rows for n, ds in dd.items()} == {"train": report.passages, "validation": 0, "test": 0}
    assert dd["test"].features == dd["train"].features
    loaded = datasets.load_dataset(str(path), cache_dir=str(tmp_path / "cache"))
    assert list(loaded) == ["train"] and loaded["train"].num_rows == report.passages
    assert import_labels(store, path, "alice").changed_passages == 0


def test_the_card_holds_taxonomy_splits_and_provenance(store, home, tmp_path):
    path = tmp_path / "hf"
    store.add_annotation(next(r.id for r in iter_records(store)), "workforce", "add", "alice")
    report = export_dataset(store, "hf", path)
    card = (path / "README.md").read_text(encoding="utf-8")
    dd = datasets.load_from_disk(str(path))
    for i, m in enumerate(load_taxonomy()):
        row = next(line for line in card.splitlines() if line.startswith(f"| {i} | `{m.id}` |"))
        assert m.definition_en.split()[0] in row and m.name_zh in row
        counts = [c.strip() for c in row.rstrip(" |").split("|")[-3:]]
        assert counts == [str(sum(1 for ls in dd[n]["labels"] if i in ls)) for n in SPLIT_NAMES]
    for name in SPLIT_NAMES:
        s = report.splits[name]
        assert f"| {name} | {s['documents']} | {s['passages']} | {s['labelled']} |" in card
    assert f"workspace: `{home}`" in card
    assert f"policyscope {package_version('policyscope')}" in card
    assert "alice: add 1" in card
    assert f"rule {sum(len([t for t in r.tags if t.source == 'rule']) for r in iter_records(store))}" in card
    for doc in {r.meta.doc_id for r in iter_records(store)}:
        assert f"| `{doc}` |" in card


def test_an_hf_directory_whose_parquet_copy_alone_was_edited_is_refused(store, tmp_path):
    path = tmp_path / "hf"
    export_dataset(store, "hf", path, langs=["en"])
    parquet = path / "data" / "validation-00000-of-00001.parquet"
    ds = datasets.Dataset.from_parquet(str(parquet), cache_dir=str(tmp_path / "cache"))
    pid = ds[0]["id"]
    labels = [i for i in range(len(MEASURES)) if i not in ds[0]["labels"]][:1]
    ds.map(
        lambda r: (
            {"labels": labels, "multi_hot": [float(i in labels) for i in range(len(MEASURES))]}
            if r["id"] == pid
            else {}
        )
    ).to_parquet(str(tmp_path / "edited.parquet"))
    (tmp_path / "edited.parquet").replace(parquet)
    before = effective_tags(store, [pid])[pid]

    with pytest.raises(Exception, match="state different labels for 1 passage") as err:
        import_labels(store, path, "alice")
    assert "\n" not in str(err.value) and str(path) in str(err.value)
    assert store.count("annotations") == 0
    report = import_labels(store, parquet, "alice")  # the edited copy itself, named as the message says
    assert report.changed_passages == 1
    assert effective_tags(store, [pid])[pid] == {MEASURES[i] for i in labels} != before
