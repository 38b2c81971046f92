from __future__ import annotations

import json

import pytest
from policyscope.corpus.errors import LoadError
from policyscope.index.evaluate import evaluate, is_relevant, load_queries, percentile, query_metrics

from ..conftest import SEARCH_DEV, require_shared


def test_relevance_ignores_whitespace_and_needs_all_parts_of_a_list():
    assert is_relevant("欧盟 | 锂 | 电池 | 100%", [["欧盟", "锂", "100%"]])
    assert not is_relevant("欧盟 | 锂 | 电池 | 98%", [["欧盟", "锂", "100%"]])
    assert is_relevant("中、日、韩三国 处于相对领先地位", ["中、日、韩三国处于相对领先地位"])


def test_metrics_of_a_ranked_list_match_hand_computation():
    m = query_metrics([False, False, True, False, True])
    assert m["R@1"] == 0 and m["R@5"] == 1 and m["MRR@10"] == pytest.approx(1 / 3)
    # DCG = 1/log2(4) + 1/log2(6); IDCG (2 relevant) = 1 + 1/log2(3)
    assert m["nDCG@10"] == pytest.approx((0.5 + 0.386852807) / (1 + 0.630929754), rel=1e-6)


def test_dev_file_loads_unchanged_and_evaluates():
    qs = load_queries(require_shared(SEARCH_DEV))
    assert len(qs) == 29 and {q.lang for q in qs} == {"en", "zh"}
    # an oracle that returns the first alternative as the top passage scores 1.0
    report = evaluate(qs, lambda q, k: [
        next(" ".join(a) if isinstance(a, list) else a for a in x.relevant) for x in qs if x.query == q
    ])
    assert report["overall"]["MRR@10"] == 1.0 and report["by_lang"]["zh"]["n"] == 4


def test_a_malformed_query_line_names_file_and_line(tmp_path):
    bad = tmp_path / "q.jsonl"
    bad.write_text(json.dumps({"id": "a", "query": "x", "relevant": ["y"]}) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"q\.jsonl: line 2"):
        load_queries(bad)


def test_percentile_is_a_value_that_occurred():
    assert percentile([4, 1, 3, 2], 50) == 2
    assert percentile([4, 1, 3, 2], 95) == 4
    assert percentile([7.5], 99) == 7.5
    assert percentile([], 50) != percentile([], 50)  # nan for no values
