"""Tabular files (``.csv``, ``.jsonl``, ``.xlsx``): one document per row, streamed.

Columns are chosen by a :class:`~policyscope.corpus.loaders.columns.ColumnMap` (guessed from the
header when not given); cells holding HTML are reduced to their visible text; a row with neither
text nor title is skipped. A row that cannot be read (invalid JSON, a malformed CSV record, an
undecodable line) is skipped and reported with its line in one warning per file, or, with
``strict``, refuses the file. JSON Lines are read through the corpus's one reader,
:func:`~policyscope.corpus.jsonl.iter_jsonl`.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from policyscope.corpus.errors import LoadError
from policyscope.corpus.jsonl import iter_jsonl
from policyscope.corpus.jurisdictions import region_of, resolve_country
from policyscope.corpus.loaders.base import Progress, check_not_blank, check_zip
from policyscope.corpus.loaders.cells import as_record, cell_str, parse_date, parse_year
from policyscope.corpus.loaders.columns import ColumnMap, resolve_columns
from policyscope.corpus.loaders.encoding import (
    LineDecoder,
    ascii_compatible,
    sniff_file_encoding,
    warn_mixed_lines,
)
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


@dataclass(frozen=True)
class Row:
    """One data row of a tabular file, read or not.

    ``where`` locates it for messages (``"line 7"`` in CSV and JSONL, ``"row 7"`` in XLSX);
    ``get(column)`` reads a cell; a row that could not be read has ``get=None`` and a ``problem``
    such as ``"invalid json (expecting value)"``.
    """

    where: str
    get: Callable[[str], Any] | None = None
    problem: str = ""


#: A warning about skipped rows quotes this many of them, then counts the rest.
SHOWN_BAD_ROWS = 5


def _rows_to_documents(
    path: Path,
    header: list[str],
    rows: Iterator[Row],
    columns: ColumnMap | None,
    progress: Progress | None,
    strict: bool,
) -> Iterator[Document]:
    """The documents of ``rows``; bad rows are skipped and reported in one warning, or refuse the file.

    A bad row is one that could not be read (``Row.problem``) or whose cells break the document
    builder. With ``strict`` the first bad row raises; otherwise every good row is yielded and
    one warning lists the skipped rows: ``docs.jsonl: skipped 1 bad row of 100: line 50: invalid
    json (expecting value)``. A file whose rows are all bad is refused with the first problem.
    """
    cmap = resolve_columns(path, header, columns)
    done = skipped = yielded = bad_count = 0
    bad: list[Row] = []  # the first SHOWN_BAD_ROWS only: a file of a million bad rows stays small
    unmapped: Counter[str] = Counter()
    for row in rows:
        done += 1
        doc = None
        problem = row.problem
        if row.get is not None:
            try:
                doc = _row_document(path, cmap, row.get, done, unmapped)
            except LoadError:
                raise
            except RecursionError:
                problem = "data nested too deeply"
            except Exception as exc:  # noqa: BLE001 - one odd row must not cost the others
                detail = (str(exc).strip().splitlines() or [""])[0][:120]
                problem = f"unreadable row ({type(exc).__name__}: {detail})"
        if problem:
            if strict:
                raise LoadError(path, f"{row.where}: {problem}; --strict refuses the whole file")
            logger.debug("%s: %s: %s (skipped)", path, row.where, problem)
            bad_count += 1
            if len(bad) < SHOWN_BAD_ROWS:
                bad.append(Row(row.where, problem=problem))
        elif doc is None:
            skipped += 1
        else:
            yielded += 1
            yield doc
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
    if progress is not None and done % PROGRESS_EVERY:
        progress(done)
    if skipped:
        logger.debug("%s: skipped %d of %d rows with empty text", path, skipped, done)
    if bad_count:
        if not yielded:
            raise _all_bad(path, bad[0], bad_count)
        shown = "; ".join(f"{r.where}: {r.problem}" for r in bad)
        more = f"; and {bad_count - len(bad)} more" if bad_count > len(bad) else ""
        logger.warning("%s: skipped %s of %d: %s%s", path, _rows(bad_count), done, shown, more)
    if unmapped:
        values = ", ".join(f"{v!r} ({n})" for v, n in sorted(unmapped.items(), key=lambda x: (-x[1], x[0])))
        logger.warning(
            "%s: %d rows have a country that names no known country (left empty): %s",
            path,
            sum(unmapped.values()),
            values,
        )


def _rows(n: int) -> str:
    return f"{n} bad row{'s' if n != 1 else ''}"


def _all_bad(path: Path, first: Row, count: int) -> LoadError:
    """The refusal of a file none of whose rows could be read: its first problem, and how many more."""
    n = count - 1
    more = f" (and {n} more bad row{'s' if n != 1 else ''})" if n else ""
    return LoadError(path, f"{first.where}: {first.problem}{more}")


def load_csv(
    path: Path, columns: ColumnMap | None, progress: Progress | None, *, strict: bool = False
) -> Iterator[Document]:
    """One document per record; a malformed record or undecodable line is a bad row (see ``strict``).

    The delimiter (``,``, ``;``, tab or ``|``) is found by :func:`sniff_delimiter`. Bytes are
    decoded in blocks of whole lines (any codec but UTF-16) and a block that fails line by line,
    so one undecodable line costs its own record, not the file; records may span lines (a quoted
    cell with newlines), so a record's ``where`` is the line it starts on.
    """
    enc = sniff_file_encoding(path)
    # Policy texts in one cell easily exceed csv's default 128 KiB field limit.
    if csv.field_size_limit() < 64 * 2**20:
        csv.field_size_limit(64 * 2**20)
    decoder = LineDecoder(enc) if ascii_compatible(enc) else None
    try:
        with path.open("rb") if decoder else path.open("r", encoding=enc, newline="") as fh:
            lines: Iterator[str] = _decoded_lines(fh, decoder) if decoder else iter(fh)
            head = _head_lines(lines)
            reader = csv.reader(itertools.chain(head, lines), delimiter=sniff_delimiter(head), strict=True)
            try:
                header = next(reader)
            except StopIteration:
                raise LoadError(path, "empty file") from None
            problem = decoder.take(reader.line_num) if decoder else ""
            if problem:
                raise LoadError(path, f"line 1: {problem} (the header)")
            header = [normalize_text(h) for h in header]
            width = len(header)
            index: dict[str, int] = {}
            for i, h in enumerate(header):
                index.setdefault(h, i)

            def rows() -> Iterator[Row]:
                while True:
                    start = reader.line_num + 1
                    try:
                        cells = next(reader)
                    except StopIteration:
                        return
                    except csv.Error as exc:
                        if decoder:
                            decoder.take(reader.line_num)
                        yield Row(f"line {start}", problem=f"malformed csv ({exc})")
                        continue
                    problem = decoder.take(reader.line_num) if decoder else ""
                    if problem:
                        yield Row(f"line {start}", problem=problem)
                        continue
                    if not any(c.strip() for c in cells):
                        continue
                    if len(cells) > width and any(c.strip() for c in cells[width:]):
                        yield Row(
                            f"line {start}",
                            problem=f"malformed csv ({len(cells)} fields, header has {width})",
                        )
                        continue
                    yield Row(
                        f"line {start}",
                        lambda col, cells=cells: cells[index[col]] if index[col] < len(cells) else "",
                    )

            yield from _rows_to_documents(path, header, rows(), columns, progress, strict)
            if decoder:
                warn_mixed_lines(path, enc, decoder.mixed_lines)
    except UnicodeDecodeError as exc:
        raise LoadError(path, f"undecodable bytes: invalid {enc} ({exc.reason})") from None
    except csv.Error as exc:
        raise LoadError(path, f"malformed csv: {exc}") from None


#: The delimiters a CSV file may use.
DELIMITERS = ",;\t|"
#: The first lines of a CSV file, up to this many characters (at least the header), are sniffed.
SNIFF_CHARS = 64 * 1024
_SNIFF_LINES = 20


def _head_lines(lines: Iterator[str]) -> list[str]:
    """The header line and the next few, up to ``SNIFF_CHARS`` characters, taken from ``lines``."""
    head: list[str] = []
    size = 0
    for line in lines:
        head.append(line)
        size += len(line)
        if size >= SNIFF_CHARS or len(head) >= _SNIFF_LINES:
            break
    return head


def sniff_delimiter(head: list[str]) -> str:
    """The delimiter of a CSV file from its first lines: ``csv.Sniffer`` over ``,;\\t|``.

    The sniffer looks at quoting and at which character splits every line into as many fields:
    for the header ``id;text;"Title, English, long"`` it answers ``;`` where counting characters
    in the header says ``,``. When it cannot decide, or answers a character the header does not
    contain (a one-column file whose cells hold semicolons), the commonest delimiter of the header
    line is used, ``,`` when there is none.
    """
    header = head[0] if head else ""
    fallback = max(DELIMITERS, key=header.count)  # ties, including "none at all", go to ","
    if not header.strip():
        return ","
    try:
        found = csv.Sniffer().sniff("".join(head), delimiters=DELIMITERS).delimiter
    except csv.Error:
        return fallback
    return found if found in header else fallback


#: CSV bytes are decoded this many at a time (cut after a newline); a block that does not decode
#: is decoded again line by line, so only its bad lines are lost.
DECODE_BLOCK = 1024 * 1024


def _decoded_lines(fh: BinaryIO, decoder: LineDecoder) -> Iterator[str]:
    """The lines of a binary file as text, split and numbered as ``csv.reader`` counts them.

    Lines end at ``\\n``, ``\\r\\n`` or a bare ``\\r`` (old Mac files), as in text mode with
    ``newline=""``. Blocks of whole lines are decoded at once and split by ``io.StringIO``: per
    line in Python, a million-row CSV took ~15% more time.
    """
    n = 0
    rest = b""
    while True:
        chunk = fh.read(DECODE_BLOCK)
        block = rest + chunk
        if chunk:
            cut = block.rfind(b"\n") + 1
            if not cut:  # one line longer than a block: read on
                rest = block
                continue
            block, rest = block[:cut], block[cut:]
        elif not block:
            return
        text = decoder.block(block, n + 1)
        if text is not None:
            lines = io.StringIO(text, newline="").readlines()
            n += len(lines)
            yield from lines
        else:
            for raw in block.splitlines(keepends=True):
                n += 1
                yield decoder(raw, n)
        if not chunk:
            return


def load_jsonl(
    path: Path, columns: ColumnMap | None, progress: Progress | None, *, strict: bool = False
) -> Iterator[Document]:
    """One document per JSON object line; the first object's keys are the header.

    Lines are read by :func:`~policyscope.corpus.jsonl.iter_jsonl`: a bad line (invalid JSON, not
    an object, undecodable, nested too deeply) is a bad row named by its line number, e.g.
    ``line 3: invalid json (expecting value)``; see ``strict``.
    """
    check_not_blank(path)
    # closing(): the reader's file is closed as soon as this loader is, not when it is collected.
    with contextlib.closing(iter_jsonl(path)) as lines:
        leading: list[Row] = []  # bad lines before the first object (which gives the header)
        first = None
        for line in lines:
            if line.obj is not None:
                first = line
                break
            leading.append(Row(f"line {line.lineno}", problem=line.problem))
            if strict:
                break
        if first is None:
            if leading and strict:
                raise LoadError(
                    path, f"{leading[0].where}: {leading[0].problem}; --strict refuses the whole file"
                )
            raise _all_bad(path, leading[0], len(leading)) if leading else LoadError(path, "empty file")
        header = list(first.obj)

        def rows() -> Iterator[Row]:
            yield from leading
            yield Row(f"line {first.lineno}", first.obj.get)
            for line in lines:
                if line.obj is None:
                    yield Row(f"line {line.lineno}", problem=line.problem)
                else:
                    yield Row(f"line {line.lineno}", line.obj.get)

        yield from _rows_to_documents(path, header, rows(), columns, progress, strict)


def load_xlsx(
    path: Path, columns: ColumnMap | None, progress: Progress | None, *, strict: bool = False
) -> Iterator[Document]:
    """One document per row of the first sheet; the first non-empty row is the header.

    The sheet is one XML stream: malformed XML refuses the whole file (rows after the break
    cannot be found). A row whose cells break the document builder is a bad row (see ``strict``).
    """
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
        it = enumerate(ws.iter_rows(values_only=True), start=1)
        header: list[str] | None = None
        for _, values in it:
            if any(v not in (None, "") for v in values):
                header = [normalize_text(cell_str(v)) for v in values]
                break
        if header is None:
            raise LoadError(path, "empty workbook (no header row in the first sheet)")
        index: dict[str, int] = {}
        for i, h in enumerate(header):
            if h:
                index.setdefault(h, i)

        def rows() -> Iterator[Row]:
            for number, values in it:
                if not any(v not in (None, "") for v in values):
                    continue
                yield Row(
                    f"row {number}",
                    lambda col, values=values: values[index[col]] if index[col] < len(values) else None,
                )

        yield from _rows_to_documents(path, header, rows(), columns, progress, strict)
    except SyntaxError as exc:  # xml.etree's ParseError and lxml's XMLSyntaxError both derive from it
        raise LoadError(
            path, f"malformed xlsx: sheet xml is not well-formed ({str(exc).lower()[:120]})"
        ) from None
    finally:
        wb.close()


def load_records(
    records: Iterable[Mapping[str, Any]], name: str, columns: ColumnMap | None = None,
    progress: Progress | None = None, *, strict: bool = False,
) -> Iterator[Document]:
    """One document per in-memory record (a DataFrame's rows as dicts), read like the lines of a JSONL file.

    ``name`` stands in for the file name: documents record it as their ``source`` and errors start with it;
    a record is named by its position (``record 3``) in the skipped-rows warning.
    """
    rows = iter(records)
    try:
        first = next(rows)
    except StopIteration:
        raise LoadError(Path(name), "no records") from None

    def numbered() -> Iterator[Row]:
        yield Row("record 1", first.get)
        for i, row in enumerate(rows, start=2):
            yield Row(f"record {i}", row.get)

    yield from _rows_to_documents(Path(name), [str(c) for c in first], numbered(), columns, progress, strict)
