"""What every tagger shares: language guessing (sentence spans are nlp.segment's "mixed" mode)."""

from __future__ import annotations

from policyscope.nlp.taggers import guess_lang


def test_guess_lang_follows_the_language_detector():
    assert guess_lang("欧盟提出加强 MSP 合作") == "zh"
    assert guess_lang("The EU joins the MSP.") == "en"
