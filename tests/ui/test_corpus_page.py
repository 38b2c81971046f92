"""The Corpus tab's table (server-side search, sort, paging) and its metadata form."""

from __future__ import annotations

import pytest
from policyscope.corpus.errors import MetadataError, QueryError


def test_a_page_holds_at_most_page_size_rows_and_says_which(service):
    total = service.workspace.store.count("documents")
    page = service.corpus_tab.corpus_page("", "country", 2, page_size=10)
    assert (page.page, page.pages, page.total) == (2, -(-total // 10), total)
    assert page.html.count("<tr>") == 1 + 10  # the header row and ten documents
    assert "rows 11–20, page 2" in page.html
    past = service.corpus_tab.corpus_page("", "country", 999, page_size=10)
    assert past.page == past.pages


def test_search_keeps_documents_holding_every_word(service):
    page = service.corpus_tab.corpus_page("battery EU", "country", 1)
    assert page.total >= 1 and page.html.count('<tr><td>') == min(page.total, 50)
    assert page.html.count('title="European Union') >= 1 or "EU" in page.html
    assert service.corpus_tab.corpus_page("no-such-word-zz", "country").total == 0


def test_sort_by_year_newest_first_puts_the_latest_year_on_top(service):
    infos = service.workspace.store.document_infos()
    newest = max(i.year or 0 for i in infos)
    html = service.corpus_tab.corpus_page("", "year (newest first)", 1, page_size=1).html
    assert f"<td>{newest}</td>" in html


def test_an_unknown_sort_names_the_available_ones(service):
    html = service.corpus_tab.corpus_page("", "colour").html
    assert "unknown sort" in html and "year (newest first)" in html


def test_saving_the_form_stores_only_what_changed_and_reindexes(service):
    tab = service.corpus_tab
    doc_id = next(i.id for i in service.workspace.store.document_infos() if i.status == "full" and i.country == "JP")
    values = tab.metadata_of(doc_id)
    assert tab.save_metadata(doc_id, **values) == "nothing changed"
    note = tab.save_metadata(doc_id, **{**values, "kind": "battery strategy", "country": "日本",
                                        "url": "https://www.meti.go.jp/policy/battery"})
    assert note.startswith("saved kind, url of")  # 日本 is JP: not a change
    # The index's filter columns come from the store at build: the kind filter finds the document by its new kind.
    hits = service.search_tab.search_json("battery 蓄電池", mode="keyword", k=50, kinds=["battery strategy"])["hits"]
    assert hits and {h["doc_id"] for h in hits} == {doc_id} and {h["doc_kind"] for h in hits} == {"battery strategy"}
    # `policyscope build --force` reads the built-in corpus again: the edit is laid over the source's values.
    with service.workspace.write_lock:
        report = service.workspace.pipeline.ingest_builtin()
    assert report.updated == 0
    assert service.corpus_tab.metadata_of(doc_id)["kind"] == "battery strategy"


@pytest.mark.parametrize(("fields", "error"), [({"country": "Atlantis"}, MetadataError),
                                               ({"year": "3000"}, MetadataError),
                                               ({"url": "file:///etc/passwd"}, MetadataError)])
def test_a_bad_value_raises_one_line_and_stores_nothing(service, fields, error):
    doc_id = service.workspace.store.document_infos()[0].id
    before = service.corpus_tab.metadata_of(doc_id)
    with pytest.raises(error) as info:
        service.corpus_tab.save_metadata(doc_id, **{**before, **fields})
    assert "\n" not in str(info.value)
    assert service.corpus_tab.metadata_of(doc_id) == before


def test_saving_without_a_document_asks_for_one(service):
    with pytest.raises(QueryError, match="pick a document"):
        service.corpus_tab.save_metadata(None, kind="law")


def test_the_typed_search_is_shown_escaped(service):
    html = service.corpus_tab.corpus_page('<img src=x onerror="alert(1)">').html
    assert "<img" not in html and "&lt;img" in html
