"""Concept and summed-BM25 keyword scoring, pure and fast: per-token scores stand in for BM25."""

from __future__ import annotations

import numpy as np
import pytest
from policyscope.index.search.query import Concept, QueryAnalysis
from policyscope.index.search.scoring import concept_scores, keyword_scores


class _FakeKeywords:
    """Per-token score arrays standing in for BM25 over four passages."""

    def __init__(self, table: dict[str, list[float]]):
        self.table = {t: np.asarray(v, dtype=np.float32) for t, v in table.items()}
        self.n_docs = 4

    def scores(self, tokens):
        out = np.zeros(self.n_docs, dtype=np.float32)
        for t in tokens:
            out += self.table.get(t, 0.0)
        return out

    def coverage_scores(self, tokens):
        """Each token's scores divided by its best passage's, summed (as ``KeywordIndex`` does)."""
        out = np.zeros(self.n_docs, dtype=np.float32)
        for t in tokens:
            s = self.table.get(t)
            if s is not None and s.max() > 0:
                out += s / s.max()
        return out


def _analysis(*concepts: Concept, weight: float = 1.0) -> QueryAnalysis:
    tokens = [t for c in concepts for t in c.source]
    translated = [t for c in concepts for alt in c.alternatives for t in alt]
    return QueryAnalysis(tokens, translated, concepts, weight, "", ())


WON_BUDGET = (
    Concept(("won",), (("韩元",),)),
    Concept(("budget",), (("财政",), ("预算",), ("经费",))),
)


def test_a_term_with_many_glosses_counts_once():
    kw = _FakeKeywords(
        {"韩元": [1, 0, 0, 0], "财政": [0, 1, 0, 0], "预算": [1, 1, 0, 0], "经费": [0, 1, 0, 0]}
    )
    a = _analysis(*WON_BUDGET)
    s = concept_scores(kw, a, idf_weighted=False)
    # passage 0 covers both concepts; passage 1 holds three glosses of one concept only
    assert s[0] > s[1] > 0 and s[2] == 0


def test_own_words_and_translation_are_judged_on_one_scale():
    # English BM25 scores are small, Chinese ones large (rare in an English corpus): after
    # normalisation an English passage matching the query's words fully ties a Chinese one at weight 1.
    kw = _FakeKeywords({"vat": [2, 0, 0, 0], "增值税": [0, 9, 0, 0]})
    a = _analysis(Concept(("vat",), (("增值税",),)), weight=1.0)
    s = concept_scores(kw, a, idf_weighted=False)
    assert s[0] == pytest.approx(1.0) and s[1] == pytest.approx(1.0)


def test_a_country_named_in_the_query_matches_a_record_of_that_country():
    kw = _FakeKeywords({"korea": [1, 0, 0, 0], "renewable": [0, 1, 1, 0]})
    a = _analysis(Concept(("korea",), country="KR"), Concept(("renewable",)), weight=0.0)
    subject = np.array(["", "", "KR", ""])
    s = concept_scores(kw, a, idf_weighted=False, subject_country=subject, field_weight=1.0)
    assert s[2] > s[1] > 0  # the Korean record's later passage, which never says "Korea"
    assert s[0] == 0  # naming Korea without the topic is no match


def test_a_passage_naming_only_the_country_never_outranks_one_on_the_topic():
    # "carbon tax Chile": passage 0 names 智利 and nothing else, passage 1 is on carbon tax elsewhere,
    # passage 2 is Chile's carbon-tax law (its document's country is CL).
    kw = _FakeKeywords({"chile": [3, 0, 0, 0], "carbon": [0, 2, 2, 0], "tax": [0, 2, 1, 0]})
    a = _analysis(Concept(("chile",), country="CL"), Concept(("carbon",)), Concept(("tax",)), weight=0.0)
    s = concept_scores(kw, a, idf_weighted=False, subject_country=np.array(["", "", "CL", ""]))
    assert s[2] > s[1] > s[0] == 0


def test_a_japanese_rendering_scores_only_on_japanese_passages():
    # 電池 is a Japanese rendering; passage 0 is Chinese text that happens to hold the same characters.
    kw = _FakeKeywords({"電池": [5, 1, 0, 0]})
    a = _analysis(Concept(("battery",), (("電池",),), ("ja",)))
    langs = np.array(["zh", "ja", "en", "en"])
    scoped = concept_scores(kw, a, idf_weighted=False, passage_langs=langs)
    assert scoped[0] == 0 and scoped[1] == pytest.approx(1.0)  # scaled by the best Japanese passage
    unscoped = concept_scores(kw, a, idf_weighted=False)
    assert unscoped[0] > unscoped[1]


def test_a_flatter_exponent_lets_more_concepts_beat_a_denser_match_of_fewer():
    kw = _FakeKeywords({"lithium": [4, 1, 0, 0], "stockpile": [4, 1, 0, 0], "reserve": [0, 1, 0, 0]})
    a = _analysis(Concept(("lithium",)), Concept(("stockpile",)), Concept(("reserve",)), weight=0.0)
    linear = concept_scores(kw, a, idf_weighted=False)
    flat = concept_scores(kw, a, idf_weighted=False, exponent=0.3)
    assert linear[0] > linear[1]  # two concepts, four times as dense
    assert flat[1] > flat[0]  # all three concepts


def test_a_query_matching_nothing_scores_zero_everywhere():
    kw = _FakeKeywords({"battery": [1, 0, 0, 0]})
    s = concept_scores(kw, _analysis(Concept(("unknownword",)), weight=0.0))
    assert s.shape == (4,) and not s.any()


def test_summed_bm25_lets_many_glosses_of_one_term_outscore_full_coverage():
    """The older scoring that the concept scoring replaced (docs/search.md, "Reading the tables")."""
    kw = _FakeKeywords(
        {"韩元": [1, 0, 0, 0], "财政": [0, 1, 0, 0], "预算": [1, 1, 0, 0], "经费": [0, 1, 0, 0]}
    )
    a = _analysis(*WON_BUDGET)
    summed = keyword_scores(kw, a, normalize=False, concept_max=False)
    per_concept = keyword_scores(kw, a, normalize=False, concept_max=True)
    assert summed[1] > summed[0]  # three glosses of "budget" beat 韩元 + 预算
    assert per_concept[0] > per_concept[1]  # one gloss per concept: full coverage wins


def test_summed_bm25_without_a_translation_is_the_own_tokens_score():
    kw = _FakeKeywords({"vat": [2, 0, 0, 0], "battery": [1, 3, 0, 0]})
    a = QueryAnalysis(["vat", "battery"], [], (), 0.0, "", ())
    np.testing.assert_allclose(keyword_scores(kw, a, normalize=False), [3, 3, 0, 0])
    np.testing.assert_allclose(keyword_scores(kw, a, normalize=True), [4 / 3, 1, 0, 0], rtol=1e-6)


def test_a_partial_rendering_is_not_boosted_past_a_whole_match_of_the_querys_own_words():
    # "carbon tax": passage 0 holds the query's own words, passage 1 only 税 of the rendering 炭素 税 (税 is
    # rarer than 炭素, so it carries most of the rendering's weight).
    kw = _FakeKeywords({"carbon": [2, 0, 0, 0], "tax": [2, 0, 0, 0], "炭素": [1, 0, 1, 1], "税": [0, 3, 0, 0]})
    a = _analysis(Concept(("carbon", "tax"), (("炭素", "税"),)), weight=1.5)
    s = concept_scores(kw, a, idf_weighted=False, exponent=0.3)
    assert s[0] > s[1] > 0


def test_a_rendering_word_no_passage_holds_counts_as_missing():
    # 炭素 occurs nowhere: 税 alone is half of the rendering, not all of it.
    kw = _FakeKeywords({"税": [0, 3, 0, 0]})
    a = _analysis(Concept(("carbontax",), (("炭素", "税"),)), weight=1.0)
    s = concept_scores(kw, a, idf_weighted=False)
    assert 0 < s[1] < 0.7


def test_an_english_rendering_matches_the_verbs_past_and_ing_forms():
    # 지원 -> "support"; passage 1 says "Supported by $60 million", passage 2 "supporting".
    kw = _FakeKeywords({"supported": [0, 2, 0, 0], "supporting": [0, 0, 1, 0]})
    a = _analysis(Concept(("지원",), (("support",),), ("en",)), weight=1.0)
    s = concept_scores(kw, a, idf_weighted=False)
    assert s[1] == pytest.approx(1.0) and 0 < s[2] < 1 and s[0] == 0


def test_an_amount_the_query_names_outweighs_its_broader_words():
    # "US rare-earth company invests 7億ドル": passage 0 holds "rare earth" and "invest", passage 1 the
    # amount and "invest". By IDF alone they tie; the amount is the fact asked for.
    kw = _FakeKeywords({"rare": [1, 0, 0, 0], "invest": [1, 1, 1, 1], "700": [0, 1, 0, 0]})
    a = _analysis(Concept(("rare",)), Concept(("invest",)), Concept(("700",), amount=True))
    plain = concept_scores(kw, a, amount_weight=1.0)
    weighted = concept_scores(kw, a, amount_weight=2.0)
    assert plain[0] == pytest.approx(plain[1])
    assert weighted[1] > weighted[0] > weighted[2]
