"""PDF (pypdfium2): text per page, wrapped lines joined into paragraphs, page numbers on blocks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from policyscope.corpus.errors import LoadError
from policyscope.corpus.loaders.base import Progress, read_bytes
from policyscope.corpus.loaders.builder import TextBuilder, file_document
from policyscope.corpus.loaders.columns import ColumnMap
from policyscope.corpus.loaders.text import heading_level, short_title
from policyscope.corpus.normalize import normalize_text
from policyscope.corpus.records import BlockKind, Document

# A PDF line ending with one of these closes a paragraph.
_PARA_END = tuple("。！？；：.!?;:")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def load_pdf(
    path: Path, columns: ColumnMap | None, progress: Progress | None, *, strict: bool = False
) -> Iterator[Document]:
    """One document; the title from the PDF metadata or else a short first line.

    Pages are separated by a blank line, paragraphs within a page by a newline. An encrypted,
    corrupt or text-less (scanned) PDF is a ``LoadError`` that says what to do.
    """
    import pypdfium2 as pdfium

    data = read_bytes(path)
    if b"%PDF-" not in data[:1024]:
        raise LoadError(path, "not a PDF file (bad header)")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (pdfium.raw.FPDF_ERR_PASSWORD, pdfium.raw.FPDF_ERR_SECURITY):
            raise LoadError(path, "encrypted PDF (password required); save an unencrypted copy") from None
        raise LoadError(path, f"corrupt PDF ({str(exc).lower().rstrip('.')})") from None
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise LoadError(path, "PDF has no pages")
        meta_title = ""
        try:
            meta_title = (pdf.get_metadata_dict().get("Title") or "").strip()
        except pdfium.PdfiumError:
            pass
        b = TextBuilder()
        first_line = ""
        for index in range(n_pages):
            page = pdf[index]
            try:
                textpage = page.get_textpage()
                raw = textpage.get_text_range()
                textpage.close()
            except pdfium.PdfiumError as exc:
                raise LoadError(
                    path, f"corrupt PDF (page {index + 1}: {str(exc).lower().rstrip('.')})"
                ) from None
            finally:
                page.close()
            if not first_line:
                first_line = next((ln.strip() for ln in raw.splitlines() if ln.strip()), "")
            first = True
            for kind, level, para in _pdf_paragraphs(raw):
                b.add(para, kind, level=level, page=index + 1, sep="\n" if not first else "\n\n")
                first = False
    finally:
        pdf.close()
    if not b.blocks:
        raise LoadError(path, "no text layer (scanned PDF?); run OCR first and add the text")
    title = meta_title or short_title(normalize_text(first_line))
    yield file_document(path, b, title, {"pages": n_pages})


def _pdf_paragraphs(raw: str) -> Iterator[tuple[BlockKind, int, str]]:
    """Join a page's wrapped lines into paragraphs.

    A paragraph ends at a blank line, a line ending in sentence punctuation, or a line much
    shorter than the page's longest line; a numbered heading line stands alone.
    """
    # pdfium marks hyphenation points with U+FFFE (or \x02): the word continues on the next line.
    lines = [ln.strip() for ln in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    width = max((len(ln) for ln in lines), default=0)
    para = ""

    for line in lines:
        if not line:
            if para:
                yield "paragraph", 0, para
                para = ""
            continue
        level = heading_level(line) if not para else 0
        if level:
            yield "heading", level, line
            continue
        para = _join_wrapped(para, line)
        if line.endswith(_PARA_END) or (width >= 30 and len(line) < 0.6 * width):
            yield "paragraph", 0, para
            para = ""
    if para:
        yield "paragraph", 0, para


def _join_wrapped(para: str, line: str) -> str:
    if not para:
        return line
    if para[-1] in "\ufffe\x02":
        return para[:-1] + line
    if _CJK.match(para[-1]) and _CJK.match(line[0]):
        return para + line
    return f"{para} {line}"
