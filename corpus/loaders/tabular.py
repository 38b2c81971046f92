"""Tabular files (``.csv``, ``.jsonl``, ``.xlsx``): one document per row, streamed.

Columns are chosen by a :class:`~policyscope.corpus.loaders.columns.ColumnMap` (guessed from the
header when not given); cells holding HTML are reduced to their visible text; a row with neither
text nor title is skipped. JSON Lines are read through the corpus's one reader,
:func:`~policyscope.corpus.jsonl.read_jsonl`.
"""

from __future__ import annotations

import contextlib
import csv
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from policyscope.corpus.errors import LoadError
from policyscope.corpus.jsonl import read_jsonl
from policyscope.corpus.jurisdictions import region_of, resolve_country
from policyscope.corpus.loaders.base import Progress, check_not_blank, check_zip
from policyscope.corpus.loaders.cells import as_record, cell_str, parse_date, parse_year
from policyscope.corpus.loaders.columns import ColumnMap, resolve_columns
from policyscope.corpus.loaders.encoding import sniff_file_encoding
from policyscope.corpus.loaders.html import strip_markup
from policyscope.corpus.normalize import normalize_text
from policyscope.corpus.records import Block, Document, content_id

logger = logging.getLogger(__name__)

#: Tabular loaders report progress every this many rows (and once at the end).
PROGRESS_EVERY = 100

_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def _row_document(
    path: Path, cmap: ColumnMap, get: Callable[[str], Any], row: int, unmapped: Counter[str]
) -> Document | None:
    """The document of one row (``get(column)`` reads a cell), or ``None`` for a row without text or title.

    The country cell may hold a code (``CL``, ``CHL``) or a name in en/zh/ja/ko (``Chile``, ``智利``,
    ``Korea, South``); codes are tried first (:func:`~policyscope.corpus.jurisdictions.resolve_country`).
    A value that names no country is counted in ``unmapped`` and kept in ``meta["country_raw"]``,
    never guessed.
    """

    def cell(key: str) -> Any:
        column = getattr(cmap, key)
        return get(column) if column else None

    text = strip_markup(cell_str(cell("text")))
    raw_title = strip_markup(cell_str(cell("title"))).replace("\n", " ")
    if not text:
        # A record with a title but no description is still a document researchers look for:
        # its title is its text. A row with neither is skipped.
        text = normalize_text(raw_title)
        if not text:
            return None
    country_cell = cell("country")
    country_rec = as_record(country_cell)
    country = _norm(cell_str(country_rec) if country_rec is not None else cell_str(country_cell))
    if country_rec is not None:  # a record may carry its code: {"name": "Chile", "iso": "CHL", ...}
        for key in ("iso", "iso3", "iso_code", "alpha_3", "alpha_2", "code"):
            if cell_str(country_rec.get(key)):
                country = _norm(cell_str(country_rec.get(key)))
                break
    region_cell = cell("region")
    region_rec = as_record(region_cell)
    region = cell_str(region_rec) if region_rec is not None else cell_str(region_cell)
    if not region and country_rec is not None:
        region = cell_str(country_rec.get("region"))
    code = resolve_country(country) if country else None
    if code is None and not country and region:
        code = resolve_country(region)  # a "region" column holding country codes (US, EU, JP)
    meta: dict[str, Any] = {}
    if country and code is None:
        meta["country_raw"] = country
        unmapped[country] += 1
    if region and resolve_country(region) is None:
        meta["source_region"] = _norm(region)  # a grouping of the source (a World Bank region), not ours
    date = parse_date(cell("date"))
    url = cell_str(cell("url"))
    if "<" in url:
        m = _HREF.search(url)
        url = m.group(1) if m else strip_markup(url)
    external_id = cell_str(cell("id"))
    return Document(
        id=content_id(raw_title, text),
        text=text,
        title=raw_title or f"{path.stem} #{row}",
        country=code or "",
        region=region_of(code or ""),
        date=date,
        year=parse_year(cell("year"), date),
        kind=_norm(cell_str(cell("kind"))),
        lang=_norm(cell_str(cell("lang"))).lower(),
        source=str(path),
        status="full",
        blocks=(Block("record", 0, len(text)),),
        meta={"external_id": external_id, "row": row, "url": url, **meta},
    )


def _norm(value: str) -> str:
    return normalize_text(value) if value else ""


def _rows_to_documents(
    path: Path,
    header: list[str],
    rows: Iterator[Callable[[str], Any]],
    columns: ColumnMap | None,
    progress: Progress | None,
) -> Iterator[Document]:
    cmap = resolve_columns(path, header, columns)
    done = skipped = 0
    unmapped: Counter[str] = Counter()
    for get in rows:
        done += 1
        doc = _row_document(path, cmap, get, done, unmapped)
        if doc is None:
            skipped += 1
        else:
            yield doc
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
    if progress is not None and done % PROGRESS_EVERY:
        progress(done)
    if skipped:
        logger.debug("%s: skipped %d of %d rows with empty text", path, skipped, done)
    if unmapped:
        values = ", ".join(f"{v!r} ({n})" for v, n in sorted(unmapped.items(), key=lambda x: (-x[1], x[0])))
        logger.warning(
            "%s: %d rows have a country that names no known country (left empty): %s",
            path, sum(unmapped.values()), values,
        )


def load_csv(path: Path, columns: ColumnMap | None, progress: Progress | None) -> Iterator[Document]:
    """One document per row; the delimiter (``,``, ``;`` or tab) is the commonest in the header line."""
    enc = sniff_file_encoding(path)
    # Policy texts in one cell easily exceed csv's default 128 KiB field limit.
    if csv.field_size_limit() < 64 * 2**20:
        csv.field_size_limit(64 * 2**20)
    try:
        with path.open("r", encoding=enc, newline="") as fh:
            first = fh.readline()
            delimiter = max(",;\t", key=first.count) if first.strip() else ","
            fh.seek(0)  # the utf-8-sig and utf-16 codecs skip the BOM again after a seek to 0
            reader = csv.reader(fh, delimiter=delimiter, strict=True)
            try:
                header = next(reader)
            except StopIteration:
                raise LoadError(path, "empty file") from None
            header = [normalize_text(h) for h in header]
            width = len(header)
            index: dict[str, int] = {}
            for i, h in enumerate(header):
                index.setdefault(h, i)

            def rows() -> Iterator[Callable[[str], Any]]:
                n = 0
                while True:
                    try:
                        cells = next(reader)
                    except StopIteration:
                        return
                    except csv.Error as exc:
                        raise LoadError(path, f"malformed csv at line {reader.line_num}: {exc}") from None
                    n += 1
                    if not any(c.strip() for c in cells):
                        continue
                    if len(cells) > width and any(c.strip() for c in cells[width:]):
                        raise LoadError(
                            path,
                            f"malformed csv at line {reader.line_num}: {len(cells)} fields, "
                            f"header has {width}",
                        )
                    yield lambda col, cells=cells: cells[index[col]] if index[col] < len(cells) else ""

            yield from _rows_to_documents(path, header, rows(), columns, progress)
    except UnicodeDecodeError as exc:
        raise LoadError(path, f"undecodable bytes: invalid {enc} ({exc.reason})") from None
    except csv.Error as exc:
        raise LoadError(path, f"malformed csv: {exc}") from None


def load_jsonl(path: Path, columns: ColumnMap | None, progress: Progress | None) -> Iterator[Document]:
    """One document per JSON object line; the first object's keys are the header.

    Lines are read by :func:`~policyscope.corpus.jsonl.read_jsonl`, so a bad line stops the file
    with its number: ``docs.jsonl: line 3: invalid json (expecting value)``.
    """
    check_not_blank(path)
    # closing(): the reader's file is closed as soon as this loader is, not when it is collected.
    with contextlib.closing(read_jsonl(path)) as records:
        try:
            _, first = next(records)
        except StopIteration:
            raise LoadError(path, "empty file") from None

        def rows() -> Iterator[Callable[[str], Any]]:
            yield first.get
            for _, obj in records:
                yield obj.get

        yield from _rows_to_documents(path, list(first), rows(), columns, progress)


def load_xlsx(path: Path, columns: ColumnMap | None, progress: Progress | None) -> Iterator[Document]:
    """One document per row of the first sheet; the first non-empty row is the header."""
    check_not_blank(path)
    check_zip(path, "XLSX")
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises KeyError/InvalidFileException/lxml errors
        raise LoadError(
            path, f"not a readable xlsx workbook ({type(exc).__name__}: {str(exc).lower()[:120]})"
        ) from None
    try:
        if not wb.worksheets:
            raise LoadError(path, "workbook has no sheets")
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header: list[str] | None = None
        for values in it:
            if any(v not in (None, "") for v in values):
                header = [normalize_text(cell_str(v)) for v in values]
                break
        if header is None:
            raise LoadError(path, "empty workbook (no header row in the first sheet)")
        index: dict[str, int] = {}
        for i, h in enumerate(header):
            if h:
                index.setdefault(h, i)

        def rows() -> Iterator[Callable[[str], Any]]:
            for values in it:
                if not any(v not in (None, "") for v in values):
                    continue
                yield lambda col, values=values: values[index[col]] if index[col] < len(values) else None

        yield from _rows_to_documents(path, header, rows(), columns, progress)
    except SyntaxError as exc:  # xml.etree's ParseError and lxml's XMLSyntaxError both derive from it
        raise LoadError(path, f"malformed xlsx: sheet xml is not well-formed ({str(exc).lower()[:120]})") from None
    finally:
        wb.close()
