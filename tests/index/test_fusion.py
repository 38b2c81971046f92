from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from policyscope.index.fusion import cap_per_group, reciprocal_rank_fusion


def test_a_row_ranked_well_by_both_lists_beats_a_row_first_in_one():
    fused = reciprocal_rank_fusion([[7, 3], [3, 9]], k=60)
    assert fused[0][0] == 3
    assert abs(fused[0][1] - (1 / 62 + 1 / 61)) < 1e-12


def test_weights_shift_the_order():
    assert reciprocal_rank_fusion([[1], [2]], weights=[1.0, 2.0])[0][0] == 2
    assert reciprocal_rank_fusion([[1], [2]], weights=[2.0, 1.0])[0][0] == 1


rankings = st.lists(st.lists(st.integers(min_value=-1, max_value=30), max_size=20), max_size=4)


@given(rankings, st.integers(min_value=1, max_value=15))
def test_fused_results_are_sorted_unique_and_at_most_limit(lists, limit):
    fused = reciprocal_rank_fusion(lists, limit=limit)
    rows = [r for r, _ in fused]
    scores = [s for _, s in fused]
    assert len(rows) == len(set(rows)) <= limit
    assert scores == sorted(scores, reverse=True)
    assert all(r >= 0 for r in rows)
    assert set(rows) <= {r for lst in lists for r in lst}


def test_one_document_cannot_fill_the_page_when_capped():
    fused = [(1, 0.9), (2, 0.8), (3, 0.7), (4, 0.6)]
    group_of = {1: "law", 2: "law", 3: "law", 4: "factsheet"}
    assert cap_per_group(fused, group_of, per_group=1, limit=10) == [(1, 0.9, 3), (4, 0.6, 1)]
    assert cap_per_group(fused, group_of, per_group=2, limit=2) == [(1, 0.9, 3), (2, 0.8, 3)]


@given(rankings, st.integers(min_value=1, max_value=3), st.integers(min_value=1, max_value=10))
def test_capped_results_keep_order_and_respect_the_cap(lists, per_group, limit):
    fused = reciprocal_rank_fusion([[r for r in rk if r >= 0] for rk in lists])
    group_of = {r: f"doc{r % 4}" for r, _ in fused}
    kept = cap_per_group(fused, group_of, per_group, limit)
    assert len(kept) <= limit
    assert [s for _, s, _ in kept] == sorted((s for _, s, _ in kept), reverse=True)
    for g in set(group_of.values()):
        assert sum(1 for r, _, _ in kept if group_of[r] == g) <= per_group
