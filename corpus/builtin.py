"""The built-in corpus: the seed paper, the catalog records and the policy texts shipped with the package.

The policy texts (``data/policy-texts/``, 21 Markdown files with their ``SOURCES.md``) are loaded by the
same Markdown loader as a user's files, then take their catalog entry's facts (titles in their own
language, English and Chinese, issuer, date, kind, country, official address, licence, source
repository and commit), so ``policyscope build`` needs no network and no copy step. A catalog record
that a text is the basis of (the 国防生产法 row and Presidential Determination 2022-11) lists the
text in ``meta["texts"]``; the text lists the record in ``meta["links"]``.

The seed paper (``data/battery-supply-chain-paper.txt``) is a Word export in plain text: an
English abstract, a Chinese body with numbered headings, and two tables laid out one cell per
line. ``parse_paper`` turns it into clean stored text plus structural blocks:

* Word bookmark anchors (``[bookmark: OLE_LINK22]``) are removed by ``normalize_text``.
* "1  国际电池供应链发展态势" / "2.1绘制供应链全景蓝图，…" become ``heading`` blocks (level 1 / 2).
* "表1 …", "Table 1 …", "图1 …", "Fig. 1 …" become ``caption`` blocks.
* A table in the raw text is a run of tab-prefixed cells, one row per blank-line-separated group,
  where an empty first cell means "same as above". It is rewritten as one header line plus one
  line per row, cells joined with " | " and empty first cells filled down, e.g.::

      \\t\\t美国                         ->  美国 | 国家锂电池蓝图2021-2030 | 确保电池原材料供应安全，…
      \\t\\t国家锂电池蓝图2021-2030
      \\t\\t确保电池原材料供应安全，…

  Each row is a ``table_row`` block whose ``context`` is the caption plus the header line, so a
  passage cut from one row still says what its cells mean, and whose ``meta`` links the row to
  its catalog entry (Table 1 by the Chinese policy title, Table 2 by the list named in the
  region cell).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from importlib import resources
from typing import Any

from .catalog import (
    TEXTS_DIR,
    CatalogEntry,
    catalog_document,
    entry_facts,
    entry_meta,
    load_catalog,
    text_path,
)
from .jurisdictions import region_of, resolve_country
from .loaders.builder import TextBuilder
from .normalize import normalize_text
from .records import Block, Document

logger = logging.getLogger(__name__)

SEED_FILE = "battery-supply-chain-paper.txt"
SEED_ID = "seed-battery-supply-chain"
# The raw file has no title line: the Chinese title is derived from the body (sections 1-4:
# international situation, EU/US strategies, risks for China, China's response) and the English
# one from the abstract's theme.
SEED_TITLE_ZH = "全球电池供应链竞争态势与我国应对策略"
SEED_TITLE_EN = "Global battery supply-chain competition and China's response"
# The paper carries no date; its newest figures are from May 2022 ("2022年5月锂价格…") and it
# cites documents of mid-2022, so it was written in 2022.
SEED_YEAR = 2022

SOURCES_FILE = "SOURCES.md"
# The raw header of Table 2 reads "对外依存度度"; the doubled 度 is a typo of the export.
_HEADER_FIXES: dict[str, str] = {"对外依存度度": "对外依存度"}

# "2.1绘制…" may run the title into the number; a top-level "1  国际…" needs the space so that a
# line such as "5月…" is not taken for a heading.
_HEADING = re.compile(
    r"^(?:(?P<sub>\d{1,2}\.\d{1,2})\s*|(?P<top>\d{1,2})\s+)(?P<title>[\u4e00-\u9fff][^。]{0,40})$"
)
_CAPTION = re.compile(r"^(?:(?P<zh>表|图)\s*(?P<zhn>\d+)|(?P<en>Table|Fig\.|Figure)\s*(?P<enn>\d+))\s")
_FOOTNOTE_MARKS = re.compile(r"[\u2460-\u2473]")  # ① … ⑳


def _heading(line: str) -> tuple[int, str] | None:
    if line.endswith(("。", "；", "：")):
        return None
    m = _HEADING.match(line)
    if not m:
        return None
    if m.group("sub"):
        return 2, m.group("sub")
    return 1, m.group("top")


def _table_rows(raw_lines: Sequence[str], i: int) -> tuple[list[list[str]], int]:
    """Read tab-prefixed cell lines from ``raw_lines[i]`` on; return rows and the next index.

    A row is a run of cell lines; blank lines separate rows. The table ends at the first line
    that is neither blank nor a cell.
    """
    rows: list[list[str]] = []
    current: list[str] = []
    while i < len(raw_lines):
        line = raw_lines[i]
        if line.startswith("\t"):
            current.append(normalize_text(line))
        elif not line.strip():
            if current:
                rows.append(current)
                current = []
        else:
            break
        i += 1
    if current:
        rows.append(current)
    return rows, i


def _catalog_link(table: int, cells: Sequence[str], by_title: dict[str, CatalogEntry]) -> CatalogEntry | None:
    if table == 1 and len(cells) > 1:
        return by_title.get(cells[1])
    # Table 2 names the list in its region cell: "美国：2022年关键矿物质评估①".
    return by_title.get(_FOOTNOTE_MARKS.sub("", cells[0]).strip())


def parse_paper(raw: str, catalog: Sequence[CatalogEntry] = ()) -> tuple[str, tuple[Block, ...]]:
    """Clean the raw seed paper into stored text and structural blocks (pure).

    Args:
        raw: the file's text as read.
        catalog: entries used to link table rows (``meta["catalog_id"]``); rows whose policy is
            not in it get ``catalog_id=""``.

    Returns:
        ``(text, blocks)`` with ``text[b.start:b.end]`` the span of every block.
    """
    by_title = {e.title_zh: e for e in catalog}
    raw_lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # Lines are cleaned one by one below; paragraphs are a blank line apart, table rows a newline.
    out = TextBuilder(sep="\n\n", normalize=False)
    caption_zh = ""  # last "表N …" caption, the title of the next table
    table_no = 0
    i = 0
    while i < len(raw_lines):
        raw_line = raw_lines[i]
        if raw_line.startswith("\t"):
            rows, i = _table_rows(raw_lines, i)
            table_no = (
                int(m.group("zhn")) if (m := _CAPTION.match(caption_zh)) and m.group("zhn") else table_no + 1
            )
            _emit_table(out, rows, table_no, caption_zh, by_title)
            caption_zh = ""
            continue
        i += 1
        line = normalize_text(raw_line)
        if not line:
            continue
        if m := _CAPTION.match(line):
            number = int(m.group("zhn") or m.group("enn"))
            what = "table" if (m.group("zh") == "表" or m.group("en") == "Table") else "figure"
            en_after_zh = m.group("en") is not None and out.blocks and out.blocks[-1].kind == "caption"
            out.add(line, "caption", sep="\n" if en_after_zh else "\n\n", meta={what: number})
            if m.group("zh") == "表":
                caption_zh = line
            continue
        if head := _heading(line):
            level, number = head
            out.add(line, "heading", level=level, meta={"number": number})
            continue
        meta: dict[str, Any] = {}
        if line.startswith("Abstract:"):
            meta = {"lang": "en", "section": "abstract"}
        elif line.startswith("注：") and out.blocks and out.blocks[-1].kind == "table_row":
            meta = {"table_note": out.blocks[-1].meta.get("table")}
        out.add(line, "paragraph", meta=meta)
    return out.text, tuple(out.blocks)


def _emit_table(
    out: TextBuilder,
    rows: list[list[str]],
    table_no: int,
    caption: str,
    by_title: dict[str, CatalogEntry],
) -> None:
    if not rows:
        return
    header = [_HEADER_FIXES.get(c, c) for c in rows[0]]
    header_line = " | ".join(header)
    out.add(header_line, "table_header", sep="\n", context=caption, meta={"table": table_no, "cells": header})
    context = f"{caption} | {header_line}" if caption else header_line
    above = ""
    for n, cells in enumerate(rows[1:], start=1):
        cells = list(cells)
        if not cells[0]:  # an empty first cell repeats the region of the row above
            cells[0] = above
        above = cells[0]
        entry = _catalog_link(table_no, cells, by_title)
        if entry is None:
            logger.warning(
                "table %d row %d (%s) matches no catalog entry", table_no, n, " | ".join(cells[:2])
            )
        # The first cell names the jurisdiction, alone (美国) or before the list's name (美国：2022年…).
        country = resolve_country(re.split(r"[：:]", cells[0], maxsplit=1)[0]) or ""
        meta = {
            "catalog_id": entry.id if entry else "",
            "table": table_no,
            "row": n,
            "country": country,
            "cells": cells,
        }
        out.add(" | ".join(cells), "table_row", sep="\n", context=context, meta=meta)


def read_seed_text() -> str:
    """The packaged seed paper, exactly as shipped."""
    path = resources.files("policyscope.corpus").joinpath("data", SEED_FILE)
    return path.read_text(encoding="utf-8")


def seed_document(catalog: Sequence[CatalogEntry] | None = None) -> Document:
    """The seed paper as a structured ``Document`` (id ``seed-battery-supply-chain``).

    Args:
        catalog: entries to link table rows to; default the packaged catalog.
    """
    if catalog is None:
        catalog = load_catalog()
    text, blocks = parse_paper(read_seed_text(), catalog)
    return Document(
        id=SEED_ID,
        text=text,
        title=SEED_TITLE_ZH,
        title_zh=SEED_TITLE_ZH,
        title_en=SEED_TITLE_EN,
        region=region_of("CN"),
        country="CN",
        date=str(SEED_YEAR),
        year=SEED_YEAR,
        kind="research paper",
        lang="zh",
        source=f"builtin:{SEED_FILE}",
        status="full",
        blocks=blocks,
        meta={
            "title_derived": True,
            "year_note": "undated; newest data cited are of May 2022",
            "tables": {
                "1": "strategies (国家/地区 | 政策名称 | 战略要点)",
                "2": "critical minerals (国家/地区 | 关键矿产 | 主要用途 | 对外依存度)",
            },
        },
    )


def text_document(entry: CatalogEntry) -> Document:
    """The packaged full text of a ``text`` entry, with the entry's facts.

    The file goes through the Markdown loader (front matter and history header become metadata,
    never text), so its id is the content id a user's copy of the same file gets: adding the file
    again finds it unchanged. The catalog's facts then replace what the front matter says (a White
    House page headline is not the order's title; a Korean ``공포일자`` is the latest amendment),
    which stays in ``meta["front_matter"]``.
    """
    from .loaders.text import load_markdown

    doc = next(load_markdown(text_path(entry), None, None))
    meta = {**doc.meta, **entry_meta(entry)}
    return replace(
        doc,
        title=entry.title or entry.title_en,
        lang=entry.lang,
        source=f"builtin:{TEXTS_DIR}/{entry.file}",
        meta=meta,
        **entry_facts(entry),
    )


def read_sources_note() -> str:
    """The packaged ``SOURCES.md`` of the policy texts (where each came from, its commit and licence)."""
    return resources.files("policyscope.corpus").joinpath("data", TEXTS_DIR, SOURCES_FILE).read_text(encoding="utf-8")


def builtin_documents() -> list[Document]:
    """The built-in corpus: the seed paper, one record per strategy or reference entry, one full text per
    text entry (46 documents), in that order.

    Records that texts are the basis of list them in ``meta["texts"]`` (text catalog id, document id,
    relation, title), the other direction of the texts' ``meta["links"]``.
    """
    catalog = load_catalog()
    texts = [text_document(e) for e in catalog if e.list == "text"]
    by_id = {d.catalog_id: d for d in texts}
    backlinks: dict[str, list[dict[str, Any]]] = {}
    for e in catalog:
        for link in e.links:
            backlinks.setdefault(link.id, []).append(
                {"catalog_id": e.id, "doc_id": by_id[e.id].id if e.id in by_id else "", "relation": link.relation,
                 "primary": link.primary, "title": e.title or e.title_en, "title_en": e.title_en,
                 "title_zh": e.title_zh, "country": e.country, "date": e.date}
            )
    records = []
    for e in catalog:
        if e.list == "text":
            continue
        doc = catalog_document(e)
        if e.id in backlinks:
            doc.meta["texts"] = backlinks[e.id]
        records.append(doc)
    return [seed_document(catalog), *records, *texts]
