"""The store's schema and rows: the tables, their migration, and the conversion between rows and records.

:class:`~.store.Store` and its passage half (:mod:`.store_passages`) read and write through these; a
store file is checked against :data:`STORE_TABLES` by ``policyscope doctor``. The jurisdiction model
(:mod:`.jurisdictions`) is applied here, on every write and when a schema-1 store is migrated.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from .jurisdictions import region_of, resolve_country
from .records import Block, Document, Passage

SCHEMA_VERSION = 3  # 2: country codes and derived regions; 3: documents.version and .supersedes

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    title_zh TEXT NOT NULL DEFAULT '',
    title_en TEXT NOT NULL DEFAULT '',
    region TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    date TEXT NOT NULL DEFAULT '',
    year INTEGER,
    kind TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'full',
    catalog_id TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    blocks TEXT NOT NULL DEFAULT '[]',
    meta TEXT NOT NULL DEFAULT '{}',
    added_at REAL NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    supersedes TEXT NOT NULL DEFAULT ''  -- JSON list of the ids this version replaced ('' = none)
);
CREATE INDEX IF NOT EXISTS documents_catalog ON documents(catalog_id);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
CREATE TABLE IF NOT EXISTS passages (
    id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT '',
    heading TEXT NOT NULL DEFAULT '',
    page INTEGER,
    kind TEXT NOT NULL DEFAULT 'paragraph',
    context TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id, seq);
CREATE TABLE IF NOT EXISTS segmented (
    doc_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    settings TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tags (
    passage_id TEXT NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
    measure TEXT NOT NULL,
    score REAL NOT NULL,
    source TEXT NOT NULL,
    spans TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (passage_id, measure, source)
);
CREATE TABLE IF NOT EXISTS tagged (
    passage_id TEXT PRIMARY KEY REFERENCES passages(id) ON DELETE CASCADE,
    tagger TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS annotations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    passage_id TEXT NOT NULL,
    measure TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('accept', 'reject', 'add')),
    annotator TEXT NOT NULL,
    created_at REAL NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS annotations_passage ON annotations(passage_id);
-- A long document's text and blocks in pieces (store_parts.py); its documents row holds '' for both.
CREATE TABLE IF NOT EXISTS document_parts (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    field TEXT NOT NULL CHECK (field IN ('text', 'blocks')),
    seq INTEGER NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (doc_id, field, seq)
);
-- People's metadata edits (store_edits.py), laid over every later version of the document's source.
CREATE TABLE IF NOT EXISTS metadata_edits (
    doc_id TEXT PRIMARY KEY,
    fields TEXT NOT NULL,  -- JSON object: field -> value
    edited_at REAL NOT NULL
);
"""

#: The tables of a complete store (``policyscope doctor`` checks a file for them).
STORE_TABLES = frozenset({"meta", "documents", "passages", "segmented", "tags", "tagged", "annotations"})
#: What a store opened for writing has: ``metadata_edits`` and ``document_parts`` came later and are created
#: (``IF NOT EXISTS``) when an older store is first opened, so a store written before them is still a
#: complete, healthy store.
CURRENT_TABLES = STORE_TABLES | {"metadata_edits", "document_parts"}

# One SELECT for PassageView, its columns in the dataclass's field order.
VIEW_SELECT = """SELECT p.id, p.doc_id, p.seq, p.start, p.end, p.text, p.lang, p.heading, p.page, p.kind,
       p.context, d.title, d.title_zh, d.title_en, d.region, d.country, d.year, d.date,
       d.kind AS doc_kind, d.status, d.catalog_id, d.source
FROM passages p JOIN documents d ON d.id = p.doc_id"""

DOC_COLUMNS = (
    "id", "title", "title_zh", "title_en", "region", "country", "date", "year", "kind", "lang",
    "source", "status", "catalog_id",
)
# Columns a schema-2 store lacks until it is opened for writing (a read-only reader sees the defaults).
VERSION_COLUMNS = {"version": "INTEGER NOT NULL DEFAULT 1", "supersedes": "TEXT NOT NULL DEFAULT ''"}


def schema_version(db: sqlite3.Connection) -> int:
    """The schema version a store file records (1 when it records none: the first schema)."""
    row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    return int(row[0]) if row and str(row[0]).isdigit() else 1


def migrate(db: sqlite3.Connection) -> None:
    """Bring an older store to the current schema in one transaction, step by step.

    1 -> 2: ``country`` becomes a code and ``region`` its derived region, for every document.
    2 -> 3: documents get ``version`` (1) and ``supersedes`` (none), and an index on ``source``.
    """
    # IMMEDIATE takes the write lock first: two processes opening an old store at once must not
    # both add the columns (the second ALTER TABLE would fail on a duplicate column).
    db.execute("BEGIN IMMEDIATE")
    try:
        version = schema_version(db)
        if version < 2:
            _migrate_jurisdictions(db)
        if version < 3:
            columns = {r[1] for r in db.execute("PRAGMA table_info(documents)")}
            for name, decl in VERSION_COLUMNS.items():
                if name not in columns:
                    db.execute(f"ALTER TABLE documents ADD COLUMN {name} {decl}")
            db.execute("CREATE INDEX IF NOT EXISTS documents_source ON documents(source)")
        if version < SCHEMA_VERSION:
            db.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        db.commit()
    except BaseException:
        db.rollback()
        raise


def _migrate_jurisdictions(db: sqlite3.Connection) -> None:
    rows = db.execute("SELECT id, region, country, meta FROM documents").fetchall()
    for r in rows:
        meta = json.loads(r["meta"] or "{}")
        country, region = jurisdiction(r["country"], r["region"], meta)
        if (country, region) != (r["country"], r["region"]):
            db.execute(
                "UPDATE documents SET country=?, region=?, meta=? WHERE id=?",
                (country, region, json.dumps(meta, ensure_ascii=False, default=str), r["id"]),
            )
    bump_revision(db)


def bump_revision(db: sqlite3.Connection) -> None:
    """Metadata changed in place: the index fingerprint must change although no row was added."""
    db.execute(
        "INSERT INTO meta(key, value) VALUES ('revision', '1') ON CONFLICT(key) DO UPDATE"
        " SET value = CAST(value AS INTEGER) + 1"
    )


def chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    """``items`` in slices SQLite's parameter limit accepts."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def split_ids(value: str) -> tuple[str, ...]:
    """The ids of a ``supersedes`` column: a JSON list, or empty."""
    return tuple(json.loads(value)) if value else ()


def jurisdiction(country: str, region: str, meta: dict[str, Any]) -> tuple[str, str]:
    """``(country code, derived region)`` from a document's country and region as given.

    The country is resolved first, then the region when it names a country (``UK`` as written by
    schema-1 stores and catalogs); a region that names none (a World Bank region) is kept in
    ``meta["source_region"]``, an unknown country in ``meta["country_raw"]``; ``region`` is always
    derived, never taken as given.
    """
    country = (country or "").strip()
    region = (region or "").strip()
    code = resolve_country(country) if country else None
    if country and not code:
        meta.setdefault("country_raw", country)
    if region:
        as_country = resolve_country(region)
        if code is None and as_country:
            code = as_country
        elif as_country is None and region != region_of(code or ""):
            meta.setdefault("source_region", region)
    code = code or ""
    return code, region_of(code)


def normalized(doc: Document) -> Document:
    """The document with its jurisdiction in the one model (country code, derived region)."""
    meta = dict(doc.meta)
    country, region = jurisdiction(doc.country, doc.region, meta)
    if (country, region) == (doc.country, doc.region) and meta == doc.meta:
        return doc
    return replace(doc, country=country, region=region, meta=meta)


_DECODER = json.JSONDecoder()
_SEPARATORS = frozenset(" \t\n\r,")


def iter_json_array(raw: str) -> Iterator[Any]:
    """The items of a JSON array (``store_parts.blocks_json``'s output), decoded one at a time.

    ``json.loads`` of a 200 MB text file's ~10^6 blocks made a list of 10^6 dicts (~300 MB) before a
    single ``Block`` was built; here each dict is dropped as soon as its block is made.

    Raises:
        ValueError: ``raw`` is not a JSON array (``json.JSONDecodeError`` for a malformed item).
    """
    pos = len(raw) - len(raw.lstrip())
    if not raw.startswith("[", pos):
        raise ValueError(f"not a JSON array: {raw[:40]!r}")
    pos += 1
    n = len(raw)
    while True:
        while pos < n and raw[pos] in _SEPARATORS:
            pos += 1
        if pos >= n:
            raise ValueError("JSON array without its closing ']'")
        if raw[pos] == "]":
            return
        item, pos = _DECODER.raw_decode(raw, pos)
        yield item


def row_to_document(row: sqlite3.Row, text: str | None = None, blocks: str | None = None) -> Document:
    """The document of a ``documents`` row; ``text`` and ``blocks`` replace the row's (a pieced document's,
    joined from ``document_parts``)."""
    items = tuple(Block(**b) for b in iter_json_array(row["blocks"] if blocks is None else blocks))
    return Document(**{c: row[c] for c in DOC_COLUMNS}, text=row["text"] if text is None else text,
                    blocks=items, meta=json.loads(row["meta"]))


def row_to_passage(r: sqlite3.Row) -> Passage:
    return Passage(
        id=r["id"], doc_id=r["doc_id"], seq=r["seq"], start=r["start"], end=r["end"], text=r["text"],
        lang=r["lang"], heading=r["heading"], page=r["page"], kind=r["kind"], context=r["context"],
    )


def store_file_stamp(path: Path) -> tuple[tuple[int, int], ...]:
    """(mtime, size) of a store's database file and its write-ahead log ((0, 0) when absent): every commit,
    by any process, changes them (WAL mode appends each commit to the log), so equal stamps mean no write
    since. Views and search results kept in memory compare it (~20 µs) instead of querying the store."""
    out = []
    for name in (path, path.with_name(path.name + "-wal")):
        try:
            st = name.stat()
            out.append((st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            out.append((0, 0))
    return tuple(out)
