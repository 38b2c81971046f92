"""What every tagger shares: language guessing and mixed-language sentence spans."""

from __future__ import annotations

from policyscope.nlp.taggers import guess_lang, split_sentences


def test_guess_lang_and_split_sentences():
    assert guess_lang("欧盟提出加强 MSP 合作") == "zh"
    assert guess_lang("The EU joins the MSP.") == "en"
    assert split_sentences("一是回收。二是研发。") == [(0, 5), (5, 10)]
    text = " First one. Second one\n第三句；"
    assert [text[s:e] for s, e in split_sentences(text)] == ["First one.", "Second one", "第三句；"]
    assert split_sentences("   ") == []
