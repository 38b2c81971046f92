"""Index backends by name: where the vectors and BM25 of an index live.

``faiss`` (the default) keeps them in files of the index directory and searches in-process;
``milvus`` keeps them in a Milvus collection (Milvus Lite in a local file, or a server or cluster)
and the index directory holds the manifest, the row order and the filter columns. Either way
``indexes/CURRENT`` names the complete index a search reads, and the ``Searcher`` sees the same
``LoadedIndex`` interface: ``ids``, ``columns``, ``vectors.search`` and ``keywords.scores``.

The manifest says which backend built an index, so a search reads it with that backend whatever
``--backend`` says; ``--backend`` chooses what ``build`` and ``add`` write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policyscope.corpus.config import Settings
from policyscope.corpus.errors import ConfigError

if TYPE_CHECKING:
    from policyscope.index.build import BuildReport
    from policyscope.index.search.loaded_index import LoadedIndex


@dataclass(frozen=True)
class Backend:
    """One backend: how it builds an index and how it loads one for searching."""

    name: str
    build: Callable[..., BuildReport]
    load: Callable[[Path, Settings], LoadedIndex]


def _faiss() -> Backend:
    from policyscope.index.build import build_index
    from policyscope.index.search.loaded_index import LoadedIndex

    return Backend("faiss", build_index, lambda path, settings: LoadedIndex(path))


def _milvus() -> Backend:
    from policyscope.index.backends.milvus import MilvusLoadedIndex, require_pymilvus
    from policyscope.index.backends.milvus_build import build_milvus

    require_pymilvus()
    return Backend("milvus", build_milvus, MilvusLoadedIndex)


# Factories, so that naming a backend imports only its own dependencies (pymilvus is an extra).
# corpus.config.INDEX_BACKENDS validates the setting before this stage is imported; a test keeps it equal.
_BACKENDS: dict[str, Callable[[], Backend]] = {"faiss": _faiss, "milvus": _milvus}


def get_backend(name: str) -> Backend:
    """The backend called ``name``.

    Raises:
        ConfigError: an unknown name (the message lists the available ones), or a backend whose
            optional packages are not installed (the message says which extra to install).
    """
    factory = _BACKENDS.get(name)
    if factory is None:
        raise ConfigError(f"unknown index backend {name!r}; available: {', '.join(_BACKENDS)}")
    return factory()


def load_index(path: Path, settings: Settings) -> LoadedIndex:
    """Load an index directory with the backend its manifest names (``faiss`` for older manifests)."""
    from policyscope.index.build import read_manifest

    manifest: dict[str, Any] = read_manifest(path)
    return get_backend(manifest.get("backend", "faiss")).load(path, settings)
