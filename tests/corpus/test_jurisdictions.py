"""One jurisdiction model: codes, names and aliases in four languages, regions and blocs."""

from __future__ import annotations

import json
from collections import Counter

import pycountry
import pytest
from policyscope.corpus.jurisdictions import (
    aliases,
    ambiguous_aliases,
    bloc_members,
    country_codes,
    country_label,
    country_names,
    grouping,
    jurisdictions_for,
    normalize_alias,
    region_of,
    resolve_countries,
    resolve_country,
)

from tests.conftest import CCLW_JSONL, require_shared


@pytest.fixture(scope="module")
def cclw_rows():
    path = require_shared(CCLW_JSONL)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        *((v, "US") for v in ("美国", "美國", "米国", "アメリカ", "アメリカ合衆国", "미국", "United States", "USA", "US",
                               "us", "U.S.", "America", "United States of America")),
        *((v, "EU") for v in ("欧盟", "歐盟", "EU", "유럽연합", "유럽 연합", "欧州連合", "European Union", "EUR")),
        *((v, "KR") for v in ("韩国", "韓国", "한국", "대한민국", "South Korea", "Korea", "大韓民国", "Korea, South",
                               "KOR")),
        *((v, "GB") for v in ("英国", "イギリス", "영국", "UK", "United Kingdom", "Britain")),
        *((v, "JP") for v in ("日本", "일본", "Japan", "日本国", "JPN")),
        *((v, "CN") for v in ("中国", "中國", "중국", "China", "中华人民共和国", "中華人民共和国")),
        *((v, "CL") for v in ("智利", "チリ", "칠레", "Chile", "CL", "CHL")),
        ("호주", "AU"), ("Turkey", "TR"), ("Türkiye", "TR"), ("XKX", "XK"), ("Kosovo", "XK"),
        ("Bahamas, The", "BS"), ("Korea, North", "KP"), ("North Macedonia (Republic of North Macedonia)", "MK"),
        ("Democratic Republic of Congo", "CD"), ("International", "INT"), ("国际组织", "INT"),
    ],
)
def test_codes_names_and_aliases_in_four_languages_resolve_to_one_code(value, code):
    assert resolve_country(value) == code


@pytest.mark.parametrize("value", ["", "  ", "Atlantis", "East Asia & Pacific", "Europe", "G7", "聖馬丁", "xx"])
def test_a_value_that_names_no_single_country_is_not_guessed(value):
    assert resolve_country(value) is None


def test_every_cclw_row_maps_by_its_iso_column_to_the_pycountry_code(cclw_rows):
    assert len(cclw_rows) == 2100
    hand = {"EUR": "EU", "XKX": "XK"}
    for row in cclw_rows:
        expected = hand.get(row["iso"]) or pycountry.countries.get(alpha_3=row["iso"]).alpha_2
        assert resolve_country(row["iso"]) == expected, row


def test_every_cclw_row_maps_by_its_country_name_to_the_same_code(cclw_rows):
    mapped, missing = resolve_countries(r["country"] for r in cclw_rows)
    assert missing == []
    for row in cclw_rows:
        assert mapped[row["country"]] == resolve_country(row["iso"]), row["country"]
    assert Counter(mapped[r["country"]] for r in cclw_rows)["EU"] == 43


def test_every_code_has_a_display_name_in_each_language():
    for code in country_codes():
        names = country_names(code)
        assert set(names) == {"en", "zh", "ja", "ko"} and all(names.values()), code
    assert country_names("us") == {"en": "United States", "zh": "美国", "ja": "アメリカ合衆国", "ko": "미국"}
    assert country_names("EU")["ko"] == "유럽연합" and country_names("INT")["zh"] == "国际组织"
    assert country_label("GB") == "GB · United Kingdom" and country_label("") == ""
    with pytest.raises(ValueError, match="unknown country code 'UK'"):
        country_names("UK")


def test_regions_are_un_m49_groupings_derived_from_the_code():
    assert region_of("JP") == region_of("KR") == region_of("CN") == "Eastern Asia"
    assert (region_of("US"), region_of("GB"), region_of("EU")) == ("Northern America", "Northern Europe", "Europe")
    assert region_of("CL") == "Latin America and the Caribbean"
    assert region_of("INT") == region_of("") == region_of("Atlantis") == ""
    assert all(region_of(c) for c in country_codes() - {"INT", "AQ"})


def test_blocs_are_short_member_lists_and_a_bloc_filter_keeps_its_own_body():
    assert bloc_members("G7") == {"CA", "DE", "FR", "GB", "IT", "JP", "US"}
    assert len(bloc_members("EU27")) == 27 and "GB" not in bloc_members("EU27")
    assert len(bloc_members("OECD")) == 38 and len(bloc_members("G20")) == 20
    assert jurisdictions_for("EU27") == bloc_members("EU27") | {"EU"}
    assert jurisdictions_for("经合组织") == bloc_members("OECD")
    assert jurisdictions_for("欧盟") == {"EU"}  # the Union itself, named as a country
    with pytest.raises(ValueError, match="unknown bloc or region 'G9'"):
        bloc_members("G9")


@pytest.mark.parametrize("name", ["Eastern Asia", "东亚", "東アジア", "동아시아", "030"])
def test_a_region_is_named_in_any_of_four_languages_or_by_its_m49_code(name):
    g = grouping(name)
    assert g is not None and g.kind == "region"
    assert g.members == {"CN", "HK", "JP", "KP", "KR", "MN", "MO", "TW"}


def test_aliases_come_longest_first_and_each_resolves_to_its_code():
    table = aliases()
    assert [len(a.text) for a in table] == sorted((len(a.text) for a in table), reverse=True)
    for a in table:
        assert resolve_country(a.text) == a.code, a
    texts = {(a.text, a.lang) for a in table if a.code == "US"}
    assert {("美国", "zh"), ("米国", "ja"), ("미국", "ko"), ("USA", "code")} <= texts


def test_names_two_countries_share_are_dropped_not_guessed():
    assert ambiguous_aliases()[normalize_alias("聖馬丁")] == ("MF", "SX")  # Saint Martin, French and Dutch parts
    assert all(key not in {a.key for a in aliases()} for key in ambiguous_aliases())


def test_alias_keys_ignore_case_dots_and_spaces_inside_cjk():
    assert normalize_alias("U.S.A.") == "usa"
    assert normalize_alias("유럽 연합") == normalize_alias("유럽연합")
    assert normalize_alias("Korea,  South") == "korea, south"
