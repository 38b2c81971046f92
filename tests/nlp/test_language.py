"""Language detection on the real seed paper and CCLW summaries, plus hand-written samples."""

from __future__ import annotations

import json
import re

import pytest
from policyscope.corpus.normalize import normalize_text
from policyscope.nlp.language import LANGUAGES, contains_han, detect_language, is_traditional, to_simplified
from policyscope.nlp.segment import paragraph_blocks

from tests.conftest import CCLW_JSONL, SEED, require_shared

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def seed_paragraphs() -> list[str]:
    require_shared(SEED)
    text = normalize_text(SEED.read_text(encoding="utf-8"))
    return [text[b.start : b.end] for b in paragraph_blocks(text)]


@pytest.fixture(scope="module")
def cclw_texts() -> list[str]:
    require_shared(CCLW_JSONL)
    with CCLW_JSONL.open(encoding="utf-8") as f:
        return [r["text"] for r in map(json.loads, f) if r["text"].strip()]


def test_seed_abstract_is_english(seed_paragraphs):
    assert seed_paragraphs[0].startswith("Abstract:")
    assert detect_language(seed_paragraphs[0]) == "en"


def test_every_seed_paragraph_with_chinese_is_zh(seed_paragraphs):
    chinese = [p for p in seed_paragraphs if HAN.search(p)]
    assert len(chinese) > 150
    wrong = [p[:40] for p in chinese if detect_language(p) != "zh"]
    assert wrong == []


def test_seed_paragraphs_without_chinese_are_the_english_abstract_and_captions(seed_paragraphs):
    english = [p for p in seed_paragraphs if not HAN.search(p) and re.search(r"[A-Za-z]", p)]
    assert [p.split()[0] for p in english] == ["Abstract:", "Table", "Table", "Fig."]
    assert {detect_language(p) for p in english} == {"en"}


def test_cclw_summaries_are_english(cclw_texts):
    assert len(cclw_texts) > 2000
    wrong = [t[:60] for t in cclw_texts if detect_language(t) != "en"]
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("日本政府は2050年までにカーボンニュートラルを実現することを目指しています。", "ja"),
        ("経済産業省は蓄電池産業戦略を策定した。", "ja"),
        ("グリーン成長戦略", "ja"),
        ("정부는 2050 탄소중립 목표를 달성하기 위해 배터리 산업을 지원한다.", "ko"),
        ("한국 정부는 二次電池 산업 육성 전략을 발표했다.", "ko"),
        ("歐盟發布電池法規，要求電池護照與碳足跡聲明。", "zh"),
        ("英国发布首个关键矿产战略", "zh"),
        ("欧盟发布《电池法规》（EU Battery Regulation）", "zh"),
        ("the EU calls it 碳边境调节机制 in Chinese documents", "en"),
        ("欧盟碳边境调节机制（CBAM）将于2026年正式实施，覆盖钢铁、铝和电力等行业。", "zh"),
        ("China's 双碳 goal aims at carbon neutrality by 2060 and peak emissions by 2030.", "en"),
        ("The Act establishes a national emissions trading scheme.", "en"),
        ("Li-ion batteries", "en"),
        ("ＥＵ Ｂａｔｔｅｒｙ Ｒｅｇｕｌａｔｉｏｎ", "en"),
        ("Федеральный закон об ограничении выбросов парниковых газов", "other"),
        ("قانون تغير المناخ الوطني", "other"),
        ("Loi relative à la transition énergétique pour la croissance verte", "other"),
        ("Ley de cambio climático y transición energética", "other"),
        ("Gesetz für den Ausbau erneuerbarer Energien und die Energiewende", "other"),
        ("", "other"),
        ("2021-2030 100% >95%", "other"),
    ],
)
def test_detect_language_samples(text, lang):
    assert detect_language(text) == lang


def test_chinese_text_with_long_url_is_still_zh():
    text = "注：美国公布的50种关键矿产清单，来源：https://pubs.usgs.gov/periodicals/mcs2022/mcs2022.pdf"
    assert detect_language(text) == "zh"


def test_detect_language_returns_only_known_codes(seed_paragraphs):
    assert {detect_language(p) for p in seed_paragraphs} <= set(LANGUAGES)


def test_detect_language_rejects_non_strings():
    with pytest.raises(TypeError):
        detect_language(b"bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "han", "lang"),
    [
        ("the EU calls it 碳边境调节机制 in Chinese documents", True, "en"),
        ("欧盟发布《电池法规》（EU Battery Regulation）", True, "zh"),
        ("電池", True, "zh"),
        ("日本のバッテリー", True, "ja"),
        ("\U00020bb7", True, "zh"),  # a Han character outside the Basic Multilingual Plane
        ("배터리", False, "ko"),
        ("Battery Regulation", False, "en"),
        ("", False, "other"),
    ],
)
def test_contains_han_is_a_script_question_not_a_language_guess(text, han, lang):
    assert contains_han(text) is han
    assert detect_language(text) == lang


def test_traditional_chinese_is_recognised_and_simplified():
    traditional = "歐盟發布電池法規，要求電池護照與碳足跡聲明。"
    simplified = "欧盟发布电池法规，要求电池护照与碳足迹声明。"
    assert is_traditional(traditional)
    assert not is_traditional(simplified)
    assert to_simplified(traditional) == simplified
    assert to_simplified(simplified) == simplified
    assert to_simplified("電池") == "电池"


def test_non_chinese_text_is_neither_traditional_nor_changed():
    assert not is_traditional("Battery Regulation")
    assert not is_traditional("")
    assert to_simplified("Battery Regulation 2023") == "Battery Regulation 2023"


def test_simplified_seed_paper_is_not_traditional(seed_paragraphs):
    assert not is_traditional("\n".join(seed_paragraphs))
