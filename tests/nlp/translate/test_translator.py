"""The query translator: glossary, CC-CEDICT fallback, both directions, edge cases and records."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from policyscope.nlp.translate import Expansion, QueryTranslator, Term


@pytest.fixture(scope="session")
def translator() -> QueryTranslator:
    # Session-scoped: CC-CEDICT and jieba load once (about 3 s).
    return QueryTranslator()


def _zh_targets(exp: Expansion) -> set[str]:
    return {t for term in exp.terms for t in term.targets}


# ---- English -> Chinese ------------------------------------------------------------------------------


def test_solid_state_batteries_become_gutai_dianchi(translator: QueryTranslator) -> None:
    exp = translator.expand("solid-state batteries")
    assert exp.source_lang == "en"
    assert "固态电池" in _zh_targets(exp)
    assert "固态电池" in exp.text_zh


def test_critical_minerals_strategy(translator: QueryTranslator) -> None:
    targets = _zh_targets(translator.expand("critical minerals strategy"))
    assert {"关键矿产", "战略"} <= targets


def test_single_words_from_the_glossary(translator: QueryTranslator) -> None:
    assert "回收" in _zh_targets(translator.expand("recycling"))
    assert "韩国" in _zh_targets(translator.expand("Korea"))


def test_numbers_win_over_their_unit_words(translator: QueryTranslator) -> None:
    exp = translator.expand("Korea invests 80 billion won in a battery fund")
    number_terms = [t for t in exp.terms if t.origin == "number"]
    assert [t.targets[0] for t in number_terms] == ["800亿韩元"]
    assert "十亿" not in exp.text_zh


def test_words_outside_the_glossary_come_from_cedict(translator: QueryTranslator) -> None:
    exp = translator.expand("umbrella")  # not domain vocabulary
    assert exp.terms and exp.terms[0].origin == "cedict"
    assert "雨伞" in exp.terms[0].targets or "伞" in exp.terms[0].targets


def test_cedict_keeps_at_most_three_targets_per_word(translator: QueryTranslator) -> None:
    exp = translator.expand("lead market power catch")
    assert all(len(t.targets) <= 3 for t in exp.terms if t.origin == "cedict")


def test_stopwords_are_not_translated(translator: QueryTranslator) -> None:
    exp = translator.expand("the of and with")
    assert exp.terms == ()


def test_unknown_names_pass_through_to_the_chinese_side(translator: QueryTranslator) -> None:
    exp = translator.expand("Qwxyzcorp batteries")
    assert "qwxyzcorp" in exp.text_zh.split()


# ---- Chinese -> English ------------------------------------------------------------------------------


def test_critical_minerals_list_from_chinese(translator: QueryTranslator) -> None:
    exp = translator.expand("关键矿产清单")
    assert exp.source_lang == "zh"
    assert exp.text_zh == "关键矿产清单"
    assert "critical minerals" in exp.text_en
    assert "list" in exp.text_en


def test_indonesia_local_ev_parts_from_chinese(translator: QueryTranslator) -> None:
    text = translator.expand("印度尼西亚 电动汽车 本地零部件").text_en.lower()
    for word in ("indonesia", "electric vehicle", "local"):
        assert word in text
    assert "components" in text or "parts" in text


def test_traditional_chinese_is_searched_as_simplified(translator: QueryTranslator) -> None:
    exp = translator.expand("關鍵礦產")
    assert exp.text_zh == "关键矿产"
    assert "critical minerals" in exp.text_en


def test_a_query_with_any_han_is_translated_from_chinese_latin_words_too(translator: QueryTranslator) -> None:
    # detect_language calls this text English; the Chinese path is the one that translates both parts.
    exp = translator.expand("the EU calls it 碳边境调节机制 in Chinese documents")
    assert exp.source_lang == "zh"
    assert "carbon border adjustment mechanism" in exp.text_en
    assert "欧盟" in exp.text_zh.split()


def test_latin_words_in_a_chinese_query_get_chinese_translations(translator: QueryTranslator) -> None:
    exp = translator.expand("EV 电池回收")
    assert exp.text_zh.startswith("EV 电池回收 ")
    assert "电动汽车" in exp.text_zh.split()


def test_chinese_query_stopwords_are_not_translated(translator: QueryTranslator) -> None:
    assert [t.source for t in translator.expand("我们进行电池回收").terms] == ["电池回收"]


def test_chinese_amounts_get_english_renderings(translator: QueryTranslator) -> None:
    exp = translator.expand("韩国投入3066亿韩元")
    assert "306.6 billion won" in exp.text_en


# ---- edge cases and records ----------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "   ", "。，！", "?!...", "——"])
def test_empty_or_punctuation_query_gives_an_empty_expansion(translator: QueryTranslator, query: str) -> None:
    exp = translator.expand(query)
    assert exp.terms == () and exp.text_zh == "" and exp.text_en == ""
    assert exp.all_terms() == []


def test_expand_rejects_a_non_string() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        QueryTranslator().expand(None)  # type: ignore[arg-type]


def test_expansion_and_term_are_frozen(translator: QueryTranslator) -> None:
    exp = translator.expand("recycling")
    with pytest.raises(dataclasses.FrozenInstanceError):
        exp.text_zh = "x"  # type: ignore[misc]
    with pytest.raises(ValueError, match="available: glossary, cedict, number"):
        Term("x", ("y",), "guess")  # type: ignore[arg-type]


def test_all_terms_lists_sources_and_translations_once(translator: QueryTranslator) -> None:
    terms = translator.expand("recycling recycling Korea").all_terms()
    assert "recycling" in terms and "回收" in terms and "韩国" in terms
    assert len(terms) == len(set(terms))


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("电池锂回收 ab1%。，-—的 Korea亿")), max_size=30))
def test_expand_never_fails_on_mixed_input(query: str) -> None:
    exp = _shared_translator().expand(query)
    assert exp.source_lang in ("zh", "en")
    assert all(t.source and t.origin in ("glossary", "cedict", "number") for t in exp.terms)


_SHARED: list[QueryTranslator] = []


def _shared_translator() -> QueryTranslator:
    # hypothesis cannot use function-scoped fixtures; reuse one translator across examples.
    if not _SHARED:
        _SHARED.append(QueryTranslator())
    return _SHARED[0]
