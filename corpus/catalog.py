"""The built-in catalog: the strategies of the seed paper's Table 1 and the reference lists it cites.

The catalog lives in ``corpus/data/catalog.json`` (UTF-8, human-editable). Each entry is one
policy document the project knows about even when its full text is not on disk: the paper's
Chinese title and key point, the official English title, issuer, date and official address(es).
``catalog_document`` turns an entry into a short bilingual ``Document`` (``status="catalog"``) so
that searching for 国家锂电池蓝图 or "National Blueprint for Lithium Batteries" finds it before
``fetch`` has downloaded anything.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from .errors import ConfigError
from .records import Block, Document

logger = logging.getLogger(__name__)

CatalogList = Literal["strategy", "reference"]
UrlStatus = Literal["seen", "cited", "from the paper", "not confirmed"]

CATALOG_FILE = "catalog.json"
LISTS: tuple[str, ...] = ("strategy", "reference")
URL_STATUSES: tuple[str, ...] = ("seen", "cited", "from the paper", "not confirmed")

# Region code -> full country name shown to users and stored on documents. An entry may override
# it with its own "country" field, which is how a user adds a region not listed here.
REGION_COUNTRIES: dict[str, str] = {
    "US": "United States",
    "EU": "European Union",
    "JP": "Japan",
    "KR": "Republic of Korea",
    "UK": "United Kingdom",
    "CN": "China",
    "INT": "International",
}

REQUIRED_FIELDS: tuple[str, ...] = (
    "id",
    "list",
    "region",
    "title_zh",
    "title_en",
    "issuer",
    "date",
    "year",
    "kind",
    "urls",
    "url_status",
    "key_point_zh",
    "key_point_en",
)
OPTIONAL_FIELDS: tuple[str, ...] = ("date_raw", "url_statuses", "licence", "notes", "country")
_ISO_PREFIX = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")


@dataclass(frozen=True)
class CatalogEntry:
    """One catalog record.

    ``date`` is an ISO prefix ("2021", "2021-06" or "2021-06-18") and ``date_raw`` the date as
    found, which may say more ("2020-12-10 (proposal); 2023-07-12 (regulation)"). ``url_status``
    describes ``urls[0]``; ``url_statuses`` has one status per address.
    """

    id: str
    list: CatalogList
    region: str
    country: str
    title_zh: str
    title_en: str
    issuer: str
    date: str
    date_raw: str
    year: int
    kind: str
    urls: tuple[str, ...]
    url_status: UrlStatus
    url_statuses: tuple[str, ...]
    key_point_zh: str
    key_point_en: str
    licence: str = ""
    notes: str = ""


def default_catalog_path() -> Path:
    """Path of the catalog shipped inside the package."""
    return Path(str(resources.files("policyscope.corpus").joinpath("data", CATALOG_FILE)))


def load_catalog(path: Path | None = None) -> list[CatalogEntry]:
    """Read and validate a catalog file (default: the packaged one).

    The file is either ``{"entries": [...]}`` (other top-level keys are comments) or a bare list.

    Raises:
        ConfigError: the file is unreadable or not JSON, or an entry has a missing, empty or
            badly typed field, an unknown field, or a duplicate id. The message names the file,
            the entry (1-based) and the field, e.g.
            ``catalog.json: entry 3 (us-dpa-2022): missing field 'issuer'``.
    """
    path = Path(path) if path is not None else default_catalog_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read catalog ({exc.strerror or exc})") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid UTF-8 JSON ({exc})") from exc

    raw_entries = data.get("entries") if isinstance(data, dict) else data
    if not isinstance(raw_entries, list):
        raise ConfigError(f'{path}: expected a list of entries or an object with "entries": [...]')

    entries: list[CatalogEntry] = []
    first_seen: dict[str, int] = {}
    for n, raw in enumerate(raw_entries, start=1):
        entry = _parse_entry(raw, path, n)
        if entry.id in first_seen:
            raise ConfigError(
                f"{path}: entry {n} ({entry.id}): duplicate id (already used by entry {first_seen[entry.id]})"
            )
        first_seen[entry.id] = n
        entries.append(entry)
    logger.debug("loaded %d catalog entries from %s", len(entries), path)
    return entries


def _parse_entry(raw: Any, path: Path, n: int) -> CatalogEntry:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: entry {n}: expected an object, got {type(raw).__name__}")
    label = raw.get("id") if isinstance(raw.get("id"), str) and raw.get("id") else "?"

    def fail(problem: str) -> ConfigError:
        return ConfigError(f"{path}: entry {n} ({label}): {problem}")

    for name in REQUIRED_FIELDS:
        value = raw.get(name)
        if name == "urls":  # an empty list is valid: the address is "not confirmed"
            if value is None:
                raise fail(f"missing field '{name}'")
        elif value is None or (isinstance(value, str) and not value.strip()):
            raise fail(f"missing field '{name}'")
    unknown = sorted(set(raw) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        valid = ", ".join(REQUIRED_FIELDS + OPTIONAL_FIELDS)
        raise fail(f"unknown field '{unknown[0]}'; valid fields: {valid}")

    for name in (*REQUIRED_FIELDS, *OPTIONAL_FIELDS):
        if name in ("year", "urls", "url_statuses") or name not in raw:
            continue
        if not isinstance(raw[name], str):
            raise fail(f"field '{name}' must be a string")

    if raw["list"] not in LISTS:
        raise fail(f"field 'list' is {raw['list']!r}; expected one of: {', '.join(LISTS)}")
    date = raw["date"].strip()
    if not _ISO_PREFIX.match(date):
        raise fail(
            f"field 'date' is {date!r}; expected YYYY, YYYY-MM or YYYY-MM-DD (keep the rest in 'date_raw')"
        )
    year = raw["year"]
    if not isinstance(year, int) or isinstance(year, bool):
        raise fail(f"field 'year' must be an integer, got {year!r}")
    if str(year) != date[:4]:
        raise fail(f"field 'year' is {year} but 'date' is {date!r}")

    urls = raw["urls"]
    if not isinstance(urls, list) or not all(isinstance(u, str) and u.strip() for u in urls):
        raise fail("field 'urls' must be a list of addresses (empty when not confirmed)")
    status = raw["url_status"]
    if status not in URL_STATUSES:
        raise fail(f"field 'url_status' is {status!r}; expected one of: {', '.join(URL_STATUSES)}")
    if not urls and status != "not confirmed":
        raise fail("field 'url_status' must be 'not confirmed' when 'urls' is empty")
    if urls and status == "not confirmed":
        raise fail("field 'url_status' is 'not confirmed' but 'urls' is not empty")
    statuses = raw.get("url_statuses", [status] * len(urls))
    if not isinstance(statuses, list) or len(statuses) != len(urls):
        raise fail("field 'url_statuses' must list one status per address in 'urls'")
    for s in statuses:
        if s not in URL_STATUSES[:3]:
            raise fail(f"field 'url_statuses' has {s!r}; expected one of: {', '.join(URL_STATUSES[:3])}")
    if statuses and statuses[0] != status:
        raise fail("field 'url_status' must equal the first of 'url_statuses'")

    region = raw["region"].strip()
    country = raw.get("country") or REGION_COUNTRIES.get(region)
    if not country:
        raise fail(
            f"unknown region {region!r}; use one of {', '.join(REGION_COUNTRIES)} or add a 'country' field"
        )

    return CatalogEntry(
        id=raw["id"].strip(),
        list=raw["list"],
        region=region,
        country=country,
        title_zh=raw["title_zh"].strip(),
        title_en=raw["title_en"].strip(),
        issuer=raw["issuer"].strip(),
        date=date,
        date_raw=(raw.get("date_raw") or date).strip(),
        year=year,
        kind=raw["kind"].strip(),
        urls=tuple(u.strip() for u in urls),
        url_status=status,
        url_statuses=tuple(statuses),
        key_point_zh=raw["key_point_zh"].strip(),
        key_point_en=raw["key_point_en"].strip(),
        licence=(raw.get("licence") or "").strip(),
        notes=(raw.get("notes") or "").strip(),
    )


def catalog_text(entry: CatalogEntry) -> str:
    """The searchable bilingual text of a catalog record, one fact per line.

    Example (first lines)::

        国家锂电池蓝图2021-2030
        National Blueprint for Lithium Batteries 2021–2030
        Issuer: Federal Consortium for Advanced Batteries (DOE, DoD, DOC, State)
    """
    date = entry.date_raw if entry.date_raw != entry.date else entry.date
    lines = [
        entry.title_zh,
        entry.title_en,
        f"Issuer: {entry.issuer}",
        f"Date: {date}",
        f"Kind: {entry.kind}",
        f"Region: {entry.country}",
        f"要点：{entry.key_point_zh}",
        f"Key point: {entry.key_point_en}",
    ]
    return "\n".join(lines)


def catalog_document(entry: CatalogEntry) -> Document:
    """A short bilingual ``Document`` (``status="catalog"``) standing for the entry's policy.

    The whole record is one ``record`` block: split per line, the one-word lines ("Kind:
    strategy") would become passages of their own and crowd search results.
    """
    text = catalog_text(entry)
    return Document(
        id=entry.id,
        text=text,
        title=entry.title_en,
        title_zh=entry.title_zh,
        title_en=entry.title_en,
        region=entry.region,
        country=entry.country,
        date=entry.date,
        year=entry.year,
        kind=entry.kind,
        lang="en",
        source="catalog",
        status="catalog",
        catalog_id=entry.id,
        blocks=(Block(kind="record", start=0, end=len(text), meta={"catalog_id": entry.id}),),
        meta={
            "list": entry.list,
            "issuer": entry.issuer,
            "urls": list(entry.urls),
            "url_status": entry.url_status,
            "url_statuses": list(entry.url_statuses),
            "date_raw": entry.date_raw,
            "key_point_zh": entry.key_point_zh,
            "key_point_en": entry.key_point_en,
            "licence": entry.licence,
            "notes": entry.notes,
        },
    )
