"""Cell values of tabular files: strings, embedded records and dates, as the document fields want them."""

from __future__ import annotations

import ast
import datetime as _dt
import json
import re
from collections.abc import Iterator
from typing import Any

_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T\s])")
_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日)?")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


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
    """ISO ``yyyy-mm-dd`` (or ``yyyy-mm`` / ``yyyy``) from a cell, or ``""`` when unparseable.

    ``datetime(2020, 12, 28)`` -> ``"2020-12-28"``; ``"2020/1/5"`` -> ``"2020-01-05"``;
    ``"2021年3月"`` -> ``"2021-03"``; ``2020`` -> ``"2020"``; ``"December, 2020"`` -> ``"2020"``.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, (_dt.date, _dt.datetime)):
        d = value.date() if isinstance(value, _dt.datetime) else value
        return d.isoformat()
    s = cell_str(value)
    m = _ISO_DATE.match(s)
    if m:
        try:
            return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            return m.group(1)
    m = _CN_DATE.search(s)
    if m:
        y, mo, d = m.group(1), int(m.group(2)), m.group(3)
        if not 1 <= mo <= 12:
            return y
        if d:
            try:
                return _dt.date(int(y), mo, int(d)).isoformat()
            except ValueError:
                return f"{y}-{mo:02d}"
        return f"{y}-{mo:02d}"
    m = _YEAR.search(s)
    return m.group(1) if m else ""


def parse_year(value: Any, date: str) -> int | None:
    """The year in ``value`` (a year cell), else the year of the parsed ``date``, else ``None``."""
    if value is not None and value != "":
        m = _YEAR.search(cell_str(value))
        if m:
            return int(m.group(1))
    return int(date[:4]) if date[:4].isdigit() else None
