"""The Compare tab: measure table, heatmap and its evidence, timeline, alignment."""

from __future__ import annotations

import re


def test_compare_us_blueprint_with_eu_regulation(service):
    table, heat, timeline, align = service.compare_tab.compare(["us-li-blueprint-2021", "eu-batteries-regulation"])
    assert table.count('data-measure="') >= 15
    assert "✓" in table and "unique 独有" in table
    assert 'class="ps-heat"' in heat and 'data-action="cell"' in heat
    assert "2021" in timeline and "ps-tl-doc" in timeline
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
    rows = re.findall(r'<tr><th><span class="ps-country"[^>]*><b class="ps-code">(\w+)</b>', heat)
    assert {"US", "EU", "JP", "KR", "GB", "CN"} <= set(rows) and "United Kingdom" in heat
    country, measure = re.search(r'data-country="(\w+)" data-measure="(\w+)"', heat).groups()
    html = service.compare_tab.cell_evidence(country, measure)
    assert "ps-card" in html and f"{country} ·" in html
    assert f'<b class="ps-code">{country}</b>' in html  # every evidence card names its country
