"""The embedding tagger: prototype similarity, thresholds and sentence evidence under a fake encoder."""

from __future__ import annotations

import pytest
from policyscope.nlp.taggers import EmbeddingTagger

from tests.nlp.taggers.conftest import measures


def test_embedding_tagger_spans_lie_inside_text_and_pick_a_sentence(taxonomy, encoder):
    tagger = EmbeddingTagger(taxonomy, encoder, default_threshold=-1.0)  # everything passes
    text = "First sentence about nothing. 第二句关于电池回收。"
    [tags] = tagger.tag([text])
    assert measures(tags) == set(taxonomy.ids)
    for tag in tags:
        assert tag.source == "model" and 0 <= tag.score <= 1
        [span] = tag.spans
        assert text[span.start : span.end] == span.text
        assert span.text in ("First sentence about nothing.", "第二句关于电池回收。")


def test_embedding_threshold_gates_tags(taxonomy, encoder):
    never = EmbeddingTagger(taxonomy, encoder, default_threshold=1.0)
    assert never.tag(["battery recycling"]) == [[]]
    assert never.tag([]) == []


def test_embedding_calibrate_sets_thresholds_for_labelled_measures(taxonomy, encoder):
    tagger = EmbeddingTagger(taxonomy, encoder)
    before = dict(tagger.thresholds)
    got = tagger.calibrate(["电池回收和梯次利用", "充电桩建设"], [{"recycling"}, {"demand_infrastructure"}])
    assert set(got) == set(taxonomy.ids)
    assert got["workforce"] == before["workforce"]  # no positive example: unchanged


def test_embedding_rejects_thresholds_for_unknown_measures(taxonomy, encoder):
    with pytest.raises(ValueError, match="unknown measure"):
        EmbeddingTagger(taxonomy, encoder, thresholds={"nope": 0.1})
