from __future__ import annotations

import sqlite3

from policyscope.corpus.records import Block, Document, Passage, Span, Tag, content_id
from policyscope.corpus.store import Store


def _doc(text: str, **kw) -> Document:
    return Document(id=content_id(text), text=text, title=kw.pop("title", "t"), blocks=(Block("paragraph", 0, len(text)),), **kw)


def test_adding_the_same_document_twice_changes_nothing(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    doc = _doc("英国发布首个关键矿产战略。", region="UK", year=2022)
    assert store.add_documents([doc]).added == [doc.id]
    before = store.fingerprint()
    again = store.add_documents([doc])
    assert again.added == [] and again.unchanged == [doc.id]
    assert store.fingerprint() == before
    assert store.get_document(doc.id) == doc


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
