"""Search filters and the boolean row mask they make over an index's filter columns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from policyscope.corpus.errors import QueryError
from policyscope.index.search.loaded_index import LoadedIndex

#: The keyword arguments of :meth:`SearchFilters.from_options` (the CLI's option names) and the field each
#: fills (``year`` fills both ends).
FILTER_OPTIONS: dict[str, str | None] = {
    "country": "countries", "region": "regions", "doc": "doc_ids", "lang": "langs", "kind": "kinds",
    "measure": "measures_any", "measure_all": "measures_all", "year": None, "year_from": "year_from",
    "year_to": "year_to",
}


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

    @classmethod
    def from_options(cls, **options: Any) -> SearchFilters:
        """Filters from the search command's options, each a value or a list of values.

        ``year`` is a year (``2021``), a range string (``"2019-2022"``, ``"2019-"``) or a
        ``(from, to)`` pair; ``year_from``/``year_to`` set one end. None and empty values mean
        "no restriction".

        Example:
            >>> SearchFilters.from_options(country=["US", "日本"], year="2021-2023", measure="alliance")
            SearchFilters(regions=(), ..., countries=('US', '日本'))

        Raises:
            TypeError: an unknown option (the message lists the valid ones), as a Python call would.
            QueryError: a year that is not a whole number between 0 and 9999, or a range whose start is
                after its end.
        """
        unknown = sorted(set(options) - set(FILTER_OPTIONS))
        if unknown:
            raise TypeError(f"unknown filter(s) {', '.join(unknown)}; available: {', '.join(FILTER_OPTIONS)}")
        values: dict[str, Any] = {}
        for name, value in options.items():
            field = FILTER_OPTIONS[name]
            if field is None or field.startswith("year") or value is None:
                continue
            values[field] = _strings(name, value)
        year_from, year_to = _year_range(options.get("year"))
        if options.get("year_from") is not None:
            year_from = _year("year_from", options["year_from"])
        if options.get("year_to") is not None:
            year_to = _year("year_to", options["year_to"])
        if year_from is not None and year_to is not None and year_from > year_to:
            raise QueryError(f"year range {year_from}-{year_to}: the start is after the end")
        return cls(year_from=year_from, year_to=year_to, **values)

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


def _strings(name: str, value: Any) -> tuple[str, ...]:
    """One value or an iterable of values, as non-empty strings (``"US"`` is one value, not two letters)."""
    items = [value] if isinstance(value, str) or not isinstance(value, Iterable) else list(value)
    return tuple(str(v).strip() for v in items if v is not None and str(v).strip())


def _year(name: str, value: Any) -> int:
    """A year from an int, a whole float (a form's number box) or a string; anything else, or outside 0..9999
    (``1e400`` included), is refused."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 10_000:
        value = int(value)
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not 0 <= int(text) <= 9999:
        raise QueryError(f"{name}: expected a year between 0 and 9999, got {value!r}")
    return int(text)


def _year_range(value: Any) -> tuple[int | None, int | None]:
    """``2021`` → (2021, 2021); ``"2019-2022"`` → (2019, 2022); ``"2019-"`` → (2019, None); (a, b) → (a, b)."""
    if value is None or value == "":
        return None, None
    if isinstance(value, tuple | list):
        if len(value) != 2:
            raise QueryError(f"year: expected a year, FROM-TO or a (from, to) pair, got {value!r}")
        lo, hi = value
        return (None if lo in (None, "") else _year("year", lo)), (None if hi in (None, "") else _year("year", hi))
    text = str(value).strip()
    lo, dash, hi = text.partition("-")
    if not dash:
        year = _year("year", text)
        return year, year
    return (_year("year", lo) if lo.strip() else None), (_year("year", hi) if hi.strip() else None)


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
