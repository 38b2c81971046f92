"""The SQLite store: documents, passages, tags and human annotations in one file.

Ids derive from content (see ``records.content_id``), so adding the same file twice changes
nothing; adding it again from the same source with new metadata (a built-in document whose
country changed, a Markdown file whose front matter was edited) updates the stored row and keeps
its passages, tags and annotations. Every write is a transaction: a file that fails half-way
leaves no trace, and WAL mode lets searches read while a build writes.

Lifecycle: ``add_documents(passages=…)`` stores each document together with its passages, in one
transaction, so no document is ever stored that could not be cut into passages; with
``old_versions="replace"`` an edited file's earlier version (same source path, or a full text of the
same catalog id) is removed in the same transaction, and its human annotations move to the new
version's passages of the same text. Each document carries a ``version`` (1, 2, … per source) and
the ids it ``supersedes``. ``remove_documents`` deletes documents with their passages and machine
tags; human annotations are kept unless asked (see there for why). A document over a million characters
keeps its text and blocks in pieces (:mod:`.store_parts`); ``get_document`` joins them.

Jurisdictions follow one model (:mod:`.jurisdictions`): ``country`` is stored as a code (``US``,
``GB``, ``EU``, ``INT``) and ``region`` is derived from it (the UN M49 region). A store written
before this model (schema 1: ``region`` held codes such as ``UK`` or World Bank regions, ``country``
full names) is migrated when first opened for writing; a region that names no country is kept in
``meta["source_region"]``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Self

from .errors import MetadataError, WorkspaceDamagedError
from .records import Document, Passage
from .store_edits import apply_edit, save_edit, validate_edit, with_stored_edit
from .store_parts import PIECED, blocks_json, is_long, read_value, same_content, write_parts
from .store_passages import PassageTables
from .store_schema import (
    CURRENT_TABLES,
    DOC_COLUMNS,
    SCHEMA,
    SCHEMA_VERSION,
    VERSION_COLUMNS,
    bump_revision,
    chunks,
    migrate,
    normalized,
    row_to_document,
    schema_version,
    split_ids,
)

OldVersions = Literal["replace", "keep"]
"""What ``add_documents`` does with earlier versions of a re-added file: remove them, or keep them beside it."""
LabelPolicy = Literal["keep", "drop"]
"""What ``remove_documents`` does with the human annotations of the removed passages."""
PassageMaker = Callable[[Document], Iterable[Passage]]
"""Cuts a document into passages (``nlp.segment.segment_stream`` with the workspace's settings); the store
writes them as the iterator gives them."""


@dataclass(frozen=True)
class AddResult:
    """What an ``add_documents`` call did: new ids, ids already stored as given, ids whose metadata
    (or text) was updated because the same source gave new values, ids of earlier versions removed
    (``old_versions="replace"``), and the number of documents cut into passages."""

    added: list[str]
    unchanged: list[str]
    updated: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    segmented: int = 0


@dataclass(frozen=True)
class DocumentInfo:
    """A document's metadata without its text, for listings."""

    id: str
    title: str
    title_zh: str
    title_en: str
    region: str
    country: str
    date: str
    year: int | None
    kind: str
    lang: str
    source: str
    status: str
    catalog_id: str
    passages: int = 0
    chars: int = 0
    has_full_text: bool = False
    version: int = 1
    supersedes: tuple[str, ...] = ()
    superseded_by: str = ""
    added_at: float = 0.0


class Store(PassageTables):
    """SQLite-backed corpus store.

    Example:
        >>> store = Store(tmp_path / "policyscope.sqlite")
        >>> store.add_documents([doc]).added
        ['3f2a…']
        >>> store.add_documents([doc]).added   # idempotent
        []
    """

    def __init__(self, path: str | Path, *, readonly: bool = False):
        self.path = Path(path)
        if readonly:
            if not self.path.exists():
                raise FileNotFoundError(self.path)
            uri = f"file:{self.path}?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            if not self._schema_ready_or_damaged():
                # Only a new or older store is written here: opening a current store must not wait
                # for the write lock that a running build may hold for a while.
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.executescript(SCHEMA)
                self._db.execute(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                )
                self._db.commit()
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA foreign_keys=ON")
        if not readonly and schema_version(self._db) < SCHEMA_VERSION:
            migrate(self._db)
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(documents)")}
        # A read-only reader of a schema-2 store reads the version columns' defaults.
        self._doc_extra = ", ".join(
            f"d.{c}" if c in columns else f"{default.split()[-1]} AS {c}" for c, default in VERSION_COLUMNS.items()
        )
        # A pieced document's length is its pieces' (a read-only reader of an older store has no pieces).
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        self._doc_chars = (
            "CASE WHEN d.blocks = '' THEN (SELECT coalesce(sum(length(value)), 0) FROM document_parts"
            " WHERE doc_id = d.id AND field = 'text') ELSE length(d.text) END"
            if "document_parts" in tables else "length(d.text)"
        )

    def _schema_ready(self) -> bool:
        names = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return CURRENT_TABLES <= names

    def _schema_ready_or_damaged(self) -> bool:
        """Whether the schema is there; a file SQLite cannot read is a ``WorkspaceDamagedError``."""
        try:
            return self._schema_ready()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise WorkspaceDamagedError(self.path, f"damaged store ({exc})") from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- documents -------------------------------------------------------------------------

    def add_documents(
        self,
        docs: Iterable[Document],
        *,
        passages: PassageMaker | None = None,
        settings_key: str = "",
        old_versions: OldVersions | None = None,
    ) -> AddResult:
        """Insert documents in one transaction (all of them or none).

        An id already stored is left untouched, unless the document comes from the same source
        with other metadata (or other text or blocks): then the stored row is updated in place.
        Passages stay (a text or block change marks the document for re-segmentation, which keeps
        the ids, tags and annotations of passages that did not change).

        Args:
            docs: the documents, consumed once (a loader's iterator: a million-row CSV is streamed).
            passages: cuts a document into passages. Every document of the call not yet segmented
                under ``settings_key`` (new, text changed, or stored earlier without passages) is cut
                and its passages written in the same transaction, so a document and its passages are
                stored together or not at all: an exception from ``passages`` (or a Ctrl-C) rolls the
                whole call back, also when it comes half-way through a document whose passages are
                written as an iterator gives them (``PASSAGE_BATCH`` at a time). Without it, documents wait for :meth:`replace_passages_many`.
            settings_key: what ``passages`` depends on (see :meth:`unsegmented`).
            old_versions: ``"replace"``: documents stored earlier from a source this call read (a
                file path), or full texts of a catalog id this call gave, that this call did not
                produce again are the file's earlier version and are removed in this transaction;
                human annotations of their passages move to the new version's passage of the same
                text. ``"keep"``: they stay beside the new version. Either way the new documents get
                the next ``version`` number of their source. Built-in sources are never matched.
                ``None`` (default): no version handling.

        Example: ``report.txt`` was added (id ``a1…``, version 1) and then edited; adding it again
        with ``old_versions="replace"`` stores ``b2…`` as version 2, ``supersedes=("a1…",)``, and
        removes ``a1…``: ``AddResult(added=["b2…"], unchanged=[], replaced=["a1…"])``.
        """
        if passages is not None and not settings_key:
            raise ValueError("passages needs the settings_key it segments under")
        if old_versions not in (None, "replace", "keep"):
            raise ValueError(f"unknown old_versions {old_versions!r}; available: replace, keep")
        added: list[str] = []
        unchanged: list[str] = []
        updated: list[str] = []
        segmented = 0
        seen: set[str] = set()  # ids of this call: an earlier version is a stored id not among them
        groups: dict[tuple[str, str], list[str]] = {}  # (column, value) -> ids added from it
        now = time.time()
        with self._db:
            for doc in docs:
                doc = normalized(with_stored_edit(self._db, doc))  # a person's edit outlives the source's values
                # A long document's text and blocks go in pieces (store_parts: one 200 MB row cost ~670 MB
                # while SQLite wrote it); its row holds '' for both.
                long = is_long(doc)
                values = (
                    *(getattr(doc, c) for c in DOC_COLUMNS),
                    PIECED if long else doc.text,
                    PIECED if long else blocks_json(doc.blocks),
                    json.dumps(doc.meta, ensure_ascii=False, default=str),
                )
                insert = (f"INSERT OR IGNORE INTO documents({', '.join(DOC_COLUMNS)}, text, blocks, meta, added_at)"
                          f" VALUES ({'?, ' * len(DOC_COLUMNS)}?, ?, ?, ?)")
                is_new = bool(self._db.execute(insert, (*values, now)).rowcount)
                if is_new and long:
                    write_parts(self._db, doc)
                if is_new:
                    added.append(doc.id)
                elif self._update_if_changed(doc, values):
                    updated.append(doc.id)
                else:
                    unchanged.append(doc.id)
                if passages is not None and (is_new or not self._segmented_with(doc.id, settings_key)):
                    stored = doc if is_new or doc.id in updated[-1:] else self.get_document(doc.id)
                    self._write_passages(doc.id, passages(stored or doc), settings_key)
                    segmented += 1
                if old_versions is not None:
                    seen.add(doc.id)
                    for key in _version_keys(doc):
                        ids = groups.setdefault(key, [])
                        if is_new:
                            ids.append(doc.id)
            replaced = self._settle_versions(groups, seen, old_versions) if old_versions else []
            if updated or replaced:
                bump_revision(self._db)
        return AddResult(added, unchanged, updated, replaced, segmented)

    def _segmented_with(self, doc_id: str, settings_key: str) -> bool:
        row = self._db.execute("SELECT settings FROM segmented WHERE doc_id=?", (doc_id,)).fetchone()
        return row is not None and row[0] == settings_key

    def _settle_versions(
        self, groups: dict[tuple[str, str], list[str]], seen: set[str], mode: OldVersions
    ) -> list[str]:
        """Number this call's new documents after the earlier versions of their source; remove those
        (``replace``) after moving their passages' annotations. Returns the removed ids."""
        removed: list[str] = []
        gone: set[str] = set()
        for (column, value), new_ids in groups.items():
            old = [
                (r[0], r[1])
                for r in self._db.execute(
                    f"""SELECT id, version FROM documents WHERE {column} = ? AND status = 'full'
                        AND source NOT LIKE 'builtin:%' AND source != 'catalog' ORDER BY added_at, id""",
                    (value,),
                )
                if r[0] not in seen and r[0] not in gone
            ]
            if not old:
                continue
            version = max(v for _, v in old) + 1
            old_ids = [i for i, _ in old]
            # A one-document file names what it replaced; a table's rows have no identity across edits.
            supersedes = json.dumps(old_ids) if len(new_ids) == 1 else ""
            for chunk in chunks(new_ids):
                self._db.execute(
                    f"UPDATE documents SET version = ?, supersedes = ? WHERE id IN ({','.join('?' * len(chunk))})",
                    (version, supersedes, *chunk),
                )
            if mode == "replace":
                self._move_annotations(old_ids, new_ids)
                for chunk in chunks(old_ids):
                    self._db.execute(f"DELETE FROM documents WHERE id IN ({','.join('?' * len(chunk))})", chunk)
                removed.extend(old_ids)
                gone.update(old_ids)
        return removed

    def _move_annotations(self, old_ids: Sequence[str], new_ids: Sequence[str]) -> int:
        """Re-key human annotations of the old documents' passages to a new passage of the same text.

        Passage ids include the document id, so an edited file's unchanged paragraph gets a new id;
        its annotations follow it here. Annotations of text the new version no longer has stay on
        the old ids (kept, matching nothing, as after :meth:`remove_documents`).
        """
        moved = 0
        if not new_ids:
            return moved
        for chunk in chunks(old_ids):
            rows = self._db.execute(
                f"""SELECT DISTINCT p.id, p.text FROM passages p JOIN annotations a ON a.passage_id = p.id
                    WHERE p.doc_id IN ({','.join('?' * len(chunk))})""",
                chunk,
            ).fetchall()
            for pid, text in rows:
                target = None
                for new_chunk in chunks(new_ids):
                    target = self._db.execute(
                        f"SELECT id FROM passages WHERE text = ? AND doc_id IN ({','.join('?' * len(new_chunk))})"
                        " ORDER BY seq LIMIT 1",
                        (text, *new_chunk),
                    ).fetchone()
                    if target:
                        break
                if target:
                    moved += self._db.execute(
                        "UPDATE annotations SET passage_id = ? WHERE passage_id = ?", (target[0], pid)
                    ).rowcount
        return moved

    def _update_if_changed(self, doc: Document, values: tuple[Any, ...]) -> bool:
        """Update ``doc``'s stored row (``values``: its columns as ``add_documents`` inserts them) when its
        source gives other metadata, text or blocks; a text or block change marks it for re-segmentation."""
        columns = (*DOC_COLUMNS, "text", "blocks", "meta")
        row = self._db.execute(f"SELECT {', '.join(columns)} FROM documents WHERE id=?", (doc.id,)).fetchone()
        stored = dict(zip(columns, row))
        new = dict(zip(columns, values))
        if stored["source"] != new["source"]:
            return False  # the same content from another file is a duplicate, not a new version
        same = same_content(self._db, doc, (stored["text"], stored["blocks"]), (new["text"], new["blocks"]))
        if same and all(stored[c] == new[c] for c in (*DOC_COLUMNS, "meta")):
            return False
        self._db.execute(
            f"UPDATE documents SET {', '.join(f'{c}=?' for c in columns)} WHERE id=?",
            (*(new[c] for c in columns), doc.id),
        )
        if not same:
            self._db.execute("DELETE FROM document_parts WHERE doc_id=?", (doc.id,))
            if is_long(doc):
                write_parts(self._db, doc)
            self._db.execute("DELETE FROM segmented WHERE doc_id=?", (doc.id,))
        return True

    def has_document(self, doc_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM documents WHERE id=?", (doc_id,)).fetchone() is not None

    def get_document(self, doc_id: str) -> Document | None:
        row = self._db.execute("SELECT * FROM documents WHERE id=?", (doc_id,)).fetchone()
        return self._document(row) if row else None

    def _document(self, row: sqlite3.Row) -> Document:
        if row["blocks"] != PIECED:
            return row_to_document(row)
        doc_id = row["id"]
        return row_to_document(row, read_value(self._db, doc_id, "text"), read_value(self._db, doc_id, "blocks"))

    def iter_documents(self, ids: Sequence[str] | None = None) -> Iterator[Document]:
        if ids is None:
            rows = self._db.execute("SELECT * FROM documents ORDER BY added_at, id")
            for row in rows:
                yield self._document(row)
            return
        for doc_id in ids:
            doc = self.get_document(doc_id)
            if doc is not None:
                yield doc

    def document_infos(self) -> list[DocumentInfo]:
        """All documents with passage counts; catalog records know whether full text is linked.

        ``lang`` is the document's own, or else the language of most of its passages' text.
        """
        rows = self._db.execute(
            f"""SELECT {', '.join('d.' + c for c in DOC_COLUMNS if c != 'lang')}, {self._doc_extra}, d.added_at,
                       CASE WHEN d.lang != '' THEN d.lang ELSE coalesce(
                           (SELECT p.lang FROM passages p WHERE p.doc_id = d.id AND p.lang != ''
                            GROUP BY p.lang ORDER BY sum(p.end - p.start) DESC, p.lang LIMIT 1), '') END AS lang,
                       {self._doc_chars} AS chars,
                       (SELECT count(*) FROM passages p WHERE p.doc_id = d.id) AS passages,
                       EXISTS(SELECT 1 FROM documents f WHERE f.catalog_id = d.id AND f.status = 'full')
                           AS has_full_text
                FROM documents d ORDER BY d.status, d.country, d.year, d.id"""
        ).fetchall()
        superseded_by = {old: r["id"] for r in rows for old in split_ids(r["supersedes"])}
        return [
            DocumentInfo(**{c: r[c] for c in DOC_COLUMNS}, passages=r["passages"], chars=r["chars"],
                         has_full_text=bool(r["has_full_text"]) or r["status"] == "full",
                         version=r["version"], supersedes=split_ids(r["supersedes"]),
                         superseded_by=superseded_by.get(r["id"], ""), added_at=r["added_at"])
            for r in rows
        ]

    def edit_metadata(self, doc_id: str, **fields: Any) -> Document:
        """Store a person's edit of ``doc_id``'s metadata (fields: ``store_edits.EDITABLE``); returns the document.

        The edit is validated (``MetadataError`` names the bad value), written to the document row and
        kept apart, so every later version its source gives (``build --force``, ``add`` again) keeps it.
        """
        edit = validate_edit(fields)
        with self._db:
            doc = self.get_document(doc_id)
            if doc is None:
                raise MetadataError("document", doc_id, "no such document")
            new = normalized(apply_edit(doc, save_edit(self._db, doc_id, edit)))
            cols = ("title", "title_zh", "title_en", "country", "region", "date", "year", "kind")
            self._db.execute(
                f"UPDATE documents SET {', '.join(f'{c}=?' for c in cols)}, meta=? WHERE id=?",
                (*(getattr(new, c) for c in cols), json.dumps(new.meta, ensure_ascii=False, default=str), doc_id),
            )
            bump_revision(self._db)
        return new

    def count(self, table: str) -> int:
        if table not in {"documents", "passages", "tags", "annotations"}:
            raise ValueError(f"unknown table {table!r}")
        return self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def delete_document(self, doc_id: str) -> bool:
        """Remove one document with its passages and machine tags (see :meth:`remove_documents`)."""
        return bool(self.remove_documents([doc_id]))

    def remove_documents(self, ids: Sequence[str], *, labels: LabelPolicy = "keep") -> list[str]:
        """Remove documents with their passages, segmentation marks and machine tags, in one transaction.

        Human annotations are kept by default (``labels="keep"``): they are people's work, and passage
        ids derive from the document id and the passage's place and text, so adding the same file again
        brings back the same passage ids and the kept annotations apply again. Until then they match no
        passage, and search, comparison and exports ignore them. ``labels="drop"`` deletes them too.

        Returns:
            The ids that were stored (and are now removed), in the order given; unknown ids are skipped.
        """
        if labels not in ("keep", "drop"):
            raise ValueError(f"unknown labels policy {labels!r}; available: keep, drop")
        removed: list[str] = []
        with self._db:
            for doc_id in dict.fromkeys(ids):
                if labels == "drop":
                    self._db.execute(
                        "DELETE FROM annotations WHERE passage_id IN (SELECT id FROM passages WHERE doc_id=?)",
                        (doc_id,),
                    )
                if self._db.execute("DELETE FROM documents WHERE id=?", (doc_id,)).rowcount:
                    removed.append(doc_id)
            if removed:
                bump_revision(self._db)
        return removed

    def find_documents(self, key: str) -> tuple[list[str], list[str]]:
        """``(ids, linked)``: the document whose id is ``key`` (zero or one), and the full texts whose
        catalog id is ``key`` (the id ``policyscope docs`` shows for a built-in or fetched text)."""
        exact = [r[0] for r in self._db.execute("SELECT id FROM documents WHERE id=?", (key,))]
        linked = [
            r[0]
            for r in self._db.execute(
                "SELECT id FROM documents WHERE catalog_id=? AND status='full' AND id != ? ORDER BY added_at, id",
                (key, key),
            )
        ]
        return exact, linked

    def annotated_passages(self, doc_ids: Sequence[str]) -> list[str]:
        """Ids of the passages of these documents that carry human annotations."""
        out: list[str] = []
        for chunk in chunks(list(doc_ids)):
            out += [
                r[0]
                for r in self._db.execute(
                    f"""SELECT DISTINCT p.id FROM passages p JOIN annotations a ON a.passage_id = p.id
                        WHERE p.doc_id IN ({','.join('?' * len(chunk))}) ORDER BY p.doc_id, p.seq""",
                    chunk,
                )
            ]
        return out

    # -- maintenance -----------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def integrity_check(self) -> str:
        """SQLite's own check; returns 'ok' when the file is sound."""
        return self._db.execute("PRAGMA integrity_check").fetchone()[0]

    def fingerprint(self) -> str:
        """Changes whenever documents, passages or tags change (used to skip no-op rebuilds).

        Tag scores are summed as integers (micro-units): a float sum depends on the order SQLite reads
        the rows in, and its last digits changed between two reads of an unchanged store."""
        row = self._db.execute(
            """SELECT (SELECT count(*) FROM documents), (SELECT coalesce(max(added_at), 0) FROM documents),
                      (SELECT count(*) FROM passages), (SELECT group_concat(settings) FROM
                          (SELECT DISTINCT settings FROM segmented)),
                      (SELECT count(*) FROM tags),
                      (SELECT coalesce(sum(CAST(round(score * 1000000) AS INTEGER)), 0) FROM tags),
                      (SELECT count(*) FROM annotations),
                      (SELECT coalesce(max(value), '0') FROM meta WHERE key = 'revision')"""
        ).fetchone()
        return json.dumps(list(row))


def _version_keys(doc: Document) -> list[tuple[str, str]]:
    """What makes a stored document an earlier version of ``doc``: its source file, and for a full
    text its catalog id. Built-in documents have their own lifecycle (``Pipeline.ingest_builtin``)."""
    if doc.source.startswith("builtin:") or doc.source == "catalog":
        return []
    keys = [("source", doc.source)] if doc.source else []
    if doc.status == "full" and doc.catalog_id:
        keys.append(("catalog_id", doc.catalog_id))
    return keys
