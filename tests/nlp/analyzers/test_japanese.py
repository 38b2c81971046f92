"""The Japanese analyzer (Sudachi search mode) on the six Japanese laws and ordinances."""

from __future__ import annotations

import threading

import pytest
from policyscope.nlp.analyzers import get_analyzer
from policyscope.nlp.analyzers.japanese import MAX_BYTES, JapaneseAnalyzer

from tests.nlp.policytexts import body_lines


@pytest.fixture(scope="module")
def ja() -> JapaneseAnalyzer:
    return get_analyzer("ja")


@pytest.fixture(scope="module")
def ja_lines() -> tuple[str, ...]:
    return body_lines("ja_jp")


def findable(ja: JapaneseAnalyzer, lines: tuple[str, ...], term: str) -> tuple[int, int]:
    """(lines holding ``term`` whose tokens include all of the term's tokens, lines holding ``term``)."""
    wanted = set(ja.analyze(term))
    holding = [line for line in lines if term in line]
    return sum(wanted <= set(ja.analyze(line)) for line in holding), len(holding)


def test_a_compound_comes_with_its_parts(ja):
    assert ja.analyze("再資源化") == ["再资源化", "资源", "化"]
    assert ja.analyze("密閉形蓄電池") == ["密闭", "形", "蓄电池", "蓄电", "池"]


def test_resources_finds_every_line_of_the_laws_that_holds_it_even_inside_recycling(ja, ja_lines):
    found, holding = findable(ja, ja_lines, "資源")
    assert holding > 150
    assert found == holding
    recycling = [line for line in ja_lines if "再資源化" in line]
    assert len(recycling) > 40
    assert all("资源" in ja.analyze(line) for line in recycling)


@pytest.mark.parametrize("term", ["蓄電池", "密閉形蓄電池", "再資源化", "特定重要物資", "講ずる", "金属鉱産物"])
def test_policy_terms_are_findable_on_every_line_that_holds_them(ja, ja_lines, term):
    found, holding = findable(ja, ja_lines, term)
    assert holding > 0
    assert found == holding


def test_every_form_of_kouzuru_gives_one_token(ja, ja_lines):
    assert ja.analyze("講ずる") == ja.analyze("講じ") == ja.analyze("講ぜられる") == ["讲じる"]
    forms = [line for line in ja_lines if any(f in line for f in ("講ずる", "講じ", "講ぜ"))]
    assert len(forms) > 50
    assert all("讲じる" in ja.analyze(line) for line in forms)


def test_spelling_variants_and_kanji_numerals_are_normalised(ja):
    assert ja.analyze("附属") == ja.analyze("付属")
    assert ja.analyze("取扱い") == ja.analyze("取り扱い")
    assert ja.analyze("第七条") == ["7", "条"]


def test_particles_auxiliaries_and_boilerplate_are_dropped(ja):
    tokens = ja.analyze("この法律は、主要な資源の大部分を輸入に依存している我が国において")
    assert tokens == ["法律", "主要", "资源", "大部分", "部分", "输入", "依存", "我が国"]
    assert ja.analyze("次に掲げる事項をいう。") == ["次", "揭げる", "事项"]


def test_word_starts_are_where_sudachi_words_begin(ja):
    assert ja.word_starts("密閉形蓄電池の回収") == [2, 3, 6, 7]
    assert ja.word_starts("") == []


def test_input_over_sudachis_byte_limit_is_cut_not_refused(ja, ja_lines):
    line = max(ja_lines, key=len)
    long = "".join([line] * (MAX_BYTES // len(line.encode("utf-8")) + 2))
    assert len(long.encode("utf-8")) > 49_149
    tokens = ja.analyze(long)
    assert tokens[: len(ja.analyze(line))] == ja.analyze(line)
    assert len(tokens) >= len(ja.analyze(line)) * (MAX_BYTES // len(line.encode("utf-8")))


def test_one_analyzer_serves_threads_with_the_same_tokens(ja, ja_lines):
    lines = list(ja_lines[:300])
    expected = [ja.analyze(line) for line in lines]
    results: dict[int, list[list[str]]] = {}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            results[i] = [ja.analyze(line) for line in lines]
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(results[i] == expected for i in range(3))
