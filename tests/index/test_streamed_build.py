"""The index build in bounded memory (issue 14): passages read from the store in batches, vectors
spilled to a file, BM25 tokens kept as ids, filter columns kept as codes — and an index identical to
one built from everything held at once. Real data: the built-in corpus with the `hash` encoder."""

from __future__ import annotations

import numpy as np
import pytest
from policyscope.corpus.config import Settings
from policyscope.corpus.store import Store
from policyscope.index import build as build_module
from policyscope.index.build import (
    build_index,
    collect_passages,
    current_index_dir,
    embedding_text,
    keyword_tokens,
    read_manifest,
)
from policyscope.index.cache import EmbeddingCache
from policyscope.index.columns import ColumnParts, passage_columns, save_columns
from policyscope.index.encoders import get_encoder
from policyscope.index.keywords import KeywordIndex, TokenRows
from policyscope.index.search import Searcher
from policyscope.index.vectors import VectorFile, VectorIndex
from policyscope.nlp.tokens import BilingualTokenizer

QUERIES = ["电池回收", "critical minerals supply chain", "蓄電池 原材料", "배터리 공급망", "7億ドル"]


@pytest.fixture(scope="module")
def builtin(built_hash_home):
    """The session's built-in store (read only), its rows, settings and the hash encoder."""
    settings = Settings.load(built_hash_home, encoder="hash")
    store = Store(settings.store_path)
    yield settings, store, list(store.passage_rows())
    store.close()


@pytest.fixture(scope="module")
def builtin_vectors(builtin):
    settings, _, rows = builtin
    with EmbeddingCache(settings.cache_path) as cache:
        return cache.embed(get_encoder("hash"), [embedding_text(r) for r in rows])


class CountingEncoder:
    """The hash encoder, recording how many texts each call was handed."""

    def __init__(self) -> None:
        self._inner = get_encoder("hash")
        self.calls: list[int] = []

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def encode_passages(self, texts, **kwargs):
        self.calls.append(len(texts))
        return self._inner.encode_passages(texts, **kwargs)


def test_collecting_in_batches_gives_the_columns_tokens_and_vectors_of_all_rows_at_once(
    builtin, builtin_vectors, tmp_path
):
    settings, store, rows = builtin
    tokenizer = BilingualTokenizer()
    with VectorFile(256, directory=tmp_path) as spill:
        got = collect_passages(store, settings, get_encoder("hash"), tokenizer, spill, batch=97)
        assert spill.shape == (len(rows), 256)
        assert np.array_equal(np.concatenate(list(spill.chunks(rows=1000))), builtin_vectors)
    whole = passage_columns(store, rows)
    assert sorted(got.columns) == sorted(whole)
    for key in whole:
        assert np.array_equal(got.columns[key], whole[key]), key
    assert whole["measure_matrix"].any(), "the built-in corpus has tagged passages"
    expected = keyword_tokens(tokenizer, rows)
    assert len(got.tokens) == len(rows)
    inverse = {i: t for t, i in got.tokens.vocab.items()}
    assert [[inverse[i] for i in ids] for ids in got.tokens] == [[t for t in ts if t] for ts in expected]


def test_the_encoder_never_gets_more_than_one_batch_and_the_index_equals_a_whole_build(
    home, built_hash_home, monkeypatch
):
    monkeypatch.setattr(build_module, "BUILD_BATCH", 300)
    settings = Settings.load(home, encoder="hash")
    settings.cache_path.unlink()  # every passage is encoded again, through the batches
    encoder = CountingEncoder()
    with Store(settings.store_path) as store:
        report = build_index(store, settings, force=True, encoder=encoder)
    assert report.passages > 2000 and report.embedded > 2000
    assert max(encoder.calls) <= 300 and sum(encoder.calls) == report.embedded

    whole_dir = current_index_dir(Settings.load(built_hash_home, encoder="hash").index_root)
    with np.load(report.index_dir / "columns.npz") as a, np.load(whole_dir / "columns.npz") as b:
        assert sorted(a.files) == sorted(b.files)
        assert all(np.array_equal(a[k], b[k]) for k in a.files)
    assert read_manifest(report.index_dir)["counts"] == read_manifest(whole_dir)["counts"] | {
        "embedded_now": report.embedded}
    streamed, whole = Searcher(settings), Searcher(Settings.load(built_hash_home, encoder="hash"))
    for q in QUERIES:
        for mode in ("hybrid", "keyword", "semantic"):
            a = [(h.passage_id, round(h.score, 5)) for h in streamed.search(q, k=10, mode=mode).hits]
            b = [(h.passage_id, round(h.score, 5)) for h in whole.search(q, k=10, mode=mode).hits]
            assert a == b and a, (q, mode)


def test_token_rows_keep_ids_and_index_like_token_lists(builtin):
    _, _, rows = builtin
    token_lists = keyword_tokens(BilingualTokenizer(), rows)
    compact = TokenRows.of(token_lists)
    assert compact.n_tokens == sum(1 for ts in token_lists for t in ts if t)
    a, b = KeywordIndex.build(compact), KeywordIndex.build(token_lists)
    assert a.vocab_size == b.vocab_size == len(compact.vocab)
    for tokens in (["电池", "回收"], ["battery", "recycling"], ["蓄電池"], ["nonexistentword"]):
        assert np.array_equal(a.scores(tokens), b.scores(tokens))
    with pytest.raises(TypeError, match="not a str"):
        TokenRows().append("battery recycling")


@pytest.mark.parametrize("method", ["lucene", "robertson", "atire"])
def test_the_lean_bm25_build_gives_bm25s_own_arrays(builtin, method):
    import bm25s
    from bm25s.tokenization import Tokenized
    from policyscope.index.keywords import _index_lean

    _, _, rows = builtin
    compact = TokenRows.of(keyword_tokens(BilingualTokenizer(), rows))
    theirs = bm25s.BM25(method=method)
    theirs.index(Tokenized(ids=compact, vocab=dict(compact.vocab)), show_progress=False)
    ours = bm25s.BM25(method=method)
    _index_lean(ours, compact, chunk=500)  # several chunks over the 2,969 passages
    assert ours.vocab_dict == theirs.vocab_dict
    assert ours.scores["num_docs"] == theirs.scores["num_docs"] == len(rows)
    for key in ("data", "indices", "indptr"):
        assert ours.scores[key].dtype == theirs.scores[key].dtype
        assert np.array_equal(ours.scores[key], theirs.scores[key]), key


def test_a_vector_file_reads_back_in_chunks_and_refuses_bad_rows(builtin_vectors, tmp_path):
    xb = builtin_vectors
    with VectorFile(xb.shape[1], directory=tmp_path) as spill:
        for start in range(0, len(xb), 500):
            spill.append(xb[start : start + 500])
        assert list(tmp_path.iterdir()) == []  # no named file to leave behind
        assert np.array_equal(np.concatenate(list(spill.chunks(rows=333))), xb)
        pick = np.array([0, 1, 499, 500, 2000, len(xb) - 1])
        assert np.array_equal(spill.take(pick), xb[pick])
        bad = xb[:2].copy()
        bad[1, 3] = np.nan
        with pytest.raises(ValueError, match="NaN"):
            spill.append(bad)
        with pytest.raises(ValueError, match="dimension"):
            spill.append(xb[:2, :10])
        assert spill.n == len(xb)


@pytest.mark.parametrize("kind", ["flat", "ivfpq"])
def test_an_index_built_from_a_vector_file_equals_one_built_from_the_array(builtin_vectors, tmp_path, kind):
    xb = builtin_vectors
    queries = xb[[5, 50, 500, 1500]]
    with VectorFile(xb.shape[1], directory=tmp_path) as spill:
        for start in range(0, len(xb), 700):
            spill.append(xb[start : start + 700])
        from_file = VectorIndex.build(spill, kind=kind)
    from_array = VectorIndex.build(xb, kind=kind)
    assert from_file.info() == from_array.info()
    for a, b in zip(from_file.search(queries, 10), from_array.search(queries, 10)):
        assert np.array_equal(a, b)


def test_column_parts_code_repeated_values_and_write_an_ordinary_npz(builtin, tmp_path):
    _, store, rows = builtin
    parts = ColumnParts()
    # Batches with different measure lists: a catalog-record batch first, the paper's passages later.
    for start in range(0, len(rows), 1000):
        parts.add(passage_columns(store, rows[start : start + 1000]))
    whole = passage_columns(store, rows)
    path = tmp_path / "columns.npz"
    save_columns(path, parts)
    with np.load(path, allow_pickle=False) as saved:
        assert sorted(saved.files) == sorted(whole)
        for key in whole:
            assert np.array_equal(saved[key], whole[key]), key
    assert sum(c.nbytes for c in parts._codes["doc_id"]) == 4 * len(rows) < whole["doc_id"].nbytes / 8
    parts.clear()
    assert len(parts) == 0 and list(parts) == []
