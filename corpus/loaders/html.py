"""HTML (trafilatura): main content only, headings and tables kept as blocks; :func:`html_to_text`
for markup inside other formats (tabular cells).

The declared ``<meta charset>`` is trusted when it decodes the page; otherwise the encoding is
detected like a text file's.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from policyscope.corpus.errors import LoadError
from policyscope.corpus.loaders.base import Progress, read_bytes
from policyscope.corpus.loaders.builder import TextBuilder, file_document, table_blocks
from policyscope.corpus.loaders.columns import ColumnMap
from policyscope.corpus.loaders.encoding import canonical_codec, decode_file
from policyscope.corpus.normalize import normalize_text
from policyscope.corpus.records import Document

logger = logging.getLogger(__name__)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _decode_html(path: Path, data: bytes) -> tuple[str, str]:
    m = _META_CHARSET.search(data[:4096])
    if m and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            enc = canonical_codec(m.group(1).decode("ascii"))
            return data.decode(enc), enc
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_file(path, data)


def load_html(
    path: Path, columns: ColumnMap | None, progress: Progress | None, *, strict: bool = False
) -> Iterator[Document]:
    """One document of the page's main content; pages too small for trafilatura keep all visible text."""
    data = read_bytes(path)
    html, enc = _decode_html(path, data)
    b = TextBuilder()
    title = ""
    # Imported outside the guard below: a broken install (jusText without lxml_html_clean) must fail
    # loudly, not degrade every page to "all visible text" with a debug log line.
    import trafilatura

    try:
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
    yield file_document(path, b, title, {"encoding": enc})


def _blocks_from_trafilatura(xml: str, b: TextBuilder) -> str:
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
                table_blocks(
                    b,
                    ([text_of(c) for c in row.findall("cell")] for row in child.findall("row")),
                )
            elif tag in ("list", "div", "main", "section"):
                walk(child)

    walk(main)
    return (root.get("title") or "").strip()


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


def strip_markup(value: str) -> str:
    """A cell's visible text: :func:`html_to_text` when it holds markup, else just normalised."""
    if not value:  # most optional cells are empty; a million-row file calls this millions of times
        return ""
    return html_to_text(value) if _MARKUP.search(value) else normalize_text(value)
