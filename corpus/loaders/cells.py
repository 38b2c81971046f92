"""Cell values of tabular files: strings, embedded records and dates, as the document fields want them."""

from __future__ import annotations

import ast
import datetime as _dt
import functools
import json
import re
from collections.abc import Iterator
from typing import Any

_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T\s])")
_ISO_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_NUMERIC_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
# 2021年3月5日 (zh, ja), 2021년 3월 5일 (ko); the day is optional.
_CJK_DATE = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(?:(\d{1,2})\s*[日일])?")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
#: First Western year of each Japanese era (元年, the first year, is year 1).
_ERAS = {"明治": 1868, "大正": 1912, "昭和": 1926, "平成": 1989, "令和": 2019}
_ERA = re.compile(r"(明治|大正|昭和|平成|令和)\s*(元|\d{1,2})\s*年")


def cell_str(value: Any) -> str:
    """A cell as text.

    ``2020.0`` -> ``"2020"``, a midnight datetime -> ``"2020-12-28"``, ``{"name": "China", ...}``
    -> ``"China"``, a list -> its items joined with ``"; "``, ``None`` -> ``""``.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return str(value.get("name") or value.get("title") or "")
    if isinstance(value, list):
        return "; ".join(cell_str(v) for v in _leaves(value))
    return str(value).strip()


def _leaves(items: list[Any]) -> Iterator[Any]:
    """The non-list items of a nested list, in order, without recursion.

    A JSON line may nest lists 900 deep (within ``json``'s limit); recursing through them would
    hit Python's recursion limit: ``[[["a"], "b"]]`` -> ``"a"``, ``"b"``.
    """
    stack = [iter(items)]
    while stack:
        for value in stack[-1]:
            if isinstance(value, list):
                stack.append(iter(value))
                break
            yield value
        else:
            stack.pop()


def as_record(value: Any) -> dict[str, Any] | None:
    """A cell holding a dict (JSON object or a Python repr, as in the CCLW ``geography`` column)."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        for parse in (json.loads, ast.literal_eval):
            try:
                obj = parse(value)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                continue
            if isinstance(obj, dict):
                return obj
    return None


def parse_date(value: Any) -> str:
    """ISO ``yyyy-mm-dd`` (or ``yyyy-mm`` / ``yyyy`` where that is all there is) from a cell, or ``""``.

    ``datetime(2020, 12, 28)`` -> ``"2020-12-28"``; ``"2020/1/5"`` -> ``"2020-01-05"``;
    ``"2021年3月5日"``, ``"2021년 3월 5일"``, ``"令和3年3月5日"``, ``"March 5, 2021"``, ``"5 mars 2021"``
    -> ``"2021-03-05"``; ``"2021年3月"`` and ``"December, 2020"`` -> ``"2021-03"`` / ``"2020-12"``;
    ``2020`` -> ``"2020"``. A numeric day/month order that cannot be told (``"05/03/2021"``) keeps
    only the year; ``"15/03/2021"`` and ``"3/15/2021"`` are unambiguous.

    Numeric and CJK forms are read by patterns (fast enough for a million-row CSV); anything else
    holding a four-digit year goes to ``dateparser`` (the period it reports says whether the day
    and month were given); what neither reads falls back to the year.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, (_dt.date, _dt.datetime)):
        d = value.date() if isinstance(value, _dt.datetime) else value
        return d.isoformat()
    s = _japanese_era_to_year(cell_str(value))
    # Long cells (a text column mapped as the date by mistake) are not worth a cache slot.
    return _parse_date_text(s) if len(s) <= 64 else _parse_date_text.__wrapped__(s)


@functools.lru_cache(maxsize=4096)  # a date column repeats its values; dateparser takes ~5 ms per value
def _parse_date_text(s: str) -> str:
    m = _ISO_DATE.match(s)
    if m:
        return _iso(m.group(1), m.group(2), m.group(3))
    m = _CJK_DATE.search(s)
    if m:
        return _iso(m.group(1), m.group(2), m.group(3))
    m = _ISO_MONTH.match(s)
    if m:
        return _iso(m.group(1), m.group(2), None)
    m = _NUMERIC_DMY.match(s)
    if m:
        a, b, year = int(m.group(1)), int(m.group(2)), m.group(3)
        if a > 12 or a == b:
            return _iso(year, str(b), str(a))
        if b > 12:
            return _iso(year, str(a), str(b))
        return year  # 05/03/2021: 5 March or May 3 - only the year is certain
    year = _YEAR.search(s)
    if not year:
        return ""
    if s.strip() != year.group(1):
        parsed = _dateparser_date(s, int(year.group(1)))
        if parsed:
            return parsed
    return year.group(1)


def _iso(year: str, month: str, day: str | None) -> str:
    """``yyyy-mm-dd``, ``yyyy-mm`` when there is no day or the day is impossible, ``yyyy`` for a bad month."""
    mo = int(month)
    if not 1 <= mo <= 12:
        return year
    if day:
        try:
            return _dt.date(int(year), mo, int(day)).isoformat()
        except ValueError:
            pass
    return f"{year}-{mo:02d}"


def _japanese_era_to_year(s: str) -> str:
    """``"令和3年3月5日"`` -> ``"2021年3月5日"`` (dateparser reads Japanese dates, not era names)."""
    m = _ERA.search(s)
    if not m:
        return s
    n = 1 if m.group(2) == "元" else int(m.group(2))
    return s[: m.start()] + f"{_ERAS[m.group(1)] + n - 1}年" + s[m.end() :]


@functools.cache
def _date_parser() -> Any:
    from dateparser.date import DateDataParser  # ~0.5 s to import; only dates in words need it

    return DateDataParser(
        languages=["en", "zh", "ja", "ko", "fr", "de", "es"],
        settings={"PARSERS": ["absolute-time"], "PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["year"]},
    )


def _dateparser_date(s: str, year: int) -> str:
    """``s`` read by dateparser to the precision it gives (day, month or year), or ``""``."""
    try:
        data = _date_parser().get_date_data(s)
    except Exception:  # noqa: BLE001 - a parser failure on one cell means "no date", never a crash
        return ""
    found = data.date_obj
    if found is None or found.year != year:  # it read another number as the year: trust neither
        return ""
    if data.period == "day":
        return found.date().isoformat()
    if data.period == "month":
        return f"{found.year}-{found.month:02d}"
    return str(found.year)


def parse_year(value: Any, date: str) -> int | None:
    """The year in ``value`` (a year cell), else the year of the parsed ``date``, else ``None``."""
    if value is not None and value != "":
        m = _YEAR.search(cell_str(value))
        if m:
            return int(m.group(1))
    return int(date[:4]) if date[:4].isdigit() else None
