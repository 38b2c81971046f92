"""The ensemble tagger: weighted mean of member scores, merged evidence, member validation."""

from __future__ import annotations

import pytest
from policyscope.corpus.records import Span, Tag
from policyscope.nlp.taggers import EnsembleTagger


class Stub:
    def __init__(self, name, tags):
        self.name = name
        self._tags = tags

    def tag(self, texts, langs=None):
        return [list(self._tags) for _ in texts]


def test_ensemble_source_scores_and_merged_evidence():
    a = Stub("lexicon", [Tag("recycling", 0.8, "rule", (Span(0, 2, "ab"),)), Tag("workforce", 0.9, "rule")])
    b = Stub(
        "embedding", [Tag("recycling", 0.6, "model", (Span(3, 5, "de"),)), Tag("alliance", 0.4, "model")]
    )
    [tags] = EnsembleTagger([a, b], {"lexicon": 1.0, "embedding": 1.0}, threshold=0.4).tag(["ab de"])
    by = {t.measure: t for t in tags}
    assert by["recycling"].source == "ensemble"
    assert by["recycling"].score == pytest.approx(0.7)
    assert [s.text for s in by["recycling"].spans] == ["ab", "de"]
    assert by["workforce"].source == "rule" and by["workforce"].score == pytest.approx(0.45)
    assert "alliance" not in by  # 0.4 / 2 = 0.2 < 0.4


def test_ensemble_validates_members_and_weights():
    a = Stub("x", [])
    with pytest.raises(ValueError, match="distinct names"):
        EnsembleTagger([a, Stub("x", [])])
    with pytest.raises(ValueError, match="unknown tagger"):
        EnsembleTagger([a], {"y": 1.0})
    with pytest.raises(ValueError, match="1 taggers"):
        EnsembleTagger([a], [1.0, 2.0])
    with pytest.raises(ValueError, match="at least one"):
        EnsembleTagger([])
