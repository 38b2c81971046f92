"""Metadata at the head of a Markdown file: YAML front matter, and the history header of statute exports.

A Markdown file may open with YAML between two ``---`` lines. It is metadata, never passage text: the
loader stores the text after it, so offsets point into the stored text. Repositories name the same
field differently, so keys are matched by meaning, not by file (:data:`FIELD_KEYS`): the White House
archive writes ``source_url`` and ``date``, legalize-jp ``source``, ``publication_date``, ``rank`` and
``extra.abbrev``, legalize-kr Korean keys (``제목``, ``공포일자``, ``법령구분``, ``출처``). For example::

    ---
    제목: 경제안보를 위한 공급망 안정화 지원 기본법 시행령
    법령구분: 대통령령
    공포일자: 2026-10-06
    출처: https://www.law.go.kr/법령/…
    ---

gives ``title`` = the 제목, ``kind`` = "decree", ``date`` = "2026-10-06", ``country`` = "KR" (from the
official address's host, ``law.go.kr``, when no key names the country) and ``meta["url"]``; every other
key (``법령MST``, ``소관부처``, …) is kept in ``meta`` as a JSON-safe value.

A second header style needs no YAML: statute exports (LawRefBook) open with the ``# title`` and the
adoption history lines, closed by ``<!-- INFO END -->``. The history goes to ``meta["history"]`` and
its last dated line gives the date of the version; the ``# title`` stays in the text as its heading.

A malformed block (no closing ``---``, invalid YAML, not a mapping) gives one warning naming the file
and the problem; the file is still ingested (without the block, when its end is known).
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .jurisdictions import resolve_country
from .loaders.cells import parse_date  # a plain module: importing it does not import the loaders

logger = logging.getLogger(__name__)

#: Document field -> the front-matter keys that fill it, most specific first (keys compared case-folded).
FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title", "제목", "标题", "標題", "名称", "題名", "タイトル", "name"),
    "title_en": ("title_en", "english_title", "英文标题"),
    "title_zh": ("title_zh", "chinese_title", "中文标题"),
    "title_ja": ("title_ja",),
    "title_ko": ("title_ko",),
    "date": ("date", "publication_date", "date_published", "published", "pubdate", "issued", "공포일자",
             "发布日期", "公布日期", "日期", "公布日", "published_time"),
    "year": ("year", "年份"),
    "country": ("country", "jurisdiction", "country_code", "iso", "nation", "geography", "国家", "国", "국가"),
    "lang": ("lang", "language", "语言", "言語", "언어"),
    "kind": ("kind", "type", "doc_type", "document_type", "rank", "law_type", "법령구분", "类型", "種別"),
    "url": ("url", "source_url", "canonical_url", "source", "link", "출처", "来源", "出典", "链接"),
    "issuer": ("issuer", "issuer_native", "author", "publisher", "发布机关", "制定机关", "发文机关"),
    "aliases": ("aliases", "alias", "abbrev", "abbreviation", "short_title", "약칭", "简称", "略称"),
    "in_force": ("in_force", "effective_date", "enforced_at", "시행일자", "施行日期", "施行日"),
    "version_date": ("last_updated", "modified_time", "updated", "version"),
    "legal_status": ("status", "상태", "状态"),
}

#: Kind values as repositories write them -> the catalog's vocabulary.
KIND_VALUES: dict[str, str] = {
    "act": "law", "law": "law", "法律": "law", "법률": "law", "法": "law",
    "cabinet_order": "cabinet order", "cabinetorder": "cabinet order", "政令": "cabinet order",
    "ministerial_ordinance": "ordinance", "ministerialordinance": "ordinance", "省令": "ordinance",
    "ordinance": "ordinance", "부령": "ordinance", "총리령": "ordinance",
    "대통령령": "decree", "presidential_decree": "decree", "decree": "decree",
    "regulation": "regulation", "条例": "regulation", "行政法规": "regulation",
    "executive_order": "executive order", "presidential_determination": "presidential determination",
    "fact_sheet": "fact sheet",
}
# A title says what a press page is when no key does ("FACT SHEET: …", "Executive Order on …").
_KIND_FROM_TITLE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s*fact sheet\b", re.IGNORECASE), "fact sheet"),
    (re.compile(r"\bpresidential determination\b", re.IGNORECASE), "presidential determination"),
    (re.compile(r"^\s*executive order\b", re.IGNORECASE), "executive order"),
)
# Official hosts name their jurisdiction: law.go.kr, laws.e-gov.go.jp, www.gov.cn, legislation.gov.uk,
# whitehouse.gov (the .gov and .mil zones are US federal), eur-lex.europa.eu.
_GOV_HOST = re.compile(r"(?:^|\.)(?:gov|go|gouv|gob|govt|government)\.|\.(?:gov|mil)$|(?:^|\.)europa\.eu$")
_INFO_END = re.compile(r"^\s*<!--\s*INFO END\s*-->\s*$", re.MULTILINE)
_HISTORY_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


@dataclass(frozen=True)
class Header:
    """What a file's head says: Document fields, the rest as JSON-safe ``meta``, and where the body starts."""

    fields: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    body_start: int = 0
    warning: str = ""


def json_safe(value: Any) -> Any:
    """YAML values as JSON keeps them: datetimes and dates as ISO strings, nested values recursively."""
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def clean_title(value: str) -> str:
    """Invisible characters out (U+2060 word joiner, U+200B), no-break spaces to spaces, one line."""
    s = unicodedata.normalize("NFC", str(value)).replace("\u2060", "").replace("\u200b", "")
    return " ".join(s.replace("\u00a0", " ").split())


def split_yaml(text: str) -> tuple[Any, int, str]:
    """Find and parse a leading ``---`` block: ``(data or None, body offset, problem or "")``.

    No block gives ``(None, 0, "")``. The body offset is past the closing ``---`` line even when the
    YAML inside is bad, so a malformed block is still kept out of the text.
    """
    import yaml

    start = 1 if text.startswith("\ufeff") else 0
    first_end = text.find("\n", start)
    first = text[start : first_end if first_end >= 0 else len(text)]
    if first.rstrip() != "---":
        return None, 0, ""
    m = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE).search(text, first_end + 1)
    if m is None:
        return None, 0, "front matter opened with '---' but never closed"
    block = text[first_end + 1 : m.start()]
    body = m.end() + 1 if m.end() < len(text) and text[m.end()] == "\n" else m.end()
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, body, f"invalid YAML front matter{where}: {problem}"
    if data is None:
        return {}, body, ""
    if not isinstance(data, Mapping):
        return None, body, f"front matter is a {type(data).__name__}, not a mapping of keys to values"
    return data, body, ""


def _flatten(data: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level keys first, then keys of nested mappings (legalize-jp's ``extra``) not already present."""
    out = {str(k).strip().casefold(): v for k, v in data.items()}
    for v in data.values():
        if isinstance(v, Mapping):
            for k2, v2 in v.items():
                out.setdefault(str(k2).strip().casefold(), v2)
    return out


def _first(flat: Mapping[str, Any], name: str) -> tuple[str, Any]:
    for key in FIELD_KEYS[name]:
        value = flat.get(key.casefold())
        if value not in (None, "", [], {}):
            return key, value
    return "", None


def normalize_kind(value: str, title: str = "") -> str:
    """A kind in the catalog's vocabulary: ``"ministerial_ordinance"`` -> "ordinance", ``대통령령`` -> "decree"."""
    raw = str(value or "").strip()
    key = re.sub(r"[\s\-]+", "_", raw.casefold())
    if key in KIND_VALUES:
        return KIND_VALUES[key]
    if raw:
        return raw.replace("_", " ").casefold()
    return next((kind for pattern, kind in _KIND_FROM_TITLE if title and pattern.search(title)), "")


def country_from_url(url: str) -> str:
    """The jurisdiction of an official address, from a government host's country domain, else ``""``.

    ``https://www.law.go.kr/…`` -> KR; ``https://www.whitehouse.gov/…`` -> US; a non-government host -> "".
    """
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    if not host or not _GOV_HOST.search(host):
        return ""
    if host.endswith((".gov", ".mil")):
        return "US"
    if host.endswith("europa.eu"):
        return "EU"
    return resolve_country(host.rsplit(".", 1)[-1]) or ""


def _split_aliases(value: Any) -> list[str]:
    items = value if isinstance(value, list) else re.split(r"[,，、;；]", str(value))
    return [clean_title(unicodedata.normalize("NFKC", str(a))) for a in items if str(a).strip()]


def map_front_matter(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Front-matter keys -> (Document fields, meta, problems). Unknown keys stay in meta, JSON-safe.

    Fields: title (and title_en/zh/ja/ko), date, year, country (a code), lang, kind. Meta gains
    ``url``, ``issuer``, ``aliases``, ``in_force``, ``version_date`` and ``legal_status`` where
    given, plus ``front_matter``: every key and value as written.
    """
    flat = _flatten(data)
    fields: dict[str, Any] = {}
    meta: dict[str, Any] = {"front_matter": json_safe(dict(data))}
    problems: list[str] = []
    _, title = _first(flat, "title")
    if title:
        fields["title"] = clean_title(title)
    for name in ("title_en", "title_zh", "title_ja", "title_ko"):
        _, v = _first(flat, name)
        if v:
            fields[name] = clean_title(v)
    _, date = _first(flat, "date")
    if date not in (None, ""):
        iso = parse_date(date)
        if iso:
            fields["date"] = iso
        else:
            problems.append(f"date {date!r} is not a date")
    _, year = _first(flat, "year")
    if isinstance(year, int) and not isinstance(year, bool):
        fields["year"] = year
    elif fields.get("date", "")[:4].isdigit():
        fields["year"] = int(fields["date"][:4])
    _, url = _first(flat, "url")
    if isinstance(url, str) and url.strip():
        meta["url"] = url.strip()
    _, country = _first(flat, "country")
    if country not in (None, ""):
        code = resolve_country(str(country))
        if code:
            fields["country"] = code
        else:
            problems.append(f"country {country!r} names no known country")
            meta["country_raw"] = json_safe(country)
    elif meta.get("url"):
        code = country_from_url(meta["url"])
        if code:
            fields["country"] = code
    _, lang = _first(flat, "lang")
    if isinstance(lang, str) and lang.strip():
        fields["lang"] = lang.strip().lower().replace("_", "-").split("-")[0]
    _, kind = _first(flat, "kind")
    fields_kind = normalize_kind(str(kind or ""), str(fields.get("title", "")))
    if fields_kind:
        fields["kind"] = fields_kind
    _, issuer = _first(flat, "issuer")
    if issuer:
        meta["issuer"] = clean_title(issuer if isinstance(issuer, str) else ", ".join(map(str, issuer)))
    _, aliases = _first(flat, "aliases")
    if aliases:
        meta["aliases"] = _split_aliases(aliases)
    for name in ("in_force", "version_date"):
        _, v = _first(flat, name)
        if v not in (None, ""):
            meta[name] = parse_date(v) or str(json_safe(v))
    _, status = _first(flat, "legal_status")
    if status:
        meta["legal_status"] = str(status)
    return fields, meta, problems


def history_header(text: str) -> tuple[str, list[str], int, int] | None:
    """A statute export's head: ``# title``, history lines, ``<!-- INFO END -->``.

    Returns ``(title, history lines, start of the history, end of the marker line)``, or None when the
    text has no such head (the marker must come within the first 40 lines, after an H1).
    """
    m = _INFO_END.search(text)
    if m is None or text.count("\n", 0, m.start()) > 40:
        return None
    head = text[: m.start()]
    lines = head.split("\n")
    h1 = next((i for i, line in enumerate(lines) if line.strip()), None)
    if h1 is None or not lines[h1].lstrip().startswith("# "):
        return None
    title = lines[h1].lstrip()[2:].strip()
    history = [line.strip() for line in lines[h1 + 1 :] if line.strip()]
    history_start = sum(len(line) + 1 for line in lines[: h1 + 1])
    end = m.end() + 1 if m.end() < len(text) and text[m.end()] == "\n" else m.end()
    return title, history, history_start, end


def history_date(history: list[str]) -> str:
    """The ISO date of the last history line that holds one (``2024年11月8日 …修订`` -> 2024-11-08)."""
    for line in reversed(history):
        m = _HISTORY_DATE.search(line)
        if m:
            try:
                return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
            except ValueError:
                continue
    return ""


def read_header(text: str, name: str = "") -> tuple[Header, str]:
    """Split a Markdown file's text into its header and the text to store.

    Returns ``(header, text)`` where ``text`` has the YAML block removed, and a statute export's history
    lines and marker removed (its ``# title`` kept). A malformed block is logged once as
    ``<name>: <problem>; ingested without it`` and reported in ``header.warning``.
    """
    data, body, problem = split_yaml(text)
    fields: dict[str, Any] = {}
    meta: dict[str, Any] = {}
    problems: list[str] = [problem] if problem else []
    if isinstance(data, Mapping):
        fields, meta, more = map_front_matter(data)
        problems += more
    rest = text[body:]
    head = history_header(rest)
    if head is not None:
        title, history, h_start, h_end = head
        fields.setdefault("title", clean_title(title))
        if history:
            meta["history"] = history
            date = history_date(history)
            if date and "date" not in fields:
                fields["date"] = date
                fields.setdefault("year", int(date[:4]))
        rest = rest[:h_start] + rest[h_end:]
    warning = "; ".join(problems)
    if warning:
        logger.warning("%s: %s; ingested %s", name or "file", warning,
                       "without the block" if body else "as it is")
        meta["front_matter_warning"] = warning
    return Header(fields, meta, body, warning), rest
