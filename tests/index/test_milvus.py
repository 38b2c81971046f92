"""The Milvus backend against Milvus Lite on real data (built-in corpus + a CCLW slice): same keyword
scores as bm25s, same hits and filters as FAISS, incremental add and remove, an interrupted add.

pymilvus and milvus-lite are the optional ``milvus`` extra (also in ``test``, so CI runs these).
"""

from __future__ import annotations

import itertools
import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pymilvus", reason="the milvus extra is not installed")
pytest.importorskip("milvus_lite", reason="the milvus extra is not installed")

from policyscope.corpus.config import Settings
from policyscope.corpus.errors import IndexMismatchError
from policyscope.corpus.store import Store
from policyscope.index.backends import (
    load_index,
    milvus_build,
)
from policyscope.index.backends.milvus import MilvusLoadedIndex, client
from policyscope.index.build import build_index, current_index_dir, read_manifest
from policyscope.index.pipeline import Pipeline
from policyscope.index.search import Searcher
from policyscope.index.search.filters import SearchFilters

from tests.conftest import CCLW_JSONL, SEARCH_DEV, require_shared
from tests.index.test_incremental import NEW_DOC, CountingEncoder

CCLW_SLICE = 120  # CCLW records: English laws of ~60 jurisdictions beside the built-in zh/en/ja/ko texts


def _queries(n: int = 12) -> list[str]:
    lines = require_shared(SEARCH_DEV).read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["query"] for line in lines[:n]]


def _milvus_settings(home: Path, uri: Path) -> Settings:
    return Settings.load(home, encoder="hash", backend="milvus", milvus_uri=str(uri))


def _build(settings: Settings, **kwargs):
    store = Store(settings.store_path)
    try:
        return build_index(store, settings, **kwargs)
    finally:
        store.close()


@pytest.fixture(scope="module")
def faiss_home(built_hash_home, tmp_path_factory) -> Path:
    """The built-in corpus and a CCLW slice with the `hash` encoder, indexed by FAISS."""
    home = tmp_path_factory.mktemp("mv") / "faiss"
    shutil.copytree(built_hash_home, home)
    lines = require_shared(CCLW_JSONL).read_text(encoding="utf-8").splitlines()[:CCLW_SLICE]
    path = home.parent / "cclw-slice.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pipe = Pipeline(Settings.load(home, encoder="hash"))
    pipe.run([path])
    pipe.store.close()
    return home


@pytest.fixture(scope="module")
def milvus_settings(faiss_home, tmp_path_factory) -> Settings:
    """The same store indexed into a Milvus Lite collection (vectors from the copied embedding cache)."""
    home = faiss_home.parent / "milvus"
    shutil.copytree(faiss_home, home)
    settings = _milvus_settings(home, faiss_home.parent / "lite" / "milvus.db")
    report = _build(settings)
    assert (report.embedded, report.skipped) == (0, False)
    return settings


@pytest.fixture(scope="module")
def searchers(faiss_home, milvus_settings) -> tuple[Searcher, Searcher]:
    """A FAISS and a Milvus searcher over the same store, sharing one dictionary translator (slow to load)."""
    faiss = Searcher(Settings.load(faiss_home, encoder="hash"))
    return faiss, Searcher(milvus_settings, translator=faiss.translator)


@pytest.fixture
def fresh_milvus(faiss_home, tmp_path) -> Settings:
    """A private Milvus workspace a test may change (its own Lite file)."""
    home = tmp_path / "home"
    shutil.copytree(faiss_home, home)
    settings = _milvus_settings(home, tmp_path / "lite.db")
    _build(settings)
    return settings


def _count(settings: Settings) -> int:
    index = load_index(current_index_dir(settings.index_root), settings)
    got = client(settings.milvus_target).query(index.collection, filter="", output_fields=["count(*)"])
    return int(got[0]["count(*)"])


def test_a_milvus_build_is_read_back_with_the_same_rows_as_faiss(faiss_home, milvus_settings):
    faiss = load_index(current_index_dir(faiss_home / "indexes"), Settings.load(faiss_home))
    milvus = load_index(current_index_dir(milvus_settings.index_root), milvus_settings)
    assert isinstance(milvus, MilvusLoadedIndex)
    assert milvus.n == faiss.n > 3000
    assert milvus.ids.tolist() == faiss.ids.tolist()
    assert _count(milvus_settings) == milvus.n


def test_sparse_bm25_scores_equal_bm25s_for_every_query_token(faiss_home, milvus_settings, searchers):
    faiss = load_index(current_index_dir(faiss_home / "indexes"), Settings.load(faiss_home))
    milvus = load_index(current_index_dir(milvus_settings.index_root), milvus_settings)
    searcher = searchers[1]
    tokens = sorted({t for q in _queries() for t in searcher.query_analysis(q).tokens})
    assert len(tokens) > 20
    for token in tokens:
        want = faiss.keywords.scores([token])
        np.testing.assert_allclose(milvus.keywords.scores([token]), want, rtol=1e-4, atol=1e-6, err_msg=token)
    several = tokens[:5] + tokens[:1]  # a repeated token counts twice, as in bm25s
    np.testing.assert_allclose(milvus.keywords.scores(several), faiss.keywords.scores(several), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        milvus.keywords.coverage_scores(several), faiss.keywords.coverage_scores(several), rtol=1e-4, atol=1e-5
    )


def _assert_same_ranking(got, want, context) -> None:
    """Same scores rank by rank and the same passages, up to the order of equal scores (duplicate
    passages score alike, and neither engine promises an order among them); the last group of ties
    may be cut differently at k."""
    assert [h.score for h in got] == pytest.approx([h.score for h in want], abs=1e-4), context
    groups_got, groups_want = {}, {}
    for hits, groups in ((got, groups_got), (want, groups_want)):
        for h in hits:
            groups.setdefault(round(h.score, 4), set()).add(h.passage_id)
    last = round(want[-1].score, 4) if want else None
    assert {s: g for s, g in groups_got.items() if s != last} == {s: g for s, g in groups_want.items() if s != last}, context


@pytest.mark.parametrize("mode", ["hybrid", "semantic", "keyword"])
def test_search_gives_the_faiss_hits_in_the_same_shape(searchers, mode):
    faiss, milvus = searchers
    for query in _queries():
        want, got = faiss.search(query, k=10, mode=mode), milvus.search(query, k=10, mode=mode)
        assert [h.passage_id for h in got.hits] == [h.passage_id for h in want.hits], query
        assert [h.score for h in got.hits] == pytest.approx([h.score for h in want.hits], abs=1e-4)
        assert [replace(h, score=0.0) for h in got.hits] == [replace(h, score=0.0) for h in want.hits]


FILTERS = [
    SearchFilters(countries=("CN",)),
    SearchFilters(regions=("EU27",), year_from=2010, year_to=2020),
    SearchFilters(langs=("en",), kinds=("law",)),
    SearchFilters(year_to=2015),
    SearchFilters(measures_any=("funding_incentives", "standards_rules")),
    SearchFilters(measures_all=("alliance", "carbon_footprint")),
]


@pytest.mark.parametrize(("filters", "mode"), list(itertools.product(FILTERS, ["semantic", "hybrid"])))
def test_filters_give_the_same_hits_as_faiss(searchers, filters, mode):
    faiss, milvus = searchers
    for query in _queries(4):
        want = faiss.search(query, k=20, mode=mode, filters=filters).hits
        got = milvus.search(query, k=20, mode=mode, filters=filters).hits
        _assert_same_ranking(got, want, (query, filters))


def test_add_upserts_only_new_passages_and_remove_deletes_their_rows(fresh_milvus, tmp_path):
    settings = fresh_milvus
    collection = read_manifest(current_index_dir(settings.index_root))["milvus"]["collection"]
    path = tmp_path / "passport.txt"
    path.write_text(NEW_DOC, encoding="utf-8")
    counting = CountingEncoder()
    pipe = Pipeline(settings, encoder=counting)
    before = pipe.store.count("passages")

    pipe.run([path])

    new = pipe.store.count("passages") - before
    spec = read_manifest(current_index_dir(settings.index_root))["milvus"]
    assert new > 0 and len(counting.encoded) == new
    assert (spec["collection"], spec["upserted_now"], spec["deleted_now"]) == (collection, new, 0)
    assert _count(settings) == before + new
    hits = Searcher(settings).search("digital battery passport pilot", k=3).hits
    assert hits[0].title == "Battery passport pilot" or "passport" in hits[0].text

    doc_id = hits[0].doc_id
    pipe.remove([doc_id])
    pipe.store.close()
    spec = read_manifest(current_index_dir(settings.index_root))["milvus"]
    assert (spec["collection"], spec["upserted_now"], spec["deleted_now"]) == (collection, 0, new)
    assert _count(settings) == before
    assert doc_id not in {h.doc_id for h in Searcher(settings).search("digital battery passport pilot").hits}


def test_an_add_interrupted_before_the_switch_leaves_the_previous_state_searchable(
    fresh_milvus, tmp_path, monkeypatch
):
    settings = fresh_milvus
    before = current_index_dir(settings.index_root)
    path = tmp_path / "passport.txt"
    path.write_text(NEW_DOC, encoding="utf-8")
    pipe = Pipeline(settings)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # as a kill after the rows went in, before the new directory exists

    monkeypatch.setattr(milvus_build, "write_index_dir", killed)
    with pytest.raises(KeyboardInterrupt):
        pipe.run([path])
    monkeypatch.undo()

    assert current_index_dir(settings.index_root) == before
    searcher = Searcher(settings)
    old_n = searcher.index.n
    assert _count(settings) > old_n  # the new rows are in the collection ...
    hits = searcher.search("digital battery passport pilot", k=20).hits
    assert hits and all(h.title != "Battery passport pilot" for h in hits)  # ... but no search returns them

    report = pipe.index()  # the next build reconciles: the rows are there, the directory now lists them
    pipe.store.close()
    assert not report.skipped and report.passages > old_n
    assert Searcher(settings).search("digital battery passport pilot", k=3).hits[0].title == "Battery passport pilot"


def test_a_build_in_small_batches_writes_the_same_rows_and_weights(milvus_settings, tmp_path, monkeypatch):
    """The build reads the store a batch at a time (scan, then embed and upsert): batch sizes that cut
    documents apart give the rows, columns and BM25 scores of the one-batch build."""
    home = tmp_path / "home"
    shutil.copytree(milvus_settings.home, home, ignore=shutil.ignore_patterns("indexes"))
    settings = _milvus_settings(home, tmp_path / "lite.db")
    monkeypatch.setattr(milvus_build, "BUILD_BATCH", 97)
    monkeypatch.setattr(milvus_build, "BATCH", 41)
    stages = set()
    report = _build(settings, progress=lambda stage, done, total: stages.add(stage))
    assert {"keywords", "milvus"} <= stages
    small = load_index(current_index_dir(settings.index_root), settings)
    whole = load_index(current_index_dir(milvus_settings.index_root), milvus_settings)
    assert report.passages == small.n == whole.n == _count(settings)
    assert small.ids.tolist() == whole.ids.tolist()
    for token in ("battery", "电池", "recycling", "critical"):
        np.testing.assert_allclose(small.keywords.scores([token]), whole.keywords.scores([token]), rtol=1e-5)


def test_a_store_changed_during_the_build_fails_it_and_keeps_the_previous_state(fresh_milvus, monkeypatch):
    """Between the scan and the upsert the store loses a document: the build stops with a clear error,
    its new collection is dropped and the current one still answers."""
    settings = fresh_milvus
    before = current_index_dir(settings.index_root)
    collections = set(client(settings.milvus_target).list_collections())
    scan = milvus_build._scan

    def scan_then_remove(store, *args):
        result = scan(store, *args)
        store.remove_documents([next(i.id for i in reversed(store.document_infos()) if i.passages)])
        return result

    monkeypatch.setattr(milvus_build, "_scan", scan_then_remove)
    with pytest.raises(IndexMismatchError, match="store changed during the Milvus build"):
        _build(settings, force=True)
    assert current_index_dir(settings.index_root) == before
    assert set(client(settings.milvus_target).list_collections()) == collections
    assert Searcher(settings).search("battery recycling", k=3).hits
