"""Plain text and Markdown (policyscope.corpus.loaders.text): blocks, numbered headings, titles."""

from __future__ import annotations

import pytest
from policyscope.corpus.loaders import heading_level

from tests.corpus.loaders.common import ZH, block_texts, load_one


def test_plain_text_lines_become_blocks_with_numbered_headings(tmp_path):
    path = tmp_path / "电池报告.txt"
    path.write_text(ZH, encoding="utf-8")
    doc = load_one(path)
    headings = [(doc.text[b.start : b.end], b.level) for b in doc.blocks if b.kind == "heading"]
    # normalisation collapses the double space after the section number
    assert headings == [("1 国际电池供应链发展态势", 1), ("2.1 确保原材料供应安全", 2)]
    assert len(doc.blocks) == 5
    assert block_texts(doc, "paragraph")[0] == "国际电池供应链安全报告"
    assert doc.title == "国际电池供应链安全报告"
    assert doc.source == str(path)
    assert doc.lang == ""
    assert doc.status == "full"
    assert doc.id == load_one(path).id  # content ids are stable


def test_text_is_normalized_before_blocks_so_offsets_match(tmp_path):
    path = tmp_path / "messy.txt"
    path.write_bytes("[bookmark: OLE_LINK22]二是\u3000电池\r\n\r\n\r\n\r\n  3. Findings  \r\n".encode())
    doc = load_one(path)
    assert doc.text == "二是 电池\n\n3. Findings"
    assert block_texts(doc) == ["二是 电池", "3. Findings"]
    assert doc.blocks[1].kind == "heading"
    assert doc.blocks[1].level == 1


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("2.1 确保原材料供应安全", 2),
        ("1  国际电池供应链发展态势", 1),
        ("3. Findings", 1),
        ("4.2.1 Recycling targets", 3),
        ("第一章 总则", 1),
        ("一、总体要求", 1),
        ("（二）基本原则", 2),
        ("2020年工作要点", 0),
        ("3.5", 0),
        ("2. The government will secure supply of lithium.", 0),
        ("Introduction", 0),
        ("1. " + "很长的句子" * 20, 0),
    ],
)
def test_heading_level_recognises_numbered_headings_only(line, level):
    assert heading_level(line) == level


def test_markdown_headings_become_heading_blocks_without_markers(tmp_path):
    path = tmp_path / "strategy.md"
    path.write_text(
        "# Battery Strategy\n\nIntro paragraph that wraps\nonto a second line.\n\n"
        "## Supply\n\nSecure lithium.\n\n### 2.1 Recycling ###\n\nTake back batteries.\n",
        encoding="utf-8",
    )
    doc = load_one(path)
    headings = [(doc.text[b.start : b.end], b.level) for b in doc.blocks if b.kind == "heading"]
    assert headings == [("Battery Strategy", 1), ("Supply", 2), ("2.1 Recycling", 3)]
    assert "Intro paragraph that wraps\nonto a second line." in block_texts(doc, "paragraph")
    assert "#" not in doc.text
    assert doc.title == "Battery Strategy"
