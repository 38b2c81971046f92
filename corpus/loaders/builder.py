"""Building stored text and its blocks together, so every block span is exact by construction.

One :class:`TextBuilder` serves the file loaders (each piece normalised on its own, pieces on their
own lines) and the built-in seed paper (lines cleaned by its parser, paragraphs a blank line apart,
blocks carrying table and catalog metadata).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from policyscope.corpus.errors import LoadError
from policyscope.corpus.normalize import normalize_text
from policyscope.corpus.records import Block, BlockKind, Document, content_id


class TextBuilder:
    """Accumulates pieces of text and the blocks that span them.

    Pieces are joined with a separator (``sep``, which one piece may override), so every block
    span is exact: ``text[b.start:b.end] == piece``. With ``normalize=True`` (the file loaders)
    each piece is normalised on its own and pieces are joined with newlines, so the joined text is
    itself normalised; a piece that normalises to nothing adds no block. For example::

        b = TextBuilder()
        b.add("二是\\u3000电池")                  # -> "二是 电池", paragraph 0..5
        b.add("  3. Findings ", "heading", level=1)  # -> "3. Findings", heading 6..17
        b.text == "二是 电池\\n3. Findings"

    The seed paper's parser cleans its lines itself and separates paragraphs by a blank line:
    ``TextBuilder(sep="\\n\\n", normalize=False)``.

    Args:
        sep: what goes between two pieces unless ``add`` says otherwise.
        normalize: pass each piece through :func:`~policyscope.corpus.normalize.normalize_text`.
    """

    def __init__(self, *, sep: str = "\n", normalize: bool = True) -> None:
        self._sep = sep
        self._normalize = normalize
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
        meta: dict[str, Any] | None = None,
        sep: str | None = None,
    ) -> str:
        """Append ``piece`` as one block; return the piece as stored (``""`` when nothing was added)."""
        if self._normalize:
            piece = normalize_text(piece)
        if not piece:
            return ""
        if self._parts:
            joint = self._sep if sep is None else sep
            self._parts.append(joint)
            self._len += len(joint)
        start = self._len
        self._parts.append(piece)
        self._len += len(piece)
        self.blocks.append(
            Block(kind, start, self._len, level=level, page=page, context=context, meta=meta or {})
        )
        return piece

    @property
    def text(self) -> str:
        """The text so far."""
        return "".join(self._parts)

    def first(self, kind: BlockKind) -> str:
        """The text of the first block of ``kind``, or ``""``."""
        text = self.text
        return next((text[b.start : b.end] for b in self.blocks if b.kind == kind), "")


def table_blocks(b: TextBuilder, rows: Iterable[list[str]]) -> None:
    """One ``table_header`` block (the first non-empty row), then a ``table_row`` block per row.

    Cells are joined with ``" | "`` and each row carries the header line as its ``context``, so a
    passage cut from one row still says what its cells mean.
    """
    header = ""
    for cells in rows:
        line = " | ".join(" ".join(c.split()) for c in cells)
        if not line.replace("|", "").strip():
            continue
        if not header:
            header = b.add(line, "table_header")
        else:
            b.add(line, "table_row", context=header)


def file_document(path: Path, builder: TextBuilder, title: str, meta: dict[str, Any]) -> Document:
    """The document of a file whose text was built with ``builder``.

    The title is ``title`` (metadata of the file) or else the first heading or else the file name.

    Raises:
        LoadError: the builder holds no text.
    """
    text = builder.text
    if not text:
        raise LoadError(path, "no text found in file")
    title = normalize_text(title).replace("\n", " ") or builder.first("heading") or path.stem
    return full_text_document(path, text, title, builder.blocks, meta)


def full_text_document(
    path: Path, text: str, title: str, blocks: Sequence[Block], meta: dict[str, Any]
) -> Document:
    """A document read from a file: id from its text; language is detected later, per passage."""
    return Document(
        id=content_id(text), text=text, title=title, source=str(path), lang="", status="full",
        blocks=tuple(blocks), meta=meta,
    )  # fmt: skip
