"""Japanese and Korean queries: longest-match terms rendered in the other three languages."""

from __future__ import annotations

import pytest
from policyscope.nlp.translate import QueryTranslator, query_language


@pytest.fixture(scope="module")
def translator():
    return QueryTranslator(use_cedict=False)


def renderings(exp, lang):
    return {t for term in exp.terms for t in term.in_lang(lang)}


def test_the_query_language_follows_the_script():
    assert query_language("密閉形蓄電池の再資源化") == "ja"
    assert query_language("핵심광물 비축 확대") == "ko"
    assert query_language("储备 MSP") == "zh"
    assert query_language("critical minerals") == "en"


def test_a_japanese_query_is_cut_into_glossary_and_dictionary_words(translator):
    exp = translator.expand("密閉形蓄電池の再資源化を促進する")
    assert exp.source_lang == "ja"
    sources = [t.source for t in exp.terms]
    assert "再資源化" in sources and not any(s in ("の", "を") for s in sources)
    assert {"recycling"} & renderings(exp, "en")
    assert any("蓄电池" in r for r in renderings(exp, "zh"))
    assert "재자원화" in renderings(exp, "ko")


def test_japanese_and_korean_amounts_are_rendered_in_english_and_chinese(translator):
    ja = translator.expand("基金に10億円を拠出")
    ko = translator.expand("공급망안정화기금 10조원")
    # The bare amount is a rendering of its own: English writes "$700 million", no currency word.
    assert ("1 billion yen", "1 billion", "10亿日元") == next(t.targets for t in ja.terms if t.origin == "number")
    assert ("10 trillion won", "10 trillion", "10万亿韩元") == next(
        t.targets for t in ko.terms if t.origin == "number"
    )


def test_korean_terms_match_with_or_without_spaces_and_particles(translator):
    joined = translator.expand("공급망안정화기금을 조성한다")
    spaced = translator.expand("공급망 안정화 기금을 조성한다")
    for exp in (joined, spaced):
        assert exp.source_lang == "ko"
        assert "fund" in " ".join(renderings(exp, "en"))
        assert "supply chain stabilization" in " ".join(renderings(exp, "en"))


def test_english_and_chinese_queries_reach_japanese_and_korean_terms(translator):
    en = translator.expand("stockpiling of critical minerals")
    zh = translator.expand("关键矿产储备")
    for exp in (en, zh):
        assert "備蓄" in renderings(exp, "ja") and "비축" in renderings(exp, "ko")
    assert en.terms[0].langs[0] == "zh"  # the Chinese rendering still comes first


def test_a_term_knows_the_language_of_each_rendering(translator):
    term = next(t for t in translator.expand("核心광물 비축").terms if t.source == "비축")
    assert dict(term.pairs())["備蓄"] == "ja" and dict(term.pairs())["储备"] == "zh"
    with pytest.raises(ValueError, match="languages for"):
        type(term)(term.source, term.targets, term.origin, term.langs[:1])
