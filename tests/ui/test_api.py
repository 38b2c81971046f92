"""The Python API (policyscope.Workspace) on the built-in corpus: the CLI's behaviour as methods."""

from __future__ import annotations

import subprocess
import sys

import pytest
from policyscope.corpus.errors import ConfigError, QueryError

import policyscope


@pytest.fixture
def ws(home):
    return policyscope.Workspace(home, encoder="hash", progress=False)


def test_the_top_level_names_load_on_first_use():
    code = ("import sys, policyscope; before = set(sys.modules); policyscope.Workspace; "
            "print('policyscope.ui.api' in before, 'policyscope.ui.api' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]
    assert set(policyscope.__all__) == {*policyscope._EXPORTS, "__version__"}
    assert policyscope.SearchFilters.__module__.startswith("policyscope.index.search")
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        policyscope.Nope  # noqa: B018


def test_python_dash_m_runs_the_command_line():
    out = subprocess.run([sys.executable, "-m", "policyscope", "--version"], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and out.stdout.strip() == f"policyscope {policyscope.__version__}"


def test_search_takes_every_filter_as_a_keyword(ws):
    result = ws.search("电池 供应链", country=["CN", "日本"], lang="zh", year="2000-2030", k=5)
    assert result.hits and all(h.country in {"CN", "JP"} and h.lang == "zh" for h in result.hits)


def test_a_misspelt_filter_is_a_type_error_listing_the_valid_ones(ws):
    with pytest.raises(TypeError, match="unknown filter.*regions.*available: country, region"):
        ws.search("battery", regions=["EU"])


def test_a_batch_returns_one_result_per_query_in_order(ws):
    queries = ["battery recycling", "电池回收", "蓄電池", "배터리"]
    results = ws.search(queries, k=2)
    assert [r.query for r in results] == queries and all(len(r.hits) == 2 for r in results)
    assert results[1].hits == ws.search("电池回收", k=2).hits


def test_bad_settings_and_encoders_are_one_line_config_errors(home):
    with pytest.raises(ConfigError, match="unknown setting"):
        policyscope.Workspace(home, semantic_wieght=0.3)
    with pytest.raises(ConfigError, match="unknown encoder 'bogus'"):
        policyscope.Workspace(home, encoder="bogus")


def test_records_are_added_as_documents_and_found(ws):
    records = [
        {"body": "Chile will tax lithium exports to fund a national battery cathode plant.", "name": "Cathode plan",
         "iso": "CL", "year": 2023},
        {"body": "", "name": "", "iso": "CL"},  # neither text nor title: skipped, like a blank CSV row
    ]
    report = ws.add(records, columns="text=body,title=name,country=iso,year=year", name="chile-notes")
    assert (report.files[0].added, report.files[0].error) == (1, None)
    doc = next(d for d in ws.documents() if d.title == "Cathode plan")
    assert (doc.country, doc.year, doc.source, doc.passages) == ("CL", 2023, "chile-notes", 1)
    assert ws.search("lithium export tax cathode", country="Chile", k=1).hits[0].doc_id == doc.id


def test_bad_records_are_refused_with_what_is_wrong(ws):
    with pytest.raises(TypeError, match="record 2: expected a dict"):
        ws.add([{"text": "ok text here"}, "not a record"])
    with pytest.raises(TypeError, match="not a single dict"):
        ws.add({"text": "one dict"})
    assert ws.add([], name="nothing").files[0].error == "nothing: no records"


def test_compare_takes_two_to_four_items(ws):
    table = ws.compare(["US", "JP"])
    assert [i.key for i in table.items] == ["US", "JP"] and len(table.rows) == 15
    for items in (["US"], ["US", "JP", "KR", "GB", "EU"]):
        with pytest.raises(QueryError, match="compare needs 2 to 4 items"):
            ws.compare(items)


def test_tag_finds_measures_in_any_text_without_storing_it(ws):
    before = ws.store.count("passages")
    one = ws.tag("The government will stockpile critical minerals.")
    many = ws.tag(["国家建立战略性矿产资源储备制度。", "nothing relevant here"])
    assert "stockpiling" in one.measures and "stockpiling" in many[0].measures and many[1].measures == ()
    assert one.rows()[0]["evidence"]  # the phrase that triggered it
    assert ws.store.count("passages") == before


def test_export_follows_the_suffix_or_asks_for_a_format(ws, tmp_path):
    report = ws.export(tmp_path / "labels.jsonl")
    assert report.format == "jsonl" and (tmp_path / "labels.jsonl").stat().st_size > 0
    with pytest.raises(ValueError, match="cannot tell the export format from 'labels.xyz'"):
        ws.export(tmp_path / "labels.xyz")


def test_query_errors_come_through_as_query_errors(ws):
    with pytest.raises(QueryError, match="year_from: expected a year"):
        ws.search("battery", year_from="1e400")
    with pytest.raises(QueryError, match="empty query"):
        ws.search("   ")


def test_remove_takes_a_document_out_of_the_store_and_the_index(ws):
    ws.add([{"text": "Chile will tax lithium exports to fund a cathode plant.", "title": "Cathode plan"}], name="n")
    doc = next(d for d in ws.documents() if d.title == "Cathode plan")
    assert ws.search("lithium export tax cathode", k=1).hits[0].doc_id == doc.id
    report = ws.remove(doc.id)
    assert [r["id"] for r in report.removed] == [doc.id]
    assert doc.id not in {d.id for d in ws.documents()}
    assert all(h.doc_id != doc.id for h in ws.search("lithium export tax cathode", k=10).hits)
    with pytest.raises(QueryError):
        ws.remove("no-such-document")
