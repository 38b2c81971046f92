"""Number expressions rendered in the other language: "80 billion won" <-> 800亿韩元.

English counts in thousands (short scales: million, billion), Chinese in myriads (万, 亿), so an
amount is parsed to a value and written again: "306.6 billion won" is 3.066e11 won, 3066亿韩元.
Year ranges ("2023-2028" <-> 2023—2028), percentages, energy units, currencies, durations
("ten-year" <-> 十年) and approximations ("nearly" <-> 近) are kept with the number.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from policyscope.nlp.language import Lang
from policyscope.nlp.translate.english import normalize_en

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
    if currency:  # the bare amount too: 30亿 is how a Chinese text often writes "$3 billion" again
        return [f"{prefix}{amount}{currency[0]}", f"{prefix}{amount}"]
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
    if unit in _ZH_CURRENCIES:  # English writes "$700 million": the currency word is often absent
        return [f"{prefix}{amount} {_ZH_CURRENCIES[unit]}", f"{prefix}{amount}"]
    return [f"{prefix}{amount}"]


# Japanese and Korean count in myriads like Chinese (万/億/兆, 만/억/조): one amount regex each, rendered
# in English and in Chinese ("7億ドル" and "7억 달러" -> "700 million dollars", "7亿美元").
_CJK_SCALE = {"兆": "万亿", "億": "亿", "万": "万", "千": "千", "조": "万亿", "억": "亿", "만": "万", "천": "千"}
_CJK_UNITS = {
    "ドル": "美元", "米ドル": "美元", "円": "日元", "ユーロ": "欧元", "ウォン": "韩元", "人民元": "元", "元": "元",
    "달러": "美元", "원": "韩元", "유로": "欧元", "엔": "日元", "위안": "元",
    "%": "%", "％": "%", "パーセント": "%", "퍼센트": "%",
}
_CJK_NUMBER_RE = re.compile(
    r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s?(?P<scale>兆|億|万|千|조|억|만|천)?\s?"
    r"(?P<unit>米ドル|ドル|人民元|円|ユーロ|ウォン|元|달러|원|유로|엔|위안|%|％|パーセント|퍼센트)?"
)


def _cjk_number(m: re.Match[str]) -> list[str]:
    """English and Chinese renderings of a Japanese or Korean amount; [] for a bare small number."""
    try:
        value = Decimal(m.group("num").replace(",", ""))
    except InvalidOperation:
        return []
    scale, unit = m.group("scale"), m.group("unit")
    if not scale and not unit:
        return []  # article numbers, dates: the query's own tokens already hold the digits
    if scale:
        value *= _ZH_SCALE[_CJK_SCALE[scale]]
    zh_unit = _CJK_UNITS.get(unit or "", "")
    if zh_unit == "%":
        return [f"{_fmt(value)}%", f"{_fmt(value)} percent"]
    en = _en_amount(value)
    if not zh_unit:
        return [en, _zh_amount(value)]
    # "$700 million" holds no currency word: the bare amount is a rendering of its own.
    return [f"{en} {_ZH_CURRENCIES[zh_unit]}", en, _zh_amount(value) + zh_unit]


def number_spans(text: str, lang: str) -> list[tuple[int, int, str, list[str]]]:
    """Number expressions of ``text``: ``(start, end, matched text, renderings in the other language)``.

    ``text`` must already be normalised (for English: :func:`normalize_en`). Japanese and Korean
    amounts are rendered in English and in Chinese.
    """
    out: list[tuple[int, int, str, list[str]]] = []
    if lang in ("ja", "ko"):
        for m in _CJK_NUMBER_RE.finditer(text):
            targets = _cjk_number(m)
            if targets:
                out.append((m.start(), m.end(), m.group(0).strip(), targets))
        return out
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


_AMOUNT_RE = re.compile(
    r"\b(?:thousand|million|billion|trillion|percent|dollars?|euros?|pounds?|yen|won|yuan)\b|%|"
    r"\d\s?(?:万亿|亿|万|美元|欧元|英镑|日元|韩元|元)"
)


def is_amount(rendering: str) -> bool:
    """Whether a number rendering is an amount (money, a scale word or a share), not a bare count or year.

    An amount ("700 million dollars", 7亿美元, "87%") is the most specific thing a query names; a
    bare number (article 3, 2030) is not.

    Examples:
        >>> is_amount("700 million dollars"), is_amount("7亿美元"), is_amount("2030")
        (True, True, False)
    """
    return bool(_AMOUNT_RE.search(rendering))


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
