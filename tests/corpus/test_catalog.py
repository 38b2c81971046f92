"""The built-in catalog: 20 strategies of the seed paper's Table 1, 4 reference lists and 21 policy texts."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from policyscope.corpus.catalog import (
    RELATIONS,
    CatalogEntry,
    catalog_document,
    default_catalog_path,
    load_catalog,
    text_path,
)
from policyscope.corpus.errors import ConfigError
from policyscope.corpus.jurisdictions import country_codes


@pytest.fixture(scope="module")
def catalog() -> list[CatalogEntry]:
    return load_catalog()


def _write_modified(tmp_path: Path, change) -> Path:
    data = json.loads(default_catalog_path().read_text(encoding="utf-8"))
    change(data["entries"])
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_packaged_catalog_has_45_entries_with_unique_ids(catalog):
    assert len(catalog) == 45
    assert len({e.id for e in catalog}) == 45


def test_catalog_holds_20_strategies_4_reference_lists_and_21_texts(catalog):
    lists = Counter(e.list for e in catalog)
    assert lists == {"strategy": 20, "reference": 4, "text": 21}
    countries = Counter(e.country for e in catalog if e.list == "strategy")
    assert countries == {"US": 7, "EU": 4, "JP": 4, "KR": 3, "GB": 2}
    texts = Counter((e.country, e.lang) for e in catalog if e.list == "text")
    assert texts == {("US", "en"): 10, ("CN", "zh"): 4, ("JP", "ja"): 6, ("KR", "ko"): 1}
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
        assert e.title_zh and e.title_en and e.issuer and e.kind
        assert (e.key_point_zh and e.key_point_en) if e.list != "text" else (e.summary_zh and e.summary_en)
        assert e.year == int(e.date[:4])
        assert e.country in country_codes() and e.region != "" or e.country == "INT"
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
    texts = {e.id: e for e in catalog if e.list == "text" and e.url_status == "not confirmed"}
    # The PRC texts' files carry no address; the note names the official databases instead.
    assert sorted(texts) == ["cn-energy-law-2024", "cn-mineral-resources-law-2024",
                             "cn-rare-earth-regulations-2024", "cn-solid-waste-law-2020"]
    assert all(not e.urls and "flk.npc.gov.cn" in e.details["url_note"]
               for e in texts.values())
    unconfirmed = {e.id for e in catalog if e.url_status == "not confirmed" and e.list != "text"}
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
        ("list", "policy", "expected one of: strategy, reference, text"),
        ("url_status", "not confirmed", "'urls' is not empty"),
        ("isuer", "x", "unknown field 'isuer'"),
        ("country", "XX", "unknown country 'XX'"),
        ("country", "Atlantis", "unknown country 'Atlantis'"),
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
    assert doc.country == "US" and doc.region == "Northern America"
    assert doc.year == 2021 and doc.date == "2021-06" and doc.kind == "strategy"
    assert doc.meta["urls"] == list(e.urls) and doc.meta["issuer"] == e.issuer
    assert [b.kind for b in doc.blocks] == ["record"]
    assert doc.text[doc.blocks[0].start : doc.blocks[0].end] == doc.text


def test_catalog_documents_carry_country_codes_and_name_the_country_in_their_text(catalog):
    docs = [catalog_document(e) for e in catalog if e.list != "text"]
    assert {d.country for d in docs} == {"US", "EU", "JP", "KR", "GB", "CN", "INT"}
    uk = next(d for d in docs if d.id == "uk-critical-minerals-strategy-2022")
    assert "Country: United Kingdom" in uk.text.split("\n")


def test_a_catalog_written_with_region_codes_still_loads_with_country_codes(tmp_path):
    def old_style(entries):
        for e in entries:
            e["region"] = {"GB": "UK"}.get(e["country"], e["country"])
            del e["country"]

    entries = load_catalog(_write_modified(tmp_path, old_style))
    assert {e.id: e.country for e in entries}["uk-cmic-2022"] == "GB"


def test_a_country_given_by_name_is_stored_as_its_code(tmp_path):
    def by_name(entries):
        entries[0]["country"] = "美國"

    assert load_catalog(_write_modified(tmp_path, by_name))[0].country == "US"


def test_every_text_entry_names_a_packaged_file_its_source_and_licence(catalog):
    texts = [e for e in catalog if e.list == "text"]
    assert len({e.file for e in texts}) == 21
    for e in texts:
        assert text_path(e).is_file(), e.file
        assert e.title and e.lang in ("en", "zh", "ja", "ko") and e.licence
        assert set(e.source) == {"repo", "path", "commit"} and len(e.source["commit"]) == 40
    assert {e.title_ja for e in texts if e.lang == "ja"} == {e.title for e in texts if e.lang == "ja"}
    assert [e.title_ko for e in texts if e.lang == "ko"] == ["경제안보를 위한 공급망 안정화 지원 기본법 시행령"]


def test_kinds_of_the_texts_use_the_catalog_vocabulary(catalog):
    kinds = Counter(e.kind for e in catalog if e.list == "text")
    assert kinds == {"executive order": 4, "fact sheet": 5, "presidential determination": 1, "law": 6,
                     "regulation": 1, "ordinance": 2, "cabinet order": 1, "decree": 1}


def test_text_links_point_to_catalog_entries_with_a_known_relation(catalog):
    by_id = {e.id: e for e in catalog}
    pd = by_id["us-pd-2022-11"]
    assert [(link.id, link.relation, link.primary) for link in pd.links] == [("us-dpa-2022", "is_instrument_of", True)]
    assert by_id["us-dpa-2022"].title_zh == "国防生产法"
    review = {e.id for e in catalog for link in e.links if link.id == "us-100day-review-2021" and link.primary}
    assert review == {"us-eo-14017", "us-fs-100day-review-2021"}
    for e in catalog:
        assert all(link.relation in RELATIONS and link.id in by_id for link in e.links)


def test_a_link_to_an_unknown_entry_is_refused(tmp_path):
    def dangling(entries):
        next(e for e in entries if e["id"] == "us-pd-2022-11")["links"][0]["id"] = "us-nowhere"

    with pytest.raises(ConfigError, match=r"\(us-pd-2022-11\): field 'links' names unknown id 'us-nowhere'"):
        load_catalog(_write_modified(tmp_path, dangling))


def test_a_text_entry_without_its_file_is_refused(tmp_path):
    def no_file(entries):
        del next(e for e in entries if e["list"] == "text")["file"]

    with pytest.raises(ConfigError, match="missing field 'file'"):
        load_catalog(_write_modified(tmp_path, no_file))
