"""KeywordIndex (bm25s) against a numpy BM25 oracle and on the CCLW laws corpus."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from policyscope.index.keywords import KeywordIndex

CCLW = Path("/work/shared/sources/cclw-laws-2021-03.jsonl")


def tokenize(text: str) -> list[str]:
    return text.lower().split()


def bm25_oracle(docs: list[list[str]], query: list[str], k1: float = 1.5, b: float = 0.75) -> np.ndarray:
    """Lucene BM25, straight from the formula: sum over query tokens (repeats included)."""
    n = len(docs)
    lengths = np.array([len(d) for d in docs], dtype=np.float64)
    avgdl = lengths.mean()
    counts = [Counter(d) for d in docs]
    scores = np.zeros(n)
    for term in query:
        tf = np.array([c[term] for c in counts], dtype=np.float64)
        df = np.count_nonzero(tf)
        if df == 0:
            continue
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        denom = tf + k1 * (1 - b + b * lengths / avgdl)
        # an empty document with b=1 has denominator 0 but tf 0: it contributes nothing
        scores += np.divide(idf * tf, denom, out=np.zeros(n), where=tf > 0)
    return scores


def oracle_top(scores: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[int]:
    rows = [i for i in range(len(scores)) if scores[i] > 0 and (allowed is None or allowed[i])]
    return sorted(rows, key=lambda i: (-scores[i], i))[:k]


SMALL = [
    "碳 排放 交易 市场 建设 碳 排放",
    "the carbon tax applies to coal and gas",
    "carbon carbon carbon neutrality by 2060",
    "电池 供应链 安全 电池",
    "",
    "renewable energy law solar wind",
    "national strategy for battery supply chain security 电池",
    "gas gas gas gas gas gas gas gas gas gas pipeline",
    "energy efficiency standards for buildings",
    "carbon",
]
SMALL_DOCS = [tokenize(t) for t in SMALL]
QUERIES = [
    ["carbon"],
    ["carbon", "tax"],
    ["电池", "供应链"],
    ["gas", "pipeline", "coal"],
    ["carbon", "carbon", "neutrality"],
    ["碳", "排放", "unknown", "words"],
    ["energy"],
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: "+".join(q))
@pytest.mark.parametrize(("k1", "b"), [(1.5, 0.75), (1.2, 0.0), (0.9, 1.0)])
def test_scores_equal_a_numpy_bm25_oracle(query, k1, b):
    index = KeywordIndex.build(SMALL_DOCS, k1=k1, b=b)
    want = bm25_oracle(SMALL_DOCS, query, k1, b)
    np.testing.assert_allclose(index.scores(query), want, rtol=1e-5, atol=1e-6)
    scores, ids = index.search(query, k=4)
    assert ids.tolist() == oracle_top(want, 4)
    np.testing.assert_allclose(scores, want[ids], rtol=1e-5)
    assert scores.dtype == np.float32 and ids.dtype == np.int64


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: "+".join(q))
def test_mask_is_applied_before_top_k(query):
    index = KeywordIndex.build(SMALL_DOCS)
    want = bm25_oracle(SMALL_DOCS, query)
    rng = np.random.default_rng(len(query))
    for _ in range(5):
        allowed = rng.random(len(SMALL_DOCS)) < 0.5
        _, ids = index.search(query, k=2, allowed=allowed)
        assert ids.tolist() == oracle_top(want, 2, allowed)
        assert allowed[ids].all()
    empty_s, empty_i = index.search(query, k=3, allowed=np.zeros(len(SMALL_DOCS), dtype=bool))
    assert empty_s.size == 0 and empty_i.size == 0


def test_unknown_and_empty_queries_return_nothing():
    index = KeywordIndex.build(SMALL_DOCS)
    for query in ([], ["never-seen"], ["", "zzz"]):
        scores, ids = index.search(query, k=5)
        assert scores.shape == ids.shape == (0,)


def test_documents_without_the_query_terms_are_not_returned():
    index = KeywordIndex.build(SMALL_DOCS)
    _, ids = index.search(["carbon"], k=100)
    assert sorted(ids.tolist()) == [1, 2, 9]


@pytest.mark.parametrize("docs", [[], [[], []]], ids=["no_docs", "only_empty_docs"])
def test_empty_index_returns_empty_results_and_survives_save_load(tmp_path, docs):
    index = KeywordIndex.build(docs)
    assert index.n_docs == len(docs) and index.vocab_size == 0
    assert index.search(["carbon"], k=3)[1].size == 0
    index.save(tmp_path)
    loaded = KeywordIndex.load(tmp_path)
    assert loaded.n_docs == len(docs)
    assert loaded.search(["carbon"], k=3)[1].size == 0


def test_bad_arguments_raise_value_errors():
    index = KeywordIndex.build(SMALL_DOCS)
    with pytest.raises(ValueError, match="k must be"):
        index.search(["carbon"], k=0)
    with pytest.raises(ValueError, match="boolean array of shape"):
        index.search(["carbon"], k=3, allowed=np.ones(3, dtype=bool))
    with pytest.raises(TypeError, match="not a str"):
        index.search("carbon", k=3)
    with pytest.raises(ValueError, match="unknown BM25 method 'okapi'; available: robertson, lucene"):
        KeywordIndex.build(SMALL_DOCS, method="okapi")  # type: ignore[arg-type]


# -- the CCLW laws corpus -------------------------------------------------------------------


@pytest.fixture(scope="module")
def cclw():
    if not CCLW.is_file():
        pytest.skip(f"{CCLW} not available")
    records = [json.loads(line) for line in CCLW.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = [tokenize(r["title"] + " " + r["text"]) for r in records]
    return records, docs, KeywordIndex.build(docs)


def test_cclw_title_query_ranks_its_record_first(cclw):
    records, _, index = cclw
    row = next(i for i, r in enumerate(records) if r["id"] == 9767)
    assert records[row]["title"] == "Green Growth Strategy Through Achieving Carbon Neutrality"
    _, ids = index.search(tokenize(records[row]["title"]), k=5)
    assert ids[0] == row


def test_cclw_most_unique_titles_find_their_record_first(cclw):
    records, _, index = cclw
    titles = Counter(r["title"].lower() for r in records)
    rows = [i for i, r in enumerate(records) if titles[r["title"].lower()] == 1][:300]
    first = sum(index.search(tokenize(records[i]["title"]), k=1)[1][0] == i for i in rows)
    assert first / len(rows) >= 0.8


def test_cclw_scores_equal_the_oracle(cclw):
    _, docs, index = cclw
    for query in (["climate", "change", "adaptation"], ["renewable", "energy", "feed-in", "tariff"]):
        np.testing.assert_allclose(index.scores(query), bm25_oracle(docs, query), rtol=1e-4, atol=1e-5)


def test_save_load_round_trip_returns_identical_results(tmp_path, cclw):
    records, _, index = cclw
    index.save(tmp_path / "kw")
    loaded = KeywordIndex.load(tmp_path / "kw")
    assert loaded.info() == index.info()
    allowed = np.random.default_rng(0).random(len(records)) < 0.3
    for query in (["carbon", "tax"], ["forest", "law"], ["national", "adaptation", "plan"]):
        for mask in (None, allowed):
            s1, i1 = index.search(query, k=20, allowed=mask)
            s2, i2 = loaded.search(query, k=20, allowed=mask)
            np.testing.assert_array_equal(i1, i2)
            np.testing.assert_array_equal(s1, s2)
    assert not list((tmp_path / "kw").glob("*.pkl"))
