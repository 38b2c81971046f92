"""Long documents stored in pieces: the text and blocks of a document longer than :data:`PART_CHARS`.

SQLite assembles a whole row in memory to write it. A 200 MB text stored in one row took ~670 MB more
for the seconds of its insert (sqlite3's bound copy, the ``CAST``, the assembled record): the peak of
a 200 MB ``add``. A long document's row holds ``''`` for ``text`` and ``blocks`` (never valid JSON,
so it marks the document as pieced), and ``document_parts`` holds both in pieces of
:data:`PART_CHARS` characters, each written and read as a row of its own.

:class:`~.store.Store` is the only reader and writer: ``get_document`` joins the pieces back.
"""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence

from .records import Block, Document

#: Characters per piece, and the length above which a document's text is stored in pieces.
PART_CHARS = 1_000_000
#: ``documents.blocks`` of a pieced document (a stored blocks value is otherwise a JSON array).
PIECED = ""


def is_long(doc: Document) -> bool:
    return len(doc.text) > PART_CHARS


def text_pieces(text: str) -> Iterator[str]:
    return (text[i : i + PART_CHARS] for i in range(0, len(text), PART_CHARS))


def blocks_pieces(blocks: Sequence[Block]) -> Iterator[str]:
    """``json.dumps([asdict(b) for b in blocks])`` in pieces of about :data:`PART_CHARS` characters,
    written block by block.

    A 50 MB text file has ~10^6 line blocks: ``asdict`` deep-copies each one, and the list of dicts
    alone took ~500 MB; the whole JSON of a 200 MB file's blocks is ~80 MB. Here no more than one
    piece is held.
    """
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    out = io.StringIO()
    out.write("[")
    for i, b in enumerate(blocks):
        if i:
            out.write(", ")
        out.write(dumps({"kind": b.kind, "start": b.start, "end": b.end, "level": b.level, "page": b.page,
                         "context": b.context, "meta": b.meta}))
        if out.tell() >= PART_CHARS:
            yield out.getvalue()
            out = io.StringIO()
    out.write("]")
    yield out.getvalue()


def blocks_json(blocks: Sequence[Block]) -> str:
    """The stored JSON of a document's blocks (one string: :func:`blocks_pieces` joined)."""
    return "".join(blocks_pieces(blocks))


def write_parts(db: sqlite3.Connection, doc: Document) -> None:
    """Store ``doc``'s text and blocks in pieces (its row holds :data:`PIECED` for both)."""
    db.execute("DELETE FROM document_parts WHERE doc_id = ?", (doc.id,))
    for field, pieces in (("text", text_pieces(doc.text)), ("blocks", blocks_pieces(doc.blocks))):
        for seq, piece in enumerate(pieces):
            db.execute("INSERT INTO document_parts(doc_id, field, seq, value) VALUES (?, ?, ?, ?)",
                       (doc.id, field, seq, piece))


def read_pieces(db: sqlite3.Connection, doc_id: str, field: str) -> Iterator[str]:
    """The stored pieces of one field, in order, one row at a time."""
    rows = db.execute("SELECT value FROM document_parts WHERE doc_id = ? AND field = ? ORDER BY seq", (doc_id, field))
    for (value,) in rows:
        yield value


def read_value(db: sqlite3.Connection, doc_id: str, field: str) -> str:
    return "".join(read_pieces(db, doc_id, field))


def same_pieces(a: Iterable[str], b: Iterable[str]) -> bool:
    """Whether two sequences of strings join to the same string, compared piece by piece (the pieces
    may be cut in different places)."""
    ia, ib = (p for p in a if p), (p for p in b if p)
    ra, rb = next(ia, None), next(ib, None)
    while ra is not None and rb is not None:
        n = min(len(ra), len(rb))
        if ra[:n] != rb[:n]:
            return False
        ra = ra[n:] or next(ia, None)
        rb = rb[n:] or next(ib, None)
    return ra is None and rb is None


def same_content(
    db: sqlite3.Connection, doc: Document, stored: tuple[str, str], new: tuple[str, str]
) -> bool:
    """Whether ``doc``'s text and blocks are those stored for its id, given the ``(text, blocks)`` columns of
    its stored row and of the row ``add_documents`` made for it; a pieced document is compared piece by
    piece, never joined into one string."""
    if PIECED not in (stored[1], new[1]):
        return stored == new
    if stored[1] != new[1]:
        return False  # one is pieced, the other is not: their lengths differ
    return (same_pieces(read_pieces(db, doc.id, "text"), text_pieces(doc.text))
            and same_pieces(read_pieces(db, doc.id, "blocks"), blocks_pieces(doc.blocks)))
