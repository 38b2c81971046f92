"""Dictionary query translation: number rules, glossary, CC-CEDICT fallback, edge cases."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from policyscope.nlp.translate import (
    Expansion,
    QueryTranslator,
    Term,
    en_keys,
    fold_word,
    normalize_numbers,
    read_glossary,
)

GLOSSARY = Path(__file__).resolve().parents[2] / "nlp" / "data" / "glossary.tsv"


@pytest.fixture(scope="session")
def translator() -> QueryTranslator:
    # Session-scoped: CC-CEDICT and jieba load once (about 3 s).
    return QueryTranslator()


def _zh_targets(exp: Expansion) -> set[str]:
    return {t for term in exp.terms for t in term.targets}


# ---- number rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("en", "zh"),
    [
        ("3 billion", "30亿"),
        ("80 billion won", "800亿韩元"),
        ("306.6 billion won", "3066亿韩元"),
        ("10 billion yen", "100亿日元"),
        ("nearly 3 billion dollars", "近30亿美元"),
        ("90%", "90%"),
    ],
)
def test_number_expressions_translate_both_ways(en: str, zh: str) -> None:
    assert normalize_numbers(en, "en")[0] == zh
    assert normalize_numbers(zh, "zh")[0] == en


def test_year_range_uses_the_chinese_dash_and_back() -> None:
    assert "2023—2028" in normalize_numbers("2023-2028", "en")
    assert "2023-2028" in normalize_numbers("2023—2028", "zh")


@pytest.mark.parametrize("en", ["ten-year", "10-year", "ten year"])
def test_ten_year_becomes_shi_nian(en: str) -> None:
    assert {"十年", "10年"} <= set(normalize_numbers(en, "en"))


@pytest.mark.parametrize("zh", ["十年", "10年"])
def test_shi_nian_becomes_ten_year(zh: str) -> None:
    out = normalize_numbers(zh, "zh")
    assert "ten-year" in out and "10-year" in out


def test_a_plain_count_keeps_its_digits() -> None:
    assert normalize_numbers("50 critical minerals", "en") == ["50"]


def test_currency_sign_and_percent_word_are_understood() -> None:
    assert normalize_numbers("$3 billion", "en") == ["30亿美元"]
    assert normalize_numbers("90 percent", "en") == ["90%"]


def test_chinese_numerals_inside_words_are_not_numbers() -> None:
    assert normalize_numbers("一是电池产业规模持续增长", "zh") == []


def test_normalize_numbers_rejects_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="available: zh, en"):
        normalize_numbers("3 billion", "fr")  # type: ignore[arg-type]


# ---- normalisation ----------------------------------------------------------------------------------


def test_plurals_and_british_spelling_fold_to_one_key() -> None:
    assert fold_word("batteries") == fold_word("battery")
    assert fold_word("localisation") == fold_word("localization")
    assert en_keys("Solid-state batteries") == en_keys("solid state battery")
    assert en_keys("U.S.") == en_keys("United States")


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


# ---- the glossary file ---------------------------------------------------------------------------------


def test_glossary_parses_with_both_sides_on_every_row() -> None:
    lines = GLOSSARY.read_text("utf-8").splitlines()
    assert lines[0] == "zh\ten\tnote"
    for lineno, line in enumerate(lines[1:], 2):
        cols = line.split("\t")
        assert len(cols) == 3, f"line {lineno}: {line!r}"
        assert cols[0].strip() and cols[1].strip(), f"line {lineno}: {line!r}"
        assert all(v.strip() for v in cols[1].split("|")), f"line {lineno}: empty variant"
    entries = read_glossary()
    assert len(entries) >= 300


def test_glossary_has_no_duplicate_zh_en_pairs() -> None:
    pairs = Counter((e.zh, v.lower()) for e in read_glossary() for v in e.en)
    assert [p for p, n in pairs.items() if n > 1] == []


def test_a_glossary_row_without_english_is_reported_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "g.tsv"
    bad.write_text("zh\ten\tnote\n锂\tlithium\t\n钴\t\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"g\.tsv:3"):
        read_glossary(bad)
