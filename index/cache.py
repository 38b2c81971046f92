"""A persistent embedding cache, so rebuilding an index only encodes new or changed passages.

Vectors live in SQLite keyed by ``(encoder, sha256(text))`` as little-endian float32 bytes
(read back with ``np.frombuffer``; nothing is pickled). The database runs in WAL mode, so one
process can write while others read.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Self

import numpy as np
from policyscope.corpus.atomic import move_aside

from .encoders import Encoder, Progress

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    encoder   TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    dim       INTEGER NOT NULL,
    vector    BLOB NOT NULL,
    PRIMARY KEY (encoder, text_hash)
) WITHOUT ROWID
"""
# SQLite allows 32766 host parameters per statement (999 before 3.32); stay well below.
_SELECT_CHUNK = 500
# Encode and commit in chunks so an interrupted build keeps what it already paid for.
_COMMIT_EVERY_BATCHES = 32
_VECTOR_DTYPE = np.dtype("<f4")


def text_hash(text: str) -> str:
    """Hex sha256 of the UTF-8 text: the cache key of a passage."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def encoder_key(encoder: Encoder) -> str:
    """Cache key of an encoder: its name plus package version, so an upgrade re-encodes."""
    info = encoder.info() if hasattr(encoder, "info") else {}
    ver = info.get("version")
    return f"{encoder.name}@{ver}" if ver else encoder.name


class EmbeddingCache:
    """Embeddings by ``(encoder, text)`` in one SQLite file.

    ``embed`` hashes every text, looks the hashes up, encodes only the unique texts that are
    missing, stores them and returns one row per input text in input order. For example,
    embedding ``["a", "b", "a"]`` on an empty cache encodes ``["a", "b"]`` once; embedding
    ``["a", "c"]`` afterwards encodes only ``["c"]``.

    Args:
        path: the database file; its parent directory is created if needed.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._conn = self._open()
        except sqlite3.DatabaseError as exc:
            # The cache only saves work: an unreadable one (garbage, cut short) is moved aside, not fatal.
            aside = move_aside(self.path)
            logger.warning("embedding cache %s was unreadable (%s); moved it to %s and started a new one",
                           self.path, exc, aside.name)
            self._conn = self._open()

    def _open(self) -> sqlite3.Connection:
        # timeout: wait for another process's write transaction instead of failing at once.
        conn = sqlite3.connect(self.path, timeout=60.0, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
            conn.execute("SELECT 1 FROM embeddings LIMIT 1").fetchone()
            conn.commit()
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def count(self, encoder: Encoder | str | None = None) -> int:
        """Number of cached vectors, for one encoder (object or key) or in total."""
        with self._lock:
            if encoder is None:
                row = self._conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()
            else:
                key = encoder if isinstance(encoder, str) else encoder_key(encoder)
                row = self._conn.execute(
                    "SELECT COUNT(*) FROM embeddings WHERE encoder = ?", (key,)
                ).fetchone()
        return int(row[0])

    def count_missing(self, encoder: Encoder, texts: Sequence[str]) -> int:
        """How many distinct texts :meth:`embed` would have to encode (the progress total)."""
        unique = list(dict.fromkeys(text_hash(t) for t in texts))
        return len(unique) - len(self._lookup(encoder_key(encoder), unique, int(encoder.dim)))

    def _lookup(self, key: str, hashes: Sequence[str], dim: int) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(hashes), _SELECT_CHUNK):
                chunk = hashes[start : start + _SELECT_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT text_hash, dim, vector FROM embeddings "
                    f"WHERE encoder = ? AND text_hash IN ({marks})",
                    (key, *chunk),
                ).fetchall()
                for h, d, blob in rows:
                    # A row of another dimension (e.g. a renamed model) is stale: re-encode it.
                    if d == dim and len(blob) == dim * _VECTOR_DTYPE.itemsize:
                        found[h] = np.frombuffer(blob, dtype=_VECTOR_DTYPE)
        return found

    def _store(self, key: str, items: Iterable[tuple[str, np.ndarray]], dim: int) -> None:
        rows = [(key, h, dim, np.ascontiguousarray(v, dtype=_VECTOR_DTYPE).tobytes()) for h, v in items]
        with self._lock, self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO embeddings (encoder, text_hash, dim, vector) VALUES (?, ?, ?, ?)",
                rows,
            )

    def embed(
        self,
        encoder: Encoder,
        texts: Sequence[str],
        batch_size: int = 32,
        progress: Progress | None = None,
        planned: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Vectors for ``texts`` (float32, shape ``(len(texts), encoder.dim)``), encoding only misses.

        Args:
            encoder: any :class:`~policyscope.index.encoders.Encoder`.
            texts: passages to embed (with ``encode_passages``).
            batch_size: texts per encoder call.
            progress: called after each encoded batch with the number of texts encoded so far;
                the total is :meth:`count_missing` (cache hits and duplicates are not encoded).
            planned: called once, before encoding, with that total (saves a second lookup).
        """
        if isinstance(texts, str):
            raise TypeError("pass a sequence of texts, not a single str")
        texts = list(texts)
        dim = int(encoder.dim)
        key = encoder_key(encoder)
        out = np.empty((len(texts), dim), dtype=np.float32)
        if not texts:
            if planned is not None:
                planned(0)
            return out

        hashes = [text_hash(t) for t in texts]
        unique: dict[str, str] = {}
        for h, t in zip(hashes, texts):
            unique.setdefault(h, t)
        vectors = self._lookup(key, list(unique), dim)
        missing = [h for h in unique if h not in vectors]
        logger.debug(
            "embedding cache %s: %d texts, %d unique, %d to encode",
            key,
            len(texts),
            len(unique),
            len(missing),
        )
        if planned is not None:
            planned(len(missing))

        step = batch_size * _COMMIT_EVERY_BATCHES
        for start in range(0, len(missing), step):
            chunk = missing[start : start + step]
            report = None if progress is None else (lambda done, offset=start: progress(offset + done))
            encoded = encoder.encode_passages(
                [unique[h] for h in chunk], batch_size=batch_size, progress=report
            )
            encoded = np.asarray(encoded, dtype=np.float32)
            if encoded.shape != (len(chunk), dim):
                raise ValueError(
                    f"encoder {encoder.name!r} returned shape {encoded.shape}, expected {(len(chunk), dim)}"
                )
            self._store(key, zip(chunk, encoded), dim)
            vectors.update(zip(chunk, encoded))

        for i, h in enumerate(hashes):
            out[i] = vectors[h]
        return out
