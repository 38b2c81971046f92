"""The Compare tab: measure table, heatmap and its evidence, timeline, alignment."""

from __future__ import annotations

import re


def test_compare_us_blueprint_with_eu_regulation(service):
    table, heat, timeline, align = service.compare_tab.compare(["us-li-blueprint-2021", "eu-batteries-regulation"])
    assert table.count('data-measure="') >= 15
    assert "✓" in table and "unique 独有" in table
    assert 'class="ps-heat"' in heat and 'data-action="cell"' in heat
    shown = re.findall(r'<details class="ps-tl-doc" data-doc="([^"]+)"', timeline)
    assert shown[:1] == ["us-li-blueprint-2021"] and "eu-batteries-regulation" in shown
    assert "ps-align" in align


def test_compare_needs_two_items_and_known_ids(service):
    tab = service.compare_tab
    table, heat, _, _ = tab.compare(["US"])
    assert "Pick 2–4" in table and "ps-heat" in heat
    table, *_ = tab.compare(["US", "atlantis"])
    assert "unknown document or country &#x27;atlantis&#x27;" in table
    assert "at most 4" in tab.compare_json(["US", "EU", "JP", "KR", "UK"])["error"]


def test_countries_compare_with_their_names_in_the_headers(service):
    table, *_ = service.compare_tab.compare(["米国", "JP"])
    assert '<b class="ps-code">US</b> <span class="ps-cname">United States</span>' in table
    assert '<b class="ps-code">JP</b>' in table and "美国" in table


def test_heatmap_rows_are_countries_and_a_cell_lists_its_evidence(service):
    heat = service.compare_tab.heatmap()
    rows = re.findall(r'<tr data-country="(\w+)"><th><span class="ps-country"', heat)
    assert {"US", "EU", "JP", "KR", "GB", "CN"} <= set(rows) and "United Kingdom" in heat
    country, measure = re.search(r'data-country="(\w+)" data-measure="(\w+)"', heat).groups()
    html = service.compare_tab.cell_evidence(country, measure)
    assert "ps-card" in html and f"{country} ·" in html
    assert f'<b class="ps-code">{country}</b>' in html  # every evidence card names its country


def test_the_timeline_shows_only_the_compared_items_in_a_bounded_box(service):
    ws = service.workspace
    infos = ws.store.document_infos()
    _, heat, timeline, _ = service.compare_tab.compare(["us-li-blueprint-2021", "JP"])
    lanes = re.findall(r'<section class="ps-lane" data-item="([^"]+)"', timeline)
    assert lanes == ["us-li-blueprint-2021", "JP"]
    shown = re.findall(r'<details class="ps-tl-doc" data-doc="([^"]+)"', timeline)
    japan = {i.id for i in infos if i.country == "JP" and i.year is not None}
    blueprint = {"us-li-blueprint-2021"} | {i.id for i in infos if i.catalog_id == "us-li-blueprint-2021"}
    assert set(shown) == japan | blueprint  # nothing of the rest of the corpus
    assert len(shown) < len([i for i in infos if i.year is not None])
    assert 'class="ps-timeline ps-tl-items"' in timeline  # the box with the CSS max-height
    assert "max-height:360px;overflow:auto" in render_css().split(".ps-tl-items{", 1)[1].split("}", 1)[0]
    # the compared countries' heatmap rows are marked, the others are not
    marked = set(re.findall(r'<tr class="ps-hmark" data-country="(\w+)"', heat))
    assert marked == {"US", "JP"}


def test_a_timeline_entry_opens_its_catalog_context(service):
    _, _, timeline, _ = service.compare_tab.compare(["us-dpa-2022", "EU"])
    entry = timeline.split('data-doc="us-dpa-2022"', 1)[1].split("</details>", 1)[0]
    assert "<summary" in entry and "Issuer" in entry and "国防生产法" in entry
    (text,) = [i.id for i in service.workspace.store.document_infos() if i.catalog_id == "us-pd-2022-11"]
    assert f'data-action="open" data-doc="{text}"' in entry and "第2022-11号总统决定" in entry  # its full text
    assert "Table 1 row" in entry


def test_a_region_lane_holds_its_members_documents(service):
    _, heat, timeline, _ = service.compare_tab.compare(["G7", "CN"])
    countries = set(re.findall(r'</span> <b>(\w+)</b> ', timeline))
    assert countries and countries - {"CN"} <= {"US", "JP", "GB", "CA", "DE", "FR", "IT"}
    assert {"US", "JP", "GB", "CN"} <= set(re.findall(r'<tr class="ps-hmark" data-country="(\w+)"', heat))


def test_before_a_comparison_the_timeline_is_a_corpus_summary(service):
    tab = service.compare_tab
    _, heat, timeline, _ = tab.compare([])
    assert "ps-strip" in timeline and "ps-tl-doc" not in timeline and "ps-hmark" not in heat
    dated = [i.year for i in service.workspace.store.document_infos() if i.year is not None]
    assert timeline.count('class="ps-bar') == max(dated) - min(dated) + 1
    assert f"{len(dated):,} dated documents" in timeline


def render_css() -> str:
    from policyscope.ui import render

    return render.asset("app.css")
