"""English normalisation: one key per word whatever its number, spelling or case."""

from __future__ import annotations

import pytest
from policyscope.nlp.translate import en_keys, fold_word


def test_plurals_and_british_spelling_fold_to_one_key() -> None:
    assert fold_word("batteries") == fold_word("battery")
    assert fold_word("localisation") == fold_word("localization")
    assert en_keys("Solid-state batteries") == en_keys("solid state battery")
    assert en_keys("U.S.") == en_keys("United States")


@pytest.mark.parametrize(
    ("word", "key"),
    [
        ("analyses", "analysis"),
        ("gases", "gas"),
        ("tonnes", "ton"),
        ("tons", "ton"),
        ("programmes", "program"),
        ("centres", "center"),
        ("modelling", "modeling"),
        ("species", "species"),
        ("process", "process"),
        ("evs", "ev"),
    ],
)
def test_irregular_plurals_and_spellings_fold_to_the_key(word: str, key: str) -> None:
    assert fold_word(word) == key


@pytest.mark.parametrize(
    ("plural", "singular"),
    [("batteries", "battery"), ("taxes", "tax"), ("days", "day"), ("supply chains", "supply chain"),
     ("licences", "license"), ("Critical Minerals", "critical mineral")],
)
def test_a_plural_phrase_has_the_keys_of_its_singular(plural: str, singular: str) -> None:
    assert en_keys(plural) == en_keys(singular)
