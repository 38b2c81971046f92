"""Nothing a user adds can break the workspace: documents of any length, versions and removal (issue #14).

Through the real entry points (``policyscope add/remove/docs`` in-process, ``Pipeline``) on a copy of
the built-in workspace (``hash`` encoder). Inputs are real policy text written at test time in real
formats: a CSV whose one cell holds 10.5 M characters, a plain-text regulation edited between two adds.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
from pathlib import Path

import pytest
from policyscope.corpus.builtin import builtin_documents
from policyscope.corpus.store import Store
from policyscope.index.build import current_index_dir, read_manifest
from policyscope.index.pipeline import Pipeline, segment_settings_key
from policyscope.index.search import Searcher

from . import files as F
from .conftest import Snapshot, error_lines, run_cli

# The size that stopped every build: spaCy's "[E088] Text of length 10485759 exceeds maximum of 10000000".
LONG_CELL = 10_485_759
# The sentence the second draft adds to an article; no built-in or generated document holds it.
EDIT = "国家鼓励稀土再生利用企业开展技术改造，支持建设稀土再生利用示范项目。"


def _english_policy_text() -> str:
    """The English built-in policy texts as one line (a spreadsheet cell holds no paragraph breaks)."""
    texts = [d.text for d in builtin_documents() if d.source.startswith("builtin:policy-texts/en_")]
    return " ".join(" ".join(t.split()) for t in texts)


def _long_csv(folder: Path, chars: int) -> Path:
    """``long.csv``: a title column and one row whose ``text`` cell holds ``chars`` characters."""
    unit = _english_policy_text() + " "
    text = (unit * (chars // len(unit) + 1))[: chars - 1] + "."
    path = folder / "long.csv"
    csv.field_size_limit(sys.maxsize)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["title", "text"])
        w.writerow(["Compendium of US critical-minerals orders", text])
    return path


def _normal_file(folder: Path) -> Path:
    path = folder / "sodium.md"
    path.write_text("# Sodium-ion storage pilot\n\nThe agency funds sodium-ion battery pilots for grid storage "
                    "in three provinces.\n", encoding="utf-8")
    return path


def _regulation(version: int) -> str:
    """A draft of the rare-earth regulations: the built-in text's articles, version 2 with ``EDIT`` added."""
    doc = next(d for d in builtin_documents() if d.catalog_id == "cn-rare-earth-regulations-2024")
    lines = [ln for ln in doc.text.split("\n") if ln.strip()][:12]
    lines[0] = "稀土管理条例（征求意见稿）"
    if version == 2:
        lines[5] = lines[5] + EDIT
    return "\n".join(lines) + "\n"


def _searcher(settings) -> Searcher:
    """A searcher without query translation: these tests look for text they wrote, and loading the
    dictionaries took ~10 s per searcher on a busy 2-core machine."""
    return Searcher(settings, translator=None)


def _ours(settings, source: Path) -> list:
    with Store(settings.store_path, readonly=True) as store:
        return [i for i in store.document_infos() if i.source == str(source)]


def _covers(text: str, passages) -> bool:
    """Passages rebuilt from their offsets are the text, and together hold every non-space character."""
    covered = bytearray(len(text))
    for p in passages:
        if text[p.start : p.end] != p.text:
            return False
        covered[p.start : p.end] = b"\x01" * (p.end - p.start)
    return all(c.isspace() for c, ok in zip(text, covered, strict=True) if not ok)


def _index_matches_store(settings) -> None:
    with Store(settings.store_path, readonly=True) as store:
        assert store.unsegmented(segment_settings_key(settings)) == []
        passages = store.count("passages")
        documents_without_passages = [i.id for i in store.document_infos() if i.status == "full" and not i.passages]
    assert documents_without_passages == []
    assert read_manifest(current_index_dir(settings.index_root))["counts"]["passages"] == passages


# -- documents of any length ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_ten_million_character_csv_cell_is_indexed_in_full_and_the_next_add_works(home, inputs):
    long_csv = _long_csv(inputs, LONG_CELL)
    result = run_cli(home, "add", str(long_csv))
    assert result.exit_code == 0, result.output
    [info] = _ours(home, long_csv)
    assert info.chars == LONG_CELL and info.passages > LONG_CELL // home.max_passage_chars
    with Store(home.store_path, readonly=True) as store:
        doc = store.get_document(info.id)
        assert _covers(doc.text, store.iter_passages(info.id))

    normal = _normal_file(inputs)
    result = run_cli(home, "add", str(normal))
    assert result.exit_code == 0, result.output
    assert error_lines(result) == []
    hits = _searcher(home).search("sodium-ion battery pilots for grid storage", k=3, mode="keyword").hits
    assert hits[0].title == "Sodium-ion storage pilot"
    # The long document is searchable too, down to its last sentence.
    tail = doc.text[-300:].split(". ", 1)[-1]
    assert info.id in {h.doc_id for h in _searcher(home).search(tail, k=5, mode="keyword").hits}
    _index_matches_store(home)


def test_a_document_over_max_document_chars_refuses_its_file_in_one_line_and_the_rest_goes_in(home, inputs):
    (home.home / "policyscope.toml").write_text("max_document_chars = 200000\n", encoding="utf-8")
    long_csv = _long_csv(inputs, 250_000)
    normal = _normal_file(inputs)
    before = Snapshot.of(home)
    result = run_cli(home, "add", str(long_csv), str(normal))
    assert result.exit_code == 1
    assert error_lines(result) == [
        (f"error: {long_csv}: row 1 has 250,000 characters, over the limit of 200,000"
         " (setting max_document_chars); nothing from this file was stored")
    ]
    after = Snapshot.of(home)
    assert _ours(home, long_csv) == [] and len(after.ids - before.ids) == 1
    assert [i.title for i in _ours(home, normal)] == ["Sodium-ion storage pilot"]


def test_a_workspace_poisoned_by_a_document_without_passages_recovers_on_the_next_add(home, inputs):
    """The state the old pipeline left: a long document stored but never cut, and (worse) a stored row that
    cannot even be read back. The next ``add`` cuts the first, drops and reports the second, and goes on."""
    long_csv = _long_csv(inputs, 1_100_000)  # over segment.PIECE_CHARS, so it is read in pieces
    from policyscope.corpus.loaders import load_path

    with Store(home.store_path) as store:
        [long_doc] = store.add_documents(load_path(long_csv)).added  # no passages, as before the fix
    db = sqlite3.connect(home.store_path)
    db.execute(
        "INSERT INTO documents(id, title, source, status, text, blocks, added_at) VALUES"
        " ('broken', 'Broken row', '/old/broken.txt', 'full', '电池回收', ?, 0)",
        (json.dumps([{"kind": "paragraph", "start": 0, "end": 99}]),),
    )
    db.commit()
    db.close()

    normal = _normal_file(inputs)
    result = run_cli(home, "add", str(normal))

    assert error_lines(result) == [
        ("error: /old/broken.txt: document broken (Broken row) could not be cut into passages (ValueError: block"
         " 0..99 outside text of length 4); removed from the store, add the file again to retry")
    ]
    assert result.exit_code == 1  # something was dropped: say so
    assert f"{normal}: 1 added" in result.stdout
    with Store(home.store_path, readonly=True) as store:
        assert not store.has_document("broken")
        assert _covers(store.get_document(long_doc).text, store.iter_passages(long_doc))
    assert _searcher(home).search("sodium-ion battery pilots", k=1, mode="keyword").hits[0].title == (
        "Sodium-ion storage pilot")
    _index_matches_store(home)


def test_an_interrupted_add_leaves_no_document_without_passages(home, inputs):
    """Ctrl-C while a file's rows are being cut: the file's transaction rolls back, documents and passages."""
    folder = F.policy_folder(inputs / "docs", 3, tag="interrupt")
    table = inputs / "rows.csv"
    with table.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["title", "text"])
        w.writerows([f"Row {i}", (F.ZH + F.EN) * (1 + i % 3)] for i in range(250))
    before = Snapshot.of(home)
    calls: list[tuple[str, int]] = []

    def interrupt(stage: str, done: int, total: int | None) -> None:
        calls.append((stage, done))
        if stage == "segment" and done >= 100:  # the 100th row of rows.csv is cut; 150 are still to come
            raise KeyboardInterrupt

    pipe = Pipeline(home)
    with pytest.raises(KeyboardInterrupt):
        pipe.run([table, folder], progress=interrupt)
    pipe.store.close()
    assert ("segment", 100) in calls
    assert Snapshot.of(home) == before
    with Store(home.store_path, readonly=True) as store:
        assert store.unsegmented(segment_settings_key(home)) == []


# -- versions ---------------------------------------------------------------------------------------


def test_re_adding_an_edited_file_leaves_one_document_whose_passages_are_the_new_text(home, inputs):
    path = inputs / "rare-earth-draft.txt"
    path.write_text(_regulation(1), encoding="utf-8")
    assert run_cli(home, "add", str(path)).exit_code == 0
    [v1] = _ours(home, path)
    shared = _regulation(1).split("\n")[3]  # 第三条, the same in both versions
    with Store(home.store_path) as store:
        [annotated] = [p for p in store.iter_passages(v1.id) if p.text == shared]
        store.add_annotation(annotated.id, "stockpiling", "add", "alice")

    path.write_text(_regulation(2), encoding="utf-8")
    result = run_cli(home, "add", str(path))

    assert result.exit_code == 0, result.output
    assert f"{path}: 1 added, 0 unchanged, replaced 1 earlier version" in result.stdout
    [v2] = _ours(home, path)
    assert (v2.version, v2.supersedes) == (2, (v1.id,))
    with Store(home.store_path, readonly=True) as store:
        assert not store.has_document(v1.id) and not list(store.iter_passages(v1.id))
        doc = store.get_document(v2.id)
        passages = list(store.iter_passages(v2.id))
        assert doc.text == _regulation(2).strip() and _covers(doc.text, passages)
        assert any(EDIT in p.text for p in passages)
        # The human label on the unchanged article moved to the new version's passage of the same text.
        [moved] = [a for a in store.annotations() if a["measure"] == "stockpiling"]
        assert store.get_passages([moved["passage_id"]])[moved["passage_id"]].doc_id == v2.id
    # The shared article is found once in this file (the built-in regulations hold it too).
    hits = _searcher(home).search(shared, k=10, mode="phrase").hits
    assert [h.doc_id for h in hits if h.doc_id in (v1.id, v2.id)] == [v2.id]
    _index_matches_store(home)

    docs = json.loads(run_cli(home, "docs", "--json").stdout)
    assert [(d["version"], d["supersedes"]) for d in docs if d["source"] == str(path)] == [(2, [v1.id])]


def test_keep_old_keeps_both_versions_and_docs_shows_which_is_which(home, inputs, monkeypatch):
    path = inputs / "rare-earth-draft.txt"
    path.write_text(_regulation(1), encoding="utf-8")
    run_cli(home, "add", str(path))
    [v1] = _ours(home, path)
    path.write_text(_regulation(2), encoding="utf-8")
    result = run_cli(home, "add", "--keep-old", str(path))
    assert result.exit_code == 0 and f"{path}: 1 added, 0 unchanged\n" in result.stdout
    versions = {i.id: (i.version, i.superseded_by) for i in _ours(home, path)}
    [v2] = set(versions) - {v1.id}
    assert versions == {v1.id: (1, v2), v2: (2, "")}
    monkeypatch.setenv("COLUMNS", "250")  # one table row per line
    rows = {line.split("│")[1].strip(): line.split("│")[-2].strip()
            for line in run_cli(home, "docs").stdout.splitlines() if line.count("│") > 3}
    assert (rows[v1.id], rows[v2]) == ("1 (old)", "2")


# -- removal ----------------------------------------------------------------------------------------


def test_remove_takes_a_document_out_of_the_store_and_search_and_keeps_its_labels(home, inputs, tmp_path):
    path = inputs / "rare-earth-draft.txt"
    path.write_text(_regulation(2), encoding="utf-8")
    run_cli(home, "add", str(path))
    [info] = _ours(home, path)
    with Store(home.store_path) as store:
        [annotated] = [p for p in store.iter_passages(info.id) if EDIT in p.text]
        store.add_annotation(annotated.id, "recycling", "add", "alice")
    assert [h.doc_id for h in _searcher(home).search(EDIT, k=3, mode="phrase").hits] == [info.id]
    before = Snapshot.of(home)

    unknown = run_cli(home, "remove", info.id, "no-such-doc")
    assert unknown.exit_code == 1
    assert error_lines(unknown) == ["error: unknown document 'no-such-doc'; see `policyscope docs` for the ids"]
    assert Snapshot.of(home) == before  # nothing removed when any id is unknown

    labels = tmp_path / "removed-labels.jsonl"
    result = run_cli(home, "remove", info.id, "--export-labels", str(labels), "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [r["id"] for r in out["removed"]] == [info.id] and out["annotated_passages"] == 1
    with Store(home.store_path, readonly=True) as store:
        assert not store.has_document(info.id) and store.get_passages([annotated.id]) == {}
        assert store.tags_for([annotated.id]) == {annotated.id: []}
        assert [a["passage_id"] for a in store.annotations()] == [annotated.id]  # kept by default
    [record] = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines()]
    assert record["id"] == annotated.id and record["text"] == annotated.text and "recycling" in record["accept"]
    assert _searcher(home).search(EDIT, k=3, mode="phrase").hits == []
    assert Snapshot.of(home).ids == before.ids - {info.id}
    _index_matches_store(home)

    # Adding the same file again brings back the same passage, and the kept label applies to it again.
    run_cli(home, "add", str(path))
    hits = _searcher(home).search(EDIT, k=3, mode="phrase").hits
    assert [h.passage_id for h in hits] == [annotated.id] and "recycling" in hits[0].measures


def test_remove_takes_the_catalog_id_docs_shows_and_refuses_an_ambiguous_one(home):
    result = run_cli(home, "remove", "cn-rare-earth-regulations-2024")
    assert result.exit_code == 0, result.output
    assert "note: built-in documents come back with the next `policyscope build`" in result.stdout
    with Store(home.store_path, readonly=True) as store:
        assert store.find_documents("cn-rare-earth-regulations-2024") == ([], [])
    # A fetched text linked to a catalog record: `docs` shows the record's id for both rows.
    from policyscope.corpus.records import Document

    with Store(home.store_path) as store:
        store.add_documents([Document(id="fetched-k-battery", text="K-Battery 2030 전략 전문", title="K-Battery",
                                      status="full", catalog_id="kr-k-battery-2030", source="/d/k.html")])
    result = run_cli(home, "remove", "kr-k-battery-2030")
    assert error_lines(result) == [
        ("error: 'kr-k-battery-2030' is the catalog record kr-k-battery-2030 and the catalog id of the full"
         " text(s) fetched-k-battery; give the document id (see `policyscope docs --json`)")
    ]
