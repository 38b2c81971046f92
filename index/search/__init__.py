"""Search over a built index: hybrid (FAISS + BM25 fused by RRF), semantic, keyword and exact phrase.

One module per concept, this package's namespace is the public API:

- :mod:`.searcher`: :class:`Searcher` (loads the current index, runs a query through each ranked
  list and fuses them), ``MODES``, ``MAX_QUERY_CHARS``, ``KEYWORD_FUSIONS``;
- :mod:`.query`: :class:`QueryAnalysis`, a query's tokens and translated concepts;
- :mod:`.scoring`: :func:`concept_scores` and the older :func:`keyword_scores` (pure numpy);
- :mod:`.filters`: :class:`SearchFilters` and the row mask they make;
- :mod:`.loaded_index`: :class:`LoadedIndex`, one index directory loaded read-only;
- :mod:`.matching`: literal matching for the exact-phrase mode and "why it matched";
- :mod:`.results`: :class:`Hit` and :class:`SearchResult`;
- :mod:`.export`: results as CSV, JSONL, BibTeX and RIS (:data:`EXPORTERS`), :func:`citation_text`.
"""

from __future__ import annotations

from policyscope.corpus.config import KEYWORD_FUSIONS
from policyscope.index.search.export import EXPORTERS, CitedHit, citation_text, cite_hits, export_hits
from policyscope.index.search.filters import SearchFilters, allowed_mask
from policyscope.index.search.loaded_index import LoadedIndex
from policyscope.index.search.matching import matched_terms, normalize_for_match
from policyscope.index.search.query import QueryAnalysis, Translator, analyse_query
from policyscope.index.search.results import Hit, SearchResult
from policyscope.index.search.scoring import concept_scores, keyword_scores
from policyscope.index.search.searcher import MAX_QUERY_CHARS, MODES, Mode, Searcher

__all__ = [
    "EXPORTERS",
    "KEYWORD_FUSIONS",
    "MAX_QUERY_CHARS",
    "MODES",
    "CitedHit",
    "Hit",
    "LoadedIndex",
    "Mode",
    "QueryAnalysis",
    "SearchFilters",
    "SearchResult",
    "Searcher",
    "Translator",
    "allowed_mask",
    "analyse_query",
    "citation_text",
    "cite_hits",
    "concept_scores",
    "export_hits",
    "keyword_scores",
    "matched_terms",
    "normalize_for_match",
]
