"""Grouping hits by document: one long document cannot fill the page."""

from __future__ import annotations

from collections import Counter

import pytest
from policyscope.corpus.config import Settings
from policyscope.corpus.errors import QueryError
from policyscope.index.search import Searcher


@pytest.fixture(scope="module")
def searcher(built_hash_home):
    return Searcher(Settings.load(built_hash_home, encoder="hash"))


def test_ungrouped_results_come_mostly_from_the_seed_paper(searcher):
    hits = searcher.search("电池 供应链 战略", k=10).hits
    assert Counter(h.doc_id for h in hits).most_common(1)[0][1] >= 3
    assert all(h.doc_hits == 0 for h in hits)


def test_per_doc_keeps_at_most_that_many_passages_of_each_document(searcher):
    grouped = searcher.search("电池 供应链 战略", k=10, per_doc=1).hits
    assert len({h.doc_id for h in grouped}) == len(grouped) >= 5
    assert [h.rank for h in grouped] == list(range(1, len(grouped) + 1))
    seed = next(h for h in grouped if h.doc_id == "seed-battery-supply-chain")
    assert seed.doc_hits > 1  # the paper had more candidates than the one shown
    two = searcher.search("电池 供应链 战略", k=10, per_doc=2).hits
    assert max(Counter(h.doc_id for h in two).values()) == 2


def test_per_doc_out_of_range_is_a_query_error(searcher):
    with pytest.raises(QueryError, match="per_doc"):
        searcher.search("battery", per_doc=-1)
