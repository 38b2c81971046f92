"""The built-in catalog: the strategies of the seed paper's Table 1, the reference lists it cites, and
the policy texts shipped with the package.

The catalog lives in ``corpus/data/catalog.json`` (UTF-8, human-editable). Each entry is one policy
document the project knows about: its titles (Chinese and English always; the official title in its
own language, Japanese and Korean titles where they exist), issuer, date, jurisdiction (``country``, an
ISO 3166-1 alpha-2 code, ``EU`` or ``INT``; see :mod:`.jurisdictions`), kind and official address(es).

Three lists:

* ``strategy``: a row of the seed paper's Table 1, known by the paper's Chinese title and key point;
* ``reference``: a critical-minerals list of Table 2;
* ``text``: a policy text whose full text ships in ``corpus/data/policy-texts/`` (``file``), with its
  source repository, commit and licence, and ``links`` to the catalog entries it is the basis of, e.g.
  Presidential Determination 2022-11 ``is_instrument_of`` the 国防生产法 row (``us-dpa-2022``).

``catalog_document`` turns a strategy or reference entry into a short bilingual ``Document``
(``status="catalog"``), so that searching for 国家锂电池蓝图 or "National Blueprint for Lithium
Batteries" finds it before ``fetch`` has downloaded anything. A ``text`` entry is not a record of its
own: its full text carries the entry's facts (:func:`policyscope.corpus.builtin.text_document`), so a
search never returns a one-line record beside the text it summarises.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from .errors import ConfigError
from .jurisdictions import country_names, region_of, resolve_country
from .records import Block, Document

logger = logging.getLogger(__name__)

CatalogList = Literal["strategy", "reference", "text"]
UrlStatus = Literal["seen", "cited", "from the paper", "not confirmed"]

CATALOG_FILE = "catalog.json"
TEXTS_DIR = "policy-texts"
LISTS: tuple[str, ...] = ("strategy", "reference", "text")
URL_STATUSES: tuple[str, ...] = ("seen", "cited", "from the paper", "not confirmed")

#: How a text relates to a catalog entry (``links[].relation``): primary relations make the text the
#: basis of the entry; secondary ones only tie it to the entry.
RELATIONS: dict[str, str] = {
    "is_instrument_of": "primary: the text is (the official publication of) the instrument the entry stands for",
    "mandates": "primary: the text orders the entry to be produced",
    "publishes": "primary: the text is the official release that made the entry's findings public",
    "announces": "secondary: the text announces that the entry will be, or is being, issued",
    "follows_up": "secondary: the text presents its own actions as following the entry's recommendations",
    "defines_scope_by": "secondary: the text's operative definitions incorporate the entry by reference",
}

REQUIRED_FIELDS: tuple[str, ...] = (
    "id", "list", "country", "title_zh", "title_en", "issuer", "date", "year", "kind", "urls", "url_status",
)
#: Required on strategy and reference entries (the paper's words) ...
KEY_POINT_FIELDS: tuple[str, ...] = ("key_point_zh", "key_point_en")
#: ... and on text entries (the shipped file and where it came from).
TEXT_FIELDS: tuple[str, ...] = (
    "title", "lang", "file", "summary_zh", "summary_en", "licence", "source_repo", "source_path", "source_commit",
)
_STRING_FIELDS: tuple[str, ...] = (
    "date_raw", "licence", "notes", "title_ja", "title_ko", "issuer_native", "in_force", "number",
    "version_note", "page_title", "subtitle", "title_en_note", "title_zh_note", "url_note", "source_blob",
)
_LIST_FIELDS: tuple[str, ...] = ("url_statuses", "aliases", "links", "mentions", "rejected_links", "related_texts",
                                 "paper_refs")
OPTIONAL_FIELDS: tuple[str, ...] = (
    *KEY_POINT_FIELDS, *TEXT_FIELDS, *_STRING_FIELDS, *_LIST_FIELDS,
    "region",  # the field before ``country``: a code that ``country`` now holds (UK -> GB)
)
# Facts kept on the document (meta) as they are, for the app's document view.
_DETAIL_FIELDS: tuple[str, ...] = (
    "number", "version_note", "page_title", "subtitle", "title_en_note", "title_zh_note", "url_note",
    "mentions", "rejected_links", "related_texts", "paper_refs", "source_blob",
)
_ISO_PREFIX = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")
_ISO_DATE = re.compile(r"^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$")
_LANG = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class CatalogLink:
    """A text entry's tie to another entry: ``relation`` (see :data:`RELATIONS`) with the reason and evidence."""

    id: str
    relation: str
    strength: str = ""
    reason: str = ""
    evidence: str = ""

    @property
    def primary(self) -> bool:
        return RELATIONS.get(self.relation, "").startswith("primary")


@dataclass(frozen=True)
class CatalogEntry:
    """One catalog record.

    ``date`` is an ISO prefix ("2021", "2021-06" or "2021-06-18") and ``date_raw`` the date as
    found, which may say more ("2020-12-10 (proposal); 2023-07-12 (regulation)"). ``url_status``
    describes ``urls[0]``; ``url_statuses`` has one status per address. ``country`` is a jurisdiction
    code (``US``, ``GB``, ``EU``, ``INT``); ``region`` derives from it.
    """

    id: str
    list: CatalogList
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
    key_point_zh: str = ""
    key_point_en: str = ""
    licence: str = ""
    notes: str = ""
    title: str = ""
    title_ja: str = ""
    title_ko: str = ""
    issuer_native: str = ""
    in_force: str = ""
    lang: str = ""
    file: str = ""
    summary_zh: str = ""
    summary_en: str = ""
    aliases: tuple[str, ...] = ()
    links: tuple[CatalogLink, ...] = ()
    source: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    details: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def region(self) -> str:
        """The UN M49 region of the entry's jurisdiction ("Northern America"), derived from ``country``."""
        return region_of(self.country)


def default_catalog_path() -> Path:
    """Path of the catalog shipped inside the package."""
    return Path(str(resources.files("policyscope.corpus").joinpath("data", CATALOG_FILE)))


def text_path(entry: CatalogEntry) -> Path:
    """The packaged full text of a ``text`` entry."""
    return Path(str(resources.files("policyscope.corpus").joinpath("data", TEXTS_DIR, entry.file)))


def load_catalog(path: Path | None = None) -> list[CatalogEntry]:
    """Read and validate a catalog file (default: the packaged one).

    The file is either ``{"entries": [...]}`` (other top-level keys are comments) or a bare list.

    Raises:
        ConfigError: the file is unreadable or not JSON, or an entry has a missing, empty or
            badly typed field, an unknown field, a country no jurisdiction has, a duplicate id, or a
            link to an id the catalog does not hold. The message names the file, the entry (1-based)
            and the field, e.g. ``catalog.json: entry 3 (us-dpa-2022): missing field 'issuer'``.
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
    for n, entry in enumerate(entries, start=1):
        for link in entry.links:
            if link.id not in first_seen:
                raise ConfigError(f"{path}: entry {n} ({entry.id}): field 'links' names unknown id {link.id!r}")
    logger.debug("loaded %d catalog entries from %s", len(entries), path)
    return entries


def _parse_entry(raw: Any, path: Path, n: int) -> CatalogEntry:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: entry {n}: expected an object, got {type(raw).__name__}")
    label = raw.get("id") if isinstance(raw.get("id"), str) and raw.get("id") else "?"

    def fail(problem: str) -> ConfigError:
        return ConfigError(f"{path}: entry {n} ({label}): {problem}")

    raw = dict(raw)
    if "country" not in raw and isinstance(raw.get("region"), str):
        raw["country"] = raw["region"]  # a catalog written before ``country`` held the code
    required = REQUIRED_FIELDS + (TEXT_FIELDS if raw.get("list") == "text" else KEY_POINT_FIELDS)
    for name in required:
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
        if name in ("year", "urls", *_LIST_FIELDS) or name not in raw:
            continue
        if not isinstance(raw[name], str):
            raise fail(f"field '{name}' must be a string")
    for name in _LIST_FIELDS:
        if name in raw and not isinstance(raw[name], list):
            raise fail(f"field '{name}' must be a list")

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
    in_force = (raw.get("in_force") or "").strip()
    if in_force and not _ISO_DATE.match(in_force):
        raise fail(f"field 'in_force' is {in_force!r}; expected YYYY-MM-DD or empty")

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

    given = raw["country"].strip()
    country = resolve_country(given)
    if not country:
        raise fail(
            f"unknown country {given!r}; use an ISO 3166-1 alpha-2 code (US, GB, JP), EU or INT, or a country name"
        )
    lang = (raw.get("lang") or "").strip().lower()
    if lang and not _LANG.match(lang):
        raise fail(f"field 'lang' is {lang!r}; expected an ISO 639-1 code such as en, zh, ja, ko")
    file = (raw.get("file") or "").strip()
    if file and ("/" in file or "\\" in file or not file.endswith(".md")):
        raise fail(f"field 'file' is {file!r}; expected the name of a .md file in data/{TEXTS_DIR}/")

    links = []
    for i, link in enumerate(raw.get("links", ()), start=1):
        if not isinstance(link, dict) or not isinstance(link.get("id"), str) or not link["id"].strip():
            raise fail(f"field 'links' item {i} must be an object with an 'id'")
        relation = link.get("relation", "")
        if relation not in RELATIONS:
            raise fail(f"field 'links' item {i} has relation {relation!r}; expected one of: {', '.join(RELATIONS)}")
        links.append(CatalogLink(link["id"].strip(), relation, str(link.get("strength", "")),
                                 str(link.get("reason", "")), str(link.get("evidence", ""))))
    aliases = raw.get("aliases", [])
    if not all(isinstance(a, str) and a.strip() for a in aliases):
        raise fail("field 'aliases' must be a list of names")

    def text(name: str) -> str:
        return (raw.get(name) or "").strip()

    return CatalogEntry(
        id=raw["id"].strip(),
        list=raw["list"],
        country=country,
        title_zh=text("title_zh"),
        title_en=text("title_en"),
        issuer=text("issuer"),
        date=date,
        date_raw=text("date_raw") or date,
        year=year,
        kind=text("kind"),
        urls=tuple(u.strip() for u in urls),
        url_status=status,
        url_statuses=tuple(statuses),
        key_point_zh=text("key_point_zh"),
        key_point_en=text("key_point_en"),
        licence=text("licence"),
        notes=text("notes"),
        title=text("title"),
        title_ja=text("title_ja"),
        title_ko=text("title_ko"),
        issuer_native=text("issuer_native"),
        in_force=in_force,
        lang=lang,
        file=file,
        summary_zh=text("summary_zh"),
        summary_en=text("summary_en"),
        aliases=tuple(a.strip() for a in aliases),
        links=tuple(links),
        source={k: text(f"source_{k}") for k in ("repo", "path", "commit") if text(f"source_{k}")},
        details={k: raw[k] for k in _DETAIL_FIELDS if raw.get(k) not in (None, "", [])},
    )


#: The field labels of a catalog record's text (:func:`catalog_text`): the same words in every record, so
#: "more like this" of a record must not highlight them as what the results share.
CATALOG_LABELS: tuple[str, ...] = ("Issuer", "Date", "Kind", "Country", "要点", "Key point")


def catalog_text(entry: CatalogEntry) -> str:
    """The searchable bilingual text of a catalog record, one fact per line.

    Example (first lines)::

        国家锂电池蓝图2021-2030
        National Blueprint for Lithium Batteries 2021–2030
        Issuer: Federal Consortium for Advanced Batteries (DOE, DoD, DOC, State)
    """
    date = entry.date_raw if entry.date_raw != entry.date else entry.date
    issuer, when, kind, country, point_zh, point_en = CATALOG_LABELS
    lines = [
        entry.title_zh,
        entry.title_en,
        f"{issuer}: {entry.issuer}",
        f"{when}: {date}",
        f"{kind}: {entry.kind}",
        f"{country}: {country_names(entry.country)['en']}",
        f"{point_zh}：{entry.key_point_zh or entry.summary_zh}",
        f"{point_en}: {entry.key_point_en or entry.summary_en}",
    ]
    return "\n".join(lines)


def entry_meta(entry: CatalogEntry) -> dict[str, Any]:
    """The entry's facts as document metadata (what the app's document view shows)."""
    meta: dict[str, Any] = {
        "list": entry.list,
        "issuer": entry.issuer,
        "urls": list(entry.urls),
        "url_status": entry.url_status,
        "url_statuses": list(entry.url_statuses),
        "date_raw": entry.date_raw,
        "licence": entry.licence,
        "notes": entry.notes,
    }
    if entry.key_point_zh:
        meta.update(key_point_zh=entry.key_point_zh, key_point_en=entry.key_point_en)
    optional = {
        "title_native": entry.title, "title_ja": entry.title_ja, "title_ko": entry.title_ko,
        "issuer_native": entry.issuer_native, "in_force": entry.in_force, "summary_zh": entry.summary_zh,
        "summary_en": entry.summary_en, "file": entry.file,
    }
    meta.update({k: v for k, v in optional.items() if v})
    if entry.aliases:
        meta["aliases"] = list(entry.aliases)
    if entry.links:
        meta["links"] = [
            {"id": link.id, "relation": link.relation, "strength": link.strength, "reason": link.reason,
             "evidence": link.evidence}
            for link in entry.links
        ]
    if entry.source:
        meta["source_repo"] = dict(entry.source)
    meta.update(entry.details)
    return meta


def entry_facts(entry: CatalogEntry) -> dict[str, Any]:
    """The entry's facts as ``Document`` fields (titles, jurisdiction, date, kind, catalog id)."""
    return {
        "title_zh": entry.title_zh, "title_en": entry.title_en, "region": entry.region, "country": entry.country,
        "date": entry.date, "year": entry.year, "kind": entry.kind, "catalog_id": entry.id,
    }


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
        lang="en",
        source="catalog",
        status="catalog",
        **entry_facts(entry),
        blocks=(Block(kind="record", start=0, end=len(text), meta={"catalog_id": entry.id}),),
        meta=entry_meta(entry),
    )
