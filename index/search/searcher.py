"""The ``Searcher``: hybrid (FAISS + BM25 fused by RRF), semantic, keyword and exact-phrase search.

The ``Searcher`` loads the current index once and shares it read-only; when a new build
completes (``indexes/CURRENT`` changes) the next query switches to it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from typing import Literal, get_args

import numpy as np
from policyscope.corpus.catalog import CATALOG_LABELS
from policyscope.corpus.config import Settings
from policyscope.corpus.errors import QueryError, WorkspaceDamagedError
from policyscope.corpus.store import Store
from policyscope.corpus.store_schema import store_file_stamp
from policyscope.index.backends import load_index
from policyscope.index.build import POINTER, require_index
from policyscope.index.encoders import Encoder
from policyscope.index.fusion import cap_per_group, reciprocal_rank_fusion
from policyscope.index.keywords import top_positive
from policyscope.index.search.filters import SearchFilters, allowed_mask
from policyscope.index.search.loaded_index import LoadedIndex
from policyscope.index.search.matching import content_terms, matched_terms, normalize_for_match, phrase_needle
from policyscope.index.search.query import QueryAnalysis, Translator, analyse_query
from policyscope.index.search.results import Hit, SearchResult
from policyscope.index.search.scoring import concept_scores, keyword_scores

Mode = Literal["hybrid", "semantic", "keyword", "phrase"]
MODES: tuple[str, ...] = get_args(Mode)
MAX_QUERY_CHARS = 2000


class Searcher:
    """Loads the current index and answers queries.

    Args:
        settings: the workspace and the search settings (weights, translation, RRF).
        store: the workspace's store, opened on first use when not given.
        translator: the dictionary translator; ``"auto"`` loads the packaged one on first use,
            None searches without translation.

    Example:
        >>> searcher = Searcher(Settings.load())
        >>> searcher.search("UK critical minerals strategy", k=5).hits[0].title_zh
    """

    def __init__(
        self, settings: Settings, store: Store | None = None, translator: Translator | Literal["auto"] | None = "auto"
    ):
        self.settings = settings
        self._store = store
        self._lock = threading.Lock()
        # The index a query in progress on this thread reads: a build that finishes mid-query must
        # not hand its later steps another index's arrays (BM25 of one, row columns of the other).
        self._query = threading.local()
        self._index: LoadedIndex | None = None
        self._pointer_mtime: float | None = None
        self._encoder: Encoder | None = None
        # Recent results (see :meth:`search`): paging, re-sorting and exporting repeat a query.
        self._results: OrderedDict[tuple, SearchResult] = OrderedDict()
        self._results_lock = threading.Lock()
        from policyscope.nlp.tokens import BilingualTokenizer

        self.tokenizer = BilingualTokenizer()
        self._translator = translator
        self.refresh()

    # -- loading ---------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.settings.store_path)
        return self._store

    @property
    def index(self) -> LoadedIndex:
        """The current index: the one a query in progress started with, else the newest complete one."""
        pinned = getattr(self._query, "index", None)
        if pinned is not None:
            return pinned
        self.refresh()
        assert self._index is not None
        return self._index

    def refresh(self) -> bool:
        """Switch to a newer complete index if a build finished since the last query."""
        pointer = self.settings.index_root / POINTER
        try:
            mtime = pointer.stat().st_mtime_ns
        except FileNotFoundError:
            mtime = None
        if self._index is not None and mtime == self._pointer_mtime:
            return False
        with self._lock:
            if self._index is not None and mtime == self._pointer_mtime:
                return False
            path = require_index(self.settings)
            if self._index is None or self._index.path != path:
                from policyscope.nlp.tokens import check_index_tokenizer

                index = load_index(path, self.settings)
                # Query tokens must be cut as the index's were: an index of an older tokenizer is
                # refused with a rebuild message instead of answering with silent misses.
                check_index_tokenizer(index.manifest.get("tokenizer"), str(path), self.tokenizer)
                if index.n and not self.store.count("documents"):
                    # An emptied store (a 0-byte file) would drop every hit and answer "no results".
                    raise WorkspaceDamagedError(
                        self.settings.store_path, f"the store holds no documents but the index has {index.n} passages"
                    )
                self._index = index
            self._pointer_mtime = mtime
            return True

    @property
    def encoder(self) -> Encoder:
        """The encoder the index was built with (its manifest names it), loaded on first use."""
        if self._encoder is None:
            from policyscope.index.encoders import get_encoder

            self._encoder = get_encoder(self.index.manifest["encoder"]["name"], device=self.settings.device)
        return self._encoder

    @property
    def translator(self) -> Translator | None:
        if self._translator == "auto":
            try:
                from policyscope.nlp.translate import QueryTranslator
            except ImportError:  # translation resources are optional
                self._translator = None
            else:
                self._translator = QueryTranslator()
        return self._translator

    # -- search ----------------------------------------------------------------------------

    def query_analysis(self, query: str) -> QueryAnalysis:
        """Tokens, translated concepts and highlight terms of ``query`` under the current settings."""
        st = self.settings
        return analyse_query(
            query, self.tokenizer, self.translator if st.translation_enabled else None,
            weight_en=st.translation_weight_en, weight_zh=st.translation_weight_zh,
            weight_ja=st.translation_weight_ja, weight_ko=st.translation_weight_ko,
        )

    def search(
        self,
        query: str,
        k: int = 10,
        mode: str = "hybrid",
        filters: SearchFilters | None = None,
        per_doc: int = 0,
    ) -> SearchResult:
        """Return the top ``k`` passages for ``query``.

        Hybrid search fuses ranked lists with weighted reciprocal rank fusion: the vector
        search; keyword search, where each query term counts once by its best rendering in
        either language (its own words or its dictionary translation, see
        :func:`~policyscope.index.search.scoring.concept_scores`); and the passages holding the
        whole query verbatim. A component whose weights are all zero is skipped. See
        docs/search.md for the measured effect of each.

        ``per_doc`` (0 = no limit) keeps at most that many passages of one document, so one long
        law cannot fill the page; each hit then says how many candidates its document had
        (``doc_hits``).

        The last ``Settings.search_cache_size`` results are kept, keyed by the query, its options,
        the settings, the index and the store's modification times: the app's paging, sorting and
        export ask for the same query again, and popular queries repeat. A result served from there
        has ``timings_ms == {"cache": …, "total": …}``.

        Raises:
            QueryError: empty query, unknown mode, k or per_doc out of range.
        """
        if mode not in MODES:
            raise QueryError(f"unknown mode {mode!r}; available: {', '.join(MODES)}")
        if not 1 <= k <= 1000:
            raise QueryError(f"k must be between 1 and 1000, got {k}")
        if not 0 <= per_doc <= 100:
            raise QueryError(f"per_doc must be between 0 (no limit) and 100, got {per_doc}")
        query = (query or "").strip()[:MAX_QUERY_CHARS]
        if not query:
            raise QueryError("empty query; type some words to search for")
        t0 = time.perf_counter()
        outer = getattr(self._query, "index", None)
        self._query.index = outer or self.index  # switch to a newer complete index before this query, not during it
        try:
            key = self._cache_key(query, k, mode, filters, per_doc)
            if key is not None:
                with self._results_lock:
                    cached = self._results.get(key)
                    if cached is not None:
                        self._results.move_to_end(key)
                if cached is not None:
                    ms = (time.perf_counter() - t0) * 1000
                    return replace(cached, timings_ms={"cache": ms, "total": ms})
            result = self._search(query, k, mode, filters, per_doc)
            if key is not None:
                with self._results_lock:
                    self._results[key] = result
                    while len(self._results) > self.settings.search_cache_size:
                        self._results.popitem(last=False)
            return result
        finally:
            self._query.index = outer

    def _cache_key(
        self, query: str, k: int, mode: str, filters: SearchFilters | None, per_doc: int
    ) -> tuple | None:
        """What a result depends on, or None when results are not kept: the store's files' times
        stand for its content (a removed document or edited metadata changes the hits' fields)."""
        if not self.settings.search_cache_size:
            return None
        stamp = store_file_stamp(self.settings.store_path)
        key = (str(self.index.path), stamp, self.settings, query, k, mode, filters, per_doc)
        try:
            hash(key)
        except TypeError:  # an unhashable filter value: answer without keeping the result
            return None
        return key

    def _search(
        self, query: str, k: int, mode: str, filters: SearchFilters | None, per_doc: int
    ) -> SearchResult:
        t0 = time.perf_counter()
        mask = allowed_mask(self.index, filters)
        timings: dict[str, float] = {}
        analysis = self.query_analysis(query)
        tokens, translated = analysis.tokens, analysis.translated
        timings["analyse"] = (time.perf_counter() - t0) * 1000
        # Grouping needs candidates far beyond the page: one long document can hold the first hundred
        # candidates of a component, and the best passage of the 5th document may rank 150th.
        depth = max(200, 20 * k) if per_doc else max(50, 5 * k)
        limit = depth if per_doc else k
        sem_rank: dict[int, int] = {}
        kw_rank: dict[int, int] = {}

        if mode == "phrase":
            fused = [(r, 1.0) for r in self._phrase_rows(query, mask, limit)]
        else:
            rankings: list[list[int]] = []
            weights: list[float] = []
            st = self.settings
            # A component whose weights are all zero is skipped, not computed and ignored.
            use_semantic = mode == "semantic" or (
                mode == "hybrid" and (st.semantic_weight or st.semantic_translation_weight)
            )
            use_keyword = mode == "keyword" or (mode == "hybrid" and (st.keyword_weight or st.exact_weight))
            if use_semantic:
                t = time.perf_counter()
                other = analysis.other_text if mode == "hybrid" and st.semantic_translation_weight else ""
                (sem, sem_scores), *others = self._semantic(
                    [query, *([other] if other else [])], depth, mask, filters
                )
                sem_rank = {r: i + 1 for i, r in enumerate(sem)}
                if st.semantic_weight or mode == "semantic":
                    rankings.append(sem)
                    weights.append(st.semantic_weight)
                for ranked, _ in others:  # the query's dictionary translation, embedded
                    rankings.append(ranked)
                    weights.append(st.semantic_translation_weight)
                timings["semantic"] = (time.perf_counter() - t) * 1000
            if use_keyword:
                t = time.perf_counter()
                kw = self._keyword(analysis, depth, mask)
                kw_rank = {r: i + 1 for i, r in enumerate(kw)}
                if st.keyword_weight or mode == "keyword":
                    rankings.append(kw)
                    weights.append(st.keyword_weight)
                exact = self._exact_matches(query, kw) if st.exact_weight else []
                if exact:
                    rankings.append(exact)
                    weights.append(st.exact_weight)
                timings["keyword"] = (time.perf_counter() - t) * 1000
            if mode == "semantic":
                fused = [(r, sem_scores[r]) for r in sem[:limit]]
            else:
                fused = reciprocal_rank_fusion(rankings, weights, k=st.rrf_k, limit=limit)
        doc_hits: dict[int, int] = {}
        if per_doc:
            capped = cap_per_group(fused, self.index.columns["doc_id"], per_doc, k)
            fused = [(r, s) for r, s, _ in capped]
            doc_hits = {r: n for r, _, n in capped}

        t = time.perf_counter()
        hits = self._hits(fused, analysis.highlight, sem_rank, kw_rank, doc_hits)
        timings["fetch"] = (time.perf_counter() - t) * 1000
        timings["total"] = (time.perf_counter() - t0) * 1000
        return SearchResult(query, mode, hits, tuple(tokens), tuple(translated), timings)

    def more_like_this(self, passage_id: str, k: int = 10, filters: SearchFilters | None = None) -> SearchResult:
        """Passages closest to a stored passage (semantic), excluding the passage itself."""
        idx = self.index
        row = idx.row_of.get(passage_id)
        if row is None:
            raise QueryError(f"unknown passage id {passage_id!r}")
        text = self.store.get_passages([passage_id])[passage_id].text
        result = self.search(text, k=k + 1, mode="semantic", filters=filters)
        # Highlight the content words a result shares with the passage, never the words every catalog
        # record has (Issuer, Date, 要点) or date parts (年): the query here is a whole passage.
        terms = content_terms(self.tokenizer.tokenize_query(text), CATALOG_LABELS)
        hits = [h for h in result.hits if h.passage_id != passage_id][:k]
        hits = [replace(h, rank=i + 1, matched_terms=matched_terms(h.text + " " + h.context, terms))
                for i, h in enumerate(hits)]
        return SearchResult(text, "more_like_this", hits, terms, (), result.timings_ms)

    # -- the ranked lists ------------------------------------------------------------------

    def _semantic(
        self, texts: list[str], depth: int, mask: np.ndarray | None, filters: SearchFilters | None = None
    ) -> list[tuple[list[int], dict[int, float]]]:
        """One ranked vector-search list per text; the texts are embedded in one batch."""
        qv = np.asarray(self.encoder.encode_queries(texts), dtype=np.float32)
        scores, rows = self.index.vector_search(qv, depth, mask, filters)
        out = []
        for srow, rrow in zip(scores, rows):
            ranked = [int(r) for r in rrow if r >= 0]
            out.append((ranked, {int(r): float(v) for r, v in zip(rrow, srow) if r >= 0}))
        return out

    def _keyword(self, analysis: QueryAnalysis, depth: int, mask: np.ndarray | None) -> list[int]:
        """BM25 over the query's own words plus its translation, ranked best first."""
        keywords = self.index.keywords.for_query(analysis)
        if self.settings.keyword_fusion == "concepts":
            scores = concept_scores(
                keywords, analysis, idf_weighted=self.settings.keyword_normalize,
                subject_country=self.index.subject_country(), field_weight=self.settings.keyword_field_weight,
                passage_langs=self.index.columns["lang"], exponent=self.settings.keyword_exponent,
                country_boost=self.settings.keyword_country_boost,
                amount_weight=self.settings.keyword_amount_weight,
            )
        else:
            scores = keyword_scores(
                keywords, analysis, normalize=self.settings.keyword_normalize,
                concept_max=self.settings.translation_concept_max,
            )
        return [int(r) for r in top_positive(scores, depth, mask)]

    def _exact_matches(self, query: str, candidates: list[int]) -> list[int]:
        """Keyword candidates that contain the whole query verbatim (or as their title).

        A researcher who types a title or a quoted phrase expects that passage first, even
        when the translated side of the query matches many passages of another language.
        """
        needle = phrase_needle(query)
        if len(needle) < 4 or not candidates:
            return []
        ids = [str(self.index.ids[r]) for r in candidates]
        rows = self.store.get_passages(ids)
        out = []
        for r, pid in zip(candidates, ids):
            row = rows.get(pid)
            if row and (needle in normalize_for_match(row.text) or needle == normalize_for_match(row.title or "")):
                out.append(r)
        return out

    def _phrase_rows(self, phrase: str, mask: np.ndarray | None, k: int) -> list[int]:
        """The first ``k`` rows (index order) whose passage holds ``phrase`` verbatim."""
        needle = phrase_needle(phrase)
        if not needle:
            raise QueryError("empty phrase")
        found = []
        for i, text in enumerate(self.index.phrase_texts(self.store)):
            if needle in text and (mask is None or mask[i]):
                found.append(i)
                if len(found) >= k:
                    break
        return found

    # -- results ---------------------------------------------------------------------------

    def _hits(
        self, fused: Sequence[tuple[int, float]], terms: Sequence[str],
        sem_rank: dict[int, int], kw_rank: dict[int, int], doc_hits: dict[int, int] | None = None,
    ) -> list[Hit]:
        idx = self.index
        ids = [str(idx.ids[r]) for r, _ in fused]
        rows = self.store.get_passages(ids)
        hits = []
        for row, score in fused:
            pid = str(idx.ids[row])
            r = rows.get(pid)
            if r is None:  # removed from the store after the index was built
                continue
            hits.append(
                Hit(
                    rank=len(hits) + 1, score=round(float(score), 6), passage_id=pid, doc_id=r.doc_id,
                    text=r.text, title=r.title, title_zh=r.title_zh, title_en=r.title_en,
                    region=r.region, country=r.country, year=r.year, page=r.page,
                    kind=r.kind, doc_kind=r.doc_kind, date=r.date, heading=r.heading, context=r.context, lang=r.lang,
                    start=r.start, end=r.end, catalog_id=r.catalog_id,
                    matched_terms=matched_terms(r.text + " " + r.context, terms),
                    semantic_rank=sem_rank.get(row), keyword_rank=kw_rank.get(row), measures=idx.measures_of(row),
                    doc_hits=(doc_hits or {}).get(row, 0),
                )
            )
        return hits
