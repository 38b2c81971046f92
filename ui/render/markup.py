"""The pieces every view is built of: escaping, assets, measure names, highlighting, badges and actions.

Every other module of :mod:`policyscope.ui.render` builds its markup from these, so the rule of the
package (document text only ever reaches HTML through :func:`esc`) is kept in one place.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from importlib import resources
from typing import Any

_LATIN = re.compile(r"[A-Za-z0-9]")
COUNTRY_COLOURS = {
    "US": "#2563eb", "EU": "#16a34a", "JP": "#dc2626", "KR": "#9333ea", "GB": "#ea580c",
    "CN": "#b91c1c", "INT": "#0891b2",
}
TERM, EVIDENCE = 1, 2


@cache
def asset(name: str) -> str:
    """A browser-side file of the app from ``ui/assets/`` (package data), e.g. ``asset("app.css")``.

    ``app.css`` styles every ``ps-*`` class used below; ``on_load.js`` is each HTML box's click
    handler; ``keys.js`` and ``scroll.js`` are page scripts (see ``app.py`` and ``serve.py``).
    """
    return resources.files("policyscope.ui").joinpath("assets", name).read_text(encoding="utf-8")


def esc(value: Any) -> str:
    """Escape any value for HTML text or a double-quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


# -- measure names ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _taxonomy_names() -> dict[str, tuple[str, str]]:
    try:
        from policyscope.nlp.measures import load_taxonomy

        return {m.id: (m.name_zh, m.name_en) for m in load_taxonomy()}
    except (ImportError, OSError, ValueError):  # taxonomy absent or broken: show ids
        return {}


def measure_names(measure: str) -> tuple[str, str]:
    """(Chinese, English) display names of a measure id; the id itself when unknown."""
    return _taxonomy_names().get(measure, (measure, measure))


def measure_label(measure: str) -> str:
    """``中文 · English`` for choices and headers (plain text, escape before use)."""
    zh, en = measure_names(measure)
    return en if zh == en else f"{zh.split(' / ')[0]} · {en}"


def measure_chip(measure: str, extra_class: str = "") -> str:
    zh, en = measure_names(measure)
    short_zh = zh.split(" / ")[0]
    return (f'<span class="ps-chip {esc(extra_class)}" title="{esc(measure)}">'
            f"{esc(short_zh)}<small> {esc(en)}</small></span>")


# -- highlighting -----------------------------------------------------------------------------------


def _term_pattern(term: str) -> re.Pattern[str] | None:
    chars = [c for c in term.strip() if not c.isspace()]
    if not chars:
        return None
    body = r"\s*".join(re.escape(c) for c in chars)
    if _LATIN.match(chars[0]):
        body = r"(?<![A-Za-z0-9])" + body
    if _LATIN.match(chars[-1]):
        body += r"(?![A-Za-z0-9])"
    return re.compile(body, re.IGNORECASE)


def highlight(text: str, terms: Iterable[str] = (), spans: Iterable[tuple[int, int]] = ()) -> str:
    """Escaped ``text`` with query ``terms`` and evidence ``spans`` (offsets into ``text``) in ``<mark>``."""
    labels = [0] * len(text)
    for term in terms:
        pattern = _term_pattern(term)
        if pattern is None:
            continue
        for m in pattern.finditer(text):
            for i in range(m.start(), m.end()):
                labels[i] |= TERM
    for start, end in spans:
        for i in range(max(0, start), min(len(text), end)):
            labels[i] |= EVIDENCE
    out: list[str] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and labels[j] == labels[i]:
            j += 1
        chunk = esc(text[i:j])
        label = labels[i]
        if label == 0:
            out.append(chunk)
        else:
            cls = {TERM: "term", EVIDENCE: "evidence", TERM | EVIDENCE: "term evidence"}[label]
            out.append(f'<mark class="{cls}">{chunk}</mark>')
        i = j
    return "".join(out)


# -- small pieces -----------------------------------------------------------------------------------


def message(text: str, kind: str = "info") -> str:
    """A friendly notice box (``info``, ``empty``, ``error``)."""
    icon = {"info": "ℹ️", "empty": "🔍", "error": "⚠️"}.get(kind, "ℹ️")
    return f'<div class="ps-msg ps-{esc(kind)}" role="status">{icon} {esc(text)}</div>'


def titles(zh: str, en: str, fallback: str = "") -> str:
    """Both titles, Chinese first; escaped."""
    parts = []
    if zh:
        parts.append(f'<span class="ps-title-zh">{esc(zh)}</span>')
    if en and en != zh:
        parts.append(f'<span class="ps-title-en">{esc(en)}</span>')
    if not parts:
        parts.append(f'<span class="ps-title-en">{esc(fallback or "(untitled)")}</span>')
    return " ".join(parts)


def country_badge(code: str, names: bool = True) -> str:
    """The country code with its English name (all four names in the tooltip): ``US United States``."""
    from policyscope.corpus.jurisdictions import known_country_names

    code = (code or "").upper()
    colour = COUNTRY_COLOURS.get(code, "#475569")
    found = known_country_names(code)
    tip = " / ".join(dict.fromkeys(found.values()))
    name = f' <span class="ps-cname">{esc(found["en"])}</span>' if names and found.get("en") else ""
    return (f'<span class="ps-country" style="background:{colour}" title="{esc(tip)}">'
            f'<b class="ps-code">{esc(code or "?")}</b>{name}</span>')


def action(label: str, act: str, **data: Any) -> str:
    """A button the app's delegated click handler turns into a Python call (ids only, escaped)."""
    attrs = " ".join(f'data-{esc(k)}="{esc(v)}"' for k, v in data.items() if v is not None)
    return f'<button type="button" class="ps-act" data-action="{esc(act)}" {attrs}>{esc(label)}</button>'


def meta_line(row: Mapping[str, Any]) -> str:
    bits = [country_badge(row.get("country", ""))]
    if row.get("year"):
        bits.append(f"<span>{esc(row['year'])}</span>")
    if row.get("page"):
        bits.append(f"<span>p. {esc(row['page'])}</span>")
    if row.get("lang"):
        bits.append(f'<span class="ps-lang">{esc(row["lang"])}</span>')
    if row.get("status") == "catalog":
        bits.append('<span class="ps-status">catalog record</span>')
    return " · ".join(bits)


def count_noun(n: int, noun: str) -> str:
    """``1 passage``, ``2 passages``, ``1,204 documents``: the number and the noun in the right number."""
    from policyscope.nlp.words import plural

    return f"{n:,} {noun if n == 1 else plural(noun)}"


def official_link(url: str, label: str = "Official source ↗") -> str:
    """A link that opens an official source in a new tab, or "" for anything but an http(s) address.

    The one ``href`` this package builds from stored data: the scheme is checked here (a ``javascript:``
    or ``data:`` address never becomes a link), the address is escaped, and ``rel="noopener noreferrer"``
    keeps the opened page from reaching back into the app.
    """
    from urllib.parse import urlsplit

    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return (f'<a class="ps-official" href="{esc(url)}" target="_blank" rel="noopener noreferrer"'
            f' title="{esc(url)}">{esc(label)}</a>')


def fact(label: str, value: str) -> str:
    return f'<tr><th>{esc(label)}</th><td>{value}</td></tr>' if value else ""
