"""The Search tab's handlers as plain functions, on the tagged workspace built with the fast test encoder."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import HOSTILE_ID


@pytest.fixture(scope="module")
def tab(service):
    return service.search_tab


def test_chinese_query_finds_highlighted_passages(tab):
    html = tab.search("动力电池回收利用")
    assert html.count('class="ps-card"') >= 3
    assert '<mark class="term' in html


def test_english_query_with_country_filter_only_returns_that_country(tab):
    data = tab.search_json("critical minerals strategy", countries=["英国"], k=5)
    assert data["hits"] and {h["country"] for h in data["hits"]} == {"GB"}
    html = tab.search("critical minerals strategy", countries=["GB"], k=5)
    assert html.count('<b class="ps-code">GB</b> <span class="ps-cname">United Kingdom</span>') == len(data["hits"])


def test_region_or_bloc_filter_keeps_the_countries_it_covers(tab):
    data = tab.search_json("battery", regions=["Eastern Asia"], k=20)
    assert data["hits"] and {h["country"] for h in data["hits"]} <= {"CN", "JP", "KR"}
    data = tab.search_json("battery", regions=["OECD"], k=20)
    assert data["hits"] and {h["country"] for h in data["hits"]} <= {"US", "JP", "KR", "GB"}
    assert "unknown region or bloc" in tab.search_json("battery", regions=["Atlantis"])["error"]


def test_passages_per_document_groups_the_results(tab):
    data = tab.search_json("battery recycling", k=6, per_doc=1)
    assert len({h["doc_id"] for h in data["hits"]}) == len(data["hits"]) == 6
    html = tab.search("battery recycling", k=6, per_doc="1")
    assert "at most 1 per document" in html and re.search(r"\d+ more matching passages? in this document", html)
    assert "per_doc must be a number" in tab.search_json("battery", per_doc="all")["error"]


def test_filters_by_document_language_year_and_measure(tab):
    data = tab.search_json("battery", docs=["seed-battery-supply-chain"], langs=["zh"], k=5)
    assert {h["doc_id"] for h in data["hits"]} == {"seed-battery-supply-chain"}
    assert {h["lang"] for h in data["hits"]} == {"zh"}
    data = tab.search_json("battery", year_from="2021", year_to=2021.0, k=10)
    assert data["hits"] and {h["year"] for h in data["hits"]} == {2021}
    data = tab.search_json("电池", measures=["recycling"], k=10)
    assert data["hits"] and all("recycling" in h["measures"] for h in data["hits"])


@pytest.mark.parametrize("mode", ["hybrid", "semantic", "keyword", "phrase"])
def test_every_mode_answers(tab, mode):
    query = "本土电池供应链" if mode == "phrase" else "本土电池供应链 domestic supply chain"
    assert "ps-card" in tab.search(query, mode=mode)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"query": ""}, "Type a question"),
        ({"query": "   "}, "Type a question"),
        ({"query": "x", "mode": "fuzzy"}, "unknown mode"),
        ({"query": "x", "year_from": "2022", "year_to": "2019"}, "year range"),
        ({"query": "x", "year_from": "last year"}, "expected a year"),
        ({"query": "x", "year_from": "1e400"}, "expected a year between 0 and 9999"),
        ({"query": "x", "year_to": float("inf")}, "expected a year between 0 and 9999"),
        ({"query": "x", "k": 0}, "k must be between"),
        ({"query": "zzzqqqxxyy", "mode": "phrase"}, "No passages match"),
    ],
)
def test_empty_and_failing_queries_get_a_friendly_message_not_a_traceback(tab, kwargs, expected):
    html = tab.search(**kwargs)
    assert expected in html
    assert "Traceback" not in html and "ps-msg" in html


def test_an_unexpected_error_is_logged_and_shown_as_one_line(service, tab, monkeypatch, caplog):
    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(service.workspace.searcher, "search", boom)
    html = tab.search("battery")
    assert "search failed (RuntimeError)" in html and "Traceback" not in html
    assert "disk on fire" in caplog.text


def test_more_like_this_excludes_the_passage_itself(tab):
    pid = tab.search_json("国家锂电池蓝图", k=1)["hits"][0]["passage_id"]
    html = tab.more_like_this(pid)
    assert "passages like" in html and f'data-pid="{pid}"' not in html.split("</div>", 2)[-1]


def test_hostile_document_renders_inert_in_results(tab):
    from tests.ui.test_render import assert_inert

    html = tab.search("battery recycling rules lithium", docs=[HOSTILE_ID])
    assert "alert" in html  # the text is there, escaped
    assert_inert(html)


def test_search_json_is_plain_json(tab):
    data = tab.search_json("电池", k=2)
    json.dumps(data, ensure_ascii=False)
    assert "error" in tab.search_json("")


def test_a_result_set_pages_sorts_and_groups_without_searching_again(tab, monkeypatch):
    result, message = tab.result_set("battery", k=100)
    assert result is not None and not message and len(result.hits) == 100
    monkeypatch.setattr(tab.ws.searcher, "search", None)  # a page turn must not search
    html, page = tab.page(result, 3, 20)
    assert page == 3 and "41–60 of 100 passages · page 3 of 5" in html
    assert html.count('class="ps-card"') == 20 and '<span class="ps-rank">41</span>' in html
    assert tab.page(result, 99, 20)[1] == 5 and tab.page(result, -4, 20)[1] == 1
    newest = tab.ordered(result, "newest")
    dated = [h.date or str(h.year) for h in newest if h.date or h.year]
    assert dated == sorted(dated, reverse=True)
    grouped, _ = tab.page(result, 1, 50, group=True)
    assert grouped.count('class="ps-dochead"') == len({h.doc_id for h in tab.ordered(result, group=True)[:50]})
    assert "in these results" in grouped


def test_the_export_file_holds_the_whole_set_in_the_page_order(tab):
    import pandas as pd

    result, _ = tab.result_set("battery recycling", k=30)
    path = tab.export_file(result, "csv", sort="oldest")
    assert path.parent == tab.ws.settings.home / "exports" / "results" and path.suffix == ".csv"
    df = pd.read_csv(path, keep_default_na=False, dtype=str)
    assert list(df["passage_id"]) == [h.passage_id for h in tab.ordered(result, "oldest")]
    with pytest.raises(Exception, match="available: csv, jsonl, bibtex, ris"):
        tab.export_file(result, "xlsx")
