"""Script-based language detection and Traditional -> Simplified Chinese conversion (OpenCC).

Detection is deliberately cheap (a few regex counts, no model) because it runs on every
passage at build time. It only needs to tell apart the languages the pipeline treats
differently: Chinese (jieba segmentation, 。！？ sentences), English (spaCy sentencizer,
stemming), Japanese (Sudachi, bracket-aware 。 sentences), Korean (MeCab-ko, 다. sentences) and
everything else.

:func:`detect_language` is the one language detector; :func:`contains_han` answers the
different question the query translator asks (see there).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any, Literal

Language = Literal["zh", "en", "ja", "ko", "other"]
LANGUAGES: tuple[Language, ...] = ("zh", "en", "ja", "ko", "other")
# The two languages that have a dictionary and a lexicon: query translation and measure tagging.
Lang = Literal["zh", "en"]

# Han ideographs of the Basic Multilingual Plane (Extension A, Unified, Compatibility), for use inside
# a regex character class. jieba's dictionary and CC-CEDICT's headwords are written in these.
HAN_BMP = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN = re.compile(f"[{HAN_BMP}\U00020000-\U0002ebef]+")
# The katakana middle dot U+30FB also appears in Chinese transliterated names, so it is not counted.
_KANA = re.compile(r"[\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9d]+")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]+")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]+")
_ASCII_LETTER = re.compile(r"[A-Za-z]+")
_WORD = re.compile(r"[^\W\d_]+")
_FULL_WIDTH = re.compile(r"[\uff01-\uff5e]")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)

# One Han character is about one morpheme, as much as three or four Latin letters, so CJK
# characters weigh triple when mixed text is decided by letter share:
# "欧盟发布《电池法规》（EU Battery Regulation）" is Chinese, while
# "the EU calls it 碳边境调节机制 in Chinese documents" is English.
_CJK_WEIGHT = 3

# Function words that are English and rarely words of the other Latin-script languages in
# the corpus ("a", "in", "on", "die", "was" are left out because they are French, Spanish
# or German words too).
_EN_FUNCTION = frozenset(
    str.split(
        "the of and to is are for with that this by from be been which its has have were shall their "
        "these those such into under also it or at as an not will would should must may can than "
        "other all any each about between through"
    )
)
# French, Spanish, Portuguese, Italian, German, Dutch function words.
_FOREIGN_FUNCTION = frozenset(
    str.split(
        "de en le la les des du et est une pour dans que qui au aux sur par ces leur el los las del "
        "y por para con una lo se su sus al como os em uma não nos dos das ao il di che della delle "
        "degli nel gli der die das und ist nicht mit für den dem zu von ein eine auf im het een en "
        "van voor met"
    )
)


def _count(pattern: re.Pattern[str], text: str) -> int:
    """Characters matched by ``pattern`` (which matches runs, so this loops per run, not per char)."""
    return sum(map(len, pattern.findall(text)))


def detect_language(text: str) -> Language:
    """Return the main language of ``text`` from the scripts its letters are written in.

    Hangul decides Korean and kana decides Japanese (Japanese also uses kanji, so Han alone
    cannot tell it from Chinese); other Han text is Chinese, Traditional or Simplified.
    Latin text is English when English function words outnumber French/Spanish/German ones,
    or, with no function words at all (a title, "Li-ion batteries"), when its letters are
    plain ASCII. Cyrillic, Arabic etc. and text without letters give ``"other"``.

    Example: ``detect_language("欧盟发布《电池法规》（EU Battery Regulation）")`` -> ``"zh"``.
    """
    if not isinstance(text, str):
        raise TypeError(f"detect_language expects str, got {type(text).__name__}")
    if _FULL_WIDTH.search(text):  # "ＥＵ ｔｈｅ" reads as "EU the"
        text = unicodedata.normalize("NFKC", text)
    if "://" in text or "www." in text:
        # A URL's letters say nothing about the language of the text around it.
        text = _URL.sub(" ", text)
    words = _WORD.findall(text)
    letters = sum(map(len, words))
    if letters == 0:
        return "other"
    if text.isascii():  # the common English case needs no script counts
        han = kana = hangul = 0
        latin = ascii_letters = letters
    else:
        han, kana, hangul = _count(_HAN, text), _count(_KANA, text), _count(_HANGUL, text)
        latin = ascii_letters = -1  # counted below only if needed
    cjk = han + kana + hangul
    non_cjk = letters - cjk
    if cjk and cjk * _CJK_WEIGHT >= non_cjk:
        if hangul and hangul >= kana and hangul * 5 >= cjk:
            return "ko"
        if kana and kana * 20 >= cjk:
            return "ja"
        if han >= hangul + kana:
            return "zh"
        return "ko" if hangul >= kana else "ja"
    if latin < 0:
        latin = _count(_LATIN, text)
    if latin * 2 <= non_cjk:
        return "other"
    lowered = list(map(str.lower, words))
    en_hits = sum(map(_EN_FUNCTION.__contains__, lowered))
    foreign_hits = sum(map(_FOREIGN_FUNCTION.__contains__, lowered))
    if en_hits or foreign_hits:
        return "en" if en_hits > foreign_hits else "other"
    if ascii_letters < 0:
        ascii_letters = _count(_ASCII_LETTER, text)
    return "en" if ascii_letters * 20 >= latin * 19 else "other"


def contains_han(text: str) -> bool:
    """Whether ``text`` holds at least one Han character (Chinese, or Japanese kanji).

    Not a language guess. The query translator asks this to choose its direction: its Chinese
    path segments the Han part and also translates the Latin words of a mixed query (MSP 关键矿产),
    while its English path would drop the Han characters. So a query is translated from Chinese
    whenever it has any Han, even where :func:`detect_language` calls the text English.

    Example: ``contains_han("the EU calls it 碳边境调节机制")`` -> ``True``, though
    ``detect_language`` of the same text is ``"en"``.
    """
    return _HAN.search(text) is not None


# OpenCC converters by config name; built once per process (each loads its dictionaries, ~0.05 s).
_converters: dict[str, Any] = {}
_converters_lock = threading.Lock()


def opencc_converter(config: str) -> Any:
    """The process-wide ``opencc.OpenCC(config)`` (``"t2s"``, ``"s2t"``, ...), created on first use.

    OpenCC's conversion is read-only once loaded, so one converter serves every thread.
    """
    conv = _converters.get(config)
    if conv is None:
        with _converters_lock:  # two web requests must not load it twice
            conv = _converters.get(config)
            if conv is None:
                import opencc  # lazy: the dictionaries load only when Han text needs them

                conv = _converters[config] = opencc.OpenCC(config)
    return conv


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese characters to Simplified, leaving everything else alone.

    Uses OpenCC's ``t2s`` (characters plus its phrase table for one-to-many characters such as
    乾 / 干; not the regional vocabulary of ``tw2sp``, which would rewrite 軟體 -> 软件).

    Example: ``to_simplified("關鍵礦產與電池")`` -> ``"关键矿产与电池"``.
    """
    if not _HAN.search(text):
        return text
    return opencc_converter("t2s").convert(text)


def is_traditional(text: str) -> bool:
    """Whether the Chinese in ``text`` is written in Traditional characters.

    Counts characters that change when converted to Simplified (電 -> 电) against those
    that change when converted to Traditional (电 -> 電); text without convertible Han
    characters is not Traditional.

    Example: ``is_traditional("電池供應鏈")`` -> ``True``; ``is_traditional("电池供应链")`` -> ``False``.
    """
    han = "".join(_HAN.findall(text))
    if not han:
        return False
    to_hans = opencc_converter("t2s").convert(han)
    to_hant = opencc_converter("s2t").convert(han)
    trad = sum(1 for a, b in zip(han, to_hans, strict=False) if a != b)
    simp = sum(1 for a, b in zip(han, to_hant, strict=False) if a != b)
    return trad > simp
