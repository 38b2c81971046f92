"""The project's BM25 as sparse vectors, so a sparse-vector engine returns the same keyword scores.

Lucene BM25 is a sum over query tokens of a per-(passage, token) weight
``idf(t) * tf / (tf + k1 * (1 - b + b * |d| / avgdl))``. Storing each passage as the sparse vector of
those weights, one dimension per token, makes an inner-product search with the query vector
``{dim(t): 1.0}`` return exactly ``KeywordIndex.scores([t])`` (bm25s, the faiss backend's keyword
index): so ``concept_scores`` ranks the same passages on either backend. Example: a passage of
average length holding 碳排放 once, in a corpus of 4 where no other passage holds it, stores
``{dim("碳排放"): ln(1 + 3.5/1.5) / 2.5 ≈ 0.48}``, and the one-token query ``{dim("碳排放"): 1}`` scores it 0.48.

Dimensions are token hashes (32 bits, the hashing trick), so no vocabulary has to be shared between
the writer and the app servers. A 200k-token vocabulary (CCLW scale) has about 200k² / 2³³ ≈ 5 colliding
pairs (birthday bound); a collision only adds one rare token's weight to the other's matches.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# Milvus sparse dimensions are uint32 below 2**32 - 1.
_DIMS = 2**32 - 1
STATS_FILE = "bm25_stats.npz"


def term_dim(token: str) -> int:
    """The sparse dimension of a token: a stable 32-bit hash (the same in every process)."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=4).digest(), "little") % _DIMS


@dataclass
class Bm25Stats:
    """The corpus statistics BM25 weights are computed with: passages, average length, document frequencies.

    Taken over the whole collection at a full build; an incremental add folds its passages in
    (``add``) but does not reweight the passages already stored, so the stored weights drift from a
    fresh build's until the next full build (``milvus_build`` rebuilds past 10 % change).
    """

    n_docs: int = 0
    total_len: int = 0
    df: Counter[str] = field(default_factory=Counter)
    k1: float = 1.5
    b: float = 0.75

    @classmethod
    def of(cls, token_lists: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75) -> Bm25Stats:
        stats = cls(k1=k1, b=b)
        stats.add(token_lists)
        return stats

    def add(self, token_lists: Sequence[Sequence[str]]) -> None:
        for tokens in token_lists:
            self.n_docs += 1
            self.total_len += sum(1 for t in tokens if t)
            self.df.update({t for t in tokens if t})

    @property
    def avgdl(self) -> float:
        return self.total_len / self.n_docs if self.n_docs else 1.0

    def idf(self, token: str) -> float:
        df = self.df.get(token, 0)
        return math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))

    def weights(self, tokens: Sequence[str]) -> dict[int, float]:
        """One passage's sparse vector: token dimension → its BM25 weight in this passage."""
        tf = Counter(t for t in tokens if t)
        norm = self.k1 * (1 - self.b + self.b * sum(tf.values()) / (self.avgdl or 1.0))
        out: dict[int, float] = {}
        for t, n in tf.items():
            dim = term_dim(t)
            out[dim] = out.get(dim, 0.0) + self.idf(t) * n / (n + norm)
        return out

    def save(self, directory: Path) -> None:
        tokens = list(self.df)
        np.savez(
            directory / STATS_FILE, tokens=np.array(tokens, dtype=str),
            df=np.array([self.df[t] for t in tokens], dtype=np.int64),
            params=np.array(json.dumps({"n_docs": self.n_docs, "total_len": self.total_len, "k1": self.k1,
                                        "b": self.b})),
        )

    @classmethod
    def load(cls, directory: Path) -> Bm25Stats:
        with np.load(directory / STATS_FILE, allow_pickle=False) as z:
            params = json.loads(str(z["params"]))
            df = Counter(dict(zip(z["tokens"].tolist(), z["df"].tolist())))
        return cls(params["n_docs"], params["total_len"], df, params["k1"], params["b"])
