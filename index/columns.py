"""The per-passage filter columns of an index (``columns.npz``): made per batch of passages, kept
compact while a build runs, written one column at a time.

Row i of every column is row i of the vector and BM25 indexes. ``columns.npz`` is a plain NumPy
archive (``np.load(..., allow_pickle=False)`` reads it); :func:`save_columns` writes it the way
``np.savez`` does, but materialises one column at a time.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from policyscope.corpus.records import PassageView

if TYPE_CHECKING:
    from policyscope.corpus.store import Store

# Repetitive string columns: kept as int32 codes into one table of values while a build runs.
CODED = ("doc_id", "country_code", "region", "catalog_id", "lang", "kind", "status")


def _measure_columns(store: Store, ids: list[str]) -> tuple[list[str], np.ndarray]:
    """Effective measure tags per passage (model tags corrected by humans) as a bool matrix."""
    from policyscope.nlp.labels import effective_tags  # local: tagging may be absent in old stores

    tags = effective_tags(store, ids)
    measures = sorted({m for ts in tags.values() for m in ts})
    matrix = np.zeros((len(ids), len(measures)), dtype=bool)
    col = {m: j for j, m in enumerate(measures)}
    for i, pid in enumerate(ids):
        for m in tags.get(pid, ()):
            matrix[i, col[m]] = True
    return measures, matrix


def passage_columns(store: Store, rows: Sequence[PassageView]) -> dict[str, np.ndarray]:
    """The per-row filter columns every backend's ``columns.npz`` holds (row i = rows[i])."""
    ids = [r.id for r in rows]
    measures, measure_matrix = _measure_columns(store, ids)
    return {
        "ids": np.array(ids, dtype=str),
        "doc_id": np.array([r.doc_id for r in rows], dtype=str),
        # The jurisdiction code: filters (--country, --region by the codes a grouping covers) and the
        # keyword scoring's country match (LoadedIndex.subject_country) read it.
        "country_code": np.array([(r.country or "").upper() for r in rows], dtype=str),
        "region": np.array([r.region or "" for r in rows], dtype=str),
        "catalog_id": np.array([r.catalog_id or "" for r in rows], dtype=str),
        "lang": np.array([r.lang or "" for r in rows], dtype=str),
        "kind": np.array([(r.doc_kind or "").lower() for r in rows], dtype=str),
        "year": np.array([r.year if r.year is not None else -1 for r in rows], dtype=np.int32),
        "status": np.array([r.status for r in rows], dtype=str),
        "measures": np.array(measures, dtype=str),
        "measure_matrix": measure_matrix,
    }


class ColumnParts(Mapping[str, np.ndarray]):
    """Columns gathered batch by batch (:meth:`add`), read back whole by name.

    The repetitive string columns (:data:`CODED`) are stored as int32 codes into one table of
    values each: a million passages of one document hold 4 MB of codes, not a 34-character string
    per row (136 MB as a NumPy ``<U34`` array). Each batch has its own measure list; reading
    ``measure_matrix`` lays every batch on the union of them.

    Example::

        parts = ColumnParts()
        parts.add(passage_columns(store, rows[:2048]))
        parts.add(passage_columns(store, rows[2048:]))
        parts["doc_id"]                      # one array over both batches
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._plain: dict[str, list[np.ndarray]] = {}
        self._codes: dict[str, list[np.ndarray]] = {k: [] for k in CODED}
        self._tables: dict[str, dict[str, int]] = {k: {} for k in CODED}
        self._measures: list[tuple[np.ndarray, np.ndarray]] = []
        self._n = 0

    def add(self, columns: Mapping[str, np.ndarray]) -> None:
        """Append one batch (a :func:`passage_columns` result)."""
        for key, values in columns.items():
            if key in CODED:
                table = self._tables[key]
                uniq, inverse = np.unique(values, return_inverse=True)
                remap = np.array([table.setdefault(str(v), len(table)) for v in uniq], dtype=np.int32)
                self._codes[key].append(remap[inverse] if len(uniq) else np.zeros(0, np.int32))
            elif key not in ("measures", "measure_matrix"):
                self._plain.setdefault(key, []).append(np.asarray(values))
        self._measures.append((np.asarray(columns["measures"]), np.asarray(columns["measure_matrix"])))
        self._n += len(columns["ids"])

    def clear(self) -> None:
        """Drop every batch (after the columns are written)."""
        self._reset()

    def __len__(self) -> int:
        return len(self._plain) + len(CODED) + 2 if self._measures else 0

    def __iter__(self) -> Iterator[str]:
        if self._measures:
            yield from ("ids", *CODED, *(k for k in self._plain if k != "ids"), "measures", "measure_matrix")

    def __getitem__(self, key: str) -> np.ndarray:
        if key in CODED and self._measures:
            table = np.array(list(self._tables[key]), dtype=str)
            codes = np.concatenate(self._codes[key])
            return table[codes] if len(table) else np.zeros(0, dtype=str)
        if key in ("measures", "measure_matrix") and self._measures:
            measures = sorted({str(m) for names, _ in self._measures for m in names})
            if key == "measures":
                return np.array(measures, dtype=str)
            col = {m: j for j, m in enumerate(measures)}
            matrix = np.zeros((self._n, len(measures)), dtype=bool)
            start = 0
            for names, part in self._measures:
                end = start + len(part)
                for j, m in enumerate(names):
                    matrix[start:end, col[str(m)]] = part[:, j]
                start = end
            return matrix
        if key in self._plain:
            return np.concatenate(self._plain[key])
        raise KeyError(key)


def save_columns(path: Path, columns: Mapping[str, np.ndarray]) -> None:
    """Write ``columns`` as an ``.npz`` archive (as ``np.savez`` does: stored, one ``<key>.npy`` per
    column), reading one column at a time from ``columns``."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for key in columns:
            array = np.asanyarray(columns[key])
            with archive.open(f"{key}.npy", "w", force_zip64=True) as out:
                np.lib.format.write_array(out, array, allow_pickle=False)
            del array
