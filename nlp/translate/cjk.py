"""Japanese and Korean queries cut into translatable terms by longest match.

Neither language puts spaces between the words of a compound, and Korean attaches particles to
nouns (국방물자생산법에), so terms are found the way a dictionary reader finds them: at each position,
the longest glossary term (or, for Japanese, JMdict word) that starts there, glossary first on ties.
Number expressions (7億ドル, 10조원) are claimed before the words. Characters no resource knows are
skipped: the query's own keyword tokens still match passages in its language, and Japanese kanji
fold to the same tokens as their Chinese counterparts.

Example: 米国のレアアース企業が7億ドルを追加投資 -> 米国 (glossary: 美国, United States, 미국),
7億ドル (number: 700 million dollars, 7亿美元), 企業 (JMdict: enterprise, business), 追加 (addition),
投資 (investment); の, が, を are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from policyscope.nlp.translate.glossary import GlossaryEntry, GlossaryIndex, ja_key, ko_key
from policyscope.nlp.translate.jmdict import JapaneseDictionary
from policyscope.nlp.translate.numbers import number_spans
from policyscope.nlp.translate.terms import Term, row_term

_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々]")
_HIRAGANA = re.compile(r"[\u3040-\u309f]")
# A JMdict match is at least two characters (a lone kanji left over from a longer word, 所 of 発電所,
# is rarely the word meant), and a kana-only one at least three: a two-kana match
# inside a longer katakana run (リチ of リチウム) is a false cut.
_MIN_KANA_WORD = 3


def _numbers(text: str, lang: str, claimed: list[bool]) -> list[tuple[int, Term]]:
    out = []
    for start, end, src, targets in number_spans(text, lang):
        if not any(claimed[start:end]):
            claimed[start:end] = [True] * (end - start)
            out.append((start, Term(src, tuple(targets), "number")))
    return out


def japanese_terms(
    text: str,
    glossary: GlossaryIndex,
    jmdict: JapaneseDictionary,
    en_lookup: Callable[[str], list[tuple[str, str]]],
) -> list[Term]:
    """The terms of a Japanese query, in query order (see the module docstring).

    ``en_lookup`` renders an English gloss in Chinese and Korean (the glossary's rows for it), so a
    JMdict word reaches passages of all four languages: 揚水発電 -> "pumped-storage power generation".
    """
    key = ja_key(text)
    claimed = [False] * len(key)
    found = _numbers(key, "ja", claimed)
    i = 0
    while i < len(key):
        if claimed[i] or _HIRAGANA.match(key[i]):
            i += 1
            continue
        best: tuple[int, Term] | None = None
        for n in range(min(glossary.max_ja, len(key) - i), 0, -1):
            piece = key[i : i + n]
            if any(claimed[i : i + n]):
                continue
            entries = glossary.by_ja.get(piece)
            if entries and (n > 1 or _KANJI.match(piece)):
                best = (n, row_term(piece, entries, "ja"))
                break
        for n in range(min(jmdict.max_len, len(key) - i), max(best[0] if best else 0, 1), -1):
            piece = key[i : i + n]
            if any(claimed[i : i + n]) or (not _KANJI.search(piece) and n < _MIN_KANA_WORD):
                continue
            glosses = jmdict.english(piece)
            if glosses:
                best = (n, _jmdict_term(piece, glosses, en_lookup))
                break
        if best is None:
            i += 1
            continue
        n, term = best
        claimed[i : i + n] = [True] * n
        found.append((i, term))
        i += n
    found.sort(key=lambda x: x[0])
    return [t for _, t in found]


def _jmdict_term(word: str, glosses: list[str], en_lookup: Callable[[str], list[tuple[str, str]]]) -> Term:
    targets: dict[str, str] = {g: "en" for g in glosses}
    for g in glosses:
        for rendering, lang in en_lookup(g):
            targets.setdefault(rendering, lang)
    return Term(word, tuple(targets), "jmdict", tuple(targets.values()))


def korean_terms(text: str, glossary: GlossaryIndex) -> list[Term]:
    """The terms of a Korean query, in query order: numbers, then glossary terms longest first.

    Glossary terms are compared without spaces (공급망 안정화 = 공급망안정화); a term never starts
    inside a word's particle, since particles (에, 를, 의 ...) are not glossary entries.
    """
    key = ko_key(text)
    claimed = [False] * len(key)
    found = _numbers(key, "ko", claimed)
    i = 0
    while i < len(key):
        if claimed[i]:
            i += 1
            continue
        for n in range(min(glossary.max_ko, len(key) - i), 1, -1):
            piece = key[i : i + n]
            entries: list[GlossaryEntry] | None = glossary.by_ko.get(piece)
            if entries and not any(claimed[i : i + n]):
                claimed[i : i + n] = [True] * n
                found.append((i, row_term(piece, entries, "ko")))
                i += n
                break
        else:
            i += 1
    found.sort(key=lambda x: x[0])
    return [t for _, t in found]
