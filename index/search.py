"""Search over a built index: hybrid (FAISS + BM25 fused by RRF), semantic, keyword and exact phrase.

The ``Searcher`` loads the current index once and shares it read-only; when a new build
completes (``indexes/CURRENT`` changes) the next query switches to it.
"""

from __future__ import annotations

import functools
import re
import threading
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
from policyscope.corpus.config import Settings
from policyscope.corpus.errors import ConfigError, QueryError
from policyscope.corpus.store import Store
from policyscope.index.build import POINTER, read_manifest, require_index
from policyscope.index.fusion import reciprocal_rank_fusion
from policyscope.index.keywords import top_positive

Mode = Literal["hybrid", "semantic", "keyword", "phrase"]
MODES: tuple[str, ...] = get_args(Mode)
MAX_QUERY_CHARS = 2000
KEYWORD_FUSIONS: tuple[str, ...] = ("concepts", "bm25")


@dataclass(frozen=True)
class SearchFilters:
    """Restrictions on which passages may be returned. Empty fields mean "no restriction".

    ``measures_any``: at least one of these measures; ``measures_all``: every one of them.
    """

    regions: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    measures_any: tuple[str, ...] = ()
    measures_all: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return self == SearchFilters()


@dataclass(frozen=True)
class Hit:
    """One search result with everything a researcher needs to judge it."""

    rank: int
    score: float
    passage_id: str
    doc_id: str
    text: str
    title: str
    title_zh: str
    title_en: str
    region: str
    country: str
    year: int | None
    page: int | None
    kind: str
    heading: str
    context: str
    lang: str
    start: int
    end: int
    catalog_id: str
    matched_terms: tuple[str, ...] = ()
    semantic_rank: int | None = None
    keyword_rank: int | None = None
    measures: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SearchResult:
    query: str
    mode: str
    hits: list[Hit]
    query_terms: tuple[str, ...] = ()
    translations: tuple[str, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query, "mode": self.mode, "query_terms": list(self.query_terms),
            "translations": list(self.translations), "timings_ms": self.timings_ms,
            "hits": [h.to_dict() for h in self.hits],
        }


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


def keyword_scores(
    keywords: Any, analysis: QueryAnalysis, *, normalize: bool = True, concept_max: bool = True
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
    keywords: Any,
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


def normalize_for_match(text: str) -> str:
    """Lowercase, NFKC, whitespace removed: how the exact-phrase mode and highlighting compare."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


class _LoadedIndex:
    """The read-only parts of one index directory, loaded together."""

    def __init__(self, path: Path):
        from policyscope.index.keywords import KeywordIndex
        from policyscope.index.vectors import VectorIndex

        self.path = path
        self.manifest = read_manifest(path)
        self.vectors = VectorIndex.load(path / "vectors")
        self.keywords = KeywordIndex.load(path / "bm25")
        with np.load(path / "columns.npz", allow_pickle=False) as cols:
            self.columns = {name: cols[name] for name in cols.files}
        self.ids: np.ndarray = self.columns["ids"]
        self.row_of = {pid: i for i, pid in enumerate(self.ids.tolist())}
        self.measures: list[str] = self.columns["measures"].tolist()
        self.n = len(self.ids)
        self._fields: dict[str, np.ndarray] | None = None

    def fields(self, tokenizer: Any, store: Store) -> dict[str, np.ndarray]:
        """Record passages per document country, keyed by the country's tokens joined by spaces.

        Only one-record documents (a CCLW law, a catalog entry) count: their country is their
        subject. A paper's country is where it was written — every passage of a Chinese study
        of US policy is not "about China".
        """
        if self._fields is None:
            ids = self.ids.tolist()
            rows = store.get_passages(ids)
            record = np.array([rows.get(pid, {}).get("kind") == "record" for pid in ids], dtype=bool)
            out: dict[str, np.ndarray] = {}
            countries = self.columns["country"]
            for value in np.unique(countries):
                key = " ".join(tokenizer.tokenize(str(value)))
                if key:
                    mask = (countries == value) & record
                    out[key] = out[key] | mask if key in out else mask
            self._fields = out
        return self._fields


class Searcher:
    """Loads the current index and answers queries.

    Example:
        >>> searcher = Searcher(Settings.load())
        >>> searcher.search("UK critical minerals strategy", k=5).hits[0].title_zh
    """

    def __init__(self, settings: Settings, store: Store | None = None, translator: Any | None = "auto"):
        self.settings = settings
        self._store = store
        self._lock = threading.Lock()
        self._index: _LoadedIndex | None = None
        self._pointer_mtime: float | None = None
        self._encoder: Any = None
        self._phrase_texts: list[str] | None = None
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
    def index(self) -> _LoadedIndex:
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
                self._index = _LoadedIndex(path)
                self._phrase_texts = None
            self._pointer_mtime = mtime
            return True

    @property
    def encoder(self) -> Any:
        if self._encoder is None:
            from policyscope.index.encoders import get_encoder

            self._encoder = get_encoder(self.index.manifest["encoder"]["name"], device=self.settings.device)
        return self._encoder

    @property
    def translator(self) -> Any | None:
        if self._translator == "auto":
            try:
                from policyscope.nlp.translate import QueryTranslator
            except ImportError:  # translation resources are optional
                self._translator = None
            else:
                self._translator = QueryTranslator()
        return self._translator

    @functools.cached_property
    def _measure_ids(self) -> frozenset[str]:
        from policyscope.nlp.measures import load_taxonomy

        return frozenset(load_taxonomy().ids)

    # -- filters ---------------------------------------------------------------------------

    def allowed_mask(self, filters: SearchFilters | None) -> np.ndarray | None:
        """Boolean mask over index rows, or None when nothing is filtered."""
        if filters is None or filters.is_empty():
            return None
        idx = self.index
        cols = idx.columns
        mask = np.ones(idx.n, dtype=bool)
        if filters.regions:
            wanted = {r.strip().upper() for r in filters.regions}
            wanted_countries = {r.strip().lower() for r in filters.regions}
            mask &= np.isin(cols["region"], list(wanted)) | np.isin(cols["country"], list(wanted_countries))
        if filters.doc_ids:
            mask &= np.isin(cols["doc_id"], list(filters.doc_ids))
        if filters.langs:
            mask &= np.isin(cols["lang"], [lang.lower() for lang in filters.langs])
        if filters.kinds:
            mask &= np.isin(cols["kind"], [k.lower() for k in filters.kinds])
        if filters.year_from is not None:
            mask &= cols["year"] >= filters.year_from
        if filters.year_to is not None:
            mask &= (cols["year"] <= filters.year_to) & (cols["year"] >= 0)
        if filters.measures_any or filters.measures_all:
            known = self._measure_ids
            unknown = sorted((set(filters.measures_any) | set(filters.measures_all)) - known)
            if unknown:
                raise QueryError(f"unknown measure(s) {', '.join(unknown)}; available: {', '.join(sorted(known))}")
            matrix = cols["measure_matrix"]
            col = {m: j for j, m in enumerate(idx.measures)}
            if filters.measures_any:
                js = [col[m] for m in filters.measures_any if m in col]
                mask &= matrix[:, js].any(axis=1) if js else False
            for m in filters.measures_all:
                mask &= matrix[:, col[m]] if m in col else False
        return mask

    # -- search ----------------------------------------------------------------------------

    def analyse(self, query: str) -> tuple[list[str], list[str], float]:
        """Keyword tokens of the query, tokens of its translation, and the translation's weight."""
        a = self.query_analysis(query)
        return a.tokens, a.translated, a.weight

    def query_analysis(self, query: str) -> QueryAnalysis:
        """Tokens, translated concepts and highlight terms of ``query`` (see :class:`QueryAnalysis`)."""
        tokens = self.tokenizer.tokenize(query)
        tr = self.translator if self.settings.translation_enabled else None
        if tr is None:
            return QueryAnalysis(tokens, [], (), 0.0, "", tuple(tokens), leftover=tuple(dict.fromkeys(tokens)))
        exp = tr.expand(query)
        zh = exp.source_lang == "zh"
        other = exp.text_en if zh else exp.text_zh
        own = set(tokens)
        concepts: list[tuple[tuple[str, ...], ...]] = []
        sources: list[tuple[str, ...]] = []
        covered: set[str] = set()
        for term in exp.terms:
            src = tuple(t for t in dict.fromkeys(self.tokenizer.tokenize(term.source)) if t in own)
            alternatives = []
            for target in term.targets:
                toks = tuple(t for t in dict.fromkeys(self.tokenizer.tokenize(target)) if t not in own)
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
        weight = self.settings.translation_weight_zh if zh else self.settings.translation_weight_en
        highlight = tuple(dict.fromkeys([*exp.all_terms(), *tokens, *translated]))
        return QueryAnalysis(tokens, translated, tuple(concepts), weight if translated else 0.0,
                             other if other != query else "", highlight, tuple(sources), leftover)

    def search(
        self,
        query: str,
        k: int = 10,
        mode: str = "hybrid",
        filters: SearchFilters | None = None,
    ) -> SearchResult:
        """Return the top ``k`` passages for ``query``.

        Hybrid search fuses ranked lists with weighted reciprocal rank fusion: the vector
        search; keyword search, where each query term counts once by its best rendering in
        either language (its own words or its dictionary translation, see
        :func:`concept_scores`); and the passages holding the whole query verbatim. A component
        whose weights are all zero is skipped. See docs/search.md for the measured effect of each.

        Raises:
            QueryError: empty query, unknown mode or k out of range.
        """
        if mode not in MODES:
            raise QueryError(f"unknown mode {mode!r}; available: {', '.join(MODES)}")
        if not 1 <= k <= 1000:
            raise QueryError(f"k must be between 1 and 1000, got {k}")
        query = (query or "").strip()[:MAX_QUERY_CHARS]
        if not query:
            raise QueryError("empty query; type some words to search for")
        t0 = time.perf_counter()
        self.refresh()  # switch to a newer complete index before this query, not during it
        mask = self.allowed_mask(filters)
        timings: dict[str, float] = {}
        analysis = self.query_analysis(query)
        tokens, translated = analysis.tokens, analysis.translated
        timings["analyse"] = (time.perf_counter() - t0) * 1000
        depth = max(50, 5 * k)
        sem_rank: dict[int, int] = {}
        kw_rank: dict[int, int] = {}

        if mode == "phrase":
            fused = [(r, 1.0) for r in self._phrase_rows(query, mask, k)]
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
                (sem, sem_scores), *others = self._semantic([query, *([other] if other else [])], depth, mask)
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
                fused = [(r, sem_scores[r]) for r in sem[:k]]
            else:
                fused = reciprocal_rank_fusion(rankings, weights, k=st.rrf_k, limit=k)

        t = time.perf_counter()
        hits = self._hits(fused, analysis.highlight, query, sem_rank, kw_rank)
        timings["fetch"] = (time.perf_counter() - t) * 1000
        timings["total"] = (time.perf_counter() - t0) * 1000
        return SearchResult(query, mode, hits, tuple(tokens), tuple(translated), timings)

    def _exact_matches(self, query: str, candidates: list[int]) -> list[int]:
        """Keyword candidates that contain the whole query verbatim (or as their title).

        A researcher who types a title or a quoted phrase expects that passage first, even
        when the translated side of the query matches many passages of another language.
        """
        needle = normalize_for_match(query.strip("\"'“”"))
        if len(needle) < 4 or not candidates:
            return []
        ids = [str(self.index.ids[r]) for r in candidates]
        rows = self.store.get_passages(ids)
        out = []
        for r, pid in zip(candidates, ids):
            row = rows.get(pid)
            if row and (needle in normalize_for_match(row["text"]) or needle == normalize_for_match(row["title"] or "")):
                out.append(r)
        return out

    def _semantic(
        self, texts: list[str], depth: int, mask: np.ndarray | None
    ) -> list[tuple[list[int], dict[int, float]]]:
        """One ranked vector-search list per text; the texts are embedded in one batch."""
        qv = np.asarray(self.encoder.encode_queries(texts), dtype=np.float32)
        scores, rows = self.index.vectors.search(qv, depth, allowed=mask)
        out = []
        for srow, rrow in zip(scores, rows):
            ranked = [int(r) for r in rrow if r >= 0]
            out.append((ranked, {int(r): float(v) for r, v in zip(rrow, srow) if r >= 0}))
        return out

    def _keyword(self, analysis: QueryAnalysis, depth: int, mask: np.ndarray | None) -> list[int]:
        """BM25 over the query's own words plus its translation, ranked best first."""
        if self.settings.keyword_fusion not in KEYWORD_FUSIONS:
            raise ConfigError(
                f"unknown keyword_fusion {self.settings.keyword_fusion!r}; available: {', '.join(KEYWORD_FUSIONS)}"
            )
        if self.settings.keyword_fusion == "concepts":
            scores = concept_scores(
                self.index.keywords, analysis, idf_weighted=self.settings.keyword_normalize,
                fields=self.index.fields(self.tokenizer, self.store) if self.settings.keyword_field_weight else None,
                field_weight=self.settings.keyword_field_weight,
            )
        else:
            scores = keyword_scores(
                self.index.keywords, analysis, normalize=self.settings.keyword_normalize,
                concept_max=self.settings.translation_concept_max,
            )
        return [int(r) for r in top_positive(scores, depth, mask)]

    def more_like_this(self, passage_id: str, k: int = 10, filters: SearchFilters | None = None) -> SearchResult:
        """Passages closest to a stored passage (semantic), excluding the passage itself."""
        idx = self.index
        row = idx.row_of.get(passage_id)
        if row is None:
            raise QueryError(f"unknown passage id {passage_id!r}")
        text = self.store.get_passages([passage_id])[passage_id]["text"]
        result = self.search(text, k=k + 1, mode="semantic", filters=filters)
        hits = [h for h in result.hits if h.passage_id != passage_id][:k]
        hits = [_rerank(h, i + 1) for i, h in enumerate(hits)]
        return SearchResult(text, "more_like_this", hits, (), (), result.timings_ms)

    # -- helpers ---------------------------------------------------------------------------

    def _phrase_rows(self, phrase: str, mask: np.ndarray | None, k: int) -> list[int]:
        needle = normalize_for_match(phrase.strip("\"'“”"))
        if not needle:
            raise QueryError("empty phrase")
        if self._phrase_texts is None:
            idx = self.index
            rows = self.store.get_passages(idx.ids.tolist())
            self._phrase_texts = [normalize_for_match(rows[pid]["text"]) if pid in rows else "" for pid in idx.ids]
        found = []
        for i, text in enumerate(self._phrase_texts):
            if needle in text and (mask is None or mask[i]):
                found.append(i)
                if len(found) >= k:
                    break
        return found

    def _hits(
        self, fused: Sequence[tuple[int, float]], terms: Sequence[str], query: str,
        sem_rank: dict[int, int], kw_rank: dict[int, int],
    ) -> list[Hit]:
        idx = self.index
        ids = [str(idx.ids[r]) for r, _ in fused]
        rows = self.store.get_passages(ids)
        measures = idx.columns["measure_matrix"]
        hits = []
        for rank, (row, score) in enumerate(fused, start=1):
            pid = str(idx.ids[row])
            r = rows.get(pid)
            if r is None:  # removed from the store after the index was built
                continue
            ms = tuple(m for j, m in enumerate(idx.measures) if measures[row, j]) if idx.measures else ()
            hits.append(
                Hit(
                    rank=len(hits) + 1, score=round(float(score), 6), passage_id=pid, doc_id=r["doc_id"],
                    text=r["text"], title=r["title"], title_zh=r["title_zh"], title_en=r["title_en"],
                    region=r["region"], country=r["country"], year=r["year"], page=r["page"],
                    kind=r["kind"], heading=r["heading"], context=r["context"], lang=r["lang"],
                    start=r["start"], end=r["end"], catalog_id=r["catalog_id"],
                    matched_terms=matched_terms(r["text"] + " " + r["context"], terms, query),
                    semantic_rank=sem_rank.get(row), keyword_rank=kw_rank.get(row), measures=ms,
                )
            )
        return hits


def _rerank(hit: Hit, rank: int) -> Hit:
    return Hit(**{**asdict(hit), "rank": rank})


def matched_terms(text: str, terms: Sequence[str], query: str = "") -> tuple[str, ...]:
    """Query terms (and translations) that occur in ``text``, longest first, for highlighting."""
    haystack = normalize_for_match(text)
    seen: list[str] = []
    for term in sorted(set(terms), key=lambda t: (-len(t), t)):
        t = normalize_for_match(term)
        if len(t) < 2 and not re.search(r"[\u4e00-\u9fff]", t):
            continue
        if t and t in haystack and not any(t in s for s in seen):
            seen.append(term)
    return tuple(seen)
