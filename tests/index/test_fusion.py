from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from policyscope.index.fusion import reciprocal_rank_fusion


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
