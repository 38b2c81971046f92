"""Recent results are kept and reused, and never outlive a change of index, store or settings."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from policyscope.corpus.config import Settings
from policyscope.corpus.store import Store
from policyscope.index.search import Searcher, SearchFilters


@pytest.fixture()
def home(tmp_path, built_hash_home):
    copy = tmp_path / "home"
    shutil.copytree(built_hash_home, copy)
    return copy


def _ids(result) -> list[str]:
    return [h.passage_id for h in result.hits]


def test_a_repeated_search_is_served_from_the_kept_results_with_the_same_hits(home):
    searcher = Searcher(Settings.load(home, encoder="hash"), translator=None)
    first = searcher.search("rare earth", k=20)
    again = searcher.search("rare earth", k=20)
    assert "cache" not in first.timings_ms and set(again.timings_ms) == {"cache", "total"}
    assert again.hits == first.hits and again.query_terms == first.query_terms
    # Another page size, mode or filter is another search.
    assert "cache" not in searcher.search("rare earth", k=10).timings_ms
    assert "cache" not in searcher.search("rare earth", k=20, mode="keyword").timings_ms
    filtered = searcher.search("rare earth", k=20, filters=SearchFilters.from_options(country=["US"]))
    assert "cache" not in filtered.timings_ms and {h.country for h in filtered.hits} <= {"US"}


def test_a_document_removed_from_the_store_leaves_the_kept_results(home):
    settings = Settings.load(home, encoder="hash")
    searcher = Searcher(settings, translator=None)
    before = searcher.search("稀土", k=10)
    gone = before.hits[0].doc_id
    with Store(settings.store_path) as store:
        store.remove_documents([gone])
    after = searcher.search("稀土", k=10)
    assert "cache" not in after.timings_ms
    assert gone not in {h.doc_id for h in after.hits}


def test_other_settings_never_get_the_kept_result(home):
    base = Settings.load(home, encoder="hash")
    searcher = Searcher(base, translator=None)
    searcher.search("battery recycling")
    searcher.settings = replace(base, keyword_weight=0.0)
    assert "cache" not in searcher.search("battery recycling").timings_ms


def test_the_kept_results_are_bounded_and_can_be_switched_off(home):
    searcher = Searcher(Settings.load(home, encoder="hash", search_cache_size=2), translator=None)
    for q in ("battery", "lithium", "cobalt"):
        searcher.search(q)
    assert "cache" in searcher.search("cobalt").timings_ms
    assert "cache" not in searcher.search("battery").timings_ms  # the oldest was dropped
    off = Searcher(Settings.load(home, encoder="hash", search_cache_size=0), translator=None)
    off.search("battery")
    assert "cache" not in off.search("battery").timings_ms
