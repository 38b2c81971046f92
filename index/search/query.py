"""Query analysis: a query's own tokens and its dictionary translation, grouped into concepts.

Keyword scoring (:mod:`policyscope.index.search.scoring`) and "why it matched" highlighting both
read the :class:`QueryAnalysis` made here; the semantic list reads only its ``other_text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from policyscope.nlp.translate import Expansion


class Tokenizer(Protocol):
    """The keyword tokenizer's methods analysis needs (``nlp.tokens.BilingualTokenizer``)."""

    def tokenize(self, text: str, lang: str | None = None) -> list[str]: ...

    def tokenize_query(self, query: str) -> list[str]: ...


class Translator(Protocol):
    """What analysis needs of a translator (``nlp.translate.QueryTranslator``)."""

    def expand(self, query: str) -> Expansion: ...


@dataclass(frozen=True)
class Concept:
    """One query term as keyword scoring sees it.

    Attributes:
        source: the query's own tokens of the term ("solid-state batteries" -> (solid-state, battery));
            () when the term has none (a translated number).
        alternatives: its renderings in the other languages, each a tuple of tokens
            ("budget" -> ((财政,), (预算,), (经费,))); () for a word no resource translates (a name).
        langs: the language of each alternative (None: any), so a Japanese rendering scores only on
            Japanese passages (``scoring.RENDERING_SCOPE``).
        country: the jurisdiction code when the term names one ("Korea", 韩国, 한국 -> KR): scoring
            treats it as where the query looks, not as one more word (``scoring.concept_scores``).
        amount: the term is an amount of money or a share ("7億ドル", "$700 million", "87%"), which
            scoring weighs above the other terms (``Settings.keyword_amount_weight``).
    """

    source: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...] = ()
    langs: tuple[str | None, ...] = ()
    country: str = ""
    amount: bool = False

    def __post_init__(self) -> None:
        if self.langs and len(self.langs) != len(self.alternatives):
            raise ValueError(f"{len(self.langs)} languages for {len(self.alternatives)} alternatives")


@dataclass(frozen=True)
class QueryAnalysis:
    """What keyword search and highlighting use of one query.

    Attributes:
        tokens: the query's own keyword tokens.
        translated: tokens of its dictionary translation that are not already among ``tokens``.
        concepts: one :class:`Concept` per query term, in query order, then one per own token that
            belongs to no translated term (names, acronyms).
        weight: BM25 weight of the translation (0 when there is none).
        other_text: the query in another language (dictionary translation), or "".
        highlight: query terms, their translations and tokens, for "why it matched".
    """

    tokens: list[str]
    translated: list[str]
    concepts: tuple[Concept, ...]
    weight: float
    other_text: str
    highlight: tuple[str, ...]

    @property
    def leftover(self) -> tuple[str, ...]:
        """Own tokens that are concepts of their own (no translated term covers them)."""
        return tuple(t for c in self.concepts if not c.alternatives for t in c.source)

    @property
    def countries(self) -> tuple[str, ...]:
        """The jurisdictions the query names, in query order."""
        return tuple(dict.fromkeys(c.country for c in self.concepts if c.country))


# Three-letter names a query uses for a country (other ISO alpha-3 codes are mostly English words).
QUERY_CODES = frozenset({"USA", "PRC", "ROK", "UAE"})


def country_named(text: str, query: str) -> str:
    """The jurisdiction code ``text`` (a term of ``query``) names, or "".

    A two-letter name is taken for a code only when the query writes it in capitals ("US", "EU",
    "UK"): lower-case "in", "it" or "no" are words, not India, Italy and Norway. Of the three-letter
    codes only :data:`QUERY_CODES` count: "VAT", "AND" or "PER" in a query are words, not the
    Vatican, Andorra and Peru.
    """
    from policyscope.corpus.jurisdictions import resolve_country

    code = resolve_country(text)
    if not code:
        return ""
    bare = text.strip().replace(".", "")
    if bare.isascii() and len(bare) <= 3:
        if not re.search(rf"\b{re.escape(bare.upper())}\b", query):
            return ""
        if len(bare) == 3 and bare.upper() not in QUERY_CODES:
            return ""
    return code


def analyse_query(
    query: str,
    tokenizer: Tokenizer,
    translator: Translator | None,
    *,
    weight_en: float,
    weight_zh: float,
    weight_ja: float | None = None,
    weight_ko: float | None = None,
    countries: bool = True,
) -> QueryAnalysis:
    """Tokens, translated concepts and highlight terms of ``query`` (see :class:`QueryAnalysis`).

    Args:
        query: the query text.
        tokenizer: the index's keyword tokenizer, so query tokens match indexed ones.
        translator: the dictionary translator, or None for no translation (own tokens only).
        weight_en: weight of the translation of an English (or other non-CJK) query.
        weight_zh: weight of the translation of a Chinese query.
        weight_ja, weight_ko: weight of the translation of a Japanese / Korean query (default: as Chinese).
        countries: recognise the jurisdictions the query names (:attr:`Concept.country`).
    """
    if translator is None:
        tokens = tokenizer.tokenize_query(query)
        concepts = tuple(
            Concept((t,), country=country_named(t, query) if countries else "") for t in dict.fromkeys(tokens)
        )
        return QueryAnalysis(tokens, [], concepts, 0.0, "", tuple(tokens))
    from policyscope.nlp.translate.numbers import is_amount

    exp = translator.expand(query)
    lang = exp.source_lang
    # The query is read by its own language's analyzer; a Han-only query may be Japanese too (備蓄),
    # so tokenize_query adds the Japanese reading's words to jieba's.
    tokens = tokenizer.tokenize_query(query) if lang in ("zh", "en") else tokenizer.tokenize(query, lang)
    other = exp.text_zh if lang == "en" else exp.text_en
    own = set(tokens)
    concepts: list[Concept] = []
    covered: set[str] = set()
    for term in exp.terms:
        src = tuple(t for t in dict.fromkeys(tokenizer.tokenize(term.source, lang)) if t in own)
        alternatives: list[tuple[str, ...]] = []
        alt_langs: list[str | None] = []
        for target, target_lang in term.pairs():
            toks = tuple(t for t in dict.fromkeys(tokenizer.tokenize(target, target_lang)) if t not in own)
            if toks and toks not in alternatives:
                alternatives.append(toks)
                alt_langs.append(target_lang)
        amount = term.origin == "number" and any(is_amount(t) for t in term.targets)
        concept = Concept(src, tuple(alternatives), tuple(alt_langs),
                          country_named(term.source, query) if countries else "", amount)
        if alternatives and all((c.source, c.alternatives) != (src, concept.alternatives) for c in concepts):
            concepts.append(concept)
            covered.update(src)
    concepts += [
        Concept((t,), country=country_named(t, query) if countries else "")
        for t in dict.fromkeys(tokens)
        if t not in covered
    ]
    translated = list(dict.fromkeys(t for c in concepts for alt in c.alternatives for t in alt))
    if not translated:
        other = ""
    weight = {"en": weight_en, "zh": weight_zh, "ja": weight_ja, "ko": weight_ko}.get(lang)
    weight = weight_zh if weight is None else weight
    highlight = tuple(dict.fromkeys([*exp.all_terms(), *tokens, *translated]))
    return QueryAnalysis(tokens, translated, tuple(concepts), weight if translated else 0.0,
                         other if other != query else "", highlight)
