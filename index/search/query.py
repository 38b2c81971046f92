"""Query analysis: a query's own tokens and its dictionary translation, grouped into concepts.

Keyword scoring (:mod:`policyscope.index.search.scoring`) and "why it matched" highlighting both
read the :class:`QueryAnalysis` made here; the semantic list reads only its ``other_text``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from policyscope.nlp.translate import Expansion


class Tokenizer(Protocol):
    """The keyword tokenizer's one method analysis needs (``nlp.tokens.BilingualTokenizer``)."""

    def tokenize(self, text: str, lang: str | None = None) -> list[str]: ...

    def tokenize_query(self, query: str) -> list[str]: ...


class Translator(Protocol):
    """What analysis needs of a translator (``nlp.translate.QueryTranslator``)."""

    def expand(self, query: str) -> Expansion: ...


@dataclass(frozen=True)
class QueryAnalysis:
    """What keyword search and highlighting use of one query.

    Attributes:
        tokens: the query's own keyword tokens.
        translated: tokens of its dictionary translation that are not already among ``tokens``.
        concepts: the translation grouped by query term: one tuple of alternatives per term,
            each alternative a tuple of tokens ("budget" -> ((财政,), (预算,), (经费,))).
        weight: BM25 weight of the translation (0 when there is none).
        other_text: the query in the other language (dictionary translation), or "".
        highlight: query terms, their translations and tokens, for "why it matched".
    """

    tokens: list[str]
    translated: list[str]
    concepts: tuple[tuple[tuple[str, ...], ...], ...]
    weight: float
    other_text: str
    highlight: tuple[str, ...]
    # For each concept, the query's own tokens of that term ("solid-state batteries" ->
    # (solid-state, battery)); () when the term has no own-language tokens.
    sources: tuple[tuple[str, ...], ...] = ()
    # Own tokens that belong to no translated term (names, acronyms): concepts of their own.
    leftover: tuple[str, ...] = ()


def analyse_query(
    query: str,
    tokenizer: Tokenizer,
    translator: Translator | None,
    *,
    weight_en: float,
    weight_zh: float,
    weight_ja: float | None = None,
    weight_ko: float | None = None,
) -> QueryAnalysis:
    """Tokens, translated concepts and highlight terms of ``query`` (see :class:`QueryAnalysis`).

    Args:
        query: the query text.
        tokenizer: the index's bilingual tokenizer, so query tokens match indexed ones.
        translator: the dictionary translator, or None for no translation (own tokens only).
        weight_en: weight of the translation of an English (or other non-CJK) query.
        weight_zh: weight of the translation of a Chinese query.
        weight_ja, weight_ko: weight of the translation of a Japanese / Korean query (default: as Chinese).
    """
    if translator is None:
        tokens = tokenizer.tokenize_query(query)
        return QueryAnalysis(tokens, [], (), 0.0, "", tuple(tokens), leftover=tuple(dict.fromkeys(tokens)))
    exp = translator.expand(query)
    lang = exp.source_lang
    # The query is read by its own language's analyzer; a Han-only query may be Japanese too (備蓄),
    # so tokenize_query adds the Japanese reading's words to jieba's.
    tokens = tokenizer.tokenize_query(query) if lang in ("zh", "en") else tokenizer.tokenize(query, lang)
    other = exp.text_zh if lang == "en" else exp.text_en
    own = set(tokens)
    concepts: list[tuple[tuple[str, ...], ...]] = []
    sources: list[tuple[str, ...]] = []
    covered: set[str] = set()
    for term in exp.terms:
        src = tuple(t for t in dict.fromkeys(tokenizer.tokenize(term.source, lang)) if t in own)
        alternatives = []
        for target, target_lang in term.pairs():
            toks = tuple(t for t in dict.fromkeys(tokenizer.tokenize(target, target_lang)) if t not in own)
            if toks and toks not in alternatives:
                alternatives.append(toks)
        if alternatives and (tuple(alternatives), src) not in zip(concepts, sources):
            concepts.append(tuple(alternatives))
            sources.append(src)
            covered.update(src)
    leftover = tuple(t for t in dict.fromkeys(tokens) if t not in covered)
    translated = list(dict.fromkeys(t for c in concepts for alt in c for t in alt))
    if not translated:
        other = ""
    weight = {"en": weight_en, "zh": weight_zh, "ja": weight_ja, "ko": weight_ko}.get(lang)
    weight = weight_zh if weight is None else weight
    highlight = tuple(dict.fromkeys([*exp.all_terms(), *tokens, *translated]))
    return QueryAnalysis(tokens, translated, tuple(concepts), weight if translated else 0.0,
                         other if other != query else "", highlight, tuple(sources), leftover)
