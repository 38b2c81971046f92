"""Metadata edits made by people (the web app's metadata form): validated, stored apart, laid over.

A document's metadata comes from its source — a file's front matter, a table's columns, the built-in
catalog — and is written again whenever that source is read again: ``policyscope build --force``
re-reads the built-in corpus and ``add`` re-reads a file. An edit made by a person must survive that,
so it is kept in its own table (``metadata_edits``: one JSON object of fields per document id) and
laid over every incoming version of the document by ``Store.add_documents``.

Example: CCLW record ``cclw-123`` was loaded with country ``"?"`` and no kind. A reviewer sets
country ``"Chile"`` and kind ``"law"``: the edit is stored as ``{"country": "CL", "kind": "law"}``,
the document row becomes country ``CL`` (region ``South America`` derived), and adding the JSONL file
again (same id, the file's own values) stores ``CL`` / ``law`` again instead of the file's values.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from .errors import MetadataError
from .jurisdictions import resolve_country
from .records import Document

#: The fields a person may edit; ``url`` is the official address (``meta["url"]``).
EDITABLE = ("title", "title_zh", "title_en", "country", "year", "kind", "url")
MIN_YEAR = 1800  # the oldest texts policy corpora carry are 19th-century statutes
MAX_KIND_CHARS = 80


def max_year() -> int:
    """Next year: a policy announced now may carry next year's date."""
    return time.localtime().tm_year + 1


def validate_edit(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The edit as stored: country as an ISO code, year as an int (``None`` clears it), text stripped.

    Raises:
        MetadataError: an unknown field, an empty ``title``, a country :mod:`.jurisdictions` does not
            know, a year outside ``MIN_YEAR..max_year()``, an address that is not http(s).
    """
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in EDITABLE:
            raise MetadataError(name, value, f"not an editable field; editable: {', '.join(EDITABLE)}")
        text = "" if value is None else str(value).strip()
        if name == "title" and not text:
            raise MetadataError(name, value, "a document needs a title")
        if name == "country" and text:
            code = resolve_country(text)
            if code is None:
                raise MetadataError(name, value, "unknown country; give an ISO code (CL) or a name (Chile, 智利)")
            text = code
        if name == "year":
            out[name] = _year(text, value)
            continue
        if name == "kind" and len(text) > MAX_KIND_CHARS:
            raise MetadataError(name, value, f"longer than {MAX_KIND_CHARS} characters")
        if name == "url" and text:
            parts = urlsplit(text)
            if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
                raise MetadataError(name, value, "the source address must start with http:// or https://")
        out[name] = text
    return out


def _year(text: str, value: Any) -> int | None:
    if not text:
        return None
    try:
        year = int(text)
    except ValueError:
        raise MetadataError("year", value, "not a year") from None
    if not MIN_YEAR <= year <= max_year():
        raise MetadataError("year", value, f"outside {MIN_YEAR}–{max_year()}")
    return year


def apply_edit(doc: Document, edit: Mapping[str, Any]) -> Document:
    """``doc`` with the edit laid over it (before ``normalized`` derives the region from the country).

    A new year replaces a ``date`` of another year by the bare year; a new address goes first in
    ``meta["urls"]``; ``meta["edited"]`` lists the edited fields (shown in the document view's facts).
    """
    if not edit:
        return doc
    meta = dict(doc.meta)
    changes: dict[str, Any] = {k: v for k, v in edit.items() if k in ("title", "title_zh", "title_en", "kind")}
    if "country" in edit:
        changes.update(country=edit["country"], region="")
        meta.pop("country_raw", None)
        meta.pop("source_region", None)
    if "year" in edit:
        year = edit["year"]
        changes["year"] = year
        if year is None or not str(doc.date).startswith(str(year)):
            changes["date"] = str(year or "")
    if "url" in edit:
        url = edit["url"]
        others = [u for u in meta.get("urls") or [] if u != url]
        meta["url"] = url
        if url or others:
            meta["urls"] = [u for u in (url, *others) if u]
        else:
            meta.pop("urls", None)
    meta["edited"] = sorted(edit)
    return replace(doc, **changes, meta=meta)


def stored_edit(db: sqlite3.Connection, doc_id: str) -> dict[str, Any]:
    """The fields people edited on ``doc_id`` (empty when none)."""
    row = db.execute("SELECT fields FROM metadata_edits WHERE doc_id=?", (doc_id,)).fetchone()
    return json.loads(row[0]) if row else {}


def with_stored_edit(db: sqlite3.Connection, doc: Document) -> Document:
    """``doc`` as its source gives it, with any stored edit laid over it."""
    return apply_edit(doc, stored_edit(db, doc.id))


def save_edit(db: sqlite3.Connection, doc_id: str, edit: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``edit`` into the stored edit of ``doc_id`` (inside the caller's transaction); returns it."""
    merged = {**stored_edit(db, doc_id), **edit}
    db.execute(
        "INSERT OR REPLACE INTO metadata_edits(doc_id, fields, edited_at) VALUES (?, ?, ?)",
        (doc_id, json.dumps(merged, ensure_ascii=False), time.time()),
    )
    return merged
