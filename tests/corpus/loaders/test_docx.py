"""DOCX files (policyscope.corpus.loaders.docx), and the zip-bomb checks of base.check_zip."""

from __future__ import annotations

import os
import zipfile

from tests.corpus.loaders.common import block_texts, load_error, load_one


def test_docx_headings_paragraphs_and_table(tmp_path):
    import docx

    d = docx.Document()
    d.add_heading("国家电池战略", level=0)
    d.add_heading("1 供应链", level=1)
    d.add_paragraph("确保锂、钴、镍等关键原材料的稳定供应。")
    d.add_heading("1.1 回收", level=2)
    d.add_paragraph("")
    table = d.add_table(rows=3, cols=2)
    for r, (a, b) in enumerate([("年份", "目标"), ("2025", "50%"), ("2030", "70%")]):
        table.cell(r, 0).text = a
        table.cell(r, 1).text = b
    d.add_paragraph("End paragraph after the table.")
    path = tmp_path / "strategy.docx"
    d.save(str(path))

    doc = load_one(path)
    assert doc.title == "国家电池战略"
    headings = [(doc.text[b.start : b.end], b.level) for b in doc.blocks if b.kind == "heading"]
    assert headings == [("国家电池战略", 0), ("1 供应链", 1), ("1.1 回收", 2)]
    assert block_texts(doc, "table_header") == ["年份 | 目标"]
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert [doc.text[b.start : b.end] for b in rows] == ["2025 | 50%", "2030 | 70%"]
    assert all(b.context == "年份 | 目标" for b in rows)
    # body order is kept: the table sits between the heading and the last paragraph
    kinds = [b.kind for b in doc.blocks]
    assert kinds.index("table_header") < kinds.index("paragraph", kinds.index("table_header"))
    assert block_texts(doc)[-1] == "End paragraph after the table."


def test_docx_that_is_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "fake.docx"
    path.write_bytes(b"this is plain text pretending to be a docx")
    assert "not a DOCX file" in load_error(path)


def test_zip_bomb_docx_is_refused_before_parsing(tmp_path):
    from tests.reliability.files import zip_bomb_docx

    path = zip_bomb_docx(tmp_path)
    assert path.stat().st_size < 200_000
    message = load_error(path)
    assert "zip bomb" in message
    assert "word/document.xml" in message


def test_docx_over_declared_size_cap_is_refused(tmp_path, monkeypatch):
    from policyscope.corpus.loaders import base

    path = tmp_path / "big.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("word/document.xml", os.urandom(300_000))
    monkeypatch.setattr(base, "MAX_ZIP_UNCOMPRESSED", 100_000)
    message = load_error(path)
    assert "zip bomb" in message
    assert "declared uncompressed size" in message


def test_corrupt_docx_inside_a_valid_zip(tmp_path):
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<not really xml")
    assert "corrupt DOCX" in load_error(path)
