"""One index directory loaded for searching: vectors, BM25, filter columns and lazy lookups.

A :class:`LoadedIndex` is read-only and shared by every query until a newer build completes;
the ``Searcher`` then loads the new directory into a new ``LoadedIndex``, so the lazily built
lookups below (country fields, phrase texts) always describe the index they belong to.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from policyscope.corpus.errors import WorkspaceDamagedError
from policyscope.corpus.store import Store
from policyscope.index.build import read_manifest
from policyscope.index.search.matching import normalize_for_match

# Document kinds whose country is where they were written, not what they are about.
SUBJECTLESS_KINDS: frozenset[str] = frozenset({"research paper"})


class LoadedIndex:
    """The read-only parts of one index directory, loaded together."""

    def __init__(self, path: Path):
        self.path = path
        self.manifest: dict[str, Any] = read_manifest(path)
        try:
            with np.load(path / "columns.npz", allow_pickle=False) as cols:
                self.columns = {name: cols[name] for name in cols.files}
            self.ids: np.ndarray = self.columns["ids"]
            self.row_of = {pid: i for i, pid in enumerate(self.ids.tolist())}
            self.measures: list[str] = self.columns["measures"].tolist()
            self.n = len(self.ids)
            self._open_parts(path)
        except (OSError, RuntimeError, ValueError, KeyError, EOFError) as exc:  # a file deleted or cut short
            raise WorkspaceDamagedError(path, f"damaged index ({type(exc).__name__}: {exc})") from None
        self._subject: np.ndarray | None = None
        self._phrase_texts: list[str] | None = None

    def _open_parts(self, path: Path) -> None:
        """Open the vector and keyword indexes (a backend that keeps them elsewhere overrides this; the
        columns, ``ids`` and ``row_of`` are loaded by then)."""
        from policyscope.index.keywords import KeywordIndex
        from policyscope.index.vectors import VectorIndex

        self.vectors: Any = VectorIndex.load(path / "vectors")
        self.keywords: Any = KeywordIndex.load(path / "bm25")

    def vector_search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None, filters: Any = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` rows per query vector among the ``allowed`` ones: ``(scores, rows)``, -1 rows pad.

        ``filters`` (the ``SearchFilters`` the mask was made from) lets a backend that filters in its
        engine push them down; FAISS reads the mask.
        """
        return self.vectors.search(queries, k, allowed=allowed)

    def subject_country(self) -> np.ndarray:
        """Per row, the code of the jurisdiction its document is about, or "".

        A law, a fact sheet or a CCLW record is about its country; a research paper is not about
        where it was written (every passage of a Chinese study of US policy is not "about China"):
        :data:`SUBJECTLESS_KINDS`.
        """
        if self._subject is None:
            subjectless = np.isin(self.columns["kind"], list(SUBJECTLESS_KINDS))
            self._subject = np.where(subjectless, "", self.columns["country_code"])
        return self._subject

    def phrase_texts(self, store: Store) -> list[str]:
        """Every row's passage text normalised for exact matching ("" for a passage since removed)."""
        if self._phrase_texts is None:
            rows = store.get_passages(self.ids.tolist())
            self._phrase_texts = [normalize_for_match(rows[pid].text) if pid in rows else "" for pid in self.ids]
        return self._phrase_texts

    def measures_of(self, row: int) -> tuple[str, ...]:
        """The measures tagged on one row, in the index's measure order."""
        if not self.measures:
            return ()
        flags = self.columns["measure_matrix"][row]
        return tuple(m for j, m in enumerate(self.measures) if flags[j])
