"""PDF files (policyscope.corpus.loaders.pdf): pages, wrapped lines, titles, and the PDFs it refuses."""

from __future__ import annotations

from pathlib import Path

from tests.corpus.loaders.common import load_error, load_one


def _pdf(path: Path, pages: list[list[str]], title: str | None = None) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    if title:
        pdf.set_title(title)
    pdf.set_font("helvetica", size=12)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def test_pdf_pages_are_kept_on_blocks_and_wrapped_lines_joined(tmp_path):
    long = (
        "This first page paragraph is long enough to wrap onto several lines when it is rendered, "
        "so the loader must join the wrapped lines into one paragraph block again."
    )
    path = _pdf(
        tmp_path / "report.pdf",
        [["1. Introduction", long], ["2. Findings", "Recycling targets apply from 2030."]],
        title="Two Page Report",
    )
    doc = load_one(path)
    assert doc.title == "Two Page Report"
    assert doc.meta["pages"] == 2
    by_text = {doc.text[b.start : b.end]: b for b in doc.blocks}
    assert by_text[long].page == 1
    assert by_text[long].kind == "paragraph"
    assert by_text["1. Introduction"].kind == "heading"
    assert by_text["2. Findings"].page == 2
    assert by_text["Recycling targets apply from 2030."].page == 2
    assert {b.page for b in doc.blocks} == {1, 2}


def test_pdf_without_title_metadata_uses_first_line(tmp_path):
    path = _pdf(tmp_path / "untitled.pdf", [["Battery Recycling Plan", "Targets apply from 2030."]])
    assert load_one(path).title == "Battery Recycling Plan"


def test_pdf_without_text_layer_asks_for_ocr(tmp_path):
    path = _pdf(tmp_path / "scan.pdf", [[]])
    message = load_error(path)
    assert "no text layer (scanned PDF?); run OCR first and add the text" in message


def test_corrupt_pdf_is_reported(tmp_path):
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj garbage garbage garbage\n%%EOF")
    assert "corrupt PDF" in load_error(path)


def test_pdf_with_bad_header_is_reported(tmp_path):
    path = tmp_path / "notpdf.pdf"
    path.write_bytes(b"<html>not a pdf</html>")
    assert "not a PDF file (bad header)" in load_error(path)


def test_encrypted_pdf_is_reported(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    pdf.cell(text="secret text")
    pdf.set_encryption(owner_password="owner", user_password="user")
    path = tmp_path / "locked.pdf"
    pdf.output(str(path))
    assert "encrypted PDF" in load_error(path)
