"""Han folding: Chinese and Japanese spellings of one word fold to one Simplified form."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from policyscope.nlp.fold import JA_ONLY, KEEP, fold_han, fold_japanese, generate_table

from tests.conftest import SEED, require_shared
from tests.nlp.policytexts import body, body_lines, policy_files

KANJI = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("chinese", "japanese"),
    [("蓄电池", "蓄電池"), ("矿产", "鉱産"), ("经济", "経済"), ("计划", "計画"), ("资源", "資源"), ("劳动", "労働"),
     ("污染", "汚染"), ("收集", "収集"), ("关联", "関連"), ("预算", "予算"), ("金属矿产物", "金属鉱産物")],
)
def test_chinese_and_japanese_spellings_fold_to_the_chinese_one(chinese, japanese):
    assert fold_japanese(japanese) == chinese
    assert fold_han(chinese) == chinese


def test_research_keeps_its_form_in_both_languages():
    assert fold_japanese("研究") == fold_han("研究") == "研究"
    assert fold_japanese("概要") == "概要"


def test_traditional_chinese_is_simplified():
    assert fold_han("關鍵礦產與電池") == "关键矿产与电池"


def test_japanese_only_characters_are_left_alone_in_chinese_text():
    assert fold_han("给予欠款芸芸犹豫") == "给予欠款芸芸犹豫"
    assert fold_japanese("予算") == "预算"
    assert fold_japanese("欠如") == "缺如"


def test_kana_and_latin_pass_through():
    assert fold_japanese("リチウムイオン") == "リチウムイオン"
    assert fold_han("EU battery") == "EU battery"


def test_chinese_texts_are_unchanged_by_folding():
    texts = [body(path) for path in policy_files("zh_cn")]
    texts.append(require_shared(SEED).read_text(encoding="utf-8"))
    for text in texts:
        folded = fold_han(text)
        assert folded == text, [(a, b) for a, b in zip(text, folded) if a != b][:10]


def test_japanese_laws_fold_their_kanji_and_keep_their_length():
    text = "\n".join(body_lines("ja_jp"))
    folded = fold_japanese(text)
    assert len(folded) == len(text)
    changed = {a for a, b in zip(text, folded) if a != b}
    assert len(changed) > 250  # about 280 of the 776 kanji types are Shinjitai
    assert "研" not in changed and "鉱" in changed and "経" in changed


def test_shipped_table_is_what_opencc_generates():
    shipped = [
        tuple(line.split("\t"))
        for line in resources.files("policyscope.nlp").joinpath("data", "han_fold.tsv").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    generated = generate_table()
    assert shipped == generated
    sources = {a for a, _ in generated}
    assert not KEEP & sources
    assert JA_ONLY <= sources  # in the table, applied to Japanese text only
