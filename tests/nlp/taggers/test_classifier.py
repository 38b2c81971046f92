"""The classifier tagger: training, JSON + npz round trip, atomic save, format check."""

from __future__ import annotations

import json

import numpy as np
import pytest
from policyscope.nlp.taggers import ClassifierTagger

from tests.nlp.taggers.conftest import TRAIN, fit_classifier, measures


def test_classifier_learns_and_round_trips_through_json_and_npz(tmp_path, encoder, taxonomy):
    clf = ClassifierTagger(encoder, taxonomy.ids, encoder_name="fake")
    clf.fit([t for t, _ in TRAIN], [s for _, s in TRAIN])
    probe = ["recycling of used batteries", "new charging stations", "forest biodiversity"]
    pred = [measures(t) for t in clf.tag(probe)]
    assert "recycling" in pred[0] and "demand_infrastructure" in pred[1]
    # a label never seen as positive is never predicted
    assert all("workforce" not in p for p in pred)
    clf.save(tmp_path / "model")
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == ["classifier.json", "weights.npz"]
    manifest = json.loads((tmp_path / "model" / "classifier.json").read_text(encoding="utf-8"))
    assert manifest["labels"] == list(taxonomy.ids) and manifest["dim"] == encoder.dim
    again = ClassifierTagger.load(tmp_path / "model", encoder)
    np.testing.assert_allclose(again.predict_proba(probe), clf.predict_proba(probe), atol=1e-5)
    assert [t.source for t in again.tag(probe)[0]] == ["classifier"] * len(again.tag(probe)[0])


def test_classifier_errors_are_clear(tmp_path, encoder):
    clf = ClassifierTagger(encoder, ["recycling"])
    with pytest.raises(ValueError, match="not fitted"):
        clf.tag(["x"])
    with pytest.raises(ValueError, match="unknown label"):
        clf.fit(["x"], [{"bogus"}])
    with pytest.raises(FileNotFoundError, match="classifier manifest file missing"):
        ClassifierTagger.load(tmp_path, encoder)


def test_classifier_save_replaces_the_previous_model_whole(tmp_path, encoder, taxonomy):
    fit_classifier(encoder, ["recycling", "demand_infrastructure"]).save(tmp_path / "model")
    fit_classifier(encoder, taxonomy.ids).save(tmp_path / "model")
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no temp or old directory left behind
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == ["classifier.json", "weights.npz"]
    assert ClassifierTagger.load(tmp_path / "model", encoder).labels == taxonomy.ids


def test_classifier_load_refuses_another_format_version(tmp_path, encoder):
    from policyscope.corpus.errors import IndexMismatchError

    fit_classifier(encoder, ["recycling", "demand_infrastructure"]).save(tmp_path / "model")
    manifest_path = tmp_path / "model" / "classifier.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest_path.write_text(json.dumps({**manifest, "format": 99}), encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="classifier manifest format 99"):
        ClassifierTagger.load(tmp_path / "model", encoder)
