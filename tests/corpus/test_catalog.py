"""The built-in catalog: 20 strategies of the seed paper's Table 1 plus 4 reference lists."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from policyscope.corpus.catalog import (
    REGION_COUNTRIES,
    CatalogEntry,
    catalog_document,
    default_catalog_path,
    load_catalog,
)
from policyscope.corpus.errors import ConfigError


@pytest.fixture(scope="module")
def catalog() -> list[CatalogEntry]:
    return load_catalog()


def _write_modified(tmp_path: Path, change) -> Path:
    data = json.loads(default_catalog_path().read_text(encoding="utf-8"))
    change(data["entries"])
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_packaged_catalog_has_24_entries_with_unique_ids(catalog):
    assert len(catalog) == 24
    assert len({e.id for e in catalog}) == 24


def test_catalog_holds_20_strategies_and_4_reference_lists(catalog):
    lists = Counter(e.list for e in catalog)
    assert lists == {"strategy": 20, "reference": 4}
    regions = Counter(e.region for e in catalog if e.list == "strategy")
    assert regions == {"US": 7, "EU": 4, "JP": 4, "KR": 3, "UK": 2}
    assert {e.id for e in catalog if e.list == "reference"} == {
        "us-usgs-critical-minerals-2022",
        "eu-crm-resilience-2020",
        "cn-mineral-plan-2016",
        "iea-critical-minerals-2021",
    }


def test_catalog_file_is_readable_utf8_not_ascii_escaped():
    raw = default_catalog_path().read_text(encoding="utf-8")
    assert "国家锂电池蓝图2021-2030" in raw
    assert "\\u" not in raw


def test_every_entry_has_its_facts(catalog):
    for e in catalog:
        assert e.title_zh and e.title_en and e.issuer and e.kind and e.key_point_zh and e.key_point_en
        assert e.year == int(e.date[:4])
        assert e.country == REGION_COUNTRIES[e.region]
        assert len(e.url_statuses) == len(e.urls)
        if e.urls:
            assert e.url_status in ("seen", "cited", "from the paper")
            assert all(u.startswith("https://") for u in e.urls)
        else:
            assert e.url_status == "not confirmed"


def test_blueprint_entry_matches_catalog_facts(catalog):
    e = next(e for e in catalog if e.id == "us-li-blueprint-2021")
    assert e.title_zh == "国家锂电池蓝图2021-2030"
    assert e.title_en == "National Blueprint for Lithium Batteries 2021–2030"
    assert e.date == "2021-06" and e.year == 2021 and e.kind == "strategy"
    assert e.key_point_zh == "确保电池原材料供应安全，打造具有国际领先优势的美国本土锂电池供应链"
    assert e.url_statuses == ("cited", "seen")
    assert "public domain" in e.licence.lower()


def test_compound_dates_keep_raw_text_and_iso_prefix(catalog):
    by_id = {e.id: e for e in catalog}
    reg = by_id["eu-batteries-regulation"]
    assert reg.date == "2020-12-10"
    assert reg.date_raw == "2020-12-10 (proposal); 2023-07-12 (regulation)"
    assert by_id["jp-gi-fund-batteries-motors"].date == "2021-11"
    assert by_id["eu-battery2030-roadmap"].date == "2020"
    assert by_id["jp-green-growth-2020"].date_raw == "2020-12-25 (revised 2021-06-18)"


def test_unconfirmed_addresses_have_no_urls(catalog):
    unconfirmed = {e.id for e in catalog if e.url_status == "not confirmed"}
    assert unconfirmed == {
        "us-clean-energy-supply-chain-2022",
        "eu-batteries-europe-sra-2020",
        "jp-nesti-2050",
        "kr-circular-economy-2021",
        "kr-k-battery-2030",
        "kr-battery-rd-fund-2022",
    }


def test_licences_follow_catalog_notes(catalog):
    by_id = {e.id: e for e in catalog}
    assert "2011/833/EU" in by_id["eu-crm-resilience-2020"].licence
    assert "Open Government Licence" in by_id["uk-critical-minerals-strategy-2022"].licence
    assert by_id["iea-critical-minerals-2021"].licence == "CC BY 4.0"


def test_missing_field_raises_config_error_naming_file_and_field(tmp_path):
    path = _write_modified(tmp_path, lambda entries: entries[2].pop("issuer"))
    with pytest.raises(ConfigError) as err:
        load_catalog(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "entry 3 (us-clean-energy-supply-chain-2022): missing field 'issuer'" in msg


def test_empty_field_counts_as_missing(tmp_path):
    def blank(entries):
        entries[0]["title_en"] = "  "

    with pytest.raises(ConfigError, match=r"entry 1 \(us-li-blueprint-2021\): missing field 'title_en'"):
        load_catalog(_write_modified(tmp_path, blank))


def test_duplicate_id_raises_config_error(tmp_path):
    def dup(entries):
        entries[5]["id"] = entries[0]["id"]

    with pytest.raises(ConfigError, match=r"entry 6 \(us-li-blueprint-2021\): duplicate id"):
        load_catalog(_write_modified(tmp_path, dup))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("year", "2021", "must be an integer"),
        ("year", 2020, "'year' is 2020"),
        ("date", "June 2021", "expected YYYY"),
        ("list", "policy", "expected one of: strategy, reference"),
        ("url_status", "not confirmed", "'urls' is not empty"),
        ("isuer", "x", "unknown field 'isuer'"),
        ("region", "XX", "unknown region 'XX'"),
    ],
)
def test_bad_values_are_rejected_with_a_clear_message(tmp_path, field, value, message):
    def change(entries):
        entries[0][field] = value

    with pytest.raises(ConfigError, match=message):
        load_catalog(_write_modified(tmp_path, change))


def test_unreadable_json_names_the_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="broken.json: not valid"):
        load_catalog(path)


def test_catalog_document_is_a_bilingual_record(catalog):
    e = next(e for e in catalog if e.id == "us-li-blueprint-2021")
    doc = catalog_document(e)
    lines = doc.text.split("\n")
    assert lines[0] == "国家锂电池蓝图2021-2030"
    assert lines[1] == "National Blueprint for Lithium Batteries 2021–2030"
    assert lines[2] == "Issuer: Federal Consortium for Advanced Batteries (DOE, DoD, DOC, State)"
    assert any(e.key_point_zh in line for line in lines)
    assert any(e.key_point_en in line for line in lines)
    assert doc.id == doc.catalog_id == "us-li-blueprint-2021"
    assert doc.status == "catalog" and doc.source == "catalog" and doc.lang == "en"
    assert doc.title == doc.title_en == e.title_en and doc.title_zh == e.title_zh
    assert doc.region == "US" and doc.country == "United States"
    assert doc.year == 2021 and doc.date == "2021-06" and doc.kind == "strategy"
    assert doc.meta["urls"] == list(e.urls) and doc.meta["issuer"] == e.issuer
    assert [b.kind for b in doc.blocks] == ["record"]
    assert doc.text[doc.blocks[0].start : doc.blocks[0].end] == doc.text


def test_catalog_documents_use_full_country_names(catalog):
    countries = {catalog_document(e).country for e in catalog}
    assert countries == {
        "United States",
        "European Union",
        "Japan",
        "Republic of Korea",
        "United Kingdom",
        "China",
        "International",
    }
