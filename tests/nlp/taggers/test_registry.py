"""The tagger registry: names, encoder resolution on demand, the classifier from its model path."""

from __future__ import annotations

import pytest
from policyscope.nlp.taggers import ClassifierTagger, LexiconTagger, make_tagger

from tests.nlp.taggers.conftest import fit_classifier, measures


def test_make_tagger_lists_available_names():
    with pytest.raises(
        ValueError, match="unknown tagger 'bogus'; available: lexicon, embedding, ensemble, classifier"
    ):
        make_tagger("bogus")
    with pytest.raises(ValueError, match="needs an encoder"):
        make_tagger("embedding")


def test_registry_loads_the_classifier_from_its_model_path(tmp_path, encoder, taxonomy):
    fit_classifier(encoder, taxonomy.ids).save(tmp_path / "model")
    loaded: list[str] = []

    def load_encoder():
        loaded.append("fake")
        return encoder

    tagger = make_tagger("classifier", model_path=tmp_path / "model", load_encoder=load_encoder)
    assert isinstance(tagger, ClassifierTagger) and loaded == ["fake"]
    assert "recycling" in measures(tagger.tag(["recycling of used batteries"])[0])
    with pytest.raises(ValueError, match="needs a model path"):
        make_tagger("classifier", encoder=encoder)
    with pytest.raises(FileNotFoundError, match="no trained classifier; run `policyscope tag train` first"):
        make_tagger("classifier", encoder=encoder, model_path=tmp_path / "none")
    with pytest.raises(ValueError, match="trained with encoder 'fake', not 'other'; pass --encoder fake"):
        make_tagger(
            "classifier", model_path=tmp_path / "model", encoder_name="other", load_encoder=load_encoder
        )
    assert loaded == ["fake"]  # a refused model never loads the encoder


def test_registry_builds_the_lexicon_without_loading_an_encoder(taxonomy):
    def load_encoder():
        raise AssertionError("the lexicon needs no encoder")

    assert isinstance(make_tagger("lexicon", taxonomy, load_encoder=load_encoder), LexiconTagger)
