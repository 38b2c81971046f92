"""The review queue on a real built workspace: disagreement first, then scores near the threshold."""

from __future__ import annotations

from policyscope.corpus.records import Span, Tag
from policyscope.nlp.labels import iter_records, review_queue


def test_review_queue_puts_tagger_disagreement_first_then_near_threshold_scores(store):
    queue = review_queue(store, limit=30)
    assert len(queue) == 30
    assert queue == review_queue(store, limit=30)  # deterministic
    keys = [(-q["disagreement"], -q["closeness"]) for q in queue]
    assert keys == sorted(keys)
    assert queue[0]["closeness"] >= queue[-1]["closeness"]

    # An embedding tag set that disagrees with the lexicon on a confidently tagged passage jumps the queue.
    confident = next(r for r in iter_records(store) if r.tags and min(t.score for t in r.tags) > 0.9)
    pid = confident.id
    store.replace_tags({pid: [Tag("workforce", 0.8, "model", (Span(0, 2, confident.text[:2]),))]}, ["model"])
    top = review_queue(store, limit=3)[0]
    assert top["passage_id"] == pid
    assert top["disagreement"] == len(confident.accept) + 1
    assert any("workforce: only model" in r for r in top["reasons"])


def test_review_queue_skips_reviewed_passages(store):
    first = review_queue(store, limit=5)
    store.add_annotation(first[0]["passage_id"], first[0]["effective"][0], "accept", "alice")
    assert first[0]["passage_id"] not in [q["passage_id"] for q in review_queue(store, limit=5)]
    # Bob has not reviewed it yet.
    assert review_queue(store, limit=5, annotator="bob")[0]["passage_id"] == first[0]["passage_id"]


def test_review_queue_uses_extra_scores_for_untagged_passages(store):
    untagged = next(r for r in iter_records(store) if not r.tags)
    queue = review_queue(store, limit=1, scores={untagged.id: {"recycling": 0.5}})
    assert queue[0]["passage_id"] == untagged.id and queue[0]["closeness"] == 1.0
