"""Rank fusion: combine ranked lists from several retrievers into one.

Pure functions over index lists; no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]],
    weights: Sequence[float] | None = None,
    k: int = 60,
    limit: int | None = None,
) -> list[tuple[int, float]]:
    """Fuse ranked lists of row indices with weighted reciprocal rank fusion (Cormack et al. 2009).

    ``score(d) = sum_i w_i / (k + rank_i(d))`` with ranks starting at 1; a row missing from a
    list gets nothing from it. Ties break by the first list that ranked the row higher, then
    by row index, so the result is deterministic.

    Example: rankings ``[[7, 3], [3, 9]]`` with ``k=60`` give row 3 ``1/62 + 1/61`` and it
    comes first although neither list put it first.

    Returns:
        ``(row, score)`` pairs, best first, unique rows, at most ``limit`` long.
    """
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} rankings")
    scores: dict[int, float] = {}
    best_rank: dict[int, int] = {}
    for ranking, weight in zip(rankings, weights):
        seen: set[int] = set()
        for rank, row in enumerate(ranking, start=1):
            if row < 0 or row in seen:
                continue
            seen.add(row)
            scores[row] = scores.get(row, 0.0) + weight / (k + rank)
            best_rank[row] = min(best_rank.get(row, rank), rank)
    fused = sorted(scores.items(), key=lambda item: (-item[1], best_rank[item[0]], item[0]))
    return fused[:limit] if limit is not None else fused


def cap_per_group(
    fused: Sequence[tuple[int, float]], group_of: Sequence[str], per_group: int, limit: int
) -> list[tuple[int, float, int]]:
    """Keep at most ``per_group`` rows of each group (a document), best first, ``limit`` rows in all.

    Each kept row carries how many rows of its group the whole ``fused`` list held, so a result
    page can say "+3 more from this document". Pure: ``group_of[row]`` names a row's group.

    Example: fused rows ``[(1, .9), (2, .8), (3, .7)]`` with rows 1 and 2 in document "a" and row 3
    in "b", ``per_group=1`` -> ``[(1, .9, 2), (3, .7, 1)]``.
    """
    if per_group < 1:
        raise ValueError(f"per_group must be at least 1, got {per_group}")
    counts: dict[str, int] = {}
    for row, _ in fused:
        g = group_of[row]
        counts[g] = counts.get(g, 0) + 1
    kept: list[tuple[int, float, int]] = []
    taken: dict[str, int] = {}
    for row, score in fused:
        g = group_of[row]
        if taken.get(g, 0) >= per_group:
            continue
        taken[g] = taken.get(g, 0) + 1
        kept.append((row, score, counts[g]))
        if len(kept) >= limit:
            break
    return kept
