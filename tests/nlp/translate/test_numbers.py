"""Number rules: amounts, units, year ranges and durations rendered in the other language."""

from __future__ import annotations

import pytest
from policyscope.nlp.translate import is_amount, normalize_numbers


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
    assert normalize_numbers("$3 billion", "en") == ["30亿美元", "30亿"]
    assert normalize_numbers("90 percent", "en") == ["90%"]


def test_a_sum_of_money_is_also_rendered_without_its_currency() -> None:
    # Texts repeat an amount without the currency ("$700 million" holds no "dollars"; 30亿 after 30亿美元).
    assert normalize_numbers("7亿美元", "zh") == ["700 million dollars", "700 million"]


@pytest.mark.parametrize(
    ("rendering", "amount"),
    [("700 million dollars", True), ("7亿美元", True), ("87%", True), ("30亿", True), ("1 billion yen", True),
     ("2030", False), ("50", False), ("10-year", False), ("2023-2028", False)],
)
def test_amounts_are_money_scales_and_shares_not_counts_or_years(rendering: str, amount: bool) -> None:
    assert is_amount(rendering) is amount


def test_chinese_numerals_inside_words_are_not_numbers() -> None:
    assert normalize_numbers("一是电池产业规模持续增长", "zh") == []


def test_normalize_numbers_rejects_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="available: zh, en"):
        normalize_numbers("3 billion", "fr")  # type: ignore[arg-type]
