"""The whole pipeline on the built-in corpus and on the real CCLW records (fast `hash` encoder).

Read-only tests share the session's one build (``built_hash_home``); tests that write use a copy (``home``).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter

import numpy as np
import pytest
from policyscope.corpus.config import Settings
from policyscope.corpus.loaders import ColumnMap
from policyscope.corpus.store import Store
from policyscope.index.build import current_index_dir, read_manifest
from policyscope.index.pipeline import Pipeline
from policyscope.index.search import Searcher, SearchFilters

from ..conftest import CCLW_JSONL, SHARED, require_shared

CCLW_COLUMNS = ColumnMap.parse("text=text,title=title,id=id,country=country,region=region,date=date,year=year,kind=type")


@pytest.fixture(scope="module")
def shared_build(built_hash_home):
    """The session's built-in build, read only."""
    return Settings.load(built_hash_home, encoder="hash")


@pytest.fixture
def built(home):
    """A private copy of the built-in build, with the report of a no-op rebuild."""
    settings = Settings.load(home, encoder="hash")
    return settings, Pipeline(settings).run(builtin=True)


def test_builtin_build_stores_paper_24_catalog_records_and_21_texts_in_four_languages(shared_build):
    settings = shared_build
    infos = Store(settings.store_path).document_infos()
    assert len(infos) == 46
    assert Counter(i.status for i in infos) == {"catalog": 24, "full": 22}
    assert Counter(i.lang for i in infos if i.status == "full") == {"en": 10, "zh": 5, "ja": 6, "ko": 1}
    assert all(i.country for i in infos)
    manifest = read_manifest(current_index_dir(settings.index_root))
    assert manifest["encoder"]["name"].startswith("hash")
    assert manifest["counts"]["passages"] == Store(settings.store_path).count("passages") > 2000
    assert manifest["tokenizer"]["name"]


def test_table_rows_are_single_passages_with_header_context(shared_build):
    settings = shared_build
    store = Store(settings.store_path)
    rows = [p for p in store.iter_passages("seed-battery-supply-chain") if p.kind == "table_row"]
    assert len(rows) == 20 + 29
    us = next(p for p in rows if "国家锂电池蓝图2021-2030" in p.text)
    assert us.text.startswith("美国 | 国家锂电池蓝图2021-2030 | 确保电池原材料供应安全")
    assert "政策名称" in us.context
    eu_li = [p for p in rows if p.text.startswith("欧盟") and " | 锂 | " in p.text]
    assert eu_li and eu_li[0].text.endswith("100%")


def test_rebuilding_with_nothing_changed_is_skipped(built):
    settings, report = built
    assert report.files[0].added == 0 and report.files[0].unchanged == 46 and report.files[0].updated == 0
    again = Pipeline(settings).run(builtin=True)
    assert again.index.skipped and again.index.index_dir == report.index.index_dir


def test_a_built_in_document_with_old_metadata_is_updated_and_keeps_passages_and_tags(built):
    settings, _ = built
    db = sqlite3.connect(settings.store_path)
    db.execute("UPDATE documents SET country='JP', region='Eastern Asia' WHERE id='uk-critical-minerals-strategy-2022'")
    db.commit()
    db.close()
    store = Store(settings.store_path)
    passages = [p.id for p in store.iter_passages("uk-critical-minerals-strategy-2022")]
    tags = store.tags_for(passages)
    report = Pipeline(settings).run(builtin=True)
    assert report.files[0].updated == 1 and not report.index.skipped
    store = Store(settings.store_path)
    assert store.get_document("uk-critical-minerals-strategy-2022").country == "GB"
    assert [p.id for p in store.iter_passages("uk-critical-minerals-strategy-2022")] == passages
    assert store.tags_for(passages) == tags
    hits = Searcher(settings).search("critical minerals strategy", k=5, filters=SearchFilters(countries=("GB",))).hits
    assert "uk-critical-minerals-strategy-2022" in {h.doc_id for h in hits}


def test_a_built_in_document_this_version_no_longer_ships_is_removed(built):
    settings, _ = built
    from policyscope.corpus.records import Document

    Store(settings.store_path).add_documents([Document(id="gone", text="old text", title="old",
                                                       source="builtin:policy-texts/old.md")])
    report = Pipeline(settings).run(builtin=True)
    assert report.files[0].removed == 1 and not Store(settings.store_path).has_document("gone")


def test_adding_a_built_in_policy_text_again_adds_no_duplicate(built):
    settings, _ = built
    path = require_shared(SHARED / "sources" / "policy-texts" / "ja_jp_2002-07-26_jogmec_act_metal_minerals_stockpiling.md")
    report = Pipeline(settings).run([path])
    assert (report.files[0].added, report.files[0].unchanged) == (0, 1)
    assert Store(settings.store_path).count("documents") == 46


def test_keyword_search_finds_the_uk_strategy_row_and_its_catalog_record(shared_build):
    settings = shared_build
    result = Searcher(settings).search("英国关键矿产战略", k=10, mode="keyword")
    texts = [h.text for h in result.hits]
    assert any("英国发布关键矿产战略" in t or "英国发布首个关键矿产战略" in t for t in texts)
    assert any(h.doc_id == "uk-critical-minerals-strategy-2022" for h in result.hits)
    assert all(h.matched_terms for h in result.hits)


def test_filters_restrict_country_region_language_and_year(shared_build):
    settings = shared_build
    s = Searcher(settings)
    hits = s.search("battery strategy", k=20, filters=SearchFilters(countries=("JP",))).hits
    assert hits and {h.country for h in hits} == {"JP"}
    for alias in ("米国", "美國", "미국", "United States"):
        hits = s.search("critical minerals", k=10, filters=SearchFilters(countries=(alias,))).hits
        assert hits and {h.country for h in hits} == {"US"}, alias
    hits = s.search("蓄電池", k=30, filters=SearchFilters(regions=("东亚",))).hits
    assert hits and {h.country for h in hits} <= {"CN", "JP", "KR"} and "JP" in {h.country for h in hits}
    hits = s.search("battery", k=30, filters=SearchFilters(regions=("EU27",))).hits
    assert hits and {h.country for h in hits} == {"EU"}
    hits = s.search("battery", k=30, filters=SearchFilters(countries=("KR",), regions=("GB",))).hits
    assert {h.country for h in hits} == {"KR", "GB"}
    hits = s.search("电池", k=20, filters=SearchFilters(langs=("en",))).hits
    assert hits and all(h.lang == "en" for h in hits)
    hits = s.search("strategy", k=50, filters=SearchFilters(year_from=2021, year_to=2021)).hits
    assert hits and all(h.year == 2021 for h in hits)


def test_a_filter_value_that_names_nothing_is_a_clear_error(shared_build):
    from policyscope.corpus.errors import QueryError

    s = Searcher(shared_build)
    with pytest.raises(QueryError, match="unknown country 'Narnia'"):
        s.search("battery", filters=SearchFilters(countries=("Narnia",)))
    with pytest.raises(QueryError, match="unknown region or bloc 'G9'"):
        s.search("battery", filters=SearchFilters(regions=("G9",)))


def test_a_document_filter_takes_a_catalog_id_for_a_built_in_text(shared_build):
    hits = Searcher(shared_build).search("lithium", k=5, filters=SearchFilters(doc_ids=("us-pd-2022-11",))).hits
    assert hits and {h.catalog_id for h in hits} == {"us-pd-2022-11"}


def test_phrase_mode_returns_only_exact_phrase_matches(shared_build):
    settings = shared_build
    hits = Searcher(settings).search("关键矿产在线地图", k=10, mode="phrase").hits
    assert len(hits) == 1 and "关键矿产在线地图" in hits[0].text


def test_semantic_search_matches_a_numpy_oracle(shared_build):
    settings = shared_build
    from policyscope.index.build import embedding_text
    from policyscope.index.encoders import get_encoder

    store = Store(settings.store_path)
    rows = list(store.passage_rows())
    enc = get_encoder("hash")
    vecs = enc.encode_passages([embedding_text(r) for r in rows])
    q = enc.encode_queries(["电池回收"])[0]
    oracle = [rows[i].id for i in np.argsort(-(vecs @ q), kind="stable")[:7]]
    got = [h.passage_id for h in Searcher(settings).search("电池回收", k=7, mode="semantic").hits]
    assert got == oracle


def test_cclw_records_are_ingested_once_and_found(built):
    settings, _ = built
    path = require_shared(CCLW_JSONL)
    pipe = Pipeline(settings)
    first = pipe.run([path], columns=CCLW_COLUMNS)
    assert first.files[0].added == 2100 and not first.errors
    n_passages = first.index.passages
    again = pipe.run([path], columns=CCLW_COLUMNS)
    assert again.files[0].added == 0 and again.files[0].unchanged == 2100
    assert again.index.skipped and again.index.passages == n_passages
    # A record is found by its title (titles are indexed with record passages)
    hits = Searcher(settings).search("Green Growth Strategy Through Achieving Carbon Neutrality", k=3, mode="keyword").hits
    assert any(h.title == "Green Growth Strategy Through Achieving Carbon Neutrality" for h in hits)
    # One passage per document: the built-in resource act alone holds dozens of passages on 脱炭素.
    jp = Searcher(settings).search("carbon neutrality", k=10, per_doc=1,
                                   filters=SearchFilters(countries=("Japan",))).hits
    assert jp and all(h.country == "JP" for h in jp)
    assert any(h.catalog_id == "" for h in jp)  # a CCLW law, not only built-in documents
    chile = Searcher(settings).search("carbon tax", k=10, filters=SearchFilters(countries=("智利",))).hits
    assert chile and {h.country for h in chile} == {"CL"}


def test_bad_files_in_one_add_are_reported_and_the_rest_ingested(built, tmp_path):
    settings, _ = built
    good = tmp_path / "good.md"
    good.write_text("# 钠离子电池\n\n推动钠离子电池产业化和储能示范应用。", encoding="utf-8")
    corrupt = tmp_path / "broken.pdf"
    corrupt.write_bytes(b"this is not a pdf")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    unknown = tmp_path / "notes.xyz"
    unknown.write_text("hello", encoding="utf-8")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    table = tmp_path / "laws.csv"
    table.write_text("name,body\nA,text\n", encoding="utf-8")
    before = Store(settings.store_path).count("documents")
    report = Pipeline(settings).run(
        [good, corrupt, empty, unknown, binary, table], columns=ColumnMap.parse("text=description,title=name")
    )
    errors = {r.path: r.error for r in report.files if r.error}
    assert set(errors) == {str(p) for p in (corrupt, empty, unknown, binary, table)}
    for path, message in errors.items():
        assert message.startswith(path + ": ") and "\n" not in message
    assert "description" in errors[str(table)]
    assert Store(settings.store_path).count("documents") == before + 1
    hits = Searcher(settings).search("钠离子电池", k=3, mode="keyword").hits
    assert hits[0].title == "钠离子电池"


def test_a_failed_build_keeps_the_previous_index_searchable(built, monkeypatch):
    settings, report = built
    import policyscope.index.build as build_mod

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_mod, "save_columns", boom)
    with pytest.raises(RuntimeError):
        Pipeline(settings).run(builtin=True, force=True)
    assert current_index_dir(settings.index_root) == report.index.index_dir
    assert not [p for p in settings.index_root.iterdir() if p.name.startswith(".tmp-")]
    assert Searcher(settings).search("回收", k=3).hits


def test_manifest_is_json_with_versions(shared_build):
    settings = shared_build
    manifest = json.loads((current_index_dir(settings.index_root) / "manifest.json").read_text(encoding="utf-8"))
    assert {"faiss-cpu", "bm25s", "jieba", "numpy"} <= set(manifest["versions"])
    assert manifest["vectors"]["ntotal"] == manifest["counts"]["passages"]
