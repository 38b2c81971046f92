"""More like this: a whole passage as the query highlights shared content words, not record boilerplate."""

from __future__ import annotations

from policyscope.corpus.catalog import CATALOG_LABELS
from policyscope.corpus.config import Settings
from policyscope.index.search import Searcher
from policyscope.index.search.matching import content_terms


def test_content_terms_drop_labels_stopwords_numbers_and_lone_han_characters():
    terms = ["issuer", "Date", "2021", "年", "the", "of", "lithium", "电池", "要点", "key", "point", "ev"]
    assert content_terms(terms, CATALOG_LABELS) == ("lithium", "电池")


def test_more_like_this_of_a_catalog_record_never_highlights_its_field_labels(built_hash_home):
    searcher = Searcher(Settings.load(built_hash_home, encoder="hash"))
    record = next(r for r in searcher.store.passage_rows() if r.status == "catalog" and "Issuer:" in r.text)
    result = searcher.more_like_this(record.id, k=10)
    assert result.hits and record.id not in {h.passage_id for h in result.hits}
    labels = {"issuer", "date", "kind", "country", "要点", "key", "point", "年", "月"}
    marked = {t.lower() for h in result.hits for t in h.matched_terms}
    assert marked, "results still show what they share with the record"
    assert not marked & labels
    assert [h.rank for h in result.hits] == list(range(1, len(result.hits) + 1))
