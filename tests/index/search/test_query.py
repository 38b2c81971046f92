"""Query analysis with a stand-in tokenizer and translator: what becomes a concept, what stays own."""

from __future__ import annotations

from dataclasses import dataclass

from policyscope.index.search.query import analyse_query


class _Words:
    """Whitespace tokens, lowercased (the bilingual tokenizer's job, minus jieba)."""

    def tokenize(self, text: str, lang: str | None = None) -> list[str]:
        return text.lower().split()

    def tokenize_query(self, query: str) -> list[str]:
        return self.tokenize(query)


@dataclass(frozen=True)
class _Term:
    source: str
    targets: tuple[str, ...]

    def pairs(self) -> list[tuple[str, str | None]]:
        return [(t, None) for t in self.targets]


@dataclass(frozen=True)
class _Expansion:
    source_lang: str
    terms: tuple[_Term, ...]
    text_zh: str = ""
    text_en: str = ""

    def all_terms(self) -> list[str]:
        return [t for term in self.terms for t in (term.source, *term.targets)]


class _Dictionary:
    def __init__(self, expansion: _Expansion):
        self.expansion = expansion

    def expand(self, query: str) -> _Expansion:
        return self.expansion


def _analyse(query, expansion=None):
    translator = _Dictionary(expansion) if expansion is not None else None
    return analyse_query(query, _Words(), translator, weight_en=1.5, weight_zh=0.7)


def test_without_a_translator_every_own_token_is_its_own_concept():
    a = _analyse("Norway VAT norway")
    assert a.tokens == ["norway", "vat", "norway"]
    assert a.translated == [] and a.concepts == () and a.weight == 0.0 and a.other_text == ""
    assert a.leftover == ("norway", "vat")
    assert a.highlight == ("norway", "vat", "norway")


def test_each_translated_term_is_one_concept_with_its_source_tokens():
    exp = _Expansion(
        "en",
        (_Term("Korean won", ("韩元",)), _Term("budget", ("财政", "预算", "经费"))),
        text_zh="韩元 预算",
    )
    a = _analyse("Korean won budget OECD", exp)
    assert a.concepts == ((("韩元",),), (("财政",), ("预算",), ("经费",)))
    assert a.sources == (("korean", "won"), ("budget",))
    assert a.leftover == ("oecd",)  # no dictionary entry: a concept of its own
    assert a.translated == ["韩元", "财政", "预算", "经费"]
    assert a.weight == 1.5 and a.other_text == "韩元 预算"
    assert a.highlight[:2] == ("Korean won", "韩元") and "oecd" in a.highlight


def test_a_chinese_query_takes_the_chinese_weight_and_its_english_text():
    exp = _Expansion("zh", (_Term("电池", ("battery", "cell")),), text_en="battery")
    a = _analyse("电池", exp)
    assert a.weight == 0.7 and a.other_text == "battery"
    assert a.concepts == ((("battery",), ("cell",)),)


def test_a_translation_into_the_querys_own_words_adds_nothing():
    exp = _Expansion("en", (_Term("EU", ("eu",)),), text_zh="eu")
    a = _analyse("EU", exp)
    assert a.concepts == () and a.translated == [] and a.weight == 0.0
    assert a.other_text == "" and a.leftover == ("eu",)


def test_a_term_repeated_in_the_query_is_one_concept():
    exp = _Expansion("zh", (_Term("税", ("tax",)), _Term("税", ("tax",))), text_en="tax tax")
    a = _analyse("税 税率", exp)
    assert a.concepts == ((("tax",),),) and a.sources == (("税",),)
