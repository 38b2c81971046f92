"""Search filters and the boolean row mask they make over an index's filter columns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from policyscope.corpus.errors import QueryError
from policyscope.index.search.loaded_index import LoadedIndex


@dataclass(frozen=True)
class SearchFilters:
    """Restrictions on which passages may be returned. Empty fields mean "no restriction".

    ``measures_any``: at least one of these measures; ``measures_all``: every one of them.
    """

    regions: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    measures_any: tuple[str, ...] = ()
    measures_all: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return self == SearchFilters()


def allowed_mask(index: LoadedIndex, filters: SearchFilters | None) -> np.ndarray | None:
    """Boolean mask over the index's rows, or None when nothing is filtered.

    A region matches a passage's region code (``JP``) or its document's country (``Japan``).

    Raises:
        QueryError: a measure that the taxonomy does not define.
    """
    if filters is None or filters.is_empty():
        return None
    cols = index.columns
    mask = np.ones(index.n, dtype=bool)
    if filters.regions:
        wanted = {r.strip().upper() for r in filters.regions}
        wanted_countries = {r.strip().lower() for r in filters.regions}
        mask &= np.isin(cols["region"], list(wanted)) | np.isin(cols["country"], list(wanted_countries))
    if filters.doc_ids:
        mask &= np.isin(cols["doc_id"], list(filters.doc_ids))
    if filters.langs:
        mask &= np.isin(cols["lang"], [lang.lower() for lang in filters.langs])
    if filters.kinds:
        mask &= np.isin(cols["kind"], [k.lower() for k in filters.kinds])
    if filters.year_from is not None:
        mask &= cols["year"] >= filters.year_from
    if filters.year_to is not None:
        mask &= (cols["year"] <= filters.year_to) & (cols["year"] >= 0)
    if filters.measures_any or filters.measures_all:
        from policyscope.nlp.measures import load_taxonomy  # the packaged taxonomy, parsed once per process

        known = frozenset(load_taxonomy().ids)
        unknown = sorted((set(filters.measures_any) | set(filters.measures_all)) - known)
        if unknown:
            raise QueryError(f"unknown measure(s) {', '.join(unknown)}; available: {', '.join(sorted(known))}")
        matrix = cols["measure_matrix"]
        col = {m: j for j, m in enumerate(index.measures)}
        if filters.measures_any:
            js = [col[m] for m in filters.measures_any if m in col]
            mask &= matrix[:, js].any(axis=1) if js else False
        for m in filters.measures_all:
            mask &= matrix[:, col[m]] if m in col else False
    return mask
