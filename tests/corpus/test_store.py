from __future__ import annotations

import sqlite3
from dataclasses import replace

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
    assert store.get_meta("schema_version") == "2"


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
