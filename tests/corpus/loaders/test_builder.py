"""TextBuilder (policyscope.corpus.loaders.builder): exact block spans, in both of its modes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from policyscope.corpus.errors import LoadError
from policyscope.corpus.loaders.builder import TextBuilder, file_document, table_blocks
from policyscope.corpus.normalize import normalize_text


def _spans(b: TextBuilder) -> list[str]:
    text = b.text
    return [text[x.start : x.end] for x in b.blocks]


def test_pieces_are_normalised_one_by_one_and_blank_pieces_add_no_block():
    b = TextBuilder()
    assert b.add("[bookmark: OLE_LINK22]二是\u3000电池\r\n") == "二是 电池"
    assert b.add(" \u200b\t ") == ""
    assert b.add("  3. Findings ", "heading", level=1) == "3. Findings"
    assert b.text == "二是 电池\n3. Findings"
    assert [(x.kind, x.start, x.end, x.level) for x in b.blocks] == [
        ("paragraph", 0, 5, 0),
        ("heading", 6, 17, 1),
    ]
    assert b.first("heading") == "3. Findings"
    assert b.first("table_row") == ""


def test_a_piece_can_choose_its_separator():
    b = TextBuilder()
    b.add("page one", page=1)
    b.add("page two", page=2, sep="\n\n")
    assert b.text == "page one\n\npage two"
    assert [x.page for x in b.blocks] == [1, 2]


def test_without_normalisation_pieces_are_kept_as_given_with_their_metadata():
    b = TextBuilder(sep="\n\n", normalize=False)
    b.add("美国 |  | 锂", "table_header", meta={"table": 1})
    b.add("Abstract: x", "paragraph", sep="\n", meta={"lang": "en"})
    b.add("注：y", "paragraph")
    assert b.text == "美国 |  | 锂\nAbstract: x\n\n注：y"
    assert _spans(b) == ["美国 |  | 锂", "Abstract: x", "注：y"]
    assert [x.meta for x in b.blocks] == [{"table": 1}, {"lang": "en"}, {}]


def test_table_rows_carry_the_header_line_as_context_and_empty_rows_are_dropped():
    b = TextBuilder()
    table_blocks(b, [["年份", " 目标 "], ["", ""], ["2025", "50%"], ["2030", "70%\n"]])
    assert _spans(b) == ["年份 | 目标", "2025 | 50%", "2030 | 70%"]
    assert [x.kind for x in b.blocks] == ["table_header", "table_row", "table_row"]
    assert [x.context for x in b.blocks] == ["", "年份 | 目标", "年份 | 目标"]


def test_file_document_title_falls_back_to_first_heading_then_file_name(tmp_path):
    path = Path(tmp_path / "battery-plan.txt")
    b = TextBuilder()
    b.add("intro")
    assert file_document(path, b, "", {}).title == "battery-plan"
    b.add("Recycling", "heading", level=1)
    assert file_document(path, b, "", {}).title == "Recycling"
    assert file_document(path, b, " Two\nLines ", {}).title == "Two Lines"
    with pytest.raises(LoadError, match="no text found in file"):
        file_document(path, TextBuilder(), "title", {})


_PIECE = st.text(alphabet=st.sampled_from("电池回收锂 \u3000\t\r\n\u200bab.，。"), max_size=12)


@given(st.lists(_PIECE, max_size=8))
def test_every_block_span_is_its_stored_piece_and_the_text_stays_normalised(pieces):
    b = TextBuilder()
    stored = [s for s in (b.add(p) for p in pieces) if s]
    assert _spans(b) == stored
    assert b.text == "\n".join(stored)
    assert normalize_text(b.text) == b.text
