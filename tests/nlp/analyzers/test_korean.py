"""The Korean analyzer (MeCab-ko nouns) on the Korean presidential decree."""

from __future__ import annotations

import threading

import pytest
from policyscope.nlp.analyzers import get_analyzer
from policyscope.nlp.analyzers.korean import KoreanAnalyzer

from tests.nlp.policytexts import body_lines


@pytest.fixture(scope="module")
def ko() -> KoreanAnalyzer:
    return get_analyzer("ko")


@pytest.fixture(scope="module")
def ko_lines() -> tuple[str, ...]:
    return body_lines("ko_kr")


@pytest.mark.parametrize("term", ["공급망", "공급망안정화기금", "경제안보", "조기경보", "위기품목", "비축"])
def test_policy_terms_are_cut_the_same_way_on_every_line_that_holds_them(ko, ko_lines, term):
    wanted = set(ko.analyze(term))
    holding = [line for line in ko_lines if term in line]
    assert wanted and holding
    assert [line for line in holding if not wanted <= set(ko.analyze(line))] == []


def test_supply_chain_is_found_on_all_its_lines(ko, ko_lines):
    holding = [line for line in ko_lines if "공급망" in line]
    assert len(holding) > 50
    assert ko.analyze("공급망") == ["공급", "망"]


def test_stockpiling_is_found_in_its_verb_and_compound_forms(ko, ko_lines):
    # The decree writes 비축 as a noun and in compounds (비축계획, 비축물량); statutes write the verb
    # as noun + 하다 (정부는 … 비축하여야 한다), which must give the same noun.
    assert ko.analyze("정부는 경제안보품목을 비축하여야 한다.") == ["정부", "경제", "안보", "품목", "비축"]
    compounds = [line for line in ko_lines if "비축계획" in line or "비축물량" in line]
    assert len(compounds) == 3
    assert all("비축" in ko.analyze(line) for line in compounds)


def test_statute_middle_dot_does_not_glue_words(ko):
    assert ko.analyze("수입량ㆍ비축물량") == ["수입", "량", "비축", "물량"]


def test_compound_nouns_come_with_their_parts(ko):
    assert ko.analyze("기본법") == ["기본법", "기본", "법"]


def test_particles_endings_and_verbs_are_dropped(ko):
    assert ko.analyze("재정경제부장관은 기본계획을 수립해야 한다.") == [
        "재정경제부", "재정", "경제", "부", "장관", "기본", "계획", "수립",
    ]


def test_one_analyzer_serves_threads_with_the_same_tokens(ko, ko_lines):
    lines = list(ko_lines)
    expected = [ko.analyze(line) for line in lines]
    results: dict[int, list[list[str]]] = {}

    def work(i: int) -> None:
        results[i] = [ko.analyze(line) for line in lines]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[i] == expected for i in range(3))
