"""The measure taxonomy: packaged data file and its validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from policyscope.nlp.measures import Measure, Taxonomy, load_taxonomy

SPEC_IDS = (
    "localization",
    "alliance",
    "decoupling",
    "raw_materials",
    "mineral_monitoring",
    "stockpiling",
    "rd_next_gen",
    "funding_incentives",
    "demand_infrastructure",
    "recycling",
    "carbon_footprint",
    "standards_rules",
    "national_security",
    "workforce",
    "market_expansion",
)

MINIMAL = """
version = "test-1"

[[measure]]
id = "recycling"
name_zh = "回收"
name_en = "Recycling"
definition_en = "Recycling."
definition_zh = "回收。"
terms_en = ["recycling"]
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "measures.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_packaged_taxonomy_has_the_fifteen_spec_measures_in_order():
    tax = load_taxonomy()
    assert tax.ids == SPEC_IDS
    assert tax.version.startswith("measures-v")


def test_every_measure_has_bilingual_terms_definitions_and_two_to_four_examples():
    for m in load_taxonomy():
        assert m.name_zh and m.name_en and m.definition_en and m.definition_zh
        assert m.terms_zh and m.terms_en, m.id
        assert 2 <= len(m.examples_zh) <= 4, m.id
        assert 2 <= len(m.examples_en) <= 4, m.id


def test_carbon_emission_term_is_in_the_carbon_footprint_lexicon():
    assert "碳排放" in load_taxonomy().get("carbon_footprint").terms_zh


def test_get_unknown_measure_lists_the_valid_ids():
    with pytest.raises(KeyError, match="available: localization"):
        load_taxonomy().get("nope")


def test_minimal_file_loads_with_defaults(tmp_path):
    tax = load_taxonomy(write(tmp_path, MINIMAL))
    m = tax.get("recycling")
    assert isinstance(m, Measure) and m.terms_zh == () and m.rules_en == ()
    assert "recycling" in tax and len(tax) == 1


def test_unknown_measure_key_names_file_and_measure(tmp_path):
    p = write(tmp_path, MINIMAL + 'term_en = ["typo"]\n')
    with pytest.raises(ValueError, match=r"measures\.toml: measure 'recycling': unknown key\(s\) term_en"):
        load_taxonomy(p)


def test_unknown_top_level_key_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="unknown top-level key"):
        load_taxonomy(write(tmp_path, 'colour = "red"\n' + MINIMAL))


def test_missing_required_field_names_the_measure(tmp_path):
    p = write(tmp_path, MINIMAL.replace('definition_zh = "回收。"\n', ""))
    with pytest.raises(ValueError, match=r"measure 'recycling': missing or empty field\(s\) definition_zh"):
        load_taxonomy(p)


def test_missing_version_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="version"):
        load_taxonomy(write(tmp_path, MINIMAL.replace('version = "test-1"', "")))


def test_duplicate_ids_are_rejected_with_the_id(tmp_path):
    body = MINIMAL.split("[[measure]]")[1]
    p = write(tmp_path, MINIMAL + "\n[[measure]]" + body)
    with pytest.raises(ValueError, match=r"measures\.toml: duplicate measure id\(s\): recycling"):
        load_taxonomy(p)


def test_terms_must_be_a_list_of_strings(tmp_path):
    p = write(tmp_path, MINIMAL.replace('terms_en = ["recycling"]', 'terms_en = "recycling"'))
    with pytest.raises(ValueError, match="terms_en must be a list"):
        load_taxonomy(p)


def test_a_measure_without_any_term_is_rejected(tmp_path):
    p = write(tmp_path, MINIMAL.replace('terms_en = ["recycling"]', "terms_en = []"))
    with pytest.raises(ValueError, match="at least one lexicon term"):
        load_taxonomy(p)


def test_rules_must_be_lists_of_token_tables(tmp_path):
    p = write(tmp_path, MINIMAL + 'rules_en = ["reduce dependence"]\n')
    with pytest.raises(ValueError, match="rules_en must be a list of token patterns"):
        load_taxonomy(p)


def test_invalid_toml_names_the_file(tmp_path):
    with pytest.raises(ValueError, match=r"measures\.toml: not valid TOML"):
        load_taxonomy(write(tmp_path, "version = \n"))


def test_taxonomy_constructor_rejects_duplicates():
    m = Measure("a", "甲", "A", "d", "定义", terms_en=("x",))
    with pytest.raises(ValueError, match="duplicate measure id"):
        Taxonomy("v", (m, m))
