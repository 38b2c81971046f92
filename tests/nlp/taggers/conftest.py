"""Fixtures of the tagger tests: the packaged taxonomy, one lexicon tagger, a deterministic encoder."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from policyscope.corpus.records import Tag
from policyscope.nlp.measures import load_taxonomy
from policyscope.nlp.taggers import ClassifierTagger, LexiconTagger


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


@pytest.fixture(scope="module")
def lexicon(taxonomy):
    return LexiconTagger(taxonomy)


def measures(tags: list[Tag]) -> set[str]:
    return {t.measure for t in tags}


TRAIN = [
    ("battery recycling and reuse", {"recycling"}),
    ("recycling of waste batteries", {"recycling"}),
    ("recycled materials and circular economy", {"recycling"}),
    ("charging stations for electric vehicles", {"demand_infrastructure"}),
    ("electric vehicle charging network", {"demand_infrastructure"}),
    ("charging infrastructure deployment", {"demand_infrastructure"}),
    ("forest protection and biodiversity", set()),
    ("flood risk management committee", set()),
]


def fit_classifier(encoder, labels, encoder_name="fake"):
    """A ClassifierTagger trained on ``TRAIN`` (``labels`` must include recycling and demand_infrastructure)."""
    clf = ClassifierTagger(encoder, labels, encoder_name=encoder_name)
    return clf.fit([t for t, _ in TRAIN], [s for _, s in TRAIN])


class FakeEncoder:
    """Deterministic bag-of-characters encoder: texts sharing characters are similar."""

    dim = 64

    def _encode(self, texts):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for ch in t.lower():
                if ch.isalnum():
                    h = int(hashlib.md5(ch.encode()).hexdigest(), 16)
                    out[i, h % self.dim] += 1.0
            out[i] /= max(np.linalg.norm(out[i]), 1e-9)
        return out

    encode_passages = _encode
    encode_queries = _encode


@pytest.fixture(scope="module")
def encoder():
    return FakeEncoder()
