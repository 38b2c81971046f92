"""Search over a built index: hybrid (FAISS + BM25 fused by RRF), semantic, keyword and exact phrase.

The ``Searcher`` loads the current index once and shares it read-only; when a new build
completes (``indexes/CURRENT`` changes) the next query switches to it.
"""

from __future__ import annotations

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
from policyscope.corpus.errors import QueryError
from policyscope.corpus.store import Store
from policyscope.index.build import POINTER, read_manifest, require_index
from policyscope.index.fusion import reciprocal_rank_fusion

Mode = Literal["hybrid", "semantic", "keyword", "phrase"]
MODES: tuple[str, ...] = get_args(Mode)
MAX_QUERY_CHARS = 2000


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
        tokens = self.tokenizer.tokenize(query)
        tr = self.translator
        if tr is None:
            return tokens, [], 0.0
        exp = tr.expand(query)
        zh = exp.source_lang == "zh"
        other = exp.text_en if zh else exp.text_zh
        if not other or other == query:
            return tokens, [], 0.0
        own = set(tokens)
        translated = [t for t in self.tokenizer.tokenize(other) if t not in own]
        weight = self.settings.translation_weight_zh if zh else self.settings.translation_weight_en
        return tokens, translated, weight

    def search(
        self,
        query: str,
        k: int = 10,
        mode: str = "hybrid",
        filters: SearchFilters | None = None,
    ) -> SearchResult:
        """Return the top ``k`` passages for ``query``.

        Hybrid search fuses two ranked lists with weighted reciprocal rank fusion: the vector
        search and BM25 over the query's own words plus its dictionary translation (the
        other language) at a lower weight, so a Chinese query's English glosses do not drown
        its exact Chinese terms.

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
        idx = self.index
        mask = self.allowed_mask(filters)
        timings: dict[str, float] = {}
        tokens, translated, tweight = self.analyse(query)
        timings["analyse"] = (time.perf_counter() - t0) * 1000
        depth = max(50, 5 * k)
        sem_rank: dict[int, int] = {}
        kw_rank: dict[int, int] = {}

        if mode == "phrase":
            fused = [(r, 1.0) for r in self._phrase_rows(query, mask, k)]
        else:
            rankings: list[list[int]] = []
            weights: list[float] = []
            if mode in ("hybrid", "semantic"):
                t = time.perf_counter()
                sem, sem_scores = self._semantic(query, depth, mask)
                sem_rank = {r: i + 1 for i, r in enumerate(sem)}
                rankings.append(sem)
                weights.append(self.settings.semantic_weight)
                timings["semantic"] = (time.perf_counter() - t) * 1000
            if mode in ("hybrid", "keyword"):
                t = time.perf_counter()
                kw = self._keyword(tokens, translated, tweight, depth, mask)
                kw_rank = {r: i + 1 for i, r in enumerate(kw)}
                rankings.append(kw)
                weights.append(self.settings.keyword_weight)
                exact = self._exact_matches(query, kw)
                if exact:
                    rankings.append(exact)
                    weights.append(self.settings.exact_weight)
                timings["keyword"] = (time.perf_counter() - t) * 1000
            if mode == "semantic":
                fused = [(r, sem_scores[r]) for r in sem[:k]]
            else:
                fused = reciprocal_rank_fusion(rankings, weights, k=self.settings.rrf_k, limit=k)

        t = time.perf_counter()
        hits = self._hits(fused, tokens + translated, query, sem_rank, kw_rank)
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

    def _semantic(self, query: str, depth: int, mask: np.ndarray | None) -> tuple[list[int], dict[int, float]]:
        qv = np.asarray(self.encoder.encode_queries([query]), dtype=np.float32)
        scores, rows = self.index.vectors.search(qv, depth, allowed=mask)
        ranked = [int(r) for r in rows[0] if r >= 0]
        return ranked, {int(r): float(s) for r, s in zip(rows[0], scores[0]) if r >= 0}

    def _keyword(
        self, tokens: list[str], translated: list[str], weight: float, depth: int, mask: np.ndarray | None
    ) -> list[int]:
        """BM25 over the query's own words plus its translation at ``weight``."""
        _, rows = self.index.keywords.search(
            tokens, depth, allowed=mask, extra=[(translated, weight)], normalize=self.settings.keyword_normalize
        )
        return [int(r) for r in np.asarray(rows).ravel() if r >= 0]

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
