"""Concept and summed-BM25 keyword scoring, pure and fast: per-token scores stand in for BM25."""

from __future__ import annotations

import numpy as np
import pytest
from policyscope.index.search.query import QueryAnalysis
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


def _analysis(concepts, sources, weight=1.0, leftover=()):
    translated = [t for c in concepts for alt in c for t in alt]
    return QueryAnalysis(
        [t for s in sources for t in s], translated, concepts, weight, "", (), sources, leftover
    )


def test_a_term_with_many_glosses_counts_once():
    kw = _FakeKeywords(
        {"韩元": [1, 0, 0, 0], "财政": [0, 1, 0, 0], "预算": [1, 1, 0, 0], "经费": [0, 1, 0, 0]}
    )
    a = _analysis(((("韩元",),), (("财政",), ("预算",), ("经费",))), (("won",), ("budget",)))
    s = concept_scores(kw, a, idf_weighted=False)
    # passage 0 covers both concepts; passage 1 holds three glosses of one concept only
    assert s[0] > s[1] > 0 and s[2] == 0


def test_own_words_and_translation_are_judged_on_one_scale():
    # English BM25 scores are small, Chinese ones large (rare in an English corpus): after
    # normalisation an English passage matching the query's words fully ties a Chinese one at weight 1.
    kw = _FakeKeywords({"vat": [2, 0, 0, 0], "增值税": [0, 9, 0, 0]})
    a = _analysis(((("增值税",),),), (("vat",),), weight=1.0)
    s = concept_scores(kw, a, idf_weighted=False)
    assert s[0] == pytest.approx(1.0) and s[1] == pytest.approx(1.0)


def test_a_country_named_in_the_query_matches_a_record_of_that_country():
    kw = _FakeKeywords({"korea": [1, 0, 0, 0], "renewable": [0, 1, 1, 0]})
    a = _analysis((), (), weight=0.0, leftover=("korea", "renewable"))
    fields = {"korea": np.array([False, False, True, False])}
    s = concept_scores(kw, a, idf_weighted=False, fields=fields, field_weight=0.5)
    assert s[2] > s[1]  # the Korean record's later passage, which never says "Korea"


def test_a_query_matching_nothing_scores_zero_everywhere():
    kw = _FakeKeywords({"battery": [1, 0, 0, 0]})
    s = concept_scores(kw, _analysis((), (), weight=0.0, leftover=("unknownword",)))
    assert s.shape == (4,) and not s.any()


def test_summed_bm25_lets_many_glosses_of_one_term_outscore_full_coverage():
    """The older scoring that the concept scoring replaced (docs/search.md, "Reading the tables")."""
    kw = _FakeKeywords(
        {"韩元": [1, 0, 0, 0], "财政": [0, 1, 0, 0], "预算": [1, 1, 0, 0], "经费": [0, 1, 0, 0]}
    )
    a = _analysis(((("韩元",),), (("财政",), ("预算",), ("经费",))), (("won",), ("budget",)))
    summed = keyword_scores(kw, a, normalize=False, concept_max=False)
    per_concept = keyword_scores(kw, a, normalize=False, concept_max=True)
    assert summed[1] > summed[0]  # three glosses of "budget" beat 韩元 + 预算
    assert per_concept[0] > per_concept[1]  # one gloss per concept: full coverage wins


def test_summed_bm25_without_a_translation_is_the_own_tokens_score():
    kw = _FakeKeywords({"vat": [2, 0, 0, 0], "battery": [1, 3, 0, 0]})
    a = QueryAnalysis(["vat", "battery"], [], (), 0.0, "", ())
    np.testing.assert_allclose(keyword_scores(kw, a, normalize=False), [3, 3, 0, 0])
    np.testing.assert_allclose(keyword_scores(kw, a, normalize=True), [4 / 3, 1, 0, 0], rtol=1e-6)
