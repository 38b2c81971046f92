from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest
from policyscope.corpus.records import Block, Document, Passage, Span, Tag, content_id
from policyscope.corpus.store import Store


def _doc(text: str, **kw) -> Document:
    return Document(id=content_id(text), text=text, title=kw.pop("title", "t"), blocks=(Block("paragraph", 0, len(text)),), **kw)


def test_adding_the_same_document_twice_changes_nothing(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    doc = _doc("英国发布首个关键矿产战略。", country="GB", region="Northern Europe", year=2022)
    assert store.add_documents([doc]).added == [doc.id]
    before = store.fingerprint()
    again = store.add_documents([doc])
    assert again.added == [] and again.unchanged == [doc.id] and again.updated == []
    assert store.fingerprint() == before
    assert store.get_document(doc.id) == doc


def test_a_country_name_or_old_region_code_is_stored_as_a_code_with_its_derived_region(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    by_name = _doc("智利碳税法。", country="智利")
    by_old_region = _doc("英国发布首个关键矿产战略。", region="UK")
    world_bank = _doc("Japan's green growth strategy.", country="Japan", region="East Asia & Pacific")
    unknown = _doc("A law of Atlantis.", country="Atlantis")
    store.add_documents([by_name, by_old_region, world_bank, unknown])
    got = {d.id: d for d in store.iter_documents()}
    assert (got[by_name.id].country, got[by_name.id].region) == ("CL", "Latin America and the Caribbean")
    assert (got[by_old_region.id].country, got[by_old_region.id].region) == ("GB", "Northern Europe")
    assert got[world_bank.id].country == "JP" and got[world_bank.id].meta["source_region"] == "East Asia & Pacific"
    assert got[unknown.id].country == "" and got[unknown.id].meta["country_raw"] == "Atlantis"


def test_new_metadata_from_the_same_source_updates_the_row_and_keeps_passages_tags_and_annotations(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    doc = _doc("日本の蓄電池産業戦略。", country="US", source="builtin:x.md")
    store.add_documents([doc])
    p = Passage(id="p1", doc_id=doc.id, seq=0, start=0, end=len(doc.text), text=doc.text, lang="ja")
    store.replace_passages(doc.id, [p], "k1")
    store.replace_tags({"p1": [Tag("localization", 0.9, "rule")]}, ("rule",), "t1")
    store.add_annotation("p1", "rd_next_gen", "add", "alice")
    before = store.fingerprint()
    fixed = replace(doc, country="JP", title="蓄電池産業戦略", meta={"issuer": "METI"})
    result = store.add_documents([fixed])
    assert result.updated == [doc.id] and result.added == result.unchanged == []
    back = store.get_document(doc.id)
    assert (back.country, back.region, back.title, back.meta) == ("JP", "Eastern Asia", "蓄電池産業戦略",
                                                                  {"issuer": "METI"})
    assert [q.id for q in store.iter_passages(doc.id)] == ["p1"] and store.unsegmented("k1") == []
    assert store.tags_for(["p1"])["p1"][0].measure == "localization"
    assert [a["measure"] for a in store.annotations("p1")] == ["rd_next_gen"]
    assert store.fingerprint() != before  # the index is rebuilt with the new country


def test_the_same_text_from_another_file_is_a_duplicate_not_an_update(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    doc = _doc("稀土管理条例。", country="CN", source="builtin:a.md")
    store.add_documents([doc])
    again = store.add_documents([replace(doc, country="", title="copy", source="/home/me/a.md")])
    assert again.unchanged == [doc.id] and store.get_document(doc.id).country == "CN"


def test_a_text_change_from_the_same_source_marks_the_document_for_resegmenting(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    doc = _doc("Kind: strategy", source="catalog")
    store.add_documents([doc])
    store.replace_passages(doc.id, [], "k1")
    store.add_documents([replace(doc, text="Kind: law", blocks=(Block("record", 0, 9),))])
    assert store.get_document(doc.id).text == "Kind: law" and store.unsegmented("k1") == [doc.id]


def test_a_schema_1_store_is_migrated_to_country_codes_on_open(tmp_path):
    path = tmp_path / "old.sqlite"
    Store(path).close()
    db = sqlite3.connect(path)
    rows = [("a", "UK", "United Kingdom", "{}"), ("b", "East Asia & Pacific", "Japan", "{}"),
            ("c", "", "", "{}"), ("d", "US", "United States", '{"k": 1}')]
    db.executemany("INSERT INTO documents(id, title, region, country, text, meta, added_at) VALUES (?,?,?,?,?,?,0)",
                   [(i, i, r, c, "text " + i, m) for i, r, c, m in rows])
    db.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    db.commit()
    db.close()
    store = Store(path)
    got = {d.id: (d.country, d.region, d.meta) for d in store.iter_documents()}
    assert got == {
        "a": ("GB", "Northern Europe", {}),
        "b": ("JP", "Eastern Asia", {"source_region": "East Asia & Pacific"}),
        "c": ("", "", {}),
        "d": ("US", "Northern America", {"k": 1}),
    }
    assert store.get_meta("schema_version") == "3"


def test_document_round_trip_keeps_chinese_blocks_and_meta(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    doc = _doc("表1\n美国 | 国家锂电池蓝图", meta={"encoding": "gb18030"})
    store.add_documents([doc])
    back = store.get_document(doc.id)
    assert back.text == doc.text and back.blocks == doc.blocks and back.meta == {"encoding": "gb18030"}


def test_replacing_passages_drops_old_tags_but_keeps_annotations(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    doc = _doc("欧盟提出加强电池技术自主性。")
    store.add_documents([doc])
    p = Passage(id="p1", doc_id=doc.id, seq=0, start=0, end=len(doc.text), text=doc.text, lang="zh")
    store.replace_passages(doc.id, [p], "k1")
    store.replace_tags({"p1": [Tag("localization", 0.9, "rule", (Span(7, 10, "自主性"),))]}, ("rule",), "t1")
    store.add_annotation("p1", "rd_next_gen", "add", "alice")
    assert store.tags_for(["p1"])["p1"][0].spans[0].text == "自主性"
    assert store.unsegmented("k1") == [] and store.unsegmented("k2") == [doc.id]
    store.replace_passages(doc.id, [p], "k2")
    assert store.tags_for(["p1"])["p1"] == []
    assert [a["measure"] for a in store.annotations("p1")] == ["rd_next_gen"]


def test_a_failed_transaction_leaves_the_store_unchanged(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    good = _doc("第一份文件。")
    store.add_documents([good])

    def docs():
        yield _doc("第二份文件。")
        raise OSError("disk full while reading")

    try:
        store.add_documents(docs())
    except OSError:
        pass
    assert [d.id for d in store.iter_documents()] == [good.id]
    assert store.integrity_check() == "ok"


def test_readonly_store_cannot_write(tmp_path):
    Store(tmp_path / "s.sqlite").add_documents([_doc("abc def ghi")])
    ro = Store(tmp_path / "s.sqlite", readonly=True)
    assert ro.count("documents") == 1
    try:
        ro.add_documents([_doc("xyz")])
    except sqlite3.OperationalError as exc:
        assert "readonly" in str(exc)
    else:
        raise AssertionError("write to a read-only store succeeded")


def test_passage_views_join_each_passage_with_its_documents_metadata(tmp_path):
    from policyscope.corpus.builtin import builtin_documents
    from policyscope.nlp.segment import segment_document

    store = Store(tmp_path / "s.sqlite")
    seed = builtin_documents()[0]
    store.add_documents([seed])
    passages = segment_document(seed)
    store.replace_passages(seed.id, passages, "test")
    views = list(store.passage_rows())
    assert [v.id for v in views] == [p.id for p in passages]
    v = views[3]
    assert seed.text[v.start : v.end] == v.text
    assert (v.doc_id, v.title_zh, v.country, v.year, v.doc_kind) == (
        seed.id, seed.title_zh, seed.country, seed.year, seed.kind)
    assert store.get_passages([v.id, "no-such-id"]) == {v.id: v}


def test_document_infos_give_the_language_of_most_of_a_documents_passage_text(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    text = "第一条 この法律は、蓄電池の再資源化を促進する。\nSee annex."
    doc = _doc(text)
    store.add_documents([doc, _doc("An English record.", lang="en")])
    cut = text.index("\n")
    store.replace_passages(doc.id, [
        Passage(id="a", doc_id=doc.id, seq=0, start=0, end=cut, text=text[:cut], lang="ja"),
        Passage(id="b", doc_id=doc.id, seq=1, start=cut + 1, end=len(text), text=text[cut + 1:], lang="en"),
    ], "k")
    langs = {i.title if i.id != doc.id else "doc": i.lang for i in store.document_infos()}
    assert langs["doc"] == "ja" and "en" in langs.values()


# --- lifecycle: documents and passages together, versions, removal ---------------------------

KEY = "seg-test"
V1 = "稀土管理条例\n国家对稀土资源实行保护性开采政策。\n国家鼓励稀土回收利用。"
V2 = "稀土管理条例\n国家对稀土资源实行保护性开采政策。\n国家鼓励稀土回收利用，支持再生稀土产业发展。"


def _file_doc(text: str, source: str, **kw) -> Document:
    """A document as the text loader makes it: id from the text, source the file's path."""
    return Document(id=content_id(text), text=text, title=text.split("\n")[0], source=source, **kw)


def _cut(doc: Document) -> list[Passage]:
    from policyscope.nlp.segment import segment_document

    return segment_document(doc)


def test_documents_and_their_passages_are_stored_together_or_not_at_all(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    kept = _file_doc(V1, "/data/a.txt")
    store.add_documents([kept], passages=_cut, settings_key=KEY)
    before = store.fingerprint()

    def failing(doc: Document) -> list[Passage]:
        if "second" in doc.text:
            raise MemoryError("segmenting ran out of memory")
        return _cut(doc)

    docs = [_file_doc("first document of the file", "/data/b.csv"), _file_doc("second one", "/data/b.csv")]
    with pytest.raises(MemoryError):
        store.add_documents(docs, passages=failing, settings_key=KEY)
    assert [d.id for d in store.iter_documents()] == [kept.id]
    assert store.fingerprint() == before and store.unsegmented(KEY) == []
    assert store.integrity_check() == "ok"


def _lines(n: int) -> str:
    return "\n".join(f"Article {i}: each line of this file is one passage of its own." for i in range(n))


def _passages_of(doc: Document) -> list[Passage]:
    """One passage per line, as many as the document has lines (cheaper than segmenting 2,500 lines)."""
    out, pos = [], 0
    for seq, line in enumerate(doc.text.split("\n")):
        out.append(Passage(content_id(doc.id, str(seq)), doc.id, seq, pos, pos + len(line), line))
        pos += len(line) + 1
    return out


def test_passages_from_an_iterator_are_written_in_batches_as_they_come(tmp_path):
    from policyscope.corpus.store_passages import PASSAGE_BATCH

    store = Store(tmp_path / "s.sqlite")
    doc = _file_doc(_lines(2 * PASSAGE_BATCH + 500), "/data/big.txt")
    written_when_asked: list[int] = []

    def stream(d: Document):
        for i, p in enumerate(_passages_of(d)):
            if i % PASSAGE_BATCH == 0:  # what the transaction holds so far, seen through its own connection
                written_when_asked.append(
                    store._db.execute("SELECT count(*) FROM passages WHERE doc_id=?", (d.id,)).fetchone()[0]
                )
            yield p

    store.add_documents([doc], passages=stream, settings_key=KEY)
    # A list-first writer would show 0, 0, 0: nothing written before the iterator is exhausted.
    assert written_when_asked == [0, PASSAGE_BATCH, 2 * PASSAGE_BATCH]
    assert store.count("passages") == 2 * PASSAGE_BATCH + 500 and store.unsegmented(KEY) == []


def test_a_failure_half_way_through_a_documents_passages_leaves_nothing_of_its_file(tmp_path):
    from policyscope.corpus.store_passages import PASSAGE_BATCH

    store = Store(tmp_path / "s.sqlite")
    kept = _file_doc(V1, "/data/a.txt")
    store.add_documents([kept], passages=_cut, settings_key=KEY)
    before = store.fingerprint()
    doc = _file_doc(_lines(3 * PASSAGE_BATCH), "/data/big.txt")

    def failing(d: Document):
        for i, p in enumerate(_passages_of(d)):
            if i == 2 * PASSAGE_BATCH + 10:  # two batches are written by now
                raise MemoryError("segmenting ran out of memory")
            yield p

    with pytest.raises(MemoryError):
        store.add_documents([doc], passages=failing, settings_key=KEY)
    assert [d.id for d in store.iter_documents()] == [kept.id]
    assert store.fingerprint() == before and store.count("passages") == len(V1.split("\n"))
    assert store.integrity_check() == "ok"

    # The same through replace_passages_many (Pipeline.segment), with a document before it in the call.
    store.add_documents([doc])  # stored without passages
    before = store.fingerprint()
    with pytest.raises(MemoryError):
        store.replace_passages_many([(kept.id, _cut(kept)), (doc.id, failing(doc))], "other-settings")
    assert store.fingerprint() == before and store.unsegmented(KEY) == [doc.id]


def test_untagged_pages_are_bounded_and_skip_passages_tagged_by_this_tagger(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    docs = [_file_doc(_lines(n), f"/data/{n}.txt") for n in (23, 1, 17)]
    store.add_documents(docs, passages=_passages_of, settings_key=KEY)
    in_order = [p.id for d in sorted(docs, key=lambda d: d.id) for p in store.iter_passages(d.id)]
    store.replace_tags({in_order[5]: []}, sources=("rule",), tagger_key="lexicon-v1")
    store.replace_tags({in_order[6]: []}, sources=("rule",), tagger_key="lexicon-v0")  # an older version
    assert store.count_untagged("lexicon-v1") == 40 and store.count_untagged(None) == 41

    seen: list[str] = []
    for page in store.untagged_pages("lexicon-v1", size=7):
        assert 1 <= len(page) <= 7
        seen += [p.id for p in page]
        # Writing between two pages, as Pipeline.tag does: no read is left open, nothing is read twice.
        store.replace_tags({p.id: [] for p in page}, sources=("rule",), tagger_key="lexicon-v1")
    assert seen == [pid for pid in in_order if pid != in_order[5]]
    assert list(store.untagged_pages("lexicon-v1", size=7)) == [] and store.count_untagged("lexicon-v1") == 0
    assert [p.id for page in store.untagged_pages(None, size=41) for p in page] == in_order
    with pytest.raises(ValueError, match="page size"):
        next(store.untagged_pages(None, size=0))


def test_a_document_stored_without_passages_is_cut_when_its_file_is_added_again(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    doc = _file_doc(V1, "/data/a.txt")
    store.add_documents([doc])  # as the old pipeline left a document whose segmentation then failed
    assert store.unsegmented(KEY) == [doc.id] and store.count("passages") == 0
    result = store.add_documents([doc], passages=_cut, settings_key=KEY)
    assert result.unchanged == [doc.id] and result.segmented == 1
    assert store.unsegmented(KEY) == [] and [p.text for p in store.iter_passages(doc.id)] == V1.split("\n")
    again = store.add_documents([doc], passages=_cut, settings_key=KEY)
    assert again.segmented == 0  # already cut under these settings


def test_a_changed_file_replaces_its_previous_version_and_annotations_follow_the_same_text(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    old = _file_doc(V1, "/data/rare-earth.txt")
    store.add_documents([old], passages=_cut, settings_key=KEY, old_versions="replace")
    shared, dropped = list(store.iter_passages(old.id))[1:]
    store.add_annotation(shared.id, "stockpiling", "add", "alice")
    store.add_annotation(dropped.id, "recycling", "add", "alice")

    new = _file_doc(V2, "/data/rare-earth.txt")
    result = store.add_documents([new], passages=_cut, settings_key=KEY, old_versions="replace")

    assert result.added == [new.id] and result.replaced == [old.id]
    assert [d.id for d in store.iter_documents()] == [new.id]
    assert [p.text for p in store.iter_passages()] == V2.split("\n")
    info = store.document_infos()[0]
    assert (info.version, info.supersedes, info.superseded_by) == (2, (old.id,), "")
    moved = {a["passage_id"]: a["measure"] for a in store.annotations()}
    new_shared = next(p.id for p in store.iter_passages(new.id) if p.text == shared.text)
    assert moved == {new_shared: "stockpiling", dropped.id: "recycling"}  # no such text any more: kept as is


def test_bad_lifecycle_arguments_are_rejected_with_the_choices(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    doc = _file_doc(V1, "/data/a.txt")
    with pytest.raises(ValueError, match="available: replace, keep"):
        store.add_documents([doc], old_versions="overwrite")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="settings_key"):
        store.add_documents([doc], passages=_cut)
    assert store.count("documents") == 0


def test_keep_old_keeps_both_versions_numbered_and_linked(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    old, new = _file_doc(V1, "/data/r.txt"), _file_doc(V2, "/data/r.txt")
    store.add_documents([old], passages=_cut, settings_key=KEY, old_versions="keep")
    result = store.add_documents([new], passages=_cut, settings_key=KEY, old_versions="keep")
    assert result.replaced == [] and result.added == [new.id]
    infos = {i.id: i for i in store.document_infos()}
    assert (infos[old.id].version, infos[old.id].superseded_by) == (1, new.id)
    assert (infos[new.id].version, infos[new.id].supersedes) == (2, (old.id,))


def test_a_fetched_full_text_replaces_the_previous_fetch_of_its_catalog_id_but_never_a_built_in_text(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    built_in = _file_doc("Executive Order 14017 (built in)", "builtin:policy-texts/eo.md", catalog_id="us-eo-14017")
    first = _file_doc("Executive Order 14017, first download", "/home/d/eo.html", catalog_id="us-eo-14017")
    second = _file_doc("Executive Order 14017, second download", "/home/d/eo-2.html", catalog_id="us-eo-14017")
    store.add_documents([built_in, first], passages=_cut, settings_key=KEY)
    result = store.add_documents([second], passages=_cut, settings_key=KEY, old_versions="replace")
    assert result.replaced == [first.id]
    assert {d.id for d in store.iter_documents()} == {built_in.id, second.id}


def test_re_adding_the_same_file_replaces_nothing(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    rows = [_file_doc(f"row {i}: lithium quota {i} percent", "/data/t.csv") for i in range(3)]
    store.add_documents(rows, passages=_cut, settings_key=KEY, old_versions="replace")
    before = store.fingerprint()
    again = store.add_documents(rows, passages=_cut, settings_key=KEY, old_versions="replace")
    assert again.unchanged == [d.id for d in rows] and again.replaced == [] and again.segmented == 0
    assert store.fingerprint() == before
    # One row edited, one dropped: the file's new rows replace all of its old ones that are gone.
    edited = [rows[0], _file_doc("row 1: lithium quota 99 percent", "/data/t.csv")]
    result = store.add_documents(edited, passages=_cut, settings_key=KEY, old_versions="replace")
    assert sorted(result.replaced) == sorted([rows[1].id, rows[2].id])
    assert {i.id: i.version for i in store.document_infos()} == {rows[0].id: 1, edited[1].id: 2}


def test_removing_documents_drops_passages_and_machine_tags_and_keeps_annotations_unless_asked(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    a, b = _file_doc(V1, "/data/a.txt"), _file_doc(V2, "/data/b.txt")
    store.add_documents([a, b], passages=_cut, settings_key=KEY)
    pa, pb = next(store.iter_passages(a.id)), next(store.iter_passages(b.id))
    store.replace_tags({pa.id: [Tag("stockpiling", 0.8, "rule")], pb.id: [Tag("stockpiling", 0.7, "rule")]},
                       ("rule",), "t1")
    store.add_annotation(pa.id, "recycling", "add", "alice")
    store.add_annotation(pb.id, "recycling", "reject", "bob")
    before = store.fingerprint()

    assert store.remove_documents([a.id, "no-such-id"]) == [a.id]
    assert [d.id for d in store.iter_documents()] == [b.id] and not list(store.iter_passages(a.id))
    assert store.tags_for([pa.id]) == {pa.id: []} and store.fingerprint() != before
    assert [x["passage_id"] for x in store.annotations()] == [pa.id, pb.id]  # kept: re-adding a restores them
    store.add_documents([a], passages=_cut, settings_key=KEY)
    assert next(store.iter_passages(a.id)).id == pa.id

    assert store.remove_documents([b.id], labels="drop") == [b.id]
    assert [x["passage_id"] for x in store.annotations()] == [pa.id]
    with pytest.raises(ValueError, match="available: keep, drop"):
        store.remove_documents([a.id], labels="export")  # type: ignore[arg-type]


def test_find_documents_knows_ids_and_the_catalog_ids_of_full_texts(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    text = _file_doc("Executive Order 14017", "builtin:policy-texts/eo.md", catalog_id="us-eo-14017")
    store.add_documents([text])
    assert store.find_documents(text.id) == ([text.id], [])
    assert store.find_documents("us-eo-14017") == ([], [text.id])
    assert store.find_documents("nothing") == ([], [])


def test_a_schema_2_store_gets_version_columns_and_a_reader_sees_the_defaults_before(tmp_path):
    path = tmp_path / "v2.sqlite"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("DROP INDEX documents_source")
    db.execute("DROP TABLE document_parts")  # came later still
    db.executescript(  # the documents table as schema 2 had it
        "ALTER TABLE documents RENAME TO d3; CREATE TABLE documents AS SELECT id, title, title_zh, title_en,"
        " region, country, date, year, kind, lang, source, status, catalog_id, text, blocks, meta, added_at"
        " FROM d3; DROP TABLE d3; UPDATE meta SET value='2' WHERE key='schema_version';"
        "INSERT INTO documents(id, title, title_zh, title_en, region, country, date, kind, lang, source, status,"
        " catalog_id, text, blocks, meta, added_at) VALUES ('a', 'A', '', '', '', '', '', '', 'zh', 'a.txt',"
        " 'full', '', '电池', '[]', '{}', 0)"
    )
    db.commit()
    db.close()
    reader = Store(path, readonly=True)
    assert [(i.id, i.version, i.supersedes, i.chars) for i in reader.document_infos()] == [("a", 1, (), 2)]
    assert reader.get_document("a").text == "电池"
    store = Store(path)
    assert store._db.execute("SELECT count(*) FROM document_parts").fetchone()[0] == 0  # created on opening
    assert store.get_meta("schema_version") == "3"
    assert [(i.id, i.version) for i in store.document_infos()] == [("a", 1)]
    assert store.integrity_check() == "ok"


def test_the_fingerprint_of_unchanged_tags_does_not_depend_on_the_order_they_were_written(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    docs = [_file_doc(f"lithium quota {i} percent", f"/data/{i}.txt") for i in range(3)]
    store.add_documents(docs, passages=_cut, settings_key=KEY)
    pids = [next(store.iter_passages(d.id)).id for d in docs]
    scores = dict(zip(pids, (0.1, 0.2, 0.3)))  # (0.1 + 0.2) + 0.3 != (0.3 + 0.2) + 0.1 in floating point
    store.replace_tags({p: [Tag("stockpiling", scores[p], "rule")] for p in pids}, ("rule",))
    before = store.fingerprint()
    store.replace_tags({p: [Tag("stockpiling", scores[p], "rule")] for p in reversed(pids)}, ("rule",))
    assert store.fingerprint() == before


@pytest.mark.parametrize("raw", ["[]", " [ ] ", "[1, 2 ,3]", '[{"a": [1, {"b": "]"}]}, "x,]", null]'])
def test_json_arrays_are_read_item_by_item_as_json_reads_them_whole(raw):
    import json

    from policyscope.corpus.store_schema import iter_json_array

    assert list(iter_json_array(raw)) == json.loads(raw)


@pytest.mark.parametrize("raw", ["", "{}", "[1, 2"])
def test_a_stored_blocks_value_that_is_not_a_json_array_is_an_error(raw):
    from policyscope.corpus.store_schema import iter_json_array

    with pytest.raises(ValueError):
        list(iter_json_array(raw))


def test_a_documents_text_is_stored_as_text_that_sqlite_counts_in_characters(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    doc = _doc("稀土管理条例 — rare earths’ rules.")
    store.add_documents([doc])
    row = store._db.execute("SELECT typeof(text), length(text) FROM documents WHERE id=?", (doc.id,)).fetchone()
    assert tuple(row) == ("text", len(doc.text))
    assert store.get_document(doc.id).text == doc.text


def _long_doc(line: str, chars: int = 1_200_000, **kw) -> Document:
    text = line * (chars // len(line) + 1)
    blocks = tuple(Block("paragraph", i * len(line), (i + 1) * len(line) - 1) for i in range(len(text) // len(line)))
    return Document(id=kw.pop("id", content_id(text)), text=text, title="long", blocks=blocks,
                    meta={"encoding": "utf-8"}, country="CN", **kw)


def test_a_long_document_is_stored_in_pieces_and_read_back_whole(tmp_path):
    """A text over PART_CHARS goes into document_parts a piece per row (SQLite builds a whole row in
    memory: one 200 MB row cost ~670 MB while it was written); the document reads back unchanged."""
    from policyscope.corpus.store_parts import PART_CHARS

    doc = _long_doc("第一条 为了促进新能源汽车动力蓄电池回收利用，制定本办法。Battery recycling ’\n")
    store = Store(tmp_path / "s.sqlite")
    assert store.add_documents([doc]).added == [doc.id]
    row = store._db.execute("SELECT text, blocks FROM documents WHERE id=?", (doc.id,)).fetchone()
    assert tuple(row) == ("", "")
    pieces = store._db.execute(
        "SELECT max(length(value)), count(*) FROM document_parts WHERE doc_id=? AND field='text'", (doc.id,)
    ).fetchone()
    assert tuple(pieces) == (PART_CHARS, -(-len(doc.text) // PART_CHARS))
    stored = store.get_document(doc.id)
    assert stored.text == doc.text and stored.blocks == doc.blocks and stored.meta["encoding"] == "utf-8"
    assert [d.text for d in store.iter_documents()] == [doc.text]
    assert [i.chars for i in store.document_infos()] == [len(doc.text)]
    assert store.add_documents([doc]).unchanged == [doc.id]
    assert store.count("documents") == 1


def test_a_changed_long_document_replaces_its_pieces_and_is_cut_again(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    old = _long_doc("Battery recycling rules. 电池回收。\n", id="law-1", source="law.txt")
    store.add_documents([old], passages=lambda d: [], settings_key="k")
    assert store.unsegmented("k") == []
    edited = _long_doc("Battery recycling rules, amended. 电池回收。\n", id="law-1", source="law.txt")
    assert store.add_documents([edited]).updated == ["law-1"]
    assert store.get_document("law-1").text == edited.text
    assert store.get_document("law-1").blocks == edited.blocks
    assert store.unsegmented("k") == ["law-1"]  # the new text waits to be cut
    short = replace(edited, text="Battery recycling rules, repealed.", blocks=())
    assert store.add_documents([short]).updated == ["law-1"]
    assert store.get_document("law-1").text == short.text
    assert store._db.execute("SELECT count(*) FROM document_parts").fetchone()[0] == 0
    assert store.add_documents([edited]).updated == ["law-1"]  # and long again
    assert store.remove_documents(["law-1"])
    assert store._db.execute("SELECT count(*) FROM document_parts").fetchone()[0] == 0


@pytest.mark.parametrize("a, b", [(["abc", "def"], ["a", "bcde", "f"]), (["", "abcdef"], ["abcdef", ""])])
def test_pieces_cut_in_other_places_compare_as_their_joined_strings(a, b):
    from policyscope.corpus.store_parts import same_pieces

    assert same_pieces(a, b) and same_pieces(b, a)
    assert not same_pieces(a, [*b, "g"]) and not same_pieces([*a, "g"], b)
    assert not same_pieces(a, ["abcdeF"]) and not same_pieces([], ["a"])
