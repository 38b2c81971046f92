"""Passages, machine tags and human annotations: the rows :class:`~.store.Store` keeps under each document.

A document's passages are swapped as a whole (tags of removed passages go with them, through the
foreign keys); tags are replaced per tagger source, and annotations are added, and removed only by id (a
reviewer's undo of their own last decision, :meth:`remove_annotations`).
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from typing import Any

from .records import Passage, PassageView, Span, Tag
from .store_schema import VIEW_SELECT, row_to_passage

PASSAGE_BATCH = 1000
"""Passages written per ``executemany`` while a document's passages stream in (and read per page when tagging)."""


class PassageTables:
    """The passage, tag and annotation methods of :class:`~.store.Store`, over its connection ``_db``."""

    _db: sqlite3.Connection

    # -- passages --------------------------------------------------------------------------

    def unsegmented(self, settings_key: str) -> list[str]:
        """Ids of documents never segmented, or segmented with other settings."""
        rows = self._db.execute(
            """SELECT d.id FROM documents d LEFT JOIN segmented s ON s.doc_id = d.id
               WHERE s.settings IS NULL OR s.settings != ? ORDER BY d.added_at, d.id""",
            (settings_key,),
        ).fetchall()
        return [r[0] for r in rows]

    def replace_passages(self, doc_id: str, passages: Iterable[Passage], settings_key: str) -> None:
        """Swap a document's passages atomically (tags of removed passages go with them)."""
        self.replace_passages_many([(doc_id, passages)], settings_key)

    def replace_passages_many(
        self, items: Iterable[tuple[str, Iterable[Passage]]], settings_key: str
    ) -> None:
        """Swap the passages of several documents in one transaction (all or none of them).

        Passages may come from an iterator (``nlp.segment.segment_stream``): they are written as they
        come, ``PASSAGE_BATCH`` at a time, and an error raised by the iterator rolls the whole call back.
        """
        with self._db:
            for doc_id, passages in items:
                self._write_passages(doc_id, passages, settings_key)

    def _write_passages(self, doc_id: str, passages: Iterable[Passage], settings_key: str) -> int:
        """A document's passages and its segmentation mark, inside the caller's transaction.

        Written ``PASSAGE_BATCH`` at a time as the iterator gives them, so a document of 10^6 passages
        never sits in memory as a list (nor as the list of row tuples ``executemany`` was given).
        Returns the number of passages written.
        """
        self._db.execute("DELETE FROM passages WHERE doc_id=?", (doc_id,))
        written = 0
        rows = (
            (p.id, p.doc_id, p.seq, p.start, p.end, p.text, p.lang, p.heading, p.page, p.kind, p.context)
            for p in passages
        )
        while batch := list(itertools.islice(rows, PASSAGE_BATCH)):
            self._db.executemany(
                "INSERT OR REPLACE INTO passages(id, doc_id, seq, start, end, text, lang, heading, page, kind,"
                " context) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                batch,
            )
            written += len(batch)
        self._db.execute("INSERT OR REPLACE INTO segmented(doc_id, settings) VALUES (?, ?)", (doc_id, settings_key))
        return written

    def iter_passages(self, doc_id: str | None = None) -> Iterator[Passage]:
        if doc_id is None:
            rows = self._db.execute("SELECT * FROM passages ORDER BY doc_id, seq")
        else:
            rows = self._db.execute("SELECT * FROM passages WHERE doc_id=? ORDER BY seq", (doc_id,))
        for r in rows:
            yield row_to_passage(r)

    def passage_rows(self) -> Iterator[PassageView]:
        """Passages joined with their document's metadata, in a stable order (for indexing)."""
        for row in self._db.execute(f"{VIEW_SELECT} ORDER BY d.added_at, p.doc_id, p.seq"):
            yield PassageView(*row)

    def get_passages(self, ids: Sequence[str]) -> dict[str, PassageView]:
        """Passages with document metadata by id (for search hits); unknown ids are left out."""
        out: dict[str, PassageView] = {}
        for chunk_start in range(0, len(ids), 500):
            chunk = list(ids[chunk_start : chunk_start + 500])
            rows = self._db.execute(
                f"{VIEW_SELECT} WHERE p.id IN ({','.join('?' * len(chunk))})", chunk
            ).fetchall()
            out.update({r[0]: PassageView(*r) for r in rows})
        return out

    # -- tags and annotations --------------------------------------------------------------

    def untagged_pages(self, tagger_key: str | None, size: int = PASSAGE_BATCH) -> Iterator[list[Passage]]:
        """Passages never tagged, or tagged by another tagger version (every passage when ``tagger_key`` is
        ``None``), in pages of at most ``size``, in ``(doc_id, seq)`` order.

        Each page is its own query starting after the last passage of the page before (keyset paging on
        the ``passages_doc`` index), so no read is open while the caller writes tags between two pages,
        and a million untagged passages are never one list.
        """
        if size < 1:
            raise ValueError(f"page size must be at least 1, got {size}")
        wanted = "1" if tagger_key is None else "(t.tagger IS NULL OR t.tagger != :key)"
        after: tuple[str, int, int] = ("", -1, -1)
        while True:
            rows = self._db.execute(
                f"""SELECT p.rowid AS row_id, p.* FROM passages p LEFT JOIN tagged t ON t.passage_id = p.id
                    WHERE (p.doc_id, p.seq, p.rowid) > (:doc, :seq, :row) AND {wanted}
                    ORDER BY p.doc_id, p.seq, p.rowid LIMIT :size""",
                {"doc": after[0], "seq": after[1], "row": after[2], "key": tagger_key, "size": size},
            ).fetchall()
            if not rows:
                return
            last = rows[-1]
            after = (last["doc_id"], last["seq"], last["row_id"])
            yield [row_to_passage(r) for r in rows]
            if len(rows) < size:
                return

    def count_untagged(self, tagger_key: str | None) -> int:
        """How many passages :meth:`untagged_pages` gives."""
        if tagger_key is None:
            return self._db.execute("SELECT count(*) FROM passages").fetchone()[0]
        return self._db.execute(
            """SELECT count(*) FROM passages p LEFT JOIN tagged t ON t.passage_id = p.id
               WHERE t.tagger IS NULL OR t.tagger != ?""",
            (tagger_key,),
        ).fetchone()[0]

    def replace_tags(
        self, tags: dict[str, Sequence[Tag]], sources: Sequence[str], tagger_key: str = ""
    ) -> None:
        """Replace machine tags of the given sources on these passages. Human annotations are untouched."""
        with self._db:
            marks = ",".join("?" * len(sources))
            for pid, ptags in tags.items():
                if tagger_key:
                    self._db.execute(
                        "INSERT OR REPLACE INTO tagged(passage_id, tagger) VALUES (?, ?)", (pid, tagger_key)
                    )
                self._db.execute(f"DELETE FROM tags WHERE passage_id=? AND source IN ({marks})", (pid, *sources))
                self._db.executemany(
                    "INSERT OR REPLACE INTO tags(passage_id, measure, score, source, spans) VALUES (?,?,?,?,?)",
                    [
                        (pid, t.measure, float(t.score), t.source,
                         json.dumps([asdict(s) for s in t.spans], ensure_ascii=False))
                        for t in ptags
                    ],
                )

    def tags_for(self, passage_ids: Sequence[str]) -> dict[str, list[Tag]]:
        out: dict[str, list[Tag]] = {pid: [] for pid in passage_ids}
        for start in range(0, len(passage_ids), 500):
            chunk = list(passage_ids[start : start + 500])
            rows = self._db.execute(
                f"SELECT * FROM tags WHERE passage_id IN ({','.join('?' * len(chunk))}) ORDER BY score DESC",
                chunk,
            )
            for r in rows:
                spans = tuple(Span(**s) for s in json.loads(r["spans"]))
                out[r["passage_id"]].append(Tag(r["measure"], r["score"], r["source"], spans))
        return out

    def add_annotation(
        self, passage_id: str, measure: str, action: str, annotator: str, note: str = "",
        created_at: float | None = None,
    ) -> int:
        with self._db:
            cur = self._db.execute(
                "INSERT INTO annotations(passage_id, measure, action, annotator, created_at, note)"
                " VALUES (?,?,?,?,?,?)",
                (passage_id, measure, action, annotator, created_at or time.time(), note),
            )
        return int(cur.lastrowid or 0)

    def add_annotations(self, rows: Iterable[tuple[str, str, str, str, float]]) -> int:
        """Insert ``(passage_id, measure, action, annotator, created_at)`` rows in one transaction."""
        values = [(*r, "") for r in rows]
        with self._db:
            self._db.executemany(
                "INSERT INTO annotations(passage_id, measure, action, annotator, created_at, note)"
                " VALUES (?,?,?,?,?,?)",
                values,
            )
        return len(values)

    def remove_annotations(self, ids: Sequence[int]) -> int:
        """Delete these annotation rows (by their ``id``) in one transaction; returns how many existed.

        For undo: the review tab removes exactly the rows its last action added, so the passage's labels are
        what they were before (an untouched passage is unreviewed again).
        """
        ids = [int(i) for i in ids]
        if not ids:
            return 0
        with self._db:
            cur = self._db.execute(f"DELETE FROM annotations WHERE id IN ({','.join('?' * len(ids))})", ids)
        return int(cur.rowcount or 0)

    def annotations(self, passage_id: str | None = None) -> list[dict[str, Any]]:
        if passage_id is None:
            rows = self._db.execute("SELECT * FROM annotations ORDER BY id")
        else:
            rows = self._db.execute("SELECT * FROM annotations WHERE passage_id=? ORDER BY id", (passage_id,))
        return [dict(r) for r in rows]

    def annotations_for(self, passage_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The annotations of these passages, in id order (what :meth:`annotations` gives, filtered):
        a build asking for a batch of 2,048 passages no longer reads every annotation of the store."""
        out: list[dict[str, Any]] = []
        for start in range(0, len(passage_ids), 500):
            chunk = list(passage_ids[start : start + 500])
            rows = self._db.execute(
                f"SELECT * FROM annotations WHERE passage_id IN ({','.join('?' * len(chunk))})", chunk
            )
            out.extend(dict(r) for r in rows)
        out.sort(key=lambda a: a["id"])
        return out
