"""BM25 keyword search over pre-tokenized passages, backed by bm25s.

The tokenizer is injected: callers pass token lists (from the project's bilingual tokenizer,
recorded in the index manifest) at build time and query tokens at search time, so the same
segmentation is used on both sides and this module stays free of NLP imports.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from policyscope.corpus.atomic import read_versioned_json, write_json_atomic
from policyscope.corpus.errors import IndexMismatchError
from policyscope.index.encoders import package_version

logger = logging.getLogger(__name__)

Bm25Method = Literal["robertson", "lucene", "atire", "bm25l", "bm25+"]
_METHODS = ("robertson", "lucene", "atire", "bm25l", "bm25+")
FORMAT_VERSION = 1
SETTINGS_FILE = "keywords.json"


def _clean(tokens: Sequence[str], what: str) -> list[str]:
    if isinstance(tokens, str):
        raise TypeError(f"{what} must be a list of tokens, not a str (tokenize it first)")
    # bm25s reserves "" as the token of empty documents; a tokenizer never means it.
    return [t for t in tokens if t]


def top_positive(scores: np.ndarray, k: int, allowed: np.ndarray | None = None) -> np.ndarray:
    """Rows with a positive score (and allowed by the mask), the best ``k``, best first, ties by row."""
    hit = scores > 0
    if allowed is not None:
        hit &= allowed
    cand = np.flatnonzero(hit)
    if cand.size > k:
        cand = cand[np.argpartition(-scores[cand], k - 1)[:k]]
    order = np.lexsort((cand, -scores[cand]))
    return cand[order].astype(np.int64)


class TokenRows:
    """One token list per passage, kept as ids in two flat arrays: 4 bytes per token and 8 per row
    instead of a Python list of strings per passage (a million passages of ~30 tokens: ~130 MB, not
    several GB). Iterating yields each row's ids as a list, which is what bm25s reads.

    Example::

        rows = TokenRows()
        rows.append(["电池", "回收"]); rows.append(["battery", "电池"])
        rows.vocab                       # {"电池": 0, "回收": 1, "battery": 2}
        list(rows)                       # [[0, 1], [2, 0]]
    """

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self._ids = array("i")
        self._ends = array("q")

    @classmethod
    def of(cls, token_lists: Iterable[Sequence[str]]) -> TokenRows:
        rows = cls()
        rows.extend(token_lists)
        return rows

    def append(self, tokens: Sequence[str]) -> None:
        """Add the next passage's tokens ("" is dropped: bm25s reserves it for empty documents)."""
        vocab = self.vocab
        setdefault = vocab.setdefault
        self._ids.extend([setdefault(t, len(vocab)) for t in _clean(tokens, f"token_lists[{len(self._ends)}]")])
        self._ends.append(len(self._ids))

    def extend(self, token_lists: Iterable[Sequence[str]]) -> None:
        for tokens in token_lists:
            self.append(tokens)

    @property
    def n_tokens(self) -> int:
        return len(self._ids)

    def __len__(self) -> int:
        return len(self._ends)

    def __iter__(self) -> Iterator[list[int]]:
        start = 0
        for end in self._ends:
            yield self._ids[start:end].tolist()
            start = end


def _index_lean(model: Any, rows: TokenRows, chunk: int = 65_536) -> None:
    """``model.index(...)`` for a large corpus: the same score matrix as bm25s builds (its own idf
    and term-frequency functions, entries of each term ordered by document), written straight into
    its final CSC arrays ``chunk`` documents at a time.

    bm25s gathers every (document, term) score in COO arrays, then packs and argsorts them: ~36
    bytes per entry at its peak (880 MB for the 24 M entries of a million passages). Here the peak is
    the final arrays, 8 bytes per entry, plus one chunk.
    """
    from bm25s.scoring import _build_idf_array, _select_idf_scorer, _select_tfc_scorer

    ids = np.frombuffer(rows._ids, dtype=np.int32)
    ends = np.frombuffer(rows._ends, dtype=np.int64)
    n_docs, n_vocab = len(ends), len(rows.vocab)
    lengths = np.diff(ends, prepend=0)
    avg_doc_len = lengths.mean()

    def pairs() -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(term, document, term frequency) of each chunk, sorted by term, then document."""
        for d0 in range(0, n_docs, chunk):
            d1 = min(d0 + chunk, n_docs)
            start = int(ends[d0 - 1]) if d0 else 0
            docs = np.repeat(np.arange(d0, d1, dtype=np.int64), lengths[d0:d1])
            keys, tf = np.unique(ids[start : int(ends[d1 - 1])].astype(np.int64) * n_docs + docs, return_counts=True)
            yield keys // n_docs, keys % n_docs, tf

    doc_freqs = np.zeros(n_vocab, dtype=np.int64)
    for terms, _, _ in pairs():
        doc_freqs += np.bincount(terms, minlength=n_vocab)
    idf = _build_idf_array(dict(enumerate(doc_freqs.tolist())), n_docs, _select_idf_scorer(model.idf_method),
                           dtype=model.dtype)
    tfc = _select_tfc_scorer(model.method)
    indptr = np.zeros(n_vocab + 1, dtype=np.int64)
    np.cumsum(doc_freqs, out=indptr[1:])
    data = np.empty(int(indptr[-1]), dtype=model.dtype)
    indices = np.empty(int(indptr[-1]), dtype=model.int_dtype)
    cursor = indptr[:-1].copy()
    for terms, docs, tf in pairs():
        scores = idf[terms] * tfc(tf_array=tf.astype(model.dtype), l_d=lengths[docs].astype(np.float64),
                                  l_avg=avg_doc_len, k1=model.k1, b=model.b, delta=model.delta)
        group_starts = np.flatnonzero(np.r_[True, terms[1:] != terms[:-1]])
        rank = np.arange(len(terms)) - np.repeat(group_starts, np.diff(np.r_[group_starts, len(terms)]))
        at = cursor[terms] + rank
        data[at] = scores
        indices[at] = docs
        cursor += np.bincount(terms, minlength=n_vocab)
    model.scores = {"data": data, "indices": indices, "indptr": indptr, "num_docs": n_docs}
    model.vocab_dict = {**rows.vocab, "": n_vocab}  # bm25s's token for empty documents, last
    model.unique_token_ids_set = set(model.vocab_dict.values())
    model.nonoccurrence_array = None


class KeywordIndex:
    """BM25 over token lists; scores are summed over query tokens (repeats count again).

    With the Lucene variant a document ``d`` scores, for each query token ``t`` it contains,
    ``idf(t) * tf / (tf + k1 * (1 - b + b * |d| / avgdl))`` with
    ``idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5))``. Example: in a corpus of 4 passages where
    only passage 1 holds "碳排放" (once, average length), the query ["碳排放", "unknownword"]
    gives passage 1 ``ln(1 + 3.5/1.5) / (1 + 1.5) ≈ 0.48``; the unknown token is ignored and
    the other passages (score 0) are not returned.
    """

    def __init__(self, model: Any | None, n_docs: int, params: dict[str, Any]):
        self._model = model
        self._n_docs = n_docs
        self.params = dict(params)

    @classmethod
    def build(
        cls,
        token_lists: TokenRows | Iterable[Sequence[str]],
        k1: float = 1.5,
        b: float = 0.75,
        method: Bm25Method = "lucene",
    ) -> KeywordIndex:
        """Index one token list per passage (row i of the index = token_lists[i]); a build over many
        passages passes :class:`TokenRows` filled batch by batch."""
        if method not in _METHODS:
            raise ValueError(f"unknown BM25 method {method!r}; available: {', '.join(_METHODS)}")
        if k1 < 0 or not 0 <= b <= 1:
            raise ValueError(f"need k1 >= 0 and 0 <= b <= 1, got k1={k1}, b={b}")
        rows = token_lists if isinstance(token_lists, TokenRows) else TokenRows.of(token_lists)
        params = {"k1": float(k1), "b": float(b), "method": method}
        if not rows.n_tokens:
            # bm25s cannot index a corpus without a single token; nothing could match anyway.
            return cls(None, len(rows), params)
        import bm25s
        from bm25s.tokenization import Tokenized

        model = bm25s.BM25(k1=k1, b=b, method=method)
        if method in model.methods_requiring_nonoccurrence:
            # Token ids and our vocabulary: bm25s iterates the rows without a list of them.
            model.index(Tokenized(ids=rows, vocab=dict(rows.vocab)), show_progress=False)
        else:
            _index_lean(model, rows)
        logger.info("built BM25 index: %d docs, %d terms", len(rows), len(model.vocab_dict))
        return cls(model, len(rows), params)

    @property
    def n_docs(self) -> int:
        return self._n_docs

    @property
    def vocab_size(self) -> int:
        # bm25s adds "" to every vocabulary to score empty documents; it is not a term.
        return 0 if self._model is None else sum(1 for t in self._model.vocab_dict if t)

    def info(self) -> dict[str, Any]:
        return {
            "n_docs": self.n_docs,
            "vocab_size": self.vocab_size,
            "params": dict(self.params),
            "bm25s_version": package_version("bm25s"),
        }

    def __repr__(self) -> str:
        return f"KeywordIndex(n_docs={self.n_docs}, vocab_size={self.vocab_size}, method={self.params['method']!r})"

    def for_query(self, analysis: Any) -> KeywordIndex:
        """These scores for one query's analysis: in-process, nothing to fetch first (a remote backend's
        keyword index fetches the query's tokens in one request here)."""
        return self

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query, shape (n_docs,); unknown tokens add 0."""
        tokens = _clean(query_tokens, "query_tokens")
        if self._model is None:
            return np.zeros(self._n_docs, dtype=np.float32)
        vocab = self._model.vocab_dict
        ids = [vocab[t] for t in tokens if t in vocab]
        if not ids:
            return np.zeros(self._n_docs, dtype=np.float32)
        return np.asarray(self._model.get_scores_from_ids(ids), dtype=np.float32)

    def coverage_scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 scores divided by the sum over query tokens of each token's best score.

        Example: a query "green growth" whose tokens score at most 2.0 and 3.0 in any single
        document gives 1.0 to a document holding the best match of both, and 0.6 to the best
        "growth"-only document — a measure of how much of the query a passage covers.
        """
        tokens = [t for t in dict.fromkeys(_clean(query_tokens, "query_tokens"))]
        if self._model is None:
            return np.zeros(self._n_docs, dtype=np.float32)
        vocab = self._model.vocab_dict
        total = np.zeros(self._n_docs, dtype=np.float32)
        norm = 0.0
        for t in tokens:
            if t not in vocab:
                continue
            s = np.asarray(self._model.get_scores_from_ids([vocab[t]]), dtype=np.float32)
            total += s
            norm += float(s.max()) if s.size else 0.0
        return total / norm if norm > 0 else total

    def search(
        self,
        query_tokens: Sequence[str],
        k: int,
        allowed: np.ndarray | None = None,
        extra: Sequence[tuple[Sequence[str], float]] = (),
        normalize: bool = False,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` documents with a positive score, best first (ties: lower index first).

        Args:
            query_tokens: tokens from the same tokenizer used at build time.
            k: maximum number of results (>= 1).
            allowed: optional boolean mask of length ``n_docs``, applied before top-k.
            extra: further ``(tokens, weight)`` groups whose BM25 scores are added with that
                weight — e.g. a query's dictionary translation, worth less than its own words.
                BM25 is a sum over query terms, so a weighted sum stays one coherent score.
            normalize: divide each group's scores by the sum of its tokens' best single-document
                scores, so a group scores ~1 where a passage matches all of it. In a corpus that is
                mostly English, Chinese terms have a far higher IDF; without this a partial match
                of a query's translation beats a full match of its own words.

        Returns:
            ``(scores, ids)``: 1-D float32 and int64 arrays of equal length <= k.
        """
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        if allowed is not None:
            allowed = np.asarray(allowed)
            if allowed.dtype != np.bool_ or allowed.shape != (self._n_docs,):
                raise ValueError(
                    f"allowed must be a boolean array of shape ({self._n_docs},), "
                    f"got {allowed.dtype} {allowed.shape}"
                )
        score_of = self.coverage_scores if normalize else self.scores
        scores = score_of(query_tokens)
        for tokens, weight in extra:
            if weight and tokens:
                scores = scores + np.float32(weight) * score_of(tokens)
        ids = top_positive(scores, k, allowed)
        return scores[ids].astype(np.float32), ids

    def save(self, directory: str | Path) -> None:
        """Write bm25s's arrays, vocabulary and params plus ``keywords.json`` into ``directory``."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        if self._model is not None:
            self._model.save(str(d), show_progress=False)
        settings = {"format": FORMAT_VERSION, "empty": self._model is None, **self.info()}
        write_json_atomic(d / SETTINGS_FILE, settings)

    @classmethod
    def load(cls, directory: str | Path) -> KeywordIndex:
        """Read an index written by :meth:`save` (no pickle: npy arrays and JSON)."""
        d = Path(directory)
        settings = read_versioned_json(d / SETTINGS_FILE, "keyword index", FORMAT_VERSION)
        n_docs = int(settings["n_docs"])
        params = settings["params"]
        if settings.get("empty"):
            return cls(None, n_docs, params)
        import bm25s

        model = bm25s.BM25.load(str(d), load_corpus=False, mmap=False, show_progress=False)
        if int(model.scores["num_docs"]) != n_docs:
            raise IndexMismatchError(
                f"{d}: bm25s arrays hold {model.scores['num_docs']} docs, {SETTINGS_FILE} says {n_docs}"
            )
        return cls(model, n_docs, params)
