"""Front matter is metadata, never passage text: the three repositories' dialects and broken blocks."""

from __future__ import annotations

import json
import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from policyscope.corpus.frontmatter import country_from_url, map_front_matter, normalize_kind, read_header
from policyscope.corpus.loaders import load_path

from tests.conftest import SHARED

TEXTS = SHARED / "sources" / "policy-texts"


def _load(name: str):
    path = TEXTS / name
    if not path.exists():
        pytest.fail(f"shared policy text missing: {path}")
    return next(load_path(path))


def test_white_house_front_matter_gives_title_date_country_kind_and_address():
    doc = _load("en_us_2021-06-08_factsheet_100day_supply_chain_review.md")
    assert doc.title == ("FACT SHEET: Biden-Harris Administration Announces Supply Chain Disruptions Task Force"
                         " to Address Short-Term Supply Chain Discontinuities")  # no NBSP, no U+2060
    assert (doc.date, doc.year, doc.country, doc.kind) == ("2021-06-08", 2021, "US", "fact sheet")
    assert doc.meta["url"].startswith("https://bidenwhitehouse.archives.gov/briefing-room/statements-releases/")
    assert doc.meta["front_matter"]["modified_time"] == "2021-06-07T21:05:44-04:00"
    assert "source_url" not in doc.text and "published_time" not in doc.text
    pd = _load("en_us_2022-03-31_pd2022-11_dpa303_large_capacity_battery_minerals.md")
    assert pd.kind == "presidential determination"


def test_legalize_jp_front_matter_gives_the_official_title_kind_and_aliases():
    doc = _load("ja_jp_2002-07-26_jogmec_act_metal_minerals_stockpiling.md")
    assert doc.title == "独立行政法人エネルギー・金属鉱物資源機構法"
    assert (doc.date, doc.country, doc.kind) == ("2002-07-26", "JP", "law")
    assert doc.meta["aliases"] == ["JOGMEC法"]  # full-width ＪＯＧＭＥＣ folded by NFKC
    assert doc.meta["legal_status"] == "in_force" and doc.meta["version_date"] == "2026-05-22"
    assert doc.meta["front_matter"]["extra"]["law_num"] == "平成十四年法律第九十四号"
    order = _load("ja_jp_2022-12-23_economic_security_act_cabinet_order_specified_critical_materials.md")
    ordinance = _load("ja_jp_1993-06-30_sealed_battery_labelling_ordinance.md")
    assert (order.kind, ordinance.kind) == ("cabinet order", "ordinance")
    # No body heading gives the title: the first heading is a chapter.
    assert not doc.text.startswith("---") and doc.title not in doc.text.split("\n")[0]


def test_legalize_kr_korean_keys_are_read_and_amendment_notes_stay_in_the_text():
    doc = _load("ko_kr_2024-06-25_supply_chain_stabilization_framework_act_enforcement_decree.md")
    assert doc.title == "경제안보를 위한 공급망 안정화 지원 기본법 시행령"
    assert (doc.kind, doc.country, doc.date) == ("decree", "KR", "2026-10-06")  # 공포일자: the latest version
    assert doc.meta["url"] == "https://www.law.go.kr/법령/경제안보를위한공급망안정화지원기본법시행령"
    assert doc.meta["front_matter"]["소관부처"] == ["재정경제부"] and doc.meta["front_matter"]["법령ID"] == "014674"
    assert doc.meta["in_force"] == "2026-10-06"
    assert "<개정 2025.12.30>" in doc.text and "법령MST" not in doc.text


def test_a_statute_export_history_header_is_metadata_and_its_title_stays_a_heading():
    doc = _load("zh_cn_2024-11-08_mineral_resources_law_revised.md")
    assert doc.title == "中华人民共和国矿产资源法" and (doc.date, doc.year) == ("2024-11-08", 2024)
    assert len(doc.meta["history"]) == 4 and doc.meta["history"][0].startswith("1986年3月19日")
    assert "INFO END" not in doc.text and "1986年3月19日" not in doc.text
    first = doc.blocks[0]
    assert first.kind == "heading" and doc.text[first.start : first.end] == "中华人民共和国矿产资源法"
    # A user's Chinese file gives no country: it is left empty, never guessed.
    assert doc.country == ""


def test_every_policy_text_loads_with_blocks_inside_its_stored_text():
    files = sorted(TEXTS.glob("*_*.md"))
    assert len(files) == 21
    for path in files:
        doc = next(load_path(path))
        # The rare-earth regulations' file states no date at all (the catalog supplies it).
        assert doc.title and (doc.date or "rare_earth" in path.name), path.name
        for b in doc.blocks:
            assert 0 <= b.start < b.end <= len(doc.text)
        json.dumps(doc.meta, ensure_ascii=False)  # YAML dates and datetimes were made JSON-safe


def test_inline_markup_goes_but_angle_bracket_text_stays(tmp_path):
    path = tmp_path / "law.md"
    path.write_text("**第一条（目的）**　この法律は<u>蓄電池</u>に関する。\n\n"
                    '<span style="x">Sec</span>. 2\\(a\\) see [the annex](https://example.org/a) <제36742호>\n',
                    encoding="utf-8")
    doc = next(load_path(path))
    assert doc.text == "第一条（目的） この法律は蓄電池に関する。\nSec. 2(a) see the annex <제36742호>"


def test_a_malformed_block_warns_once_naming_the_file_and_the_file_is_still_ingested(tmp_path, caplog):
    path = tmp_path / "broken.md"
    path.write_text('---\ntitle: "unclosed\ndate: 2024-01-01\n---\n# Battery law\n\nArticle 1 text.\n',
                    encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        doc = next(load_path(path))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and str(path) in warnings[0] and "invalid YAML front matter" in warnings[0]
    assert "\n" not in warnings[0]
    assert doc.text == "Battery law\nArticle 1 text." and doc.title == "Battery law"
    assert doc.meta["front_matter_warning"].startswith("invalid YAML front matter")


def test_an_unclosed_block_keeps_the_whole_text_and_warns(tmp_path, caplog):
    path = tmp_path / "open.md"
    path.write_text("---\ntitle: x\n\nBody without a closing line.\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        doc = next(load_path(path))
    assert "never closed" in caplog.text and "Body without a closing line." in doc.text


def test_a_block_that_is_not_a_mapping_is_dropped_with_a_warning(tmp_path, caplog):
    path = tmp_path / "list.md"
    path.write_text("---\n- a\n- b\n---\nText.\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        doc = next(load_path(path))
    assert "not a mapping" in caplog.text and doc.text == "Text."


def test_unknown_keys_are_kept_and_a_country_that_names_nothing_is_reported():
    fields, meta, problems = map_front_matter({"title": "T", "country": "Atlantis", "reviewer": "ann", "n": 3})
    assert "country" not in fields and meta["country_raw"] == "Atlantis"
    assert problems == ["country 'Atlantis' names no known country"]
    assert meta["front_matter"] == {"title": "T", "country": "Atlantis", "reviewer": "ann", "n": 3}
    fields, _, _ = map_front_matter({"title": "T", "jurisdiction": "米国", "language": "EN-us", "type": "Act"})
    assert (fields["country"], fields["lang"], fields["kind"]) == ("US", "en", "law")


@pytest.mark.parametrize(
    ("url", "code"),
    [("https://www.law.go.kr/법령/x", "KR"), ("https://laws.e-gov.go.jp/law/1", "JP"), ("https://www.gov.cn/x", "CN"),
     ("https://www.legislation.gov.uk/ukpga/1", "GB"), ("https://www.whitehouse.gov/x", "US"),
     ("https://eur-lex.europa.eu/eli/reg/2023/1542", "EU"), ("https://github.com/x/y", ""), ("not a url", "")],
)
def test_an_official_address_names_its_jurisdiction_only_on_government_hosts(url, code):
    assert country_from_url(url) == code


def test_kind_values_of_the_three_repositories_map_to_one_vocabulary():
    assert [normalize_kind(v) for v in ("act", "cabinet_order", "MinisterialOrdinance", "대통령령", "条例")] == [
        "law", "cabinet order", "ordinance", "decree", "regulation"]
    assert normalize_kind("", "Executive Order on America's Supply Chains") == "executive order"
    assert normalize_kind("white paper") == "white paper"


_cjk_text = st.text(alphabet=st.sampled_from(list("电池回收蓄電池경제안보 abcXYZ:#-'\"")), min_size=1, max_size=30)


@settings(max_examples=80, deadline=None)
@given(title=_cjk_text, body=_cjk_text)
def test_a_front_matter_block_is_cut_exactly_whatever_the_title_and_body(title, body):
    header, rest = read_header(f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n{body}", "p.md")
    assert rest == body
    assert header.fields.get("title", "") == " ".join(title.split())
