"""DOCX (python-docx): paragraphs, ``Title``/``Heading N`` styles and outline levels, tables in body
order; the zip container is checked for bombs before anything is decompressed."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from policyscope.corpus.errors import LoadError
from policyscope.corpus.loaders.base import Progress, check_not_blank, check_zip
from policyscope.corpus.loaders.builder import TextBuilder, file_document, table_blocks
from policyscope.corpus.loaders.columns import ColumnMap
from policyscope.corpus.records import BlockKind, Document

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)


def load_docx(
    path: Path, columns: ColumnMap | None, progress: Progress | None, *, strict: bool = False
) -> Iterator[Document]:
    """One document; the title from the core properties or else the first ``Title``-style paragraph."""
    check_not_blank(path)
    check_zip(path, "DOCX")
    with zipfile.ZipFile(path) as zf:
        if "word/document.xml" not in zf.namelist():
            raise LoadError(path, "not a DOCX file (no word/document.xml)")
    import docx
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx surfaces lxml, KeyError and zip errors alike
        raise LoadError(path, f"corrupt DOCX ({type(exc).__name__}: {str(exc).lower()[:120]})") from None
    b = TextBuilder()
    title = ""
    try:
        core_title = (document.core_properties.title or "").strip()
    except Exception:  # noqa: BLE001 - a broken docProps/core.xml should not hide the body
        core_title = ""
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            table_blocks(b, _docx_rows(item))
            continue
        kind, level = _docx_paragraph_kind(item)
        added = b.add(item.text, kind, level=level)
        if added and level == 0 and kind == "heading" and not title:
            title = added
    yield file_document(path, b, core_title or title, {})


def _docx_paragraph_kind(paragraph: Any) -> tuple[BlockKind, int]:
    """(kind, level): ``Title`` style -> ("heading", 0), ``Heading N`` / outline level -> N."""
    style = paragraph.style
    seen = 0
    while style is not None and seen < 10:
        name = (style.name or "").strip()
        if name.lower() in ("title", "标题"):
            return "heading", 0
        m = _HEADING_STYLE.match(name)
        if m and int(m.group(1)) > 0:
            return "heading", int(m.group(1))
        outline = _outline_level(style.element)
        if outline is not None:
            return "heading", outline
        style = style.base_style
        seen += 1
    outline = _outline_level(paragraph._p)
    if outline is not None:
        return "heading", outline
    return "paragraph", 0


def _outline_level(element: Any) -> int | None:
    from docx.oxml.ns import qn

    ppr = element.find(qn("w:pPr"))
    lvl = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
    if lvl is None:
        return None
    try:
        value = int(lvl.get(qn("w:val")))
    except (TypeError, ValueError):
        return None
    # Level 9 means "body text" in Word.
    return value + 1 if 0 <= value < 9 else None


def _docx_rows(table: Any) -> Iterator[list[str]]:
    for row in table.rows:
        cells: list[str] = []
        last = None
        for cell in row.cells:
            # Merged cells are repeated once per grid column; keep each one once.
            if cell._tc is last:
                continue
            last = cell._tc
            cells.append(cell.text)
        yield cells
