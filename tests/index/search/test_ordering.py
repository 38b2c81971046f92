"""Ordering a result set: by rank or by date (undated last), and grouped by document."""

from __future__ import annotations

from dataclasses import replace

import pytest
from policyscope.index.search.results import Hit, group_hits, sort_hits

BASE = Hit(rank=1, score=1.0, passage_id="p", doc_id="d", text="t", title="", title_zh="", title_en="", region="",
           country="US", year=None, page=None, kind="paragraph", heading="", context="", lang="en", start=0, end=1,
           catalog_id="")


def hit(rank: int, doc: str, date: str = "", year: int | None = None) -> Hit:
    return replace(BASE, rank=rank, passage_id=f"p{rank}", doc_id=doc, date=date, year=year)


HITS = [hit(1, "A", "2021-08-05", 2021), hit(2, "B"), hit(3, "A", "2021-08-05", 2021), hit(4, "C", "", 1991),
        hit(5, "D", "2024-01-01", 2024)]


def test_newest_first_keeps_rank_order_within_a_date_and_puts_undated_last():
    assert [h.rank for h in sort_hits(HITS, "newest")] == [5, 1, 3, 4, 2]


def test_oldest_first_also_puts_undated_last():
    assert [h.rank for h in sort_hits(HITS, "oldest")] == [4, 1, 3, 5, 2]


def test_relevance_is_rank_order_and_an_unknown_sort_lists_the_choices():
    assert [h.rank for h in sort_hits(list(reversed(HITS)))] == [1, 2, 3, 4, 5]
    with pytest.raises(ValueError, match="available: relevance, newest, oldest"):
        sort_hits(HITS, "alphabetical")


def test_groups_follow_their_first_hit():
    assert [[h.rank for h in g] for g in group_hits(HITS)] == [[1, 3], [2], [4], [5]]
    assert [g[0].doc_id for g in group_hits(sort_hits(HITS, "newest"))] == ["D", "A", "C", "B"]
