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


def test_japanese_and_korean_lexicons_carry_the_issue_terms():
    tax = load_taxonomy()
    assert "備蓄" in tax.get("stockpiling").terms("ja")
    assert "비축" in tax.get("stockpiling").terms("ko")
    assert "再資源化" in tax.get("recycling").terms("ja")
    assert "재자원화" in tax.get("recycling").terms("ko")
    assert "経済安全保障" in tax.get("national_security").terms("ja")
    assert "조기경보" in tax.get("mineral_monitoring").terms("ko")


def test_a_lexicon_language_outside_the_four_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="no lexicon for language 'fr'; available: zh, en, ja, ko"):
        load_taxonomy().get("recycling").terms("fr")


def test_japanese_and_korean_rules_are_regular_expressions(tmp_path):
    body = MINIMAL + "terms_ja = ['再資源化']\nrules_ko = ['재자원화\\s*사업']\n"
    m = load_taxonomy(write(tmp_path, body)).get("recycling")
    assert m.terms("ja") == ("再資源化",) and m.rules("ko") == (r"재자원화\s*사업",)


def test_a_bad_japanese_rule_names_the_measure_and_the_rule(tmp_path):
    p = write(tmp_path, MINIMAL + "rules_ja = ['再資源化', '(備蓄']\n")
    with pytest.raises(ValueError, match=r"measure 'recycling': rules_ja: bad rule #2 '\(備蓄': missing \)"):
        load_taxonomy(p)


def test_a_korean_rule_that_matches_nothing_at_all_is_refused(tmp_path):
    # A rule matching the empty string would make empty evidence spans.
    p = write(tmp_path, MINIMAL + "rules_ko = ['(?:비축)?']\n")
    with pytest.raises(
        ValueError, match=r"rules_ko: bad rule #1 '\(\?:비축\)\?': it matches the empty string"
    ):
        load_taxonomy(p)


def test_korean_rules_must_be_strings_not_token_tables(tmp_path):
    p = write(tmp_path, MINIMAL + 'rules_ko = [[{ORTH = "비축"}]]\n')
    with pytest.raises(ValueError, match="rules_ko: must be a list of regular expressions"):
        load_taxonomy(p)


def test_ignore_patterns_are_kept_per_language(tmp_path):
    p = write(
        tmp_path, MINIMAL.replace('version = "test-1"', "version = \"test-1\"\n[ignore]\nko = ['「[^」]*」']")
    )
    tax = load_taxonomy(p)
    assert tax.ignore_patterns("ko") == ("「[^」]*」",) and tax.ignore_patterns("ja") == ()


def test_an_ignore_table_for_an_unknown_language_is_refused(tmp_path):
    p = write(tmp_path, MINIMAL.replace('version = "test-1"', "version = \"test-1\"\n[ignore]\nfr = ['x']"))
    with pytest.raises(ValueError, match=r"\[ignore\]: unknown language\(s\) fr; valid: zh, en, ja, ko"):
        load_taxonomy(p)


def test_a_bad_ignore_pattern_names_the_language_and_the_pattern(tmp_path):
    p = write(
        tmp_path,
        MINIMAL.replace('version = "test-1"', "version = \"test-1\"\n[ignore]\nja = ['法律', '[法']"),
    )
    with pytest.raises(ValueError, match=r"measures\.toml: \[ignore\] ja: bad pattern #2 '\[法'"):
        load_taxonomy(p)
