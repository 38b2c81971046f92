"""Tagging metrics and agreement statistics against hand-computed numbers."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest
from policyscope.nlp.tagmetrics import cohen_kappa, kappa_per_measure, split_halves, tag_metrics

from tests.conftest import REPO

LABELS = ["a", "b", "c", "d"]


def test_micro_macro_and_per_label_match_hand_computation():
    gold = [{"a", "b"}, {"a"}, set(), {"c"}]
    pred = [{"a"}, {"a", "b"}, set(), {"a"}]
    m = tag_metrics(gold, pred, LABELS)
    # a: tp=2 fp=1 fn=0 -> P 2/3 R 1 F1 0.8;  b: tp=0 fp=1 fn=1 -> 0;  c: tp=0 fp=0 fn=1 -> 0;  d unused
    assert m["per_label"]["a"]["precision"] == pytest.approx(2 / 3)
    assert m["per_label"]["a"]["f1"] == pytest.approx(0.8)
    assert m["per_label"]["b"]["support"] == 1 and m["per_label"]["b"]["predicted"] == 1
    # micro: tp=2 fp=2 fn=2 -> P = R = F1 = 0.5
    assert m["micro"]["f1"] == pytest.approx(0.5)
    assert (m["micro"]["tp"], m["micro"]["fp"], m["micro"]["fn"]) == (2, 2, 2)
    # macro over active labels a, b, c (d has no gold and no prediction): F1 (0.8 + 0 + 0) / 3
    assert m["macro"]["labels"] == ["a", "b", "c"]
    assert m["macro"]["f1"] == pytest.approx(0.8 / 3)
    assert m["macro"]["precision"] == pytest.approx((2 / 3) / 3)
    # exact match: only item 2 (empty == empty) -> 1/4
    assert m["exact_match"] == pytest.approx(0.25)
    assert m["n"] == 4 and m["by_lang"] == {}


def test_split_by_language():
    gold = [{"a"}, {"b"}, {"a"}]
    pred = [{"a"}, set(), {"a"}]
    m = tag_metrics(gold, pred, LABELS, langs=["zh", "en", "zh"])
    assert m["by_lang"]["zh"]["micro"]["f1"] == 1.0
    assert m["by_lang"]["en"]["micro"]["f1"] == 0.0
    assert m["by_lang"]["en"]["n"] == 1


def test_labels_outside_the_taxonomy_are_ignored():
    m = tag_metrics([{"a", "zzz"}], [{"a"}], LABELS)
    assert m["micro"]["f1"] == 1.0 and m["exact_match"] == 1.0


def test_empty_predictions_on_empty_gold_is_perfect_exact_match_but_zero_f1():
    m = tag_metrics([set(), set()], [set(), set()], LABELS)
    assert m["exact_match"] == 1.0 and m["micro"]["f1"] == 0.0 and m["macro"]["labels"] == []


def test_length_mismatch_raises():
    with pytest.raises(ValueError, match="gold has 1 items but pred has 2"):
        tag_metrics([set()], [set(), set()], LABELS)
    with pytest.raises(ValueError, match="langs"):
        tag_metrics([set()], [set()], LABELS, langs=["zh", "en"])


def test_cohen_kappa_matches_hand_computed_table():
    # 2x2 table over 10 items:      b=yes  b=no
    #                      a=yes      4      1      (a says yes 5/10 = 0.5)
    #                      a=no       2      3      (b says yes 6/10 = 0.6)
    # po = (4 + 3) / 10 = 0.7
    # pe = 0.5 * 0.6 + 0.5 * 0.4 = 0.30 + 0.20 = 0.5
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    a = [True] * 4 + [True] * 1 + [False] * 2 + [False] * 3
    b = [True] * 4 + [False] * 1 + [True] * 2 + [False] * 3
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_cohen_kappa_second_table_and_edge_cases():
    # 8 items: both yes 1, a only 3, b only 0, both no 4
    # po = 5/8 = 0.625; pa = 4/8 = 0.5, pb = 1/8 = 0.125
    # pe = 0.5 * 0.125 + 0.5 * 0.875 = 0.0625 + 0.4375 = 0.5
    # kappa = (0.625 - 0.5) / 0.5 = 0.25
    a = [True, True, True, True, False, False, False, False]
    b = [True, False, False, False, False, False, False, False]
    assert cohen_kappa(a, b) == pytest.approx(0.25)
    # complete disagreement with balanced marginals: po = 0, pe = 0.5 -> -1
    assert cohen_kappa([True, False], [False, True]) == pytest.approx(-1.0)
    assert cohen_kappa([True, False, True], [True, False, True]) == 1.0
    # both annotators constant and equal: pe = 1, kappa undefined -> 1.0 by convention
    assert cohen_kappa([False, False], [False, False]) == 1.0
    with pytest.raises(ValueError):
        cohen_kappa([True], [True, False])
    with pytest.raises(ValueError):
        cohen_kappa([], [])


def test_kappa_per_measure_uses_per_measure_booleans():
    a = [{"x", "y"}, {"x"}, set(), set()]
    b = [{"x"}, {"x"}, set(), {"y"}]
    k = kappa_per_measure(a, b, ["x", "y"])
    assert k["x"] == 1.0
    # y: a=[T,F,F,F], b=[F,F,F,T]: po = 2/4 = 0.5, pa = pb = 0.25, pe = 0.0625 + 0.5625 = 0.625
    # kappa = (0.5 - 0.625) / 0.375 = -1/3
    assert k["y"] == pytest.approx(-1 / 3)
    assert k["mean"] == pytest.approx((1 - 1 / 3) / 2)


def test_split_halves_deals_the_rarest_label_first_as_in_the_docstring():
    ids = ["p1", "p2", "p3", "p4", "p5", "p6"]
    labels = [{"a"}, {"a"}, {"a", "b"}, {"b"}, set(), set()]
    halves = split_halves(ids, labels)
    by = dict(zip(ids, halves))
    # b (2 items) is the rarest stratum, then the two {a} items, then the two empty ones: one of each per half.
    assert {by["p3"], by["p4"]} == {by["p1"], by["p2"]} == {by["p5"], by["p6"]} == {"dev", "heldout"}


def test_split_halves_rejects_repeated_ids_and_misaligned_labels():
    with pytest.raises(ValueError, match="duplicate id"):
        split_halves(["x", "x"], [set(), set()])
    with pytest.raises(ValueError, match="got 1 label sets for 2 ids"):
        split_halves(["x", "y"], [set()])


@pytest.mark.parametrize("name", ["tags_ja", "tags_ko"])
def test_gold_set_halves_are_balanced_stable_and_cover_every_repeated_measure(name):
    rows = [
        json.loads(line) for line in (REPO / "benchmarks" / "eval" / f"{name}.jsonl").open(encoding="utf-8")
    ]
    ids, labels = [r["id"] for r in rows], [set(r["tags"]) for r in rows]
    halves = split_halves(ids, labels)
    assert abs(halves.count("dev") - halves.count("heldout")) <= 1
    # A function of (id, labels) only: the file's line order does not matter.
    order = list(range(len(rows)))
    random.Random(7).shuffle(order)
    shuffled = split_halves([ids[i] for i in order], [labels[i] for i in order])
    assert {ids[i]: h for i, h in zip(order, shuffled)} == dict(zip(ids, halves))
    counts = Counter(lab for ls in labels for lab in ls)
    for lab, n in counts.items():
        in_half = {h for h, ls in zip(halves, labels) if lab in ls}
        if n >= 2:
            assert in_half == {"dev", "heldout"}, lab
    assert {h for h, ls in zip(halves, labels) if not ls} == {"dev", "heldout"}
