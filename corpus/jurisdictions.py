"""One jurisdiction model: a document's ``country`` is an ISO 3166-1 alpha-2 code; regions and blocs derive from it.

* ``country`` holds an ISO 3166-1 alpha-2 code (``US``, ``CN``, ``GB``), ``EU`` for the European Union
  and ``INT`` for international bodies, ``XK`` for Kosovo (user-assigned, as the World Bank and the EU
  use it). Nothing else goes in that field: a region or a bloc is never a country.
* Regions are the UN M49 geographic regions (``data/jurisdictions/m49.json``): a country's region is
  its M49 sub-region (``JP`` -> "Eastern Asia"); continents and the intermediate regions of Africa and
  Latin America are groupings too. Blocs (``EU27``, ``G7``, ``G20``, ``OECD``) are short member lists
  with their source (``data/jurisdictions/blocs.json``).
* Names come from two maintained libraries plus a short hand list: pycountry (ISO names and codes, and
  its gettext catalogues of the ISO names in ja / ko / zh_CN / zh_TW) and Babel (CLDR's common names in
  en / zh / zh_Hant / ja / ko). Measured on 54 test aliases (research JAKO.md §6), either library alone
  misses 11-19, both together 11: :data:`HAND_ALIASES` holds those and the spellings of old exports
  (CCLW's ``EUR`` and ``XKX``, "Turkey", "Democratic Republic of Congo").

Resolving a value (:func:`resolve_country`) tries, in order: a code (``us``, ``USA``), an exact name or
alias (``美國``, ``アメリカ``, ``United States of America``), then the same with the usual export
spellings undone: a parenthesis (``North Macedonia (Republic of North Macedonia)``), an inverted name
(``Korea, South`` -> ``South Korea``, ``Bahamas, The`` -> ``Bahamas``). A value that matches nothing
gives ``None``: it is never guessed (no fuzzy matching).

A name that two countries share after these rewrites (zh ``刚果`` from ``刚果（金）`` and ``刚果（布）``)
is dropped, so every alias names one country (:func:`ambiguous_aliases` lists the dropped ones).

Example::

    >>> resolve_country("米国"), resolve_country("Korea, South"), resolve_country("유럽연합")
    ('US', 'KR', 'EU')
    >>> country_names("KR")
    {'en': 'South Korea', 'zh': '韩国', 'ja': '韓国', 'ko': '대한민국'}
    >>> region_of("KR"), sorted(bloc_members("G7"))[:3]
    ('Eastern Asia', ['CA', 'DE', 'FR'])
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

EU = "EU"
INT = "INT"
KOSOVO = "XK"
LANGS: tuple[str, ...] = ("en", "zh", "ja", "ko")

AliasLang = Literal["code", "en", "zh", "ja", "ko"]
GroupKind = Literal["continent", "region", "bloc"]

#: What neither pycountry nor CLDR names, by code. Old exports' codes (CCLW's ``EUR``, ``XKX``) are here too.
HAND_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("America", "U.S.", "U.S.A.", "アメリカ", "美利坚合众国"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "英國", "大不列颠"),
    "JP": ("日本国",),
    "KR": ("Korea", "ROK", "한국", "大韓民国", "韓國"),
    "CN": ("PRC", "P.R. China", "Mainland China", "中国大陆"),
    "AU": ("호주",),
    "TR": ("Turkey",),
    "CD": ("Democratic Republic of Congo", "DR Congo", "DRC", "Congo-Kinshasa"),
    "CG": ("Republic of Congo", "Congo-Brazzaville"),
    "CZ": ("Czech Republic",),
    "PS": ("Palestine",),
    "XK": ("XKX", "Kosovo"),
    EU: ("EUR", "E.U.", "European Union", "欧盟", "歐盟", "欧州連合", "欧州連合（EU）", "유럽연합", "유럽 연합"),
    INT: ("International", "international organisation", "international organization", "国际", "國際", "国际组织",
          "国際", "国際機関", "국제", "국제기구"),
}

#: Display names of the two codes that are not countries, where CLDR has none (``INT``) or a long one.
_SPECIAL_NAMES: dict[str, dict[str, str]] = {
    EU: {"en": "European Union", "zh": "欧盟", "ja": "欧州連合", "ko": "유럽연합"},
    INT: {"en": "International", "zh": "国际组织", "ja": "国際機関", "ko": "국제기구"},
}

# Babel locale -> our language; pycountry gettext locale -> our language.
_BABEL_LOCALES: tuple[tuple[str, str], ...] = (("en", "en"), ("zh", "zh"), ("zh_Hant", "zh"), ("ja", "ja"), ("ko", "ko"))
_GETTEXT_LOCALES: tuple[tuple[str, str], ...] = (("zh_CN", "zh"), ("zh_TW", "zh"), ("ja", "ja"), ("ko", "ko"))

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_PAREN = re.compile(r"^(?P<head>.+?)\s*[(（](?P<inner>[^()（）]+)[)）]\s*$")
_PRIORITY_HAND, _PRIORITY_NAME, _PRIORITY_DERIVED = 0, 1, 2


@dataclass(frozen=True)
class Alias:
    """One way of naming a jurisdiction: ``text`` as written, ``key`` as looked up (:func:`normalize_alias`)."""

    text: str
    key: str
    code: str
    lang: AliasLang


@dataclass(frozen=True)
class Grouping:
    """A derived grouping of jurisdictions: an M49 continent or region, or a bloc.

    ``body`` is the bloc's own jurisdiction (``EU`` for ``EU27``): filtering by the bloc finds it too.
    """

    key: str
    kind: GroupKind
    name: str
    names: Mapping[str, tuple[str, ...]]
    members: frozenset[str]
    body: str = ""
    source: str = ""

    @property
    def codes(self) -> frozenset[str]:
        """The members and the bloc's own jurisdiction: what a filter by this grouping keeps."""
        return self.members | {self.body} if self.body else self.members


def normalize_alias(text: str) -> str:
    """The lookup key of a name: NFKC, case-folded, dots and quotes dropped, spaces collapsed.

    Names holding CJK or Hangul lose every space, since 유럽 연합 and 유럽연합 are one name.
    ``"U.S.A."`` -> ``"usa"``; ``"Korea,  South"`` -> ``"korea, south"``; ``"유럽 연합"`` -> ``"유럽연합"``.
    """
    s = unicodedata.normalize("NFKC", text).casefold()
    s = s.replace("\u2019", "'").replace(".", "").replace("&", " and ").replace("\u2060", "")
    s = " ".join(s.split())
    if _CJK.search(s):
        s = s.replace(" ", "")
    return s.strip(" '\"")


def _variants(text: str) -> list[str]:
    """Export spellings undone: ``X (Y)`` -> X, Y; ``X, Y`` -> ``Y X``; a leading "The" dropped."""
    out: list[str] = []
    m = _PAREN.match(text)
    if m:
        out += [m.group("head"), m.group("inner")]
    for t in [text, *out]:
        head, comma, tail = t.partition(",")
        if comma and tail.strip() and "," not in tail:
            out.append(f"{tail.strip()} {head.strip()}")
    for t in [text, *out]:
        if t.lower().startswith("the "):
            out.append(t[4:])
    return [o.strip() for o in out if o.strip() and o.strip() != text]


@cache
def _m49() -> dict:
    path = resources.files("policyscope.corpus").joinpath("data", "jurisdictions", "m49.json")
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _blocs() -> dict:
    path = resources.files("policyscope.corpus").joinpath("data", "jurisdictions", "blocs.json")
    return json.loads(path.read_text(encoding="utf-8"))["blocs"]


@cache
def _region_table() -> dict[str, tuple[str, str, str]]:
    """Code -> (continent, sub-region, intermediate region) M49 numeric codes ("" where none)."""
    data = _m49()
    continent_of = {sub: cont for cont, c in data["continents"].items() for sub in c["subregions"]}
    out: dict[str, tuple[str, str, str]] = {}
    for sub, s in data["subregions"].items():
        for code in s.get("members", ()):
            out[code] = (continent_of[sub], sub, "")
        for inter in s.get("intermediate", ()):
            for code in data["intermediate"][inter]["members"]:
                out[code] = (continent_of[sub], sub, inter)
    # The Union's own acts are European; it belongs to no sub-region.
    out[EU] = ("150", "", "")
    return out


@cache
def country_codes() -> frozenset[str]:
    """Every valid ``country`` value: the ISO 3166-1 alpha-2 codes, ``XK``, ``EU`` and ``INT``."""
    import pycountry

    return frozenset({c.alpha_2 for c in pycountry.countries} | {KOSOVO, EU, INT})


def _m49_name(code: str) -> str:
    data = _m49()
    for table in ("continents", "subregions", "intermediate"):
        if code in data[table]:
            return data[table][code]["name"]
    return ""


@cache
def _babel_territories() -> dict[str, dict[str, str]]:
    """Babel locale -> CLDR territory names."""
    from babel import Locale

    return {loc: dict(Locale.parse(loc).territories) for loc, _ in _BABEL_LOCALES}


@cache
def _alias_build() -> tuple[dict[str, str], tuple[Alias, ...], dict[str, tuple[str, ...]]]:
    """(key -> code, every alias longest first, ambiguous key -> codes), built once per process (~0.3 s)."""
    import gettext

    import pycountry

    found: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    texts: dict[tuple[str, str], tuple[str, AliasLang]] = {}

    def add(text: str | None, code: str, lang: AliasLang, priority: int, derive: bool = True) -> None:
        if not text or not text.strip():
            return
        text = " ".join(text.replace("\u00a0", " ").split())
        key = normalize_alias(text)
        if not key:
            return
        found[key][priority].add(code)
        texts.setdefault((key, code), (text, lang))
        if derive:
            for v in _variants(text):
                add(v, code, lang, max(priority, _PRIORITY_DERIVED), derive=False)

    translations = {
        loc: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[loc]) for loc, _ in _GETTEXT_LOCALES
    }
    for c in pycountry.countries:
        code = c.alpha_2
        add(c.alpha_2, code, "code", _PRIORITY_HAND, derive=False)
        add(c.alpha_3, code, "code", _PRIORITY_HAND, derive=False)
        names = [getattr(c, f, None) for f in ("name", "official_name", "common_name")]
        for name in names:
            add(name, code, "en", _PRIORITY_NAME)
            for loc, lang in _GETTEXT_LOCALES:
                if name:
                    translated = translations[loc].gettext(name)
                    if translated != name:
                        add(translated, code, lang, _PRIORITY_NAME)  # type: ignore[arg-type]
    babel = _babel_territories()
    codes = country_codes()
    for loc, lang in _BABEL_LOCALES:
        for code, name in babel[loc].items():
            if code in codes:
                add(name, code, lang, _PRIORITY_NAME)  # type: ignore[arg-type]
    for code, aliases in HAND_ALIASES.items():
        add(code, code, "code", _PRIORITY_HAND, derive=False)
        for text in aliases:
            lang: AliasLang = "code" if text.isascii() and text.replace(".", "").isupper() else (
                "en" if text.isascii() else _script_lang(text))
            add(text, code, lang, _PRIORITY_HAND)
    for code, names in _SPECIAL_NAMES.items():
        for lang, name in names.items():
            add(name, code, lang, _PRIORITY_HAND)  # type: ignore[arg-type]

    index: dict[str, str] = {}
    ambiguous: dict[str, tuple[str, ...]] = {}
    for key, by_priority in found.items():
        best = by_priority[min(by_priority)]
        if len(best) == 1:
            index[key] = next(iter(best))
        else:
            ambiguous[key] = tuple(sorted(best))
    aliases = tuple(
        sorted(
            (Alias(texts[(key, code)][0], key, code, texts[(key, code)][1]) for key, code in index.items()),
            key=lambda a: (-len(a.text), a.text, a.code),
        )
    )
    return index, aliases, ambiguous


def _script_lang(text: str) -> AliasLang:
    if re.search(r"[\uac00-\ud7af]", text):
        return "ko"
    if re.search(r"[\u3040-\u30ff]", text):
        return "ja"
    return "zh"


def resolve_country(value: str) -> str | None:
    """The jurisdiction code a value names, or ``None`` when it names none (never guessed).

    Codes first (``"us"``, ``"USA"``, ``"EUR"``), then names and aliases in en/zh/ja/ko, then the
    export spellings of :func:`_variants`. ``"美国"``, ``"美國"``, ``"米国"``, ``"アメリカ"``, ``"미국"``,
    ``"United States"``, ``"USA"`` and ``"US"`` all give ``"US"``.
    """
    if not isinstance(value, str):
        return None
    raw = " ".join(value.split())
    if not raw:
        return None
    if raw.upper() in _region_table() or raw.upper() in (INT, KOSOVO):
        return raw.upper()  # the fast path for stored values: no alias index needed
    index = alias_index()
    key = normalize_alias(raw)
    if key in index:
        return index[key]
    for variant in _variants(raw):
        code = index.get(normalize_alias(variant))
        if code:
            return code
    return None


def alias_index() -> Mapping[str, str]:
    """Normalised alias (:func:`normalize_alias`) -> code, for every unambiguous name and code."""
    return _alias_build()[0]


def aliases() -> tuple[Alias, ...]:
    """Every alias, longest first (then alphabetical): the order a longest-match scanner wants."""
    return _alias_build()[1]


def ambiguous_aliases() -> Mapping[str, tuple[str, ...]]:
    """Names dropped because two jurisdictions share them (normalised name -> codes)."""
    return _alias_build()[2]


def country_names(code: str) -> dict[str, str]:
    """Display names of a jurisdiction in en/zh/ja/ko (CLDR's common names): ``US`` -> 美国, アメリカ合衆国, 미국.

    Raises:
        ValueError: ``code`` is not a jurisdiction code (see :func:`country_codes`).
    """
    code = (code or "").strip().upper()
    if code not in country_codes():
        raise ValueError(f"unknown country code {code!r}; expected an ISO 3166-1 alpha-2 code, EU or INT")
    if code in _SPECIAL_NAMES:
        return dict(_SPECIAL_NAMES[code])
    babel = _babel_territories()
    out = {}
    for loc, lang in _BABEL_LOCALES:
        if lang not in out:
            out[lang] = babel[loc].get(code) or code
    return out


def known_country_names(code: str) -> dict[str, str]:
    """:func:`country_names`, or {} for an empty or unknown code (display code that must not fail)."""
    try:
        return country_names(code) if code else {}
    except ValueError:
        return {}


def country_label(code: str, lang: str = "en") -> str:
    """``"US · United States"`` for display; ``""`` for no country, the bare value for an unknown one."""
    code = (code or "").strip()
    if not code:
        return ""
    try:
        name = country_names(code).get(lang if lang in LANGS else "en", "")
    except ValueError:
        return code
    return f"{code.upper()} · {name}" if name and name != code.upper() else code.upper()


def region_of(code: str) -> str:
    """The M49 region (sub-region) of a jurisdiction in English: ``JP`` -> "Eastern Asia"; ``EU`` -> "Europe".

    ``""`` for ``INT``, Antarctica and unknown values.
    """
    row = _region_table().get((code or "").strip().upper())
    if row is None:
        return ""
    continent, sub, _ = row
    return _m49_name(sub or continent)


@cache
def groupings() -> tuple[Grouping, ...]:
    """Every grouping a filter accepts: the M49 continents, regions and intermediate regions, then the blocs."""
    data = _m49()
    table = _region_table()
    babel = _babel_territories()
    out: list[Grouping] = []
    for kind, level, tname in (("continent", 0, "continents"), ("region", 1, "subregions"),
                               ("region", 2, "intermediate")):
        for m49, entry in data[tname].items():
            members = frozenset(code for code, row in table.items() if row[level] == m49)
            names: dict[str, tuple[str, ...]] = {"en": (entry["name"], babel["en"].get(m49, entry["name"]))}
            for loc, lang in _BABEL_LOCALES[1:]:
                if loc in babel and m49 in babel[loc]:
                    names[lang] = (*names.get(lang, ()), babel[loc][m49])
            out.append(Grouping(m49, kind, entry["name"], names, members, source="UN M49"))  # type: ignore[arg-type]
    for key, bloc in _blocs().items():
        names = {lang: tuple(v) for lang, v in bloc["names"].items()}
        out.append(Grouping(key, "bloc", key, names, frozenset(bloc["members"]), bloc.get("body", ""),
                            bloc.get("source", "")))
    return tuple(out)


@cache
def _grouping_index() -> dict[str, Grouping]:
    out: dict[str, Grouping] = {}
    for g in groupings():
        for text in (g.key, g.name, *(n for names in g.names.values() for n in names)):
            out.setdefault(normalize_alias(text), g)
    return out


def grouping(name: str) -> Grouping | None:
    """The grouping a name denotes (``"EU27"``, ``"经合组织"``, ``"Eastern Asia"``, ``"东亚"``, ``"030"``), or None."""
    return _grouping_index().get(normalize_alias(name or ""))


def bloc_members(name: str) -> frozenset[str]:
    """Member codes of a bloc or region: ``bloc_members("G7")`` -> CA, DE, FR, GB, IT, JP, US.

    Raises:
        ValueError: no bloc or region has that name; the message lists the blocs.
    """
    g = grouping(name)
    if g is None:
        blocs = ", ".join(_blocs())
        raise ValueError(f"unknown bloc or region {name!r}; blocs: {blocs}; regions: UN M49 names such as Eastern Asia")
    return g.members


def jurisdictions_for(value: str) -> frozenset[str] | None:
    """What a region filter value keeps: a bloc or region (its members, and a bloc's own body) or a
    country alias (that country); ``None`` when the value names nothing.

    ``"G7"`` -> the seven; ``"EU27"`` -> the 27 and ``EU``; ``"东亚"`` -> CN, HK, JP, KP, KR, MN, MO, TW;
    ``"欧盟"`` -> ``{"EU"}`` (a country alias: the Union itself).
    """
    g = grouping(value)
    if g is not None:
        return g.codes
    code = resolve_country(value)
    return frozenset({code}) if code else None


def resolve_countries(values: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """Resolve many values at once: (value -> code for those that map, the values that do not)."""
    mapped: dict[str, str] = {}
    missing: list[str] = []
    for v in dict.fromkeys(values):
        code = resolve_country(v)
        if code:
            mapped[v] = code
        else:
            missing.append(v)
    return mapped, missing


__all__ = [
    "EU",
    "INT",
    "KOSOVO",
    "LANGS",
    "Alias",
    "Grouping",
    "alias_index",
    "aliases",
    "ambiguous_aliases",
    "bloc_members",
    "country_codes",
    "country_label",
    "country_names",
    "grouping",
    "groupings",
    "jurisdictions_for",
    "normalize_alias",
    "region_of",
    "resolve_countries",
    "resolve_country",
]
