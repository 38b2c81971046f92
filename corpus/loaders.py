"""File loaders: turn a path into ``Document`` records.

One entry point, :func:`load_path`, dispatches on the file extension:

* text (``.txt``, ``.md``): encoding detection (BOMs, UTF-16 without BOM, UTF-8, GB18030, Big5),
  one block per line (plain text) or per paragraph (Markdown), numbered headings recognised;
* ``.pdf`` (pypdfium2): text per page, wrapped lines joined into paragraphs, page numbers on blocks;
* ``.html``/``.htm`` (trafilatura): main content only, headings and tables kept as blocks;
* ``.docx`` (python-docx): paragraphs, ``Heading N`` styles and tables, after a zip-bomb check;
* tabular ``.csv``, ``.jsonl``, ``.xlsx``: one document per row, streamed, columns chosen by a
  :class:`ColumnMap`.

Every bad input raises :class:`~policyscope.corpus.errors.LoadError` whose message starts with the
path and names the problem in one lowercase line, e.g. ``scan.pdf: no text layer (scanned PDF?); ...``.
Text is passed through :func:`~policyscope.corpus.normalize.normalize_text` before blocks are cut,
so block offsets always point into ``Document.text`` as stored.
"""

from __future__ import annotations

import ast
import codecs
import csv
import datetime as _dt
import json
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from policyscope.corpus.errors import LoadError
from policyscope.corpus.normalize import normalize_text
from policyscope.corpus.records import Block, BlockKind, Document, content_id

logger = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS: tuple[str, ...] = (
    ".txt",
    ".md",
    ".pdf",
    ".html",
    ".htm",
    ".docx",
    ".csv",
    ".jsonl",
    ".xlsx",
)

#: Zip containers (DOCX, XLSX) are refused above this declared uncompressed size ...
MAX_ZIP_UNCOMPRESSED = 200 * 1024 * 1024
#: ... or when a member larger than ``ZIP_RATIO_MIN_SIZE`` expands more than this many times.
#: Real Office XML compresses 5-20x; a zip bomb compresses 1000x.
MAX_ZIP_RATIO = 100
ZIP_RATIO_MIN_SIZE = 1024 * 1024
#: Tabular loaders report progress every this many rows (and once at the end).
PROGRESS_EVERY = 100

_SAMPLE = 64 * 1024
# A heading never ends with these; a PDF line ending with one of _PARA_END closes a paragraph.
_SENTENCE_END = tuple("。！？；：.!?;:，,、")
_PARA_END = tuple("。！？；：.!?;:")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")

Progress = Callable[[int], None]


# --------------------------------------------------------------------------------------------
# public entry point


def load_path(
    path: str | Path,
    columns: ColumnMap | None = None,
    progress: Progress | None = None,
) -> Iterator[Document]:
    """Load one file into documents.

    The path and extension are checked at call time; the file is parsed lazily as the returned
    iterator is consumed, so a huge CSV is streamed row by row.

    Args:
        path: The file to load.
        columns: Column mapping for tabular files (``.csv``, ``.jsonl``, ``.xlsx``); guessed from
            the header with :meth:`ColumnMap.guess` when omitted. Ignored for other files.
        progress: Called for tabular files with the cumulative number of rows read (including
            skipped rows), every ``PROGRESS_EVERY`` rows and once at the end.

    Returns:
        An iterator of documents: one per file, or one per row for tabular files.

    Raises:
        LoadError: The path is missing, a directory, unreadable or of an unsupported type
            (raised immediately), or its content is bad (raised while iterating).
    """
    p = Path(path)
    ext = p.suffix.lower()
    # Path problems first: a folder or a typo is not an "unsupported file type".
    if not p.exists():
        raise LoadError(p, "no such file")
    if p.is_dir():
        raise LoadError(p, "is a directory, not a file")
    if ext not in SUPPORTED_EXTENSIONS:
        shown = f"'{ext}'" if ext else "(no extension)"
        raise LoadError(p, f"unsupported file type {shown}; supported: {', '.join(SUPPORTED_EXTENSIONS)}")
    try:
        with p.open("rb"):
            pass
    except OSError as exc:
        raise LoadError(p, f"cannot read file ({_os_reason(exc)})") from None
    return _LOADERS[ext](p, columns, progress)


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def _check_not_blank(path: Path) -> None:
    """Reject empty and whitespace-only files without reading a large file into memory."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(_SAMPLE)
    except OSError as exc:
        raise LoadError(path, f"cannot read file ({_os_reason(exc)})") from None
    if size == 0:
        raise LoadError(path, "empty file")
    if size <= _SAMPLE and not head.strip():
        raise LoadError(path, "file contains only whitespace")


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(path, f"cannot read file ({_os_reason(exc)})") from None
    if not data.strip():
        raise LoadError(path, "empty file" if not data else "file contains only whitespace")
    return data


# --------------------------------------------------------------------------------------------
# encoding detection


class UndecodableError(ValueError):
    """Bytes that are not text in any supported encoding; the message is a lowercase problem."""


# charset-normalizer ranks Korean/Japanese codecs first on very short Chinese samples; in a
# Chinese/English corpus a Chinese reading of the same bytes is far more likely.
_CHINESE_CODECS = ("gb18030", "big5", "big5hkscs", "cp950")
_PREFERRED_CODECS = ("gb18030", "big5", "cp1252", "latin_1")
_OTHER_EAST_ASIAN = (
    "cp949",
    "euc_kr",
    "johab",
    "cp932",
    "shift_jis",
    "shift_jis_2004",
    "euc_jp",
    "euc_jis_2004",
    "utf_16_be",
    "utf_16_le",
    "utf_16",
)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode text bytes, detecting the encoding.

    Order: byte-order marks (UTF-8, UTF-16 LE/BE); NUL bytes mean UTF-16 without BOM (the byte
    order chosen by which positions hold the NULs of ASCII characters) or else binary data;
    strict UTF-8; then charset-normalizer (GB18030 for GB2312/GBK, Big5, ...).

    Args:
        data: The raw bytes.

    Returns:
        ``(text, encoding)``, e.g. ``("二是 电池", "gb18030")``. Encoding names are Python codec
        names: ``utf-8``, ``utf-8-sig``, ``utf-16-le``, ``utf-16-be``, ``gb18030``, ``big5``, ...

    Raises:
        UndecodableError: Binary data or bytes no supported encoding can decode.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data, "utf-8-sig", "utf-8-sig"), "utf-8-sig"
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return _strict(data[len(bom) :], enc, enc), enc
    if b"\x00" in data:
        return _decode_with_stray_nuls(data) or _decode_utf16_guess(data)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        enc = _guess_codec(data)
    except UndecodableError:
        mixed = _decode_mixed_lines(data)
        if mixed is None:
            raise
        return mixed
    text = _strict(data, enc, enc)
    if not _looks_like_text(text):
        raise UndecodableError(f"binary data, not text (decodes as {enc} to control characters)")
    return text, enc


def _strict(data: bytes, enc: str, label: str) -> str:
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        raise UndecodableError(f"undecodable bytes: invalid {label} at byte {exc.start}") from None


def _decode_utf16_guess(data: bytes) -> tuple[str, str]:
    sample = data[:_SAMPLE]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    # ASCII in UTF-16 LE is "x\0": NULs at odd positions; BE puts them at even positions.
    order = ("utf-16-le", "utf-16-be") if odd >= even else ("utf-16-be", "utf-16-le")
    if len(data) % 2 == 0:
        for enc in order:
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _looks_like_text(text):
                return text, enc
    raise UndecodableError("binary data (nul bytes), not text")


def _decode_with_stray_nuls(data: bytes) -> tuple[str, str] | None:
    """UTF-8 text with a few stray NUL bytes (fixed-width exports, C tools), NULs dropped.

    UTF-16 has a NUL in every ASCII character (about half its bytes in English text) and its CJK
    byte pairs are almost never valid UTF-8, so a file whose NULs are under 10% of its bytes and
    whose other bytes are UTF-8 text is not UTF-16.
    """
    if data.count(0) > 0.1 * len(data):
        return None
    try:
        text = data.replace(b"\x00", b"").decode("utf-8")
    except UnicodeDecodeError:
        return None
    return (text, "utf-8") if _looks_like_text(text) else None


def _decode_mixed_lines(data: bytes) -> tuple[str, str] | None:
    """A UTF-8 file with some lines pasted in one Chinese legacy codec, decoded line by line.

    Files concatenated from two sources (a UTF-8 export plus a GB18030 page) defeat whole-file
    detection. Accepted only when some line is non-ASCII UTF-8 (so UTF-8 is really in use) and
    every other line decodes strictly in the single Chinese codec detected on those lines;
    encoding is reported as e.g. ``"utf-8+gb18030"``.
    """
    lines = data.splitlines(keepends=True)
    utf8_used = False
    bad: list[int] = []
    for i, line in enumerate(lines):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(i)
        else:
            utf8_used = utf8_used or not line.isascii()
    if not utf8_used or not bad:
        return None
    try:
        enc = _guess_codec(b"".join(lines[i] for i in bad))
    except UndecodableError:
        return None
    if enc not in _CHINESE_CODECS:
        return None
    try:
        text = "".join(line.decode(enc if i in set(bad) else "utf-8") for i, line in enumerate(lines))
    except UnicodeDecodeError:
        return None
    return (text, f"utf-8+{enc}") if _looks_like_text(text) else None


def _looks_like_text(text: str) -> bool:
    """True when at most 2% of a sample are control, private-use or unassigned characters."""
    sample = text[:20000]
    if not sample or "\x00" in sample:
        return False
    bad = 0
    for ch in sample:
        if ch in "\n\r\t\f":
            continue
        if unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs"):
            bad += 1
    return bad <= 0.02 * len(sample)


def _guess_codec(data: bytes) -> str:
    from charset_normalizer import from_bytes

    results = list(from_bytes(data))
    if not results:
        raise UndecodableError("undecodable bytes: not utf-8, utf-16, gb18030 or big5 text")
    best = results[0]
    # Equally good readings are common for short text (cp1250/cp1252/cp1257 for "café"); pick the
    # codec most likely in a Chinese/English corpus.
    tied = [
        _codec_name(r.encoding) for r in results if (r.chaos, r.coherence) == (best.chaos, best.coherence)
    ]
    chosen = next((n for n in _PREFERRED_CODECS if n in tied), tied[0])
    if chosen in _OTHER_EAST_ASIAN:
        names = [_codec_name(r.encoding) for r in results]
        chosen = next((n for n in names if n in _CHINESE_CODECS), chosen)
    return chosen


def _codec_name(enc: str) -> str:
    name = codecs.lookup(enc).name
    # GB18030 is a superset of GB2312 and GBK: decode with it so rare characters survive.
    return "gb18030" if name in ("gb2312", "gbk") else name.replace("-", "_")


def _decode_file(path: Path, data: bytes) -> tuple[str, str]:
    try:
        text, enc = decode_bytes(data)
    except UndecodableError as exc:
        raise LoadError(path, str(exc)) from None
    return text, enc.replace("_", "-")


# --------------------------------------------------------------------------------------------
# building text and blocks together


class _Builder:
    """Accumulates normalised pieces of text and the blocks that span them.

    Each piece is normalised on its own and pieces are joined with newlines, so the joined text is
    itself normalised and every block span is exact: ``text[b.start:b.end] == piece``.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._len = 0
        self.blocks: list[Block] = []

    def add(
        self,
        piece: str,
        kind: BlockKind = "paragraph",
        *,
        level: int = 0,
        page: int | None = None,
        context: str = "",
        sep: str = "\n",
    ) -> str:
        piece = normalize_text(piece)
        if not piece:
            return ""
        if self._parts:
            self._parts.append(sep)
            self._len += len(sep)
        start = self._len
        self._parts.append(piece)
        self._len += len(piece)
        self.blocks.append(Block(kind, start, self._len, level=level, page=page, context=context))
        return piece

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def first(self, kind: BlockKind) -> str:
        text = self.text
        return next((text[b.start : b.end] for b in self.blocks if b.kind == kind), "")


def _file_document(path: Path, builder: _Builder, title: str, meta: dict[str, Any]) -> Document:
    text = builder.text
    if not text:
        raise LoadError(path, "no text found in file")
    title = normalize_text(title).replace("\n", " ") or builder.first("heading") or path.stem
    return _full_text(path, text, title, builder.blocks, meta)


def _full_text(path: Path, text: str, title: str, blocks: Sequence[Block], meta: dict[str, Any]) -> Document:
    """A document read from a file: id from its text; language is detected later, per passage."""
    return Document(
        id=content_id(text), text=text, title=title, source=str(path), lang="", status="full",
        blocks=tuple(blocks), meta=meta,
    )


# --------------------------------------------------------------------------------------------
# headings in plain text

_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)(?:\.|、|\s)\s*(\S.*)$")
_CN_NUM = "一二三四五六七八九十百零〇"
_CN_CHAPTER = re.compile(rf"^第[{_CN_NUM}\d]+([章节編编部分篇])\s*(.*)$")
_CN_LIST = re.compile(rf"^[{_CN_NUM}]+、\s*(\S.*)$")
_CN_PAREN = re.compile(rf"^[（(][{_CN_NUM}]+[）)]\s*(\S.*)$")
_MAX_HEADING = 60


def heading_level(line: str) -> int:
    """Return the heading level of a numbered heading line, or 0 for an ordinary line.

    A heading is short (at most 60 characters), does not end with sentence punctuation and starts
    with a section number: ``"2.1 确保原材料供应安全"`` -> 2, ``"1  国际电池供应链发展态势"`` -> 1,
    ``"3. Findings"`` -> 1, ``"第一章 总则"`` -> 1, ``"一、总体要求"`` -> 1, ``"（一）基本原则"`` -> 2.
    Years (``"2020 年度报告"``) and plain numbers (``"3.5"``) are not headings.
    """
    line = line.strip()
    if not line or len(line) > _MAX_HEADING or line.endswith(_SENTENCE_END):
        return 0
    m = _NUMBERED.match(line)
    if m:
        rest = m.group(2)
        if not re.match(r"[^\W\d_]", rest) or rest.startswith(("年", "月", "日", "%")):
            return 0
        return m.group(1).count(".") + 1
    m = _CN_CHAPTER.match(line)
    if m:
        return 2 if m.group(1) == "节" else 1
    if _CN_LIST.match(line):
        return 1
    if _CN_PAREN.match(line):
        return 2
    return 0


def _short_title(line: str) -> str:
    line = line.strip()
    if line and len(line) <= 120 and not line.endswith(_SENTENCE_END):
        return line
    return ""


# --------------------------------------------------------------------------------------------
# text and markdown


def _load_text(path: Path, columns: ColumnMap | None, progress: Progress | None) -> Iterator[Document]:
    data = _read_bytes(path)
    raw, enc = _decode_file(path, data)
    # The generator frame stays alive while the caller stores the document: drop the raw bytes
    # and the undecoded copy now (about twice the file size for a large file).
    del data
    text = normalize_text(raw)
    del raw
    if not text:
        raise LoadError(path, "file contains only whitespace")
    blocks: list[Block] = []
    pos = 0
    for line in text.split("\n"):
        if line:
            level = heading_level(line)
            kind: BlockKind = "heading" if level else "paragraph"
            blocks.append(Block(kind, pos, pos + len(line), level=level))
        pos += len(line) + 1
    first_line = text.split("\n", 1)[0]
    heading = next((text[b.start : b.end] for b in blocks if b.kind == "heading"), "")
    # A short first line is the title of most policy texts; numbered headings come after it.
    title = _short_title(first_line) or heading or path.stem
    yield _full_text(path, text, title, blocks, {"encoding": enc})


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_FENCE = re.compile(r"^(```|~~~)")


def _load_markdown(path: Path, columns: ColumnMap | None, progress: Progress | None) -> Iterator[Document]:
    data = _read_bytes(path)
    raw, enc = _decode_file(path, data)
    text = normalize_text(raw)
    if not text:
        raise LoadError(path, "file contains only whitespace")
    b = _Builder()
    para: list[str] = []
    in_fence = False

    def flush() -> None:
        if para:
            b.add("\n".join(para))
            para.clear()

    for line in text.split("\n"):
        if _MD_FENCE.match(line):
            in_fence = not in_fence
            flush()
            continue
        m = None if in_fence else _MD_HEADING.match(line)
        if m:
            flush()
            b.add(m.group(2), "heading", level=len(m.group(1)))
        elif not line.strip():
            flush()
        else:
            para.append(line)
    flush()
    yield _file_document(path, b, "", {"encoding": enc})


# --------------------------------------------------------------------------------------------
# PDF


def _load_pdf(path: Path, columns: ColumnMap | None, progress: Progress | None) -> Iterator[Document]:
    import pypdfium2 as pdfium

    data = _read_bytes(path)
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
        b = _Builder()
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
    title = meta_title or _short_title(normalize_text(first_line))
    yield _file_document(path, b, title, {"pages": n_pages})


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


# --------------------------------------------------------------------------------------------
# HTML

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _decode_html(path: Path, data: bytes) -> tuple[str, str]:
    m = _META_CHARSET.search(data[:4096])
    if m and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            enc = codecs.lookup(m.group(1).decode("ascii")).name
            enc = "gb18030" if enc in ("gb2312", "gbk") else enc
            return data.decode(enc), enc
        except (LookupError, UnicodeDecodeError):
            pass
    return _decode_file(path, data)


def _load_html(path: Path, columns: ColumnMap | None, progress: Progress | None) -> Iterator[Document]:
    data = _read_bytes(path)
    html, enc = _decode_html(path, data)
    b = _Builder()
    title = ""
    try:
        import trafilatura

        xml = trafilatura.extract(
            html,
            output_format="xml",
            with_metadata=True,
            include_tables=True,
            include_comments=False,
            include_images=False,
            favor_recall=True,
        )
    except Exception as exc:  # noqa: BLE001 - trafilatura raises assorted lxml/parser errors on broken markup
        logger.debug("trafilatura failed on %s: %s", path, exc)
        xml = None
    if xml:
        title = _blocks_from_trafilatura(xml, b)
    if not b.blocks:
        # Tiny pages fall below trafilatura's minimum size; strip tags ourselves.
        text = html_to_text(html)
        for line in text.split("\n"):
            b.add(line)
    if not title:
        m = re.search(r"<title[^>]*>(.*?)</title>", html, re.IGNORECASE | re.DOTALL)
        title = html_to_text(m.group(1)) if m else ""
    if not b.blocks:
        raise LoadError(path, "no visible text in HTML page")
    yield _file_document(path, b, title, {"encoding": enc})


def _blocks_from_trafilatura(xml: str, b: _Builder) -> str:
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return ""
    main = root.find("main")
    if main is None:
        main = root

    def text_of(el: ET.Element, keep_lines: bool = False) -> str:
        parts: list[str] = []

        def collect(e: ET.Element) -> None:
            parts.append(e.text or "")
            for c in e:
                if c.tag == "lb":
                    parts.append("\n")
                else:
                    collect(c)
                parts.append(c.tail or "")

        collect(el)
        text = "".join(parts)
        return text if keep_lines else " ".join(text.split())

    def walk(el: ET.Element) -> None:
        for child in el:
            tag = child.tag
            if tag == "head":
                rend = child.get("rend", "h2")
                level = int(rend[1]) if re.fullmatch(r"h[1-6]", rend) else 2
                b.add(text_of(child), "heading", level=level)
            elif tag in ("p", "item", "quote", "code"):
                b.add(text_of(child, keep_lines=True))
            elif tag == "table":
                _table_blocks(
                    b,
                    ([text_of(c) for c in row.findall("cell")] for row in child.findall("row")),
                )
            elif tag in ("list", "div", "main", "section"):
                walk(child)

    walk(main)
    return (root.get("title") or "").strip()


def _table_blocks(b: _Builder, rows: Iterable[list[str]]) -> None:
    header = ""
    for cells in rows:
        line = " | ".join(" ".join(c.split()) for c in cells)
        if not line.replace("|", "").strip():
            continue
        if not header:
            header = b.add(line, "table_header")
        else:
            b.add(line, "table_row", context=header)


_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe", "object"})
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "table",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "hr",
        "dt",
        "dd",
        "header",
        "footer",
        "title",
    }
)
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment: tags dropped, entities decoded, script/style removed.

    Block elements (``<p>``, ``<br>``, ``<li>`` ...) become line breaks, e.g.
    ``"<div>A&nbsp;<br><br>B<script>x()</script></div>"`` -> ``"A\\n\\nB"``. The result is normalised.
    """
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return normalize_text("".join(parser.parts))


def _strip_markup(value: str) -> str:
    if not value:  # most optional cells are empty; a million-row file calls this millions of times
        return ""
    return html_to_text(value) if _MARKUP.search(value) else normalize_text(value)


# --------------------------------------------------------------------------------------------
# zip containers (DOCX, XLSX)


def _check_zip(path: Path, what: str) -> None:
    """Refuse zip bombs from the central directory, before any member is decompressed."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise LoadError(path, f"not a {what} file (not a zip archive)") from None
    total = sum(i.file_size for i in infos)
    if total > MAX_ZIP_UNCOMPRESSED:
        raise LoadError(
            path,
            f"refusing suspected zip bomb: declared uncompressed size {total / 2**20:.0f} MB "
            f"exceeds {MAX_ZIP_UNCOMPRESSED / 2**20:.0f} MB",
        )
    for info in infos:
        if info.file_size >= ZIP_RATIO_MIN_SIZE:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_ZIP_RATIO:
                raise LoadError(
                    path,
                    f"refusing suspected zip bomb: member {info.filename} expands {ratio:.0f}x "
                    f"(limit {MAX_ZIP_RATIO}x)",
                )


# --------------------------------------------------------------------------------------------
# DOCX

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)


def _load_docx(path: Path, columns: ColumnMap | None, progress: Progress | None) -> Iterator[Document]:
    _check_not_blank(path)
    _check_zip(path, "DOCX")
    with zipfile.ZipFile(path) as zf:
        if "word/document.xml" not in zf.namelist():
            raise LoadError(path, "not a DOCX file (no word/document.xml)")
    import docx
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx surfaces lxml, KeyError and zip errors alike
        raise LoadError(path, f"corrupt DOCX ({type(exc).__name__}: {str(exc).lower()[:120]})") from None
    b = _Builder()
    title = ""
    try:
        core_title = (document.core_properties.title or "").strip()
    except Exception:  # noqa: BLE001 - a broken docProps/core.xml should not hide the body
        core_title = ""
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            _table_blocks(b, _docx_rows(item))
            continue
        kind, level = _docx_paragraph_kind(item)
        added = b.add(item.text, kind, level=level)
        if added and level == 0 and kind == "heading" and not title:
            title = added
    yield _file_document(path, b, core_title or title, {})


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


# --------------------------------------------------------------------------------------------
# tabular: column mapping


@dataclass(frozen=True)
class ColumnMap:
    """Which source column feeds which document field in a tabular file.

    Only ``text`` is required. ``ColumnMap.parse("text=description,title=name")`` reads the CLI
    form; ``ColumnMap.guess(header)`` picks common column names, e.g. for the CCLW export
    ``["id", "title", "description", "geography", "date", ...]`` it maps ``text=description``,
    ``country=geography`` and ``date=date``.
    """

    text: str
    title: str | None = None
    id: str | None = None
    country: str | None = None
    region: str | None = None
    date: str | None = None
    year: str | None = None
    kind: str | None = None
    lang: str | None = None
    url: str | None = None

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        """The valid field names, ``text`` first."""
        return tuple(f.name for f in fields(cls))

    @classmethod
    def parse(cls, spec: str) -> ColumnMap:
        """Parse ``"text=text,title=title,id=id,country=country,date=date"``.

        Raises:
            ValueError: An item without ``=``, an unknown key (the message lists the valid keys),
                a repeated key, an empty column name, or no ``text`` key.
        """
        valid = cls.keys()
        mapping: dict[str, str] = {}
        for item in (s.strip() for s in spec.split(",")):
            if not item:
                continue
            key, eq, column = (s.strip() for s in item.partition("="))
            if not eq:
                raise ValueError(
                    f"bad column mapping item '{item}'; expected key=column, e.g. text=description"
                )
            if key not in valid:
                raise ValueError(f"unknown column key '{key}'; valid keys: {', '.join(valid)}")
            if key in mapping:
                raise ValueError(f"column key '{key}' given twice")
            if not column:
                raise ValueError(f"empty column name for key '{key}'")
            mapping[key] = column
        if "text" not in mapping:
            raise ValueError("column mapping needs text=<column>, e.g. text=description")
        return cls(**mapping)

    @classmethod
    def guess(cls, header: list[str]) -> ColumnMap:
        """Pick columns by common names (case-, space- and hyphen-insensitive).

        Raises:
            ValueError: No column looks like text; the message lists the columns.
        """
        by_key: dict[str, str] = {}
        for name in header:
            if name is None:
                continue
            key = re.sub(r"[\s\-]+", "_", str(name).strip().lower())
            by_key.setdefault(key, str(name))
        chosen: dict[str, str] = {}
        for field_name, candidates in _GUESSES.items():
            for cand in candidates:
                if cand in by_key:
                    chosen[field_name] = by_key[cand]
                    break
        if "text" not in chosen:
            cols = ", ".join(str(h) for h in header if h is not None) or "(none)"
            raise ValueError(f"no text column found among: {cols}; pass a column map such as text=<column>")
        return cls(**chosen)

    def mapped(self) -> dict[str, str]:
        """``{field: column}`` for the fields that are set."""
        return {k: v for k in self.keys() if (v := getattr(self, k))}


_GUESSES: dict[str, tuple[str, ...]] = {
    "text": (
        "text",
        "description",
        "summary",
        "body",
        "content",
        "full_text",
        "abstract",
        "short_description",
        "正文",
        "内容",
        "摘要",
    ),
    "title": ("title", "name", "document_title", "title_en", "标题", "名称"),
    "id": ("id", "document_id", "doc_id", "law_id", "uid", "编号"),
    "country": ("country", "country_name", "nation", "geography", "jurisdiction", "国家"),
    "region": ("region", "地区", "区域"),
    "date": ("date", "publication_date", "date_published", "published", "date_passed", "日期", "发布日期"),
    "year": ("year", "year_passed", "date_passed", "年份"),
    "kind": ("type", "kind", "document_type", "doc_type", "legislation_type", "category", "类型"),
    "lang": ("language", "lang", "语言"),
    "url": ("url", "link", "source_url", "href", "链接"),
}


# --------------------------------------------------------------------------------------------
# tabular: cell values

_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T\s])")
_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日)?")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def _cell_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return str(value.get("name") or value.get("title") or "")
    if isinstance(value, list):
        return "; ".join(_cell_str(v) for v in value)
    return str(value).strip()


def _as_record(value: Any) -> dict[str, Any] | None:
    """A cell holding a dict (JSON object or a Python repr, as in the CCLW ``geography`` column)."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        for parse in (json.loads, ast.literal_eval):
            try:
                obj = parse(value)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                continue
            if isinstance(obj, dict):
                return obj
    return None


def parse_date(value: Any) -> str:
    """ISO ``yyyy-mm-dd`` (or ``yyyy-mm`` / ``yyyy``) from a cell, or ``""`` when unparseable.

    ``datetime(2020, 12, 28)`` -> ``"2020-12-28"``; ``"2020/1/5"`` -> ``"2020-01-05"``;
    ``"2021年3月"`` -> ``"2021-03"``; ``2020`` -> ``"2020"``; ``"December, 2020"`` -> ``"2020"``.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, (_dt.date, _dt.datetime)):
        d = value.date() if isinstance(value, _dt.datetime) else value
        return d.isoformat()
    s = _cell_str(value)
    m = _ISO_DATE.match(s)
    if m:
        try:
            return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            return m.group(1)
    m = _CN_DATE.search(s)
    if m:
        y, mo, d = m.group(1), int(m.group(2)), m.group(3)
        if not 1 <= mo <= 12:
            return y
        if d:
            try:
                return _dt.date(int(y), mo, int(d)).isoformat()
            except ValueError:
                return f"{y}-{mo:02d}"
        return f"{y}-{mo:02d}"
    m = _YEAR.search(s)
    return m.group(1) if m else ""


def _parse_year(value: Any, date: str) -> int | None:
    if value is not None and value != "":
        m = _YEAR.search(_cell_str(value))
        if m:
            return int(m.group(1))
    return int(date[:4]) if date[:4].isdigit() else None


def _row_document(path: Path, cmap: ColumnMap, get: Callable[[str], Any], row: int) -> Document | None:
    def cell(key: str) -> Any:
        column = getattr(cmap, key)
        return get(column) if column else None

    text = _strip_markup(_cell_str(cell("text")))
    raw_title = _strip_markup(_cell_str(cell("title"))).replace("\n", " ")
    if not text:
        # A record with a title but no description is still a document researchers look for:
        # its title is its text. A row with neither is skipped.
        text = normalize_text(raw_title)
        if not text:
            return None
    country_cell = cell("country")
    country_rec = _as_record(country_cell)
    country = _cell_str(country_rec) if country_rec is not None else _cell_str(country_cell)
    region_cell = cell("region")
    region_rec = _as_record(region_cell)
    region = _cell_str(region_rec) if region_rec is not None else _cell_str(region_cell)
    if not region and country_rec is not None:
        region = _cell_str(country_rec.get("region"))
    date = parse_date(cell("date"))
    url = _cell_str(cell("url"))
    if "<" in url:
        m = _HREF.search(url)
        url = m.group(1) if m else _strip_markup(url)
    external_id = _cell_str(cell("id"))
    return Document(
        id=content_id(raw_title, text),
        text=text,
        title=raw_title or f"{path.stem} #{row}",
        country=_norm(country),
        region=_norm(region),
        date=date,
        year=_parse_year(cell("year"), date),
        kind=_norm(_cell_str(cell("kind"))),
        lang=_norm(_cell_str(cell("lang"))).lower(),
        source=str(path),
        status="full",
        blocks=(Block("record", 0, len(text)),),
        meta={"external_id": external_id, "row": row, "url": url},
    )


def _norm(value: str) -> str:
    return normalize_text(value) if value else ""


def _resolve_columns(path: Path, header: list[str], columns: ColumnMap | None) -> ColumnMap:
    if columns is None:
        try:
            return ColumnMap.guess(header)
        except ValueError as exc:
            raise LoadError(path, str(exc)) from None
    present = set(header)
    for key, column in columns.mapped().items():
        if column not in present:
            cols = ", ".join(str(h) for h in header if h not in (None, "")) or "(none)"
            raise LoadError(path, f"column '{column}' (for {key}) not found; available columns: {cols}")
    return columns


def _rows_to_documents(
    path: Path,
    header: list[str],
    rows: Iterator[Callable[[str], Any]],
    columns: ColumnMap | None,
    progress: Progress | None,
) -> Iterator[Document]:
    cmap = _resolve_columns(path, header, columns)
    done = skipped = 0
    for get in rows:
        done += 1
        doc = _row_document(path, cmap, get, done)
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


# --------------------------------------------------------------------------------------------
# tabular: CSV, JSONL, XLSX


def _load_csv(path: Path, columns: ColumnMap | None, progress: Progress | None) -> Iterator[Document]:
    enc = _sniff_file_encoding(path)
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


def _sniff_file_encoding(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            sample = fh.read(_SAMPLE)
            more = bool(fh.read(1))
    except OSError as exc:
        raise LoadError(path, f"cannot read file ({_os_reason(exc)})") from None
    if not sample.strip():
        raise LoadError(path, "empty file" if not sample else "file contains only whitespace")
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # the codec reads the BOM and picks the byte order
    if more:
        if b"\x00" in sample:
            sample = sample[: len(sample) - len(sample) % 2]
        else:
            # Cut at a line end so the sample does not end inside a multi-byte character.
            cut = sample.rfind(b"\n")
            sample = sample[: cut + 1] if cut > 0 else sample
    try:
        _, enc = decode_bytes(sample)
    except UndecodableError as exc:
        if not more or b"\x00" not in sample:
            raise LoadError(path, str(exc)) from None
        # The even cut may have split a UTF-16 surrogate pair.
        try:
            _, enc = decode_bytes(sample[:-2])
        except UndecodableError:
            raise LoadError(path, str(exc)) from None
    return enc.replace("_", "-")


def _load_jsonl(path: Path, columns: ColumnMap | None, progress: Progress | None) -> Iterator[Document]:
    first: dict[str, Any] | None = None
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise LoadError(path, f"cannot read file ({_os_reason(exc)})") from None

    def records() -> Iterator[tuple[int, dict[str, Any]]]:
        for lineno, raw in enumerate(fh, start=1):
            if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise LoadError(path, f"line {lineno}: undecodable bytes (jsonl must be utf-8)") from exc
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LoadError(path, f"line {lineno}: invalid json ({exc.msg.lower()})") from None
            if not isinstance(obj, dict):
                raise LoadError(path, f"line {lineno}: expected a json object, got {type(obj).__name__}")
            yield lineno, obj

    with fh:
        _check_not_blank(path)
        it = records()
        try:
            _, first = next(it)
        except StopIteration:
            raise LoadError(path, "empty file") from None

        def rows() -> Iterator[Callable[[str], Any]]:
            assert first is not None
            yield first.get
            for _, obj in it:
                yield obj.get

        yield from _rows_to_documents(path, list(first), rows(), columns, progress)


def _load_xlsx(path: Path, columns: ColumnMap | None, progress: Progress | None) -> Iterator[Document]:
    _check_not_blank(path)
    _check_zip(path, "XLSX")
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
                header = [normalize_text(_cell_str(v)) for v in values]
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
    finally:
        wb.close()


_LOADERS: dict[str, Callable[[Path, ColumnMap | None, Progress | None], Iterator[Document]]] = {
    ".txt": _load_text,
    ".md": _load_markdown,
    ".pdf": _load_pdf,
    ".html": _load_html,
    ".htm": _load_html,
    ".docx": _load_docx,
    ".csv": _load_csv,
    ".jsonl": _load_jsonl,
    ".xlsx": _load_xlsx,
}

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "ColumnMap",
    "UndecodableError",
    "decode_bytes",
    "heading_level",
    "html_to_text",
    "load_path",
    "parse_date",
]
