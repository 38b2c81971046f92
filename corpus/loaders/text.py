"""Plain text (``.txt``: one block per line) and Markdown (``.md``: one block per paragraph or heading).

Numbered headings in plain text (``"2.1 确保原材料供应安全"``, ``"第一章 总则"``, ``"3. Findings"``) are
recognised by :func:`heading_level`, which the PDF loader uses on its lines too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from policyscope.corpus.errors import LoadError
from policyscope.corpus.loaders.base import Progress, read_bytes
from policyscope.corpus.loaders.builder import TextBuilder, file_document, full_text_document
from policyscope.corpus.loaders.columns import ColumnMap
from policyscope.corpus.loaders.encoding import decode_file
from policyscope.corpus.normalize import normalize_text, normalized_pieces
from policyscope.corpus.records import Block, BlockKind, Document

# A heading never ends with these.
_SENTENCE_END = tuple("。！？；：.!?;:，,、")

_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)(?:\.|、|\s)\s*(\S.*)$")
_CN_NUM = "一二三四五六七八九十百零〇"
_CN_CHAPTER = re.compile(rf"^第[{_CN_NUM}\d]+([章节編编部分篇])\s*(.*)$")
_CN_LIST = re.compile(rf"^[{_CN_NUM}]+、\s*(\S.*)$")
_CN_PAREN = re.compile(rf"^[（(][{_CN_NUM}]+[）)]\s*(\S.*)$")
_MAX_HEADING = 60
# Lines longer than this are never headings (a heading is at most _MAX_HEADING characters once
# stripped; stored lines are stripped already), so they are not copied out to be looked at.
_MAX_LINE_HEADING = 4 * _MAX_HEADING


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


def short_title(line: str) -> str:
    """``line`` stripped when it can be a title (short, no sentence punctuation at the end), else ``""``."""
    line = line.strip()
    if line and len(line) <= 120 and not line.endswith(_SENTENCE_END):
        return line
    return ""


def load_text(
    path: Path, columns: ColumnMap | None, progress: Progress | None, *, strict: bool = False
) -> Iterator[Document]:
    """One document, one block per non-empty line; numbered lines are headings."""
    data = read_bytes(path)
    raw, enc = decode_file(path, data)
    # The generator frame stays alive while the caller stores the document: drop the raw bytes
    # and the undecoded copy now (about twice the file size for a large file).
    del data
    # Normalised piece by piece, the decoded text dropped before the pieces are joined: two copies of
    # the text at most (a 200 MB file is a 400 MB string when one character is outside Latin-1).
    pieces = normalized_pieces(raw)
    del raw
    text = "".join(pieces)
    del pieces
    if not text:
        raise LoadError(path, "file contains only whitespace")
    # Lines are found with str.find, not text.split("\n"): that list held every line as its own string.
    blocks: list[Block] = []
    pos, n = 0, len(text)
    while pos < n:
        end = text.find("\n", pos)
        if end < 0:
            end = n
        if end > pos:
            level = heading_level(text[pos:end]) if end - pos <= _MAX_LINE_HEADING else 0
            kind: BlockKind = "heading" if level else "paragraph"
            blocks.append(Block(kind, pos, end, level=level))
        pos = end + 1
    first_line = text[: text.find("\n")] if "\n" in text else text
    heading = next((text[b.start : b.end] for b in blocks if b.kind == "heading"), "")
    # A short first line is the title of most policy texts; numbered headings come after it.
    title = short_title(first_line) or heading or path.stem
    yield full_text_document(path, text, title, blocks, {"encoding": enc})


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_FENCE = re.compile(r"^(```|~~~)")
# Inline markup that is layout, not text. Only known HTML tags go: statute exports write amendment
# notes in angle brackets (<개정 2025.12.30>, <제36742호,2026.10.6>) that a tag stripper would delete.
_MD_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_MD_TAG = re.compile(r"</?(?:u|sup|sub|span|br|b|i|em|strong|small|a|p|div|font)\b[^<>]*>", re.IGNORECASE)
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()\s]|\([^()\s]*\))+(?:\s+\"[^\"]*\")?\)")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.DOTALL)
_MD_STRAY_STRONG = re.compile(r"\*\*\s*\*\*|\*\*|(?<![\w*])\*(?=[,.;:)\s]|$)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<$])")


def markdown_inline(text: str) -> str:
    """Plain text of Markdown inline markup: emphasis, links, known HTML tags and backslash escapes go.

    ``"**第一条（目的）**　この法律は"`` -> ``"第一条（目的）　この法律は"``;
    ``"Sec</span>. 2\\(a\\)"`` -> ``"Sec. 2(a)"``; ``"<개정 2025.12.30>"`` is kept.
    """
    text = _MD_COMMENT.sub("", text)
    text = _MD_TAG.sub("", text)
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_STRONG.sub(r"\2", text)
    text = _MD_STRAY_STRONG.sub("", text)
    return _MD_ESCAPE.sub(r"\1", text)


def load_markdown(
    path: Path, columns: ColumnMap | None, progress: Progress | None, *, strict: bool = False
) -> Iterator[Document]:
    """One document: ``#`` headings without their markers, paragraphs, fenced code kept as text.

    Front matter (YAML between leading ``---`` lines) and a statute export's history header are
    metadata, not text (:mod:`policyscope.corpus.frontmatter`): their title, date, country, language
    and kind fill the document's fields, the rest goes to ``meta``; a malformed block is logged as one
    warning and the file is still loaded.
    """
    from policyscope.corpus.frontmatter import read_header  # imports this package's cells module

    data = read_bytes(path)
    raw, enc = decode_file(path, data)
    header, body = read_header(raw, str(path))
    text = normalize_text(body)
    if not text:
        raise LoadError(path, "file contains only whitespace" if not header.fields else "no text after the front matter")
    b = TextBuilder()
    para: list[str] = []
    in_fence = False

    def flush() -> None:
        if para:
            piece = "\n".join(para)
            b.add(piece if in_fence else markdown_inline(piece))  # code is kept as written
            para.clear()

    for line in text.split("\n"):
        if _MD_FENCE.match(line):
            flush()
            in_fence = not in_fence
            continue
        m = None if in_fence else _MD_HEADING.match(line)
        if m:
            flush()
            b.add(markdown_inline(m.group(2)), "heading", level=len(m.group(1)))
        elif not line.strip():
            flush()
        else:
            para.append(line)
    flush()
    fields = dict(header.fields)
    title = fields.pop("title", "")
    meta = {"encoding": enc, **header.meta}
    doc = file_document(path, b, title, meta)
    known = {k: v for k, v in fields.items() if k in _DOCUMENT_FIELDS}
    for extra in sorted(set(fields) - set(known)):  # title_ja / title_ko: no Document field of their own
        doc.meta[extra] = fields[extra]
    yield replace(doc, **known) if known else doc


_DOCUMENT_FIELDS = frozenset({"title_en", "title_zh", "date", "year", "country", "lang", "kind"})
