"""policyscope: a four-language (zh/en/ja/ko) policy corpus with hybrid search, comparison and measure tagging.

The pipeline's stages are the subpackages ``policyscope.corpus`` → ``policyscope.nlp`` →
``policyscope.index`` → ``policyscope.ui``. For notebooks and scripts the names below are all you
need (see docs/api.md)::

    import policyscope
    ws = policyscope.Workspace("~/policy-home")
    ws.build()
    ws.search("battery recycling", country=["US", "日本"], k=5).to_pandas()

They load on first use, so ``import policyscope`` (and the ``policyscope`` command) stays instant.
"""

from __future__ import annotations

from importlib import import_module
from pkgutil import extend_path
from typing import TYPE_CHECKING, Any

# The stage subpackages install from their own folders (setuptools package-dir); when a source checkout's
# policyscope/ shadows an installed copy (python run from the repository root), find them there too.
__path__ = extend_path(__path__, __name__)

if TYPE_CHECKING:
    from policyscope.corpus.config import Settings
    from policyscope.corpus.errors import ConfigError, LoadError, PolicyscopeError, QueryError
    from policyscope.corpus.records import Document, Passage, Tag
    from policyscope.index.compare import MeasureTable
    from policyscope.index.search import Hit, SearchFilters, SearchResult
    from policyscope.ui.api import TaggedText, Workspace

#: Public name → the module that defines it.
_EXPORTS = {
    "Workspace": "policyscope.ui.api",
    "TaggedText": "policyscope.ui.api",
    "Settings": "policyscope.corpus.config",
    "Document": "policyscope.corpus.records",
    "Passage": "policyscope.corpus.records",
    "Tag": "policyscope.corpus.records",
    "Hit": "policyscope.index.search",
    "SearchFilters": "policyscope.index.search",
    "SearchResult": "policyscope.index.search",
    "MeasureTable": "policyscope.index.compare",
    "PolicyscopeError": "policyscope.corpus.errors",
    "ConfigError": "policyscope.corpus.errors",
    "LoadError": "policyscope.corpus.errors",
    "QueryError": "policyscope.corpus.errors",
}

__all__ = [
    "ConfigError", "Document", "Hit", "LoadError", "MeasureTable", "Passage", "PolicyscopeError", "QueryError",
    "SearchFilters", "SearchResult", "Settings", "Tag", "TaggedText", "Workspace", "__version__",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("policyscope")
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'policyscope' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
