"""Literal matching: "why it matched" terms and the exact-phrase needle."""

from __future__ import annotations

from policyscope.index.search.matching import matched_terms, normalize_for_match, phrase_needle


def test_matching_ignores_case_width_and_whitespace():
    assert normalize_for_match("Solid-State\u3000Ｂatteries 固态 电池") == "solid-statebatteries固态电池"


def test_matched_terms_are_longest_first_and_skip_terms_inside_a_longer_one():
    text = "韩国将投入韩元预算推动固态电池商用化。"
    got = matched_terms(text, ["电池", "固态电池", "韩元", "budget", "商用化"])
    assert got == ("固态电池", "商用化", "韩元")  # 电池 lies inside 固态电池; budget is absent


def test_a_single_latin_letter_is_never_a_match_but_a_single_han_character_is():
    assert matched_terms("a tax on 税", ["a", "税"]) == ("税",)


def test_the_phrase_needle_drops_quotes_around_the_query():
    assert phrase_needle("“关键矿产 在线地图”") == "关键矿产在线地图"
    assert phrase_needle('"Critical Minerals"') == "criticalminerals"
