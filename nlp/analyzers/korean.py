"""Korean keyword analyzer: MeCab-ko (python-mecab-ko with mecab-ko-dic), nouns only.

Why MeCab-ko and not Kiwi (kiwipiepy), measured on the Korean decree (17,364 characters, 548
lines) in this pipeline, on 2 shared cores:

=====================  ==================  ==========================
                       MeCab-ko 1.3.7      Kiwi 0.24.1 (multi-dict off)
=====================  ==================  ==========================
load                   0.02 s, 15 MB       1.3-3 s CPU, 330 MB
speed                  47k chars/s         5k chars/s
공급망 findable         54 of 54 lines      44 of 54 (공급 + 망 in context)
=====================  ==================  ==========================

A search must answer within 5 s of ``serve`` starting even when its first query is Korean, and
BM25 needs the same word cut the same way in a short query and in a long passage: MeCab-ko splits
into the smallest units consistently (공급망 -> 공급 + 망 everywhere), while Kiwi keeps 공급망
whole in some sentences and splits it in others unless every domain compound is added by hand.

Kept: common and proper nouns (NNG, NNP), roots (XR), Hanja (SH, folded to Simplified Chinese;
the keyword tokenizer gives Han runs to jieba, so they only come from a direct call), the prefix and suffix morphemes that build policy words (XPN 재-, XSN -화: 재자원화
-> 재, 자원, 화) and, from the dictionary's compound nouns, the compound and its parts (기본법 ->
기본법, 기본, 법; the same "search mode" as the Japanese analyzer). Dropped: particles, endings,
verbs and adjectives (legal Korean writes verbs as noun + 하다: 비축하여야 -> 비축), bound nouns
(등, 조), determiners, adverbs and punctuation. Latin words and numbers never reach this analyzer
(the tokenizer gives them to the English one).

MeCab-ko does not know U+318D (ㆍ, the middle dot of Korean statutes), nor U+119E, its NFKC form:
수입량ㆍ비축물량 comes out as one unknown token. Both are mapped to U+00B7 first.
"""

from __future__ import annotations

import threading
from typing import Any

from policyscope.nlp.analyzers import package_version
from policyscope.nlp.fold import fold_han

__all__ = ["KEPT_TAGS", "KoreanAnalyzer", "settings"]

KEPT_TAGS = frozenset({"NNG", "NNP", "XR", "SH", "XPN", "XSN"})
# U+318D as written, U+119E after NFKC (the keyword tokenizer normalises first), U+2027 hyphenation point.
_MIDDLE_DOTS = str.maketrans({"\u318d": "\u00b7", "\u119e": "\u00b7", "\u2027": "\u00b7"})


def settings() -> dict[str, Any]:
    """What an index records about this analyzer (versions from package metadata, nothing loaded)."""
    return {
        "name": "mecab-ko",
        "tags": sorted(KEPT_TAGS),
        "compounds": "whole+parts",
        "python-mecab-ko": package_version("python-mecab-ko"),
        "python-mecab-ko-dic": package_version("python-mecab-ko-dic"),
    }


class KoreanAnalyzer:
    """Nouns of Korean text by MeCab-ko, one MeCab per thread.

    Example: ``KoreanAnalyzer().analyze("공급망 안정화 기본법에 따른 비축하여야")`` ->
    ``["공급", "망", "안정", "화", "기본법", "기본", "법", "비축"]``.
    """

    def __init__(self) -> None:
        import mecab  # lazy (python-mecab-ko): only Korean text needs it

        self._mecab_class = mecab.MeCab
        self._local = threading.local()
        self._mecab()  # load the dictionary now, so a missing one fails here, not mid-build

    def _mecab(self) -> Any:
        tagger = getattr(self._local, "mecab", None)
        if tagger is None:
            tagger = self._local.mecab = self._mecab_class()
        return tagger

    def analyze(self, text: str) -> list[str]:
        """Tokens of ``text`` in reading order; see the class docstring."""
        out: list[str] = []
        for m in self._mecab().parse(text.translate(_MIDDLE_DOTS)):
            tag = m.pos
            if tag not in KEPT_TAGS:
                continue
            if tag == "SH":
                out.append(fold_han(m.surface))
                continue
            out.append(m.surface)
            feature = m.feature
            if feature.type == "Compound" and feature.expression:
                # "기본/NNG/*+법/NNG/*": the parts of a compound noun.
                out.extend(part.split("/", 1)[0] for part in feature.expression.split("+"))
        return out
