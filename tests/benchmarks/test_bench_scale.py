"""``bench scale``: the synthetic vectors it measures ANN indexes on."""

from __future__ import annotations

import numpy as np
from bench_scale import synthetic_vectors


def test_synthetic_vectors_are_unit_length_and_reproducible():
    x = synthetic_vectors(300, 64, seed=1)
    assert x.shape == (300, 64) and x.dtype == np.float32
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(x, synthetic_vectors(300, 64, seed=1))
    assert not np.array_equal(x, synthetic_vectors(300, 64, seed=2))


def test_synthetic_vectors_have_topics_so_neighbours_are_closer_than_random_pairs():
    x = synthetic_vectors(2000, 64, seed=0, clusters=20)
    sims = x[:50] @ x.T
    np.fill_diagonal(sims[:, :50], -1.0)
    nearest = sims.max(axis=1)
    assert float(nearest.mean()) > float(sims.mean()) + 0.3


def test_synthetic_vectors_work_below_the_latent_dimension():
    assert synthetic_vectors(10, 8, seed=0).shape == (10, 8)
