"""Typed records passed between pipeline stages.

``Document`` (corpus) -> ``Passage`` (nlp) -> ``Tag`` (nlp) -> search ``Hit`` (index).
Offsets always point into ``Document.text`` as stored, so a passage can be shown in
context and rebuilt exactly: ``doc.text[p.start:p.end] == p.text``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "table_header", "table_row", "caption", "record"]
DocStatus = Literal["catalog", "full"]


_HASH_CHARS = 1 << 20


def content_id(*parts: str, length: int = 16) -> str:
    """Deterministic short id from content: the same text always gets the same id."""
    h = hashlib.sha256()
    for part in parts:
        # Encoded a million characters at a time: a 200 MB text is never copied whole as UTF-8.
        for start in range(0, len(part), _HASH_CHARS):
            h.update(part[start : start + _HASH_CHARS].encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:length]


@dataclass(frozen=True)
class Block:
    """A structural span of a document's text: a heading, paragraph or table row.

    Loaders that know structure (DOCX headings, HTML ``<h1>``, PDF pages, the seed paper's
    tables) emit blocks; segmentation cuts passages inside them. ``context`` carries what a
    reader needs to understand the span on its own, e.g. a table's header row.
    """

    kind: BlockKind
    start: int
    end: int
    level: int = 0
    page: int | None = None
    context: str = ""
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad block span {self.start}..{self.end}")


@dataclass(frozen=True)
class Document:
    """One document of the corpus: a file, a table row of a tabular corpus, or a catalog record."""

    id: str
    text: str
    title: str
    title_zh: str = ""
    title_en: str = ""
    region: str = ""
    country: str = ""
    date: str = ""
    year: int | None = None
    kind: str = ""
    lang: str = ""
    source: str = ""
    status: DocStatus = "full"
    catalog_id: str = ""
    blocks: tuple[Block, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("document id must not be empty")
        for b in self.blocks:
            if b.end > len(self.text):
                raise ValueError(f"block {b.start}..{b.end} outside text of length {len(self.text)}")


@dataclass(frozen=True)
class Passage:
    """A searchable span of a document. ``text == document.text[start:end]``."""

    id: str
    doc_id: str
    seq: int
    start: int
    end: int
    text: str
    lang: str = ""
    heading: str = ""
    page: int | None = None
    kind: str = "paragraph"
    context: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"bad passage span {self.start}..{self.end}")
        if len(self.text) != self.end - self.start:
            raise ValueError("passage text length does not match its span")


TagSource = Literal["rule", "model", "classifier", "ensemble", "human"]


@dataclass(frozen=True)
class Span:
    """Evidence inside a passage: ``passage.text[start:end]``."""

    start: int
    end: int
    text: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"bad span {self.start}..{self.end}")


@dataclass(frozen=True)
class Tag:
    """A policy measure on a passage, with score, source and evidence spans."""

    measure: str
    score: float
    source: TagSource
    spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class PassageView:
    """A stored passage joined with its document's metadata: what indexing, search hits, comparison,
    tag datasets and the app read from the store (``Store.get_passages`` / ``Store.passage_rows``).

    ``doc_kind`` is the document's kind (law, fact sheet, …); ``kind`` is the passage's block kind
    (paragraph, table_row, …).
    """

    id: str
    doc_id: str
    seq: int
    start: int
    end: int
    text: str
    lang: str
    heading: str
    page: int | None
    kind: str
    context: str
    title: str
    title_zh: str
    title_en: str
    region: str
    country: str
    year: int | None
    date: str
    doc_kind: str
    status: str
    catalog_id: str
    source: str
