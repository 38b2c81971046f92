"""Search filters and the boolean row mask they make over an index's filter columns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from policyscope.corpus.errors import QueryError
from policyscope.index.search.loaded_index import LoadedIndex


@dataclass(frozen=True)
class SearchFilters:
    """Restrictions on which passages may be returned. Empty fields mean "no restriction".

    ``countries``: jurisdiction codes or names/aliases in en/zh/ja/ko (``CL``, ``智利``, ``米国``, ``EU``);
    ``regions``: UN M49 regions or blocs (``Eastern Asia``, ``东亚``, ``G7``, ``EU27``, ``OECD``), or a
    country alias; a passage passes when its document's country is in any of them (countries and
    regions together: in either). ``doc_ids`` match a document id or a catalog id.
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
    countries: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return self == SearchFilters()

    def jurisdiction_codes(self) -> frozenset[str] | None:
        """The country codes that ``countries`` and ``regions`` allow, or None when neither is set.

        Raises:
            QueryError: a value that names no country, region or bloc (the message lists the blocs).
        """
        if not self.countries and not self.regions:
            return None
        from policyscope.corpus.jurisdictions import jurisdictions_for, resolve_country

        codes: set[str] = set()
        for value in self.countries:
            code = resolve_country(value)
            if code is None:
                raise QueryError(
                    f"unknown country {value!r}; use an ISO code (CL, US, EU) or a name such as Chile, 智利, 米国"
                )
            codes.add(code)
        for value in self.regions:
            found = jurisdictions_for(value)
            if found is None:
                raise QueryError(
                    f"unknown region or bloc {value!r}; use a bloc (EU27, G7, G20, OECD), a UN M49 region"
                    " (Eastern Asia, 东亚, Europe) or a country"
                )
            codes |= found
        return frozenset(codes)


def allowed_mask(index: LoadedIndex, filters: SearchFilters | None) -> np.ndarray | None:
    """Boolean mask over the index's rows, or None when nothing is filtered.

    Countries and regions select by the document's country code (:meth:`SearchFilters.jurisdiction_codes`).

    Raises:
        QueryError: a measure that the taxonomy does not define; a country, region or bloc that names
            nothing.
    """
    if filters is None or filters.is_empty():
        return None
    cols = index.columns
    mask = np.ones(index.n, dtype=bool)
    codes = filters.jurisdiction_codes()
    if codes is not None:
        mask &= np.isin(cols["country_code"], sorted(codes))
    if filters.doc_ids:
        ids = list(filters.doc_ids)
        mask &= np.isin(cols["doc_id"], ids) | np.isin(cols["catalog_id"], ids)
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
