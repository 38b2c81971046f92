"""The whole pipeline on the built-in corpus and on the real CCLW records (fast `hash` encoder)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from policyscope.corpus.loaders import ColumnMap
from policyscope.corpus.store import Store
from policyscope.index.build import current_index_dir, read_manifest
from policyscope.index.pipeline import Pipeline
from policyscope.index.search import Searcher, SearchFilters

from ..conftest import CCLW_JSONL, require_shared

CCLW_COLUMNS = ColumnMap.parse("text=text,title=title,id=id,country=country,region=region,date=date,year=year,kind=type")


@pytest.fixture
def built(workspace):
    report = Pipeline(workspace).run(builtin=True)
    return workspace, report


def test_builtin_build_stores_paper_and_24_catalog_records(built):
    settings, report = built
    infos = Store(settings.store_path).document_infos()
    assert len(infos) == 25
    assert sum(i.status == "catalog" for i in infos) == 24
    assert report.index.passages == Store(settings.store_path).count("passages")
    manifest = read_manifest(current_index_dir(settings.index_root))
    assert manifest["encoder"]["name"].startswith("hash")
    assert manifest["counts"]["passages"] == report.index.passages
    assert manifest["tokenizer"]["name"]


def test_table_rows_are_single_passages_with_header_context(built):
    settings, _ = built
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
    again = Pipeline(settings).run(builtin=True)
    assert again.files[0].added == 0 and again.files[0].unchanged == 25
    assert again.index.skipped and again.index.index_dir == report.index.index_dir


def test_keyword_search_finds_the_uk_strategy_row_and_its_catalog_record(built):
    settings, _ = built
    result = Searcher(settings).search("英国关键矿产战略", k=10, mode="keyword")
    texts = [h.text for h in result.hits]
    assert any("英国发布关键矿产战略" in t or "英国发布首个关键矿产战略" in t for t in texts)
    assert any(h.doc_id == "uk-critical-minerals-strategy-2022" for h in result.hits)
    assert all(h.matched_terms for h in result.hits)


def test_filters_restrict_region_language_and_year(built):
    settings, _ = built
    s = Searcher(settings)
    hits = s.search("battery strategy", k=20, filters=SearchFilters(regions=("JP",))).hits
    assert hits and {h.region for h in hits} == {"JP"}
    hits = s.search("电池", k=20, filters=SearchFilters(langs=("en",))).hits
    assert hits and all(h.lang == "en" for h in hits)
    hits = s.search("strategy", k=50, filters=SearchFilters(year_from=2021, year_to=2021)).hits
    assert hits and all(h.year == 2021 for h in hits)


def test_phrase_mode_returns_only_exact_phrase_matches(built):
    settings, _ = built
    hits = Searcher(settings).search("关键矿产在线地图", k=10, mode="phrase").hits
    assert len(hits) == 1 and "关键矿产在线地图" in hits[0].text


def test_semantic_search_matches_a_numpy_oracle(built):
    settings, _ = built
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
    jp = Searcher(settings).search("carbon neutrality", k=10, filters=SearchFilters(regions=("Japan",))).hits
    assert jp and all(h.country == "Japan" for h in jp)


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

    monkeypatch.setattr(build_mod.np, "savez", boom)
    with pytest.raises(RuntimeError):
        Pipeline(settings).run(builtin=True, force=True)
    assert current_index_dir(settings.index_root) == report.index.index_dir
    assert not [p for p in settings.index_root.iterdir() if p.name.startswith(".tmp-")]
    assert Searcher(settings).search("回收", k=3).hits


def test_manifest_is_json_with_versions(built):
    settings, _ = built
    manifest = json.loads((current_index_dir(settings.index_root) / "manifest.json").read_text(encoding="utf-8"))
    assert {"faiss-cpu", "bm25s", "jieba", "numpy"} <= set(manifest["versions"])
    assert manifest["vectors"]["ntotal"] == manifest["counts"]["passages"]
