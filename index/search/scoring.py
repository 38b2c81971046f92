"""Keyword scoring of a query's concepts: pure numpy over per-token BM25 scores.

:func:`concept_scores` is what hybrid search uses (``keyword_fusion = "concepts"``);
:func:`keyword_scores` is the earlier summed-BM25 scoring, kept as the ``"bm25"`` setting and
as an ablation row (docs/search.md measures both).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from policyscope.index.search.query import QueryAnalysis


class KeywordScores(Protocol):
    """Per-passage BM25 scores of token lists (``index.keywords.KeywordIndex``)."""

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray: ...


class CoverageScores(KeywordScores, Protocol):
    """Also scores normalised by each token's best passage (``KeywordIndex.coverage_scores``)."""

    def coverage_scores(self, query_tokens: Sequence[str]) -> np.ndarray: ...


def keyword_scores(
    keywords: CoverageScores, analysis: QueryAnalysis, *, normalize: bool = True, concept_max: bool = True
) -> np.ndarray:
    """BM25 score per passage of the query's own tokens plus its weighted translation.

    Each query term's translation is one *concept*: a passage scores, for the concept, the
    best of its alternatives (the sum of that alternative's token scores), so a term with
    many glosses counts once, like a term with one. With ``normalize`` each side (own tokens,
    translation) is divided by the sum of its parts' best single-passage scores, so it
    scores ~1 where a passage matches all of it (coverage).

    Example: "Korean won budget" translates to the concepts {韩元} and {财政 | 预算 | 经费};
    a passage holding 韩元 and 预算 covers both concepts and scores 1.0 on the translated
    side, while summing glosses would rank a passage holding 财政, 预算 and 经费 (no 韩元) first.

    ``concept_max=False`` gives the older bag of translated tokens, summed.
    """
    own = keywords.coverage_scores(analysis.tokens) if normalize else keywords.scores(analysis.tokens)
    if not analysis.weight or not analysis.translated:
        return own
    if not concept_max:
        score_of = keywords.coverage_scores if normalize else keywords.scores
        return own + np.float32(analysis.weight) * score_of(analysis.translated)
    cache: dict[str, np.ndarray] = {}

    def token_scores(tok: str) -> np.ndarray:
        if tok not in cache:
            cache[tok] = np.asarray(keywords.scores([tok]), dtype=np.float32)
        return cache[tok]

    total = np.zeros_like(own)
    norm = 0.0
    seen: set[tuple[tuple[str, ...], ...]] = set()
    for concept in analysis.concepts:
        if concept in seen:  # 税 twice in 商品服务税税率 is one concept
            continue
        seen.add(concept)
        best = None
        for alt in concept:
            s = token_scores(alt[0]).copy()
            for tok in alt[1:]:
                s += token_scores(tok)
            best = s if best is None else np.maximum(best, s)
        if best is None:
            continue
        total += best
        norm += float(best.max()) if best.size else 0.0
    if normalize and norm > 0:
        total /= norm
    return own + np.float32(analysis.weight) * total


def concept_scores(
    keywords: KeywordScores,
    analysis: QueryAnalysis,
    *,
    idf_weighted: bool = True,
    fields: dict[str, np.ndarray] | None = None,
    field_weight: float = 1.0,
) -> np.ndarray:
    """How much of the query's meaning a passage covers, in either language, in [0, 1].

    Each query term is one concept, matched by its own words or by any of its translations;
    each rendering's BM25 score is divided by its best score over the corpus, so an English
    and a Chinese passage are judged on one scale, and the concept scores the best rendering
    (a translation's multiplied by ``analysis.weight``: above 1 a full translated match beats
    a full match of the query's own words). Concepts are weighted by IDF (the highest of their
    renderings'), and the weighted mean is the score; own-language tokens that belong to no
    translated term (names, acronyms) are concepts of their own.

    ``fields`` maps a metadata value, as space-joined tokens ("south korea"), to the rows that
    carry it (the document's country): a rendering equal to such a value matches those rows
    at ``field_weight``, since the later passages of a Korean plan rarely repeat "Korea".

    Example: "Norway VAT on batteries" has the concepts norway|挪威, vat|增值税 and
    battery|电池. An English record holding all three words scores ~1, and so does a
    Chinese passage holding 挪威, 增值税 and 电池; a passage on batteries alone scores
    about the share of the rare word "battery" in the query's total IDF.
    """
    n = max(int(getattr(keywords, "n_docs", 0)), 1)
    cache: dict[str, tuple[np.ndarray, float]] = {}

    def token(tok: str) -> tuple[np.ndarray, float]:
        if tok not in cache:
            s = np.asarray(keywords.scores([tok]), dtype=np.float32)
            df = int(np.count_nonzero(s))
            cache[tok] = (s, float(np.log(1 + (n - df + 0.5) / (df + 0.5))) if df else 0.0)
        return cache[tok]

    def rendering(tokens: Sequence[str]) -> tuple[np.ndarray | None, float]:
        parts = [token(t) for t in tokens]
        parts = [(s, idf) for s, idf in parts if idf > 0]
        if not parts:
            return None, 0.0
        raw = parts[0][0].copy()
        for s, _ in parts[1:]:
            raw += s
        top = float(raw.max())
        return (raw / top if top > 0 else None), max(idf for _, idf in parts)

    groups: list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] = list(
        zip(analysis.sources or [()] * len(analysis.concepts), analysis.concepts)
    )
    groups += [((t,), ()) for t in analysis.leftover]
    total = None
    wsum = 0.0
    factor = float(analysis.weight) if analysis.translated else 0.0
    fields = fields or {}
    for src, alternatives in groups:
        best, idfs = None, []
        own, idf = rendering(src) if src else (None, 0.0)
        if own is not None:
            best, idfs = own, [idf]
        field_rows = fields.get(" ".join(src)) if src else None
        for alt in alternatives if factor else ():
            s, idf = rendering(alt)
            if field_rows is None:
                field_rows = fields.get(" ".join(alt))
            if s is None:
                continue
            s = s * np.float32(factor)
            best = s if best is None else np.maximum(best, s)
            idfs.append(idf)
        if best is None:
            continue
        if field_rows is not None:
            best = np.maximum(best, field_rows.astype(np.float32) * np.float32(field_weight))
        w = max(idfs) if idf_weighted else 1.0
        total = best * w if total is None else total + best * w
        wsum += w
    if total is None:
        return np.zeros(n, dtype=np.float32)
    return total / np.float32(wsum)
