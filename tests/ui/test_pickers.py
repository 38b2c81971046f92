"""Pickers that scale: bounded, searchable choices read from the store at each request."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from policyscope.ui.pickers import LIMIT, Pickers, match_choices

CHOICES = [
    ("CL 2022 · Ley Marco de Cambio Climático", "cclw-9"),
    ("Country US · United States 美国", "US"),
    ("US 2021 · 先进电池供应链安全审查 / Building Resilient Supply Chains", "us-100day-review-2021"),
    ("JP 2022 · 蓄電池産業戦略 / Battery Industry Strategy", "jp-battery-strategy-2022"),
]


def test_every_typed_word_must_occur_in_the_label_or_value_in_any_order():
    assert match_choices(CHOICES, "ley cl") == [CHOICES[0]]
    assert match_choices(CHOICES, "CCLW-9") == [CHOICES[0]]
    assert match_choices(CHOICES, "蓄電池") == [CHOICES[3]]
    assert match_choices(CHOICES, "ｂａｔｔｅｒｙ strategy") == [CHOICES[3]]  # full-width letters fold to ASCII


def test_the_choice_whose_value_is_the_query_comes_first():
    assert match_choices(CHOICES, "us")[0] == ("Country US · United States 美国", "US")


def test_selected_values_are_kept_first_even_when_they_do_not_match_or_are_gone():
    out = match_choices(CHOICES, "battery", selected=["cclw-9", "removed-doc"])
    assert out[:2] == [CHOICES[0], ("removed-doc", "removed-doc")]
    assert CHOICES[3] in out and len(set(out)) == len(out)


def test_an_empty_query_offers_the_first_choices_up_to_the_limit():
    many = [(f"doc {i}", f"d{i}") for i in range(10_000)]
    assert match_choices(many, "", limit=LIMIT) == many[:LIMIT]
    assert [v for _, v in match_choices(many, "doc 99", limit=5)] == ["d99", "d199", "d299", "d399", "d499"]


@given(st.lists(st.tuples(st.text("ab中文 U", max_size=6), st.text("xy电", min_size=1, max_size=3)), max_size=40),
       st.text("ab中 ", max_size=4), st.integers(1, 10))
def test_matches_are_bounded_unique_and_hold_every_word(choices, query, limit):
    out = match_choices(choices, query, limit=limit)
    assert len(out) <= limit
    assert len({v for _, v in out}) == len(out) or len({v for _, v in choices}) < len(choices)
    words = query.casefold().split()
    assert all(all(w in f"{label} {value}".casefold() for w in words) for label, value in out)


def test_a_document_added_by_another_writer_is_offered_at_the_next_request(service, tmp_path):
    from policyscope.index.pipeline import Pipeline

    pickers = Pickers(service.workspace)
    assert not pickers.choices("document", "quokka")
    path = tmp_path / "quokka.md"
    path.write_text("# Quokka lithium accord\n\nA quokka lithium supply accord.\n", encoding="utf-8")
    # Another process's `policyscope add`: its own Pipeline and store connection, no call into the app.
    Pipeline(service.workspace.settings).ingest_paths([path])
    found = pickers.choices("document", "quokka")
    assert [label for label, _ in found] and "Quokka lithium accord" in found[0][0]
    assert pickers.choices("compare", "quokka") == found
