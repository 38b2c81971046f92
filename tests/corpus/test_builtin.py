"""The built-in corpus: the seed paper (cleaned, with tables as rows), the catalog records and the 21 policy texts."""

from __future__ import annotations

from collections import Counter
from importlib import resources
from pathlib import Path

import pytest
from policyscope.corpus.builtin import (
    SEED_ID,
    builtin_documents,
    parse_paper,
    read_sources_note,
    seed_document,
)
from policyscope.corpus.catalog import load_catalog
from policyscope.corpus.loaders import load_path

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="module")
def doc():
    return seed_document()


def _rows(doc, table: int):
    return [b for b in doc.blocks if b.kind == "table_row" and b.meta["table"] == table]


def _span(doc, b) -> str:
    return doc.text[b.start : b.end]


def test_packaged_paper_is_byte_identical_to_the_seed():
    seed = SHARED / "seed" / "battery-supply-chain-paper.txt"
    if not seed.exists():
        pytest.skip(f"{seed} not present")
    packaged = resources.files("policyscope.corpus").joinpath("data", "battery-supply-chain-paper.txt")
    assert packaged.read_bytes() == seed.read_bytes()


def test_word_bookmarks_are_removed(doc):
    assert "[bookmark" not in doc.text
    assert "OLE_LINK" not in doc.text
    assert "\t" not in doc.text


def test_document_fields(doc):
    assert doc.id == SEED_ID == "seed-battery-supply-chain"
    assert doc.title_zh and doc.title == doc.title_zh
    assert doc.title_en == "Global battery supply-chain competition and China's response"
    assert (doc.country, doc.region, doc.year) == ("CN", "Eastern Asia", 2022)
    assert (doc.kind, doc.lang, doc.status) == ("research paper", "zh", "full")
    assert doc.source == "builtin:battery-supply-chain-paper.txt"


def test_seed_document_is_stable(doc):
    again = seed_document()
    assert again.text == doc.text and again.blocks == doc.blocks


def test_blocks_are_ordered_and_do_not_overlap(doc):
    ends = 0
    for b in doc.blocks:
        assert b.start >= ends and b.end > b.start
        span = _span(doc, b)
        assert span == span.strip() and "\n" not in span
        ends = b.end


def test_paragraphs_are_a_blank_line_apart_and_table_lines_and_en_captions_one_newline(doc):
    assert doc.blocks[0].start == 0 and doc.blocks[-1].end == len(doc.text)
    for prev, b in zip(doc.blocks, doc.blocks[1:], strict=False):
        gap = doc.text[prev.end : b.start]
        tight = b.kind in ("table_header", "table_row") or (
            b.kind == prev.kind == "caption" and not _span(doc, b).startswith(("表", "图"))
        )
        assert gap == ("\n" if tight else "\n\n"), (prev, b)


def test_table1_has_20_rows_linked_to_catalog_entries(doc):
    rows = _rows(doc, 1)
    assert len(rows) == 20
    ids = {e.id for e in load_catalog() if e.list == "strategy"}
    linked = [b.meta["catalog_id"] for b in rows]
    assert set(linked) == ids
    assert [b.meta["row"] for b in rows] == list(range(1, 21))


def test_table1_region_cells_are_filled_down(doc):
    regions = Counter(_span(doc, b).split(" | ")[0] for b in _rows(doc, 1))
    assert regions == {"美国": 7, "欧盟": 4, "日本": 4, "韩国": 3, "英国": 2}
    codes = Counter(b.meta["country"] for b in _rows(doc, 1))
    assert codes == {"US": 7, "EU": 4, "JP": 4, "KR": 3, "GB": 2}


def test_table1_row_matches_catalog_titles_and_key_points(doc):
    by_id = {e.id: e for e in load_catalog()}
    for b in _rows(doc, 1):
        _region, title, key_point = _span(doc, b).split(" | ")
        entry = by_id[b.meta["catalog_id"]]
        assert (title, key_point) == (entry.title_zh, entry.key_point_zh)


def test_us_blueprint_row_text(doc):
    first = _rows(doc, 1)[0]
    assert _span(doc, first) == (
        "美国 | 国家锂电池蓝图2021-2030 | 确保电池原材料供应安全，打造具有国际领先优势的美国本土锂电池供应链"
    )
    assert first.meta["catalog_id"] == "us-li-blueprint-2021"
    assert first.context == "表1 主要国家/地区电池战略政策布局 | 国家/地区 | 政策名称 | 战略要点"


def test_table_headers_are_single_lines(doc):
    headers = [_span(doc, b) for b in doc.blocks if b.kind == "table_header"]
    assert headers == ["国家/地区 | 政策名称 | 战略要点", "国家/地区 | 关键矿产 | 主要用途 | 对外依存度"]


def test_table2_rows_per_list(doc):
    rows = _rows(doc, 2)
    by_list = Counter(b.meta["catalog_id"] for b in rows)
    assert by_list == {
        "us-usgs-critical-minerals-2022": 15,
        "eu-crm-resilience-2020": 13,
        "cn-mineral-plan-2016": 1,
    }
    assert "欧盟：关键原材料弹性：绘制更高安全性和可持续性路线② | 锂 | 电池 | 100%" in [
        _span(doc, b) for b in rows
    ]
    assert rows[0].context.startswith("表2 美、欧、中电池产业相关的关键矿产监测目录 | 国家/地区")


def test_every_row_span_starts_with_its_country(doc):
    prefixes = {"US": "美国", "EU": "欧盟", "JP": "日本", "KR": "韩国", "GB": "英国", "CN": "中国"}
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert len(rows) == 49
    for b in rows:
        assert _span(doc, b).startswith(prefixes[b.meta["country"]])
        assert b.meta["cells"][0]


def test_headings_with_levels(doc):
    headings = {_span(doc, b): b.level for b in doc.blocks if b.kind == "heading"}
    assert headings["2.1绘制供应链全景蓝图，纳入国家安全战略内涵"] == 2
    assert headings["1 国际电池供应链发展态势"] == 1
    assert headings["3.2 电池技术存在被颠覆可能性"] == 2
    assert headings["4 新阶段我国电池产业链供应链强化路径"] == 1
    assert Counter(headings.values()) == {1: 4, 2: 13}


def test_captions_and_paragraphs(doc):
    captions = [_span(doc, b) for b in doc.blocks if b.kind == "caption"]
    assert captions[0] == "表1 主要国家/地区电池战略政策布局"
    assert "Table 1 Battery strategy and policy layout in major countries/regions" in captions
    assert "图1 全固态锂电池技术专利主要专利权人Top 20" in captions
    assert len(captions) == 6
    paragraphs = [b for b in doc.blocks if b.kind == "paragraph"]
    assert _span(doc, paragraphs[0]).startswith("Abstract: Under the constraint")
    assert _span(doc, paragraphs[1]).startswith("当前，碳中和时代")
    note = next(b for b in paragraphs if _span(doc, b).startswith("注：①"))
    assert note.meta["table_note"] == 2


def test_parse_paper_fills_blank_cells_and_skips_bookmark_only_cells():
    raw = "表9 示例\n\t国家/地区\n\t名称\n\n\t美国\n\t甲\n\n\t[bookmark: OLE_LINK1]\n\t乙\n\n注：完\n"
    text, blocks = parse_paper(raw)
    assert text == "表9 示例\n国家/地区 | 名称\n美国 | 甲\n美国 | 乙\n\n注：完"
    rows = [b for b in blocks if b.kind == "table_row"]
    assert [b.meta["table"] for b in rows] == [9, 9] and [b.meta["catalog_id"] for b in rows] == ["", ""]


@pytest.fixture(scope="module")
def builtin():
    return builtin_documents()


def test_builtin_documents_are_seed_then_catalog_records_then_texts(builtin):
    assert len(builtin) == 46 and len({d.id for d in builtin}) == 46
    assert builtin[0].id == SEED_ID
    assert [d.status for d in builtin[1:25]] == ["catalog"] * 24
    texts = builtin[25:]
    assert [d.status for d in texts] == ["full"] * 21
    assert {d.catalog_id for d in texts} == {e.id for e in load_catalog() if e.list == "text"}


def _text(builtin, catalog_id):
    return next(d for d in builtin if d.catalog_id == catalog_id and d.status == "full")


def test_a_text_carries_its_catalog_facts_not_its_page_headline(builtin):
    pd = _text(builtin, "us-pd-2022-11")
    assert pd.title == "Presidential Determination Pursuant to Section 303 of the Defense Production Act of 1950, as amended"
    assert pd.meta["front_matter"]["title"].startswith("Memorandum on Presidential Determination")
    assert (pd.country, pd.lang, pd.kind, pd.date) == ("US", "en", "presidential determination", "2022-03-31")
    assert pd.source == "builtin:policy-texts/en_us_2022-03-31_pd2022-11_dpa303_large_capacity_battery_minerals.md"
    assert pd.meta["source_repo"]["repo"] == "brian14708/wh-briefings"
    assert "17 U.S.C." in pd.meta["licence"]
    kr = _text(builtin, "kr-supply-chain-framework-decree-2024")
    # The catalog's date is the first promulgation; the front matter's 공포일자 is the latest amendment.
    assert kr.date == "2024-06-25" and kr.meta["front_matter"]["공포일자"] == "2026-10-06"
    assert kr.title == kr.meta["title_ko"] and kr.title_zh and kr.title_en


def test_texts_of_four_languages_keep_front_matter_out_of_their_text(builtin):
    for d in builtin[25:]:
        assert not d.text.startswith("---") and "source_url:" not in d.text and "INFO END" not in d.text
        for b in d.blocks:
            assert 0 <= b.start < b.end <= len(d.text)
    langs = Counter(d.lang for d in builtin[25:])
    assert langs == {"en": 10, "ja": 6, "zh": 4, "ko": 1}


def test_a_text_has_the_content_id_of_the_same_file_added_by_a_user(builtin):
    eo = _text(builtin, "us-eo-14017")
    user = next(load_path(SHARED / "sources" / "policy-texts" / "en_us_2021-02-24_eo14017_americas_supply_chains.md"))
    assert user.id == eo.id and user.text == eo.text


def test_table1_records_list_the_texts_they_are_based_on_and_the_texts_link_back(builtin):
    by_id = {d.id: d for d in builtin}
    dpa = by_id["us-dpa-2022"]
    pd = _text(builtin, "us-pd-2022-11")
    assert [(t["catalog_id"], t["doc_id"], t["relation"]) for t in dpa.meta["texts"]] == [
        ("us-pd-2022-11", pd.id, "is_instrument_of")]
    assert [link["id"] for link in pd.meta["links"]] == ["us-dpa-2022"]
    review = {t["catalog_id"] for t in by_id["us-100day-review-2021"].meta["texts"] if t["primary"]}
    assert review == {"us-eo-14017", "us-fs-100day-review-2021"}


def test_the_sources_note_ships_with_the_texts_and_names_every_file(builtin):
    note = read_sources_note()
    for d in builtin[25:]:
        assert d.source.split("/")[-1] in note


def test_the_content_id_of_a_long_text_is_the_hash_of_its_whole_utf8(doc):
    """Ids are hashed in pieces (no whole UTF-8 copy of a 200 MB text); a stored id must never change."""
    import hashlib

    from policyscope.corpus.records import content_id

    long = doc.text * (2_500_000 // len(doc.text) + 1)  # over two pieces, Chinese and ASCII mixed
    whole = hashlib.sha256(long.encode("utf-8") + b"\x1f" + b"title" + b"\x1f").hexdigest()
    assert content_id(long, "title") == whole[:16]
