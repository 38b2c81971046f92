"""End-to-end search quality on real data with the default encoder: fails when quality regresses.

One workspace per session: the built-in corpus plus the 2,100 CCLW records (≈ 7,000 passages),
built with the default ``use`` encoder (about a minute on 2 quiet cores). The dev-set figures
below are the issue's targets; the CCLW figures are the values reached (docs/search.md) minus a
margin of about one query's worth.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import CCLW_JSONL, REPO, SEARCH_DEV, SHARED, require_shared

CCLW_DEV = REPO / "benchmarks" / "eval" / "search_cclw.jsonl"
MULTI_DEV = SHARED / "eval" / "search_multi_dev.jsonl"


@pytest.fixture(scope="session")
def seed_searcher(built_home):
    """The built-in corpus alone (the dev set's corpus), default encoder."""
    from policyscope.index.search import Searcher

    return Searcher(built_home)


@pytest.fixture(scope="session")
def cclw_searcher(built_home, tmp_path_factory):
    """The built-in corpus plus CCLW, built on a copy of the seed workspace (embeddings cached)."""
    from dataclasses import replace

    from policyscope.corpus.loaders import ColumnMap
    from policyscope.index.pipeline import Pipeline
    from policyscope.index.search import Searcher

    require_shared(CCLW_JSONL)
    home = tmp_path_factory.mktemp("cclw") / "home"
    shutil.copytree(built_home.home, home)
    settings = replace(built_home, home=home)
    pipe = Pipeline(settings)
    columns = ColumnMap.parse(
        "text=text,title=title,id=id,country=country,region=region,date=date,year=year,kind=type"
    )
    pipe.run([CCLW_JSONL], columns=columns)
    pipe.store.close()
    return Searcher(settings)


def _evaluate(searcher, path: Path):
    from policyscope.index.evaluate import evaluate, load_queries

    return evaluate(load_queries(path), lambda q, k: [h.text for h in searcher.search(q, k=k).hits])


@pytest.mark.slow
def test_dev_set_reaches_the_targets_for_english_and_chinese_queries(seed_searcher):
    report = _evaluate(seed_searcher, require_shared(SEARCH_DEV))
    for lang in ("en", "zh"):
        m = report["by_lang"][lang]
        assert m["MRR@10"] >= 0.80, (lang, m)
        assert m["R@10"] >= 0.95, (lang, m)


@pytest.mark.slow
def test_cclw_dev_set_holds_its_reached_quality_in_both_languages(cclw_searcher):
    report = _evaluate(cclw_searcher, CCLW_DEV)
    zh, en = report["by_lang"]["zh"], report["by_lang"]["en"]
    assert zh["n"] >= 10 and en["n"] >= 10  # half the set asks in Chinese about English records
    # Reached: zh 0.861 / 1.00, en 0.868 / 1.00; one query falling out of first place costs 0.083.
    assert zh["MRR@10"] >= 0.77 and zh["R@10"] >= 0.9, zh
    assert en["MRR@10"] >= 0.77 and en["R@10"] >= 0.9, en


@pytest.mark.slow
def test_dev_set_stays_above_target_when_cclw_is_added(cclw_searcher):
    """Seven thousand English records must not drown the Chinese answers of English queries."""
    report = _evaluate(cclw_searcher, require_shared(SEARCH_DEV))
    assert report["overall"]["MRR@10"] >= 0.75, report["overall"]
    assert report["overall"]["R@10"] >= 0.9, report["overall"]


@pytest.mark.slow
def test_four_language_dev_set_holds_its_reached_quality(seed_searcher):
    """Queries in en/zh/ja/ko whose answers are in another language (issue #16; target 0.80 / 0.95)."""
    report = _evaluate(seed_searcher, require_shared(MULTI_DEV))
    # Reached: MRR@10 0.859, R@10 1.00 (en 0.82, ja 1.00, ko 1.00, zh 0.80); before the four-language
    # library 0.21 / 0.38. One query falling from first to second place costs 0.03 overall.
    assert report["overall"]["MRR@10"] >= 0.80, report["overall"]
    assert report["overall"]["R@10"] >= 0.95, report["overall"]
    assert set(report["by_lang"]) == {"en", "zh", "ja", "ko"}
    for lang, m in report["by_lang"].items():
        assert m["MRR@10"] >= 0.70, (lang, m)


@pytest.mark.slow
def test_matched_terms_list_the_translation_found_in_a_chinese_passage(seed_searcher):
    result = seed_searcher.search("Korean won budget to commercialise solid-state batteries", k=5)
    top = result.hits[0]
    assert "韩元" in top.text and "固态电池" in top.text
    assert "固态电池" in top.matched_terms and "韩元" in top.matched_terms


@pytest.mark.slow
def test_matched_terms_list_the_english_gloss_of_a_chinese_query(cclw_searcher):
    result = cclw_searcher.search("印度尼西亚 电动汽车 本地零部件", k=10)
    hit = next(h for h in result.hits if "local components" in h.text)
    terms = {t.lower() for t in hit.matched_terms}
    assert "indonesia" in terms, terms
    assert {"electric vehicle", "electric vehicles"} & terms, terms


@pytest.mark.slow
def test_switching_translation_off_loses_cross_lingual_queries(seed_searcher):
    """The ablation's first claim, checked: without the dictionary the dev set falls far below target."""
    from dataclasses import replace

    base = seed_searcher.settings
    try:
        seed_searcher.settings = replace(base, translation_enabled=False)
        report = _evaluate(seed_searcher, require_shared(SEARCH_DEV))
    finally:
        seed_searcher.settings = base
    assert report["by_lang"]["en"]["MRR@10"] < 0.7
