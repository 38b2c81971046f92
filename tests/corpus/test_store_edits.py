"""People's metadata edits (``Store.edit_metadata``): validated, stored apart, kept when the source is read again."""

from __future__ import annotations

import pytest
from policyscope.corpus.errors import MetadataError
from policyscope.corpus.records import Block, Document, content_id
from policyscope.corpus.store import Store


def _doc(text: str, **kw) -> Document:
    return Document(id=content_id(text), text=text, title=kw.pop("title", "t"), blocks=(Block("paragraph", 0, len(text)),),
                    source="/data/cclw.jsonl", **kw)


def test_an_edit_sets_the_country_code_its_region_year_kind_and_address(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    doc = _doc("Ley de cambio climático.", country="?")
    store.add_documents([doc])
    before = store.fingerprint()
    edited = store.edit_metadata(doc.id, country="智利", year="2022", kind="law", url="https://www.bcn.cl/ley/21455",
                                 title="Ley Marco de Cambio Climático")
    stored = store.get_document(doc.id)
    assert stored == edited
    assert (stored.country, stored.region, stored.year, stored.date, stored.kind, stored.title) == (
        "CL", "Latin America and the Caribbean", 2022, "2022", "law", "Ley Marco de Cambio Climático")
    assert stored.meta["url"] == "https://www.bcn.cl/ley/21455"
    assert stored.meta["edited"] == ["country", "kind", "title", "url", "year"]
    assert store.fingerprint() != before  # the index sees the change and rebuilds


def test_reading_the_source_again_keeps_the_edit(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    doc = _doc("Ley de cambio climático.", country="?", kind="")
    store.add_documents([doc])
    store.edit_metadata(doc.id, country="CL", kind="law")
    again = store.add_documents([doc])  # `add` of the same file, `build --force` of the built-in corpus
    assert again.updated == []
    assert (store.get_document(doc.id).country, store.get_document(doc.id).kind) == ("CL", "law")
    # The source's other values still come through: a new source value of an unedited field is stored.
    store.add_documents([Document(**{**doc.__dict__, "year": 2021})])
    stored = store.get_document(doc.id)
    assert (stored.country, stored.kind, stored.year) == ("CL", "law", 2021)


def test_edits_merge_and_a_year_can_be_cleared(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    doc = _doc("蓄電池産業戦略。", year=2022, date="2022-08-31")
    store.add_documents([doc])
    store.edit_metadata(doc.id, kind="strategy")
    stored = store.edit_metadata(doc.id, year="")
    assert (stored.kind, stored.year, stored.date) == ("strategy", None, "")
    assert store.edit_metadata(doc.id, year=2022).date == "2022"


@pytest.mark.parametrize(("fields", "message"), [
    ({"country": "Narnia"}, "unknown country"),
    ({"year": "1700"}, "outside 1800"),
    ({"year": "twenty"}, "not a year"),
    ({"url": "ftp://example.org/a"}, "http:// or https://"),
    ({"url": "javascript:alert(1)"}, "http:// or https://"),
    ({"title": "  "}, "needs a title"),
    ({"region": "EU"}, "editable: title"),
])
def test_a_bad_value_is_refused_with_a_message_naming_it_and_nothing_changes(tmp_path, fields, message):
    store = Store(tmp_path / "s.sqlite")
    doc = _doc("Ley de cambio climático.", country="CL")
    store.add_documents([doc])
    before = store.get_document(doc.id)
    with pytest.raises(MetadataError, match=message):
        store.edit_metadata(doc.id, **fields)
    assert store.get_document(doc.id) == before and before.meta == store.get_document(doc.id).meta


def test_an_unknown_document_is_refused(tmp_path):
    with pytest.raises(MetadataError, match="no such document"):
        Store(tmp_path / "s.sqlite").edit_metadata("nope", kind="law")


def test_a_store_written_before_metadata_edits_is_complete_and_gets_the_table_when_opened(tmp_path):
    import sqlite3

    from policyscope.corpus.store_schema import STORE_TABLES

    path = tmp_path / "s.sqlite"
    doc = _doc("Ley de cambio climático.", country="CL")
    Store(path).add_documents([doc])
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE metadata_edits")  # as a store written before the table existed
    names = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert STORE_TABLES <= names  # `policyscope doctor` finds nothing missing
    store = Store(path)
    assert store.edit_metadata(doc.id, kind="law").kind == "law"
