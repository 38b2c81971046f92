"""Shared word lists and the English singular/plural rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from policyscope.nlp.words import (
    EN_QUERY_STOPWORDS,
    EN_STOPWORDS,
    IRREGULAR_PLURALS,
    ZH_QUERY_STOPWORDS,
    ZH_STOPWORDS,
    plural,
    s_stem,
    singular,
    verb_forms,
)


def test_query_stopwords_extend_the_index_stopwords():
    assert EN_STOPWORDS < EN_QUERY_STOPWORDS and ZH_STOPWORDS < ZH_QUERY_STOPWORDS
    # Words that carry meaning in policy text stay searchable; the translator just leaves them alone.
    assert {"not", "must", "only", "within"} <= EN_QUERY_STOPWORDS - EN_STOPWORDS
    assert {"我们", "通过"} <= ZH_QUERY_STOPWORDS - ZH_STOPWORDS


def test_stopwords_are_single_lowercase_words():
    for word in EN_QUERY_STOPWORDS | ZH_QUERY_STOPWORDS:
        assert word and word == word.strip().lower() and " " not in word


@pytest.mark.parametrize(
    ("word", "want"),
    [
        ("batteries", "battery"),
        ("taxes", "tax"),
        ("churches", "church"),
        ("classes", "class"),
        ("minerals", "mineral"),
        ("days", "day"),
        ("establishes", "establish"),
        ("analyses", "analysis"),
        ("gases", "gas"),
        ("children", "child"),
        ("evs", "ev"),
        ("series", "series"),
        ("news", "news"),
        ("gas", "gas"),
        ("bus", "bus"),
        ("analysis", "analysis"),
        ("economics", "economics"),
        ("status", "status"),
        ("ties", "tie"),
        ("battery", "battery"),
    ],
)
def test_singular(word, want):
    assert singular(word) == want


@pytest.mark.parametrize(
    ("word", "want"),
    [
        ("battery", "batteries"),
        ("policy", "policies"),
        ("key", "keys"),
        ("tax", "taxes"),
        ("approach", "approaches"),
        ("wish", "wishes"),
        ("waltz", "waltzes"),
        ("mineral", "minerals"),
        ("minerals", "minerals"),
        ("gas", "gas"),
        ("co2", "co2"),
        ("", ""),
    ],
)
def test_plural(word, want):
    assert plural(word) == want


def test_irregular_plurals_fold_to_words_the_rules_leave_alone():
    for word in IRREGULAR_PLURALS.values():
        assert singular(word) == word


# Nouns whose plural singular() can undo; see plural() for the endings left out.
NOUNS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=12).filter(
    lambda w: not w.endswith(("s", "z", "i", "u", "ic", "ie", "che", "she", "sse", "xe"))
    and w not in IRREGULAR_PLURALS
    and plural(w) not in IRREGULAR_PLURALS  # new -> news
)


@given(NOUNS)
def test_singular_undoes_plural(noun):
    assert singular(plural(noun)) == noun


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz-'0", max_size=12))
def test_singular_is_idempotent_and_never_lengthens(word):
    once = singular(word)
    assert len(once) <= len(word) or word in IRREGULAR_PLURALS
    assert singular(once) == once


@pytest.mark.parametrize(
    ("word", "stem", "key"),
    [
        ("batteries", "battery", "battery"),
        ("minerals", "mineral", "mineral"),
        ("days", "day", "day"),
        ("taxes", "taxe", "tax"),
        ("economics", "economic", "economics"),
        ("gases", "gase", "gas"),
        ("gas", "gas", "gas"),
        ("analysis", "analysis", "analysis"),
        ("li-ions", "li-ions", "li-ion"),
    ],
)
def test_the_index_stemmer_and_the_singular_rule_differ_only_where_documented(word, stem, key):
    assert s_stem(word) == stem
    assert singular(word) == key


@pytest.mark.parametrize(
    ("word", "forms"),
    [("support", ("supported", "supporting")), ("produce", ("produced", "producing")),
     ("supply", ("supplied", "supplying")), ("stockpile", ("stockpiled", "stockpiling")),
     ("deploy", ("deployed", "deploying")), ("recycled", ()), ("mining", ()), ("tax", ()), ("co2", ()),
     ("电池", ())],
)
def test_verb_forms_are_the_ed_and_ing_forms_of_a_base_verb(word, forms):
    assert verb_forms(word) == forms
