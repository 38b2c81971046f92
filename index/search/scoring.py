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
from policyscope.nlp.words import verb_forms


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
    for c in analysis.concepts:
        concept = c.alternatives
        if not concept or concept in seen:  # 税 twice in 商品服务税税率 is one concept
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


# Which passages a rendering in a language may score on. A Japanese or Korean rendering is written for
# passages of its language: on a Chinese passage the folded tokens of 車載用蓄電池 (车载, 用, 蓄电池)
# match 铅蓄电池 by accident. A Chinese rendering also serves Japanese passages, whose kanji fold to
# the same tokens (蓄电池 = 蓄電池); English words occur in text of every language (MSP, GWh).
RENDERING_SCOPE: dict[str, tuple[str, ...]] = {"ja": ("ja",), "ko": ("ko",), "zh": ("zh", "ja")}


def concept_scores(
    keywords: KeywordScores,
    analysis: QueryAnalysis,
    *,
    idf_weighted: bool = True,
    subject_country: np.ndarray | None = None,
    field_weight: float = 1.0,
    passage_langs: np.ndarray | None = None,
    exponent: float = 1.0,
    country_boost: float = 1.0,
    amount_weight: float = 1.0,
) -> np.ndarray:
    """How much of the query's meaning a passage covers, in any language, in [0, 1].

    Each query term is one concept, matched by its own words or by any of its translations;
    each rendering's BM25 score is divided by its best score over the corpus, so an English
    and a Chinese passage are judged on one scale, and the concept scores the best rendering
    (a translation's multiplied by ``analysis.weight`` where the passage holds the whole
    rendering, before flattening: above 1 a full translated match beats a full match of the
    query's own words, and a partial one never does). Concepts are weighted by IDF (the highest
    of their renderings'), and the weighted mean is the topic score.

    ``exponent`` below 1 flattens each rendering's normalised score (0.5: a passage scoring half
    the best keeps 0.71), so matching one more concept counts for more than matching a concept in a
    shorter passage: BM25's length normalisation otherwise lets a two-line list item holding two of
    four concepts beat the paragraph that holds three. A rendering of several words then also
    scores in proportion to the IDF of the words present: "act" alone is not "Defense Production Act".

    ``passage_langs`` (one language code per passage) confines each rendering to the passages of
    :data:`RENDERING_SCOPE`; its best score, which sets its scale, is then the best among those.

    A concept that names a jurisdiction (:attr:`Concept.country`) says where to look, not what to
    look for, so it does not join the mean: a passage that names Chile but is about something else
    must not outrank the passages on the topic. It matches a passage that names the country, or
    whose document is about it (``subject_country``, the document's country code per passage, ""
    when the document's country is not its subject, as for a research paper), at ``field_weight``;
    the topic score is then multiplied by ``(1 + country_boost * match) / (1 + country_boost)``.
    A query that names only countries scores the country match itself.

    An amount (:attr:`Concept.amount`: "7億ドル", "$700 million") weighs ``amount_weight`` times its
    IDF: a passage holding the amount the query asks for is the fact sought, more than one that
    holds the query's other, broader words.

    Example: "Norway VAT on batteries" has the topic concepts vat|增值税 and battery|电池 and the
    country Norway: a Norwegian record on VAT for batteries scores ~1, a Chinese passage holding
    增值税 and 电池 but no Norway about half of it, and a passage naming 挪威 alone nothing.
    """
    n = max(int(getattr(keywords, "n_docs", 0)), 1)
    cache: dict[str, tuple[np.ndarray, float, int]] = {}

    def token(tok: str) -> tuple[np.ndarray, float, int]:
        if tok not in cache:
            sc = np.asarray(keywords.scores([tok]), dtype=np.float32)
            for form in verb_forms(tok):  # "support" also matches "supported", "supporting"
                sc = np.maximum(sc, np.asarray(keywords.scores([form]), dtype=np.float32))
            df = int(np.count_nonzero(sc))
            cache[tok] = (sc, float(np.log(1 + (n - df + 0.5) / (df + 0.5))), df)
        return cache[tok]

    scopes: dict[str, np.ndarray] = {}

    def scope(lang: str | None) -> np.ndarray | None:
        if passage_langs is None or lang not in RENDERING_SCOPE:
            return None
        if lang not in scopes:
            scopes[lang] = np.isin(passage_langs, RENDERING_SCOPE[lang])
        return scopes[lang]

    def rendering(tokens: Sequence[str], lang: str | None = None,
                  weight: float = 1.0) -> tuple[np.ndarray | None, float]:
        every = [token(t) for t in tokens]
        parts = [(sc, idf) for sc, idf, df in every if df]
        if not parts:
            return None, 0.0
        raw = parts[0][0].copy()
        for sc, _ in parts[1:]:
            raw += sc
        # A word of the rendering that no passage holds is missing everywhere, not ignored: 炭素 税 with
        # no 炭素 in the corpus must not score 税 alone as the whole of "carbon tax".
        total_idf = sum(idf for _, idf, _ in every)
        allowed = scope(lang)
        if allowed is not None:
            raw = np.where(allowed, raw, np.float32(0))
        top = float(raw.max())
        if top <= 0:
            return None, 0.0
        scaled = raw / np.float32(top)
        held = [sc > 0 for sc, _ in parts] if len(every) > 1 else []  # which passages hold each word
        if weight != 1.0:
            # The translation weight rewards a whole rendering: a passage holding only 税 of 炭素 税 is
            # a partial match and must not outscore one holding the query's own "carbon tax". It
            # applies before flattening, so a weak translated match stays below a strong own one.
            # (A one-word rendering scores 0 where it is absent, so only several words need the check.)
            whole = len(parts) == len(every) and (np.logical_and.reduce(held) if held else True)
            scaled = scaled * np.where(whole, np.float32(weight), np.float32(min(weight, 1.0)))
        if exponent != 1.0:
            scaled = np.power(scaled, np.float32(exponent))
            if held:
                scaled = scaled * sum(h.astype(np.float32) * np.float32(idf / total_idf) for h, (_, idf) in zip(held, parts))
        elif len(parts) < len(every):
            scaled = scaled * np.float32(sum(idf for _, idf in parts) / total_idf)
        return scaled, max(idf for _, idf in parts)

    factor = float(analysis.weight) if analysis.translated else 0.0
    topic = None
    wsum = 0.0
    country: np.ndarray | None = None
    for c in analysis.concepts:
        best, idfs = None, []
        own, idf = rendering(c.source) if c.source else (None, 0.0)
        if own is not None:
            best, idfs = own, [idf]
        langs = c.langs or (None,) * len(c.alternatives)
        for alt, alt_lang in zip(c.alternatives, langs) if factor else ():
            sc, idf = rendering(alt, alt_lang, factor)
            if sc is None:
                continue
            best = sc if best is None else np.maximum(best, sc)
            idfs.append(idf)
        if c.country:
            match = np.zeros(n, dtype=np.float32) if best is None else np.minimum(best, np.float32(1))
            if subject_country is not None and field_weight:
                match = np.maximum(match, (subject_country == c.country).astype(np.float32) * np.float32(field_weight))
            country = match if country is None else np.maximum(country, match)
            continue
        if best is None:
            continue
        w = max(idfs) if idf_weighted else 1.0
        if c.amount:
            w *= amount_weight
        topic = best * w if topic is None else topic + best * w
        wsum += w
    if topic is None:
        return country if country is not None else np.zeros(n, dtype=np.float32)
    topic = topic / np.float32(wsum)
    if country is None:
        return topic
    return topic * (1 + np.float32(country_boost) * country) / np.float32(1 + country_boost)
