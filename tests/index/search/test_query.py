"""Query analysis with a stand-in tokenizer and translator: what becomes a concept, what stays own."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from policyscope.index.search.query import Concept, analyse_query


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
    origin: str = "glossary"

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
    assert a.translated == [] and a.weight == 0.0 and a.other_text == ""
    assert a.concepts == (Concept(("norway",), country="NO"), Concept(("vat",)))
    assert a.leftover == ("norway", "vat") and a.countries == ("NO",)
    assert a.highlight == ("norway", "vat", "norway")


def test_each_translated_term_is_one_concept_with_its_source_tokens():
    exp = _Expansion(
        "en",
        (_Term("Korean won", ("韩元",)), _Term("budget", ("财政", "预算", "经费"))),
        text_zh="韩元 预算",
    )
    a = _analyse("Korean won budget OECD", exp)
    assert [(c.source, c.alternatives) for c in a.concepts] == [
        (("korean", "won"), (("韩元",),)),
        (("budget",), (("财政",), ("预算",), ("经费",))),
        (("oecd",), ()),  # no dictionary entry: a concept of its own
    ]
    assert a.leftover == ("oecd",)
    assert a.translated == ["韩元", "财政", "预算", "经费"]
    assert a.weight == 1.5 and a.other_text == "韩元 预算"
    assert a.highlight[:2] == ("Korean won", "韩元") and "oecd" in a.highlight


def test_a_chinese_query_takes_the_chinese_weight_and_its_english_text():
    exp = _Expansion("zh", (_Term("电池", ("battery", "cell")),), text_en="battery")
    a = _analyse("电池", exp)
    assert a.weight == 0.7 and a.other_text == "battery"
    assert a.concepts == (Concept(("电池",), (("battery",), ("cell",)), (None, None)),)


def test_a_translation_into_the_querys_own_words_adds_nothing():
    exp = _Expansion("en", (_Term("EU", ("eu",)),), text_zh="eu")
    a = _analyse("EU", exp)
    assert a.concepts == (Concept(("eu",), country="EU"),)
    assert a.translated == [] and a.weight == 0.0
    assert a.other_text == "" and a.leftover == ("eu",)


def test_a_term_repeated_in_the_query_is_one_concept():
    exp = _Expansion("zh", (_Term("税", ("tax",)), _Term("税", ("tax",))), text_en="tax tax")
    a = _analyse("税 税率", exp)
    assert [(c.source, c.alternatives) for c in a.concepts] == [(("税",), (("tax",),)), (("税率",), ())]


def test_a_country_is_named_by_its_name_or_a_capitalised_code_not_by_a_short_word():
    a = _analyse("carbon tax in Chile")
    assert a.countries == ("CL",)  # "in" is a word, not India
    assert _analyse("batteries US").countries == ("US",)
    assert _analyse("us batteries").countries == ()


@pytest.mark.parametrize(
    ("query", "amount"),
    [("米国のレアアース企業が7億ドルを追加投資", "7"), ("美国稀土企业追加投资7亿美元", "7"),
     ("invest another $700 million in magnets", "700"), ("EU battery regulation 2023", None)],
)
def test_an_amount_of_money_in_any_language_is_marked_and_a_year_is_not(query, amount):
    from policyscope.nlp.tokens import BilingualTokenizer
    from policyscope.nlp.translate import QueryTranslator

    a = analyse_query(query, BilingualTokenizer(), QueryTranslator(), weight_en=3.0, weight_zh=0.7)
    marked = [c for c in a.concepts if c.amount]
    if amount is None:
        assert marked == []
    else:
        assert len(marked) == 1
        assert amount in marked[0].source or any(amount in alt for alt in marked[0].alternatives)
