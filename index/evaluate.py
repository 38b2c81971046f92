"""Retrieval evaluation in the format of ``shared/eval/README.md``.

A query line: ``{"id", "query", "lang", "relevant": [ALTERNATIVE, ...]}``. A passage is
relevant when it contains at least one alternative, comparing with all whitespace removed;
an alternative is a string or a list of strings that must all occur.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policyscope.corpus.errors import LoadError
from policyscope.corpus.jsonl import read_jsonl

Alternative = str | list[str]


@dataclass(frozen=True)
class EvalQuery:
    id: str
    query: str
    lang: str
    relevant: tuple[Alternative, ...]


def load_queries(path: str | Path) -> list[EvalQuery]:
    """Read a JSONL query file; a malformed line raises ``LoadError`` naming file and line."""
    queries = []
    for n, obj in read_jsonl(path):
        try:
            queries.append(
                EvalQuery(str(obj["id"]), str(obj["query"]), str(obj.get("lang", "")), tuple(obj["relevant"]))
            )
        except (KeyError, TypeError) as exc:
            raise LoadError(path, f"line {n}: bad query record (missing or malformed {exc})") from None
    if not queries:
        raise LoadError(path, "no queries")
    return queries


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0-100) of ``values``: a value that occurred, never an
    interpolation; ``nan`` for no values. ``percentile([1, 2, 3, 4], 50) == 2``."""
    if not len(values):
        return float("nan")
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))])


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def is_relevant(passage_text: str, relevant: Sequence[Alternative]) -> bool:
    """True when the passage contains at least one alternative (whitespace ignored)."""
    text = _squash(passage_text)
    for alt in relevant:
        parts = [alt] if isinstance(alt, str) else list(alt)
        if parts and all(_squash(p) in text for p in parts):
            return True
    return False


def query_metrics(flags: Sequence[bool]) -> dict[str, float]:
    """Metrics of one ranked list of relevance flags (best first), binary gains.

    nDCG@10 uses the ideal ranking of the relevant items found in the list (at least one
    when any is found), since the full set of relevant passages is not enumerated.
    """
    top = list(flags[:10])
    first = next((i for i, f in enumerate(top, start=1) if f), None)
    dcg = sum(1.0 / math.log2(i + 1) for i, f in enumerate(top, start=1) if f)
    n_rel = sum(top)
    idcg = sum(1.0 / math.log2(i + 1) for i in range(1, n_rel + 1))
    return {
        "R@1": float(any(flags[:1])),
        "R@5": float(any(flags[:5])),
        "R@10": float(any(top)),
        "MRR@10": 1.0 / first if first else 0.0,
        "nDCG@10": dcg / idcg if idcg else 0.0,
    }


def mean_metrics(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    keys = ("R@1", "R@5", "R@10", "MRR@10", "nDCG@10")
    if not rows:
        return {k: 0.0 for k in keys} | {"n": 0}
    return {k: round(sum(r[k] for r in rows) / len(rows), 4) for k in keys} | {"n": len(rows)}


def evaluate(
    queries: Sequence[EvalQuery],
    search: Callable[[str, int], Sequence[str]],
    k: int = 10,
    latencies: list[float] | None = None,
) -> dict[str, Any]:
    """Run every query through ``search(query, k) -> passage texts`` and aggregate.

    Returns overall metrics, metrics per language, per-query ranks and latency figures.
    ``latencies``, when given, receives each query's time in ms (to pool several files).
    """
    per_query = []
    own: list[float] = []
    for q in queries:
        t = time.perf_counter()
        texts = list(search(q.query, k))
        own.append((time.perf_counter() - t) * 1000)
        flags = [is_relevant(text, q.relevant) for text in texts[:k]]
        m = query_metrics(flags)
        first = next((i for i, f in enumerate(flags, start=1) if f), None)
        per_query.append({"id": q.id, "lang": q.lang, "query": q.query, "first_relevant_rank": first, **m})
    by_lang = {
        lang: mean_metrics([r for r in per_query if r["lang"] == lang])
        for lang in sorted({q.lang for q in queries})
    }
    if latencies is not None:
        latencies.extend(own)
    return {
        "k": k,
        "overall": mean_metrics(per_query),
        "by_lang": by_lang,
        "latency_ms": {
            "p50": round(percentile(own, 50), 2),
            "p95": round(percentile(own, 95), 2),
        },
        "queries": per_query,
    }
