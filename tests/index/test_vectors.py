"""VectorIndex against a numpy brute-force oracle; ANN recall; save/load."""

from __future__ import annotations

import json

import numpy as np
import pytest
from policyscope.corpus.errors import IndexMismatchError
from policyscope.index.vectors import VectorIndex


def unit_rows(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    x = rng.normal(size=(n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def clustered(rng: np.random.Generator, n: int, dim: int, centers: np.ndarray) -> np.ndarray:
    x = centers[rng.integers(0, len(centers), n)] + 0.35 * rng.normal(size=(n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def oracle(xb: np.ndarray, xq: np.ndarray, k: int, allowed: np.ndarray | None = None):
    """Exact top-k by inner product, ties by lower row, padded with (-inf, -1)."""
    scores = xq.astype(np.float64) @ xb.astype(np.float64).T
    rows = np.arange(len(xb)) if allowed is None else np.flatnonzero(allowed)
    out_s = np.full((len(xq), k), -np.inf)
    out_i = np.full((len(xq), k), -1, dtype=np.int64)
    for q in range(len(xq)):
        order = sorted(rows, key=lambda r: (-scores[q, r], r))[:k]
        out_i[q, : len(order)] = order
        out_s[q, : len(order)] = scores[q, order]
    return out_s, out_i


def recall_at(found: np.ndarray, truth: np.ndarray) -> float:
    hits = [
        len(set(f[f >= 0]) & set(t[t >= 0])) / (t >= 0).sum() if (t >= 0).any() else float((f < 0).all())
        for f, t in zip(found, truth)
    ]
    return float(np.mean(hits))


def assert_matches_oracle(index: VectorIndex, xb, xq, k, allowed) -> None:
    scores, ids = index.search(xq, k, allowed=allowed)
    want_s, want_i = oracle(xb, xq, k, allowed)
    assert scores.shape == ids.shape == (len(xq), k)
    assert scores.dtype == np.float32 and ids.dtype == np.int64
    np.testing.assert_array_equal(ids, want_i)
    np.testing.assert_allclose(scores, want_s, rtol=0, atol=1e-5)


MASKS = ["none", "all_false", "all_true", "random", "single"]


def make_mask(kind: str, n: int, rng: np.random.Generator) -> np.ndarray | None:
    if kind == "none":
        return None
    if kind == "all_false":
        return np.zeros(n, dtype=bool)
    if kind == "all_true":
        return np.ones(n, dtype=bool)
    if kind == "single":
        m = np.zeros(n, dtype=bool)
        m[n // 2] = True
        return m
    return rng.random(n) < 0.3


@pytest.mark.parametrize("n", [1, 7, 1001])
@pytest.mark.parametrize("k", [1, 5, 2000])
@pytest.mark.parametrize("mask_kind", MASKS)
@pytest.mark.parametrize("brute_force_below", [0, 5_000], ids=["faiss_selector", "numpy_rows"])
def test_flat_search_equals_brute_force_oracle(n, k, mask_kind, brute_force_below):
    rng = np.random.default_rng(n * 7 + k)
    xb, xq = unit_rows(rng, n, 16), unit_rows(rng, 5, 16)
    index = VectorIndex.build(xb, brute_force_below=brute_force_below)
    assert index.kind == "flat" and index.ntotal == n and index.dim == 16
    assert_matches_oracle(index, xb, xq, k, make_mask(mask_kind, n, rng))


@pytest.mark.parametrize("mask_kind", MASKS)
def test_hnsw_on_small_data_returns_only_allowed_rows_with_true_scores(mask_kind):
    rng = np.random.default_rng(3)
    xb, xq = unit_rows(rng, 1001, 16), unit_rows(rng, 5, 16)
    index = VectorIndex.build(xb, kind="hnsw", brute_force_below=0)
    allowed = make_mask(mask_kind, 1001, rng)
    scores, ids = index.search(xq, 20, allowed=allowed)
    _, want = oracle(xb, xq, 20, allowed)
    for q in range(len(xq)):
        got = ids[q][ids[q] >= 0]
        assert len(set(got)) == len(got)
        if allowed is not None:
            assert allowed[got].all()
        np.testing.assert_allclose(scores[q][: len(got)], xb[got] @ xq[q], atol=1e-5)
        assert np.all(np.diff(scores[q][: len(got)]) <= 1e-6)
    assert recall_at(ids, want) >= 0.95


def test_empty_index_returns_only_padding():
    index = VectorIndex.build(np.zeros((0, 8), dtype=np.float32))
    scores, ids = index.search(np.ones((2, 8), dtype=np.float32), 3)
    assert (ids == -1).all() and np.isneginf(scores).all() and ids.shape == (2, 3)


def test_single_query_vector_is_accepted_as_one_row():
    rng = np.random.default_rng(0)
    xb = unit_rows(rng, 50, 8)
    scores, ids = VectorIndex.build(xb).search(xb[3], 1)
    assert ids.shape == (1, 1) and ids[0, 0] == 3 and scores[0, 0] == pytest.approx(1.0, abs=1e-5)


def test_bad_arguments_raise_value_errors():
    rng = np.random.default_rng(0)
    index = VectorIndex.build(unit_rows(rng, 10, 8))
    q = unit_rows(rng, 1, 8)
    with pytest.raises(ValueError, match="k must be"):
        index.search(q, 0)
    with pytest.raises(ValueError, match="dimension 4"):
        index.search(unit_rows(rng, 1, 4), 3)
    with pytest.raises(ValueError, match="boolean array of shape"):
        index.search(q, 3, allowed=np.ones(9, dtype=bool))
    with pytest.raises(ValueError, match="boolean array"):
        index.search(q, 3, allowed=np.ones(10, dtype=int))
    with pytest.raises(ValueError, match="unknown index kind 'annoy'; available: auto, flat, hnsw, ivfpq"):
        VectorIndex.build(unit_rows(rng, 10, 8), kind="annoy")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown parameter"):
        VectorIndex.build(unit_rows(rng, 10, 8), kind="hnsw", nprobe=3)
    with pytest.raises(ValueError, match="NaN"):
        VectorIndex.build(np.full((3, 8), np.nan, dtype=np.float32))


def test_auto_switches_to_hnsw_at_the_threshold():
    rng = np.random.default_rng(0)
    xb = unit_rows(rng, 300, 8)
    assert VectorIndex.build(xb, ann_threshold=300).kind == "hnsw"
    assert VectorIndex.build(xb, ann_threshold=301).kind == "flat"


def test_ivfpq_refuses_too_little_training_data():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="needs at least"):
        VectorIndex.build(unit_rows(rng, 500, 16), kind="ivfpq")


# -- approximate indexes on 20k clustered vectors ---------------------------------------------


@pytest.fixture(scope="module")
def clustered_20k():
    rng = np.random.default_rng(42)
    centers = rng.normal(size=(200, 64))
    xb = clustered(rng, 20_000, 64, centers)
    xq = clustered(rng, 200, 64, centers)
    exact = VectorIndex.build(xb)
    return xb, xq, exact


@pytest.fixture(scope="module")
def ann_indexes(clustered_20k):
    xb, _, _ = clustered_20k
    return {kind: VectorIndex.build(xb, kind=kind) for kind in ("hnsw", "ivfpq")}


@pytest.mark.parametrize("kind", ["hnsw", "ivfpq"])
def test_ann_recall_at_10_is_at_least_0_9_against_exact(clustered_20k, ann_indexes, kind):
    _, xq, exact = clustered_20k
    _, truth = exact.search(xq, 10)
    _, found = ann_indexes[kind].search(xq, 10)
    assert recall_at(found, truth) >= 0.9


@pytest.mark.parametrize("kind", ["hnsw", "ivfpq"])
@pytest.mark.parametrize("fraction", [0.5, 0.1, 0.01, 0.001])
@pytest.mark.parametrize("brute_force_below", [0, 5_000], ids=["faiss_selector", "numpy_rows"])
def test_ann_masked_search_keeps_recall_and_never_leaks(
    clustered_20k, ann_indexes, kind, fraction, brute_force_below, monkeypatch
):
    xb, xq, exact = clustered_20k
    index = ann_indexes[kind]
    monkeypatch.setattr(index, "brute_force_below", brute_force_below)
    allowed = np.random.default_rng(1).random(len(xb)) < fraction
    _, truth = exact.search(xq, 10, allowed=allowed)
    _, found = index.search(xq, 10, allowed=allowed)
    assert allowed[found[found >= 0]].all()
    assert recall_at(found, truth) >= 0.9


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivfpq"])
def test_save_load_round_trip_returns_identical_results(tmp_path, clustered_20k, ann_indexes, kind):
    xb, xq, exact = clustered_20k
    index = exact if kind == "flat" else ann_indexes[kind]
    allowed = np.random.default_rng(2).random(len(xb)) < 0.4
    index.save(tmp_path / "vec")
    loaded = VectorIndex.load(tmp_path / "vec")
    assert loaded.info() == index.info()
    for mask in (None, allowed, allowed & (np.arange(len(xb)) < 2000)):
        s1, i1 = index.search(xq, 10, allowed=mask)
        s2, i2 = loaded.search(xq, 10, allowed=mask)
        np.testing.assert_array_equal(i1, i2)
        np.testing.assert_array_equal(s1, s2)


def test_load_reports_missing_and_mismatched_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="vectors.json"):
        VectorIndex.load(tmp_path)
    rng = np.random.default_rng(0)
    VectorIndex.build(unit_rows(rng, 10, 8)).save(tmp_path)
    settings = json.loads((tmp_path / "vectors.json").read_text())
    (tmp_path / "vectors.json").write_text(json.dumps({**settings, "ntotal": 11}))
    with pytest.raises(IndexMismatchError, match="11"):
        VectorIndex.load(tmp_path)
    (tmp_path / "vectors.json").write_text(json.dumps({**settings, "format": 99}))
    with pytest.raises(IndexMismatchError, match="format"):
        VectorIndex.load(tmp_path)
