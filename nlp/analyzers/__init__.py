"""Keyword analyzers, one module per language, and a registry by language code.

The keyword tokenizer (:mod:`policyscope.nlp.tokens`) cuts text into runs of one script and hands
each run to the analyzer of its language:

* ``zh`` (:mod:`.chinese`): jieba, search mode, on Han runs folded to Simplified Chinese.
* ``en`` (:mod:`.english`): Latin words and numbers, stopwords, the S-stemmer.
* ``ja`` (:mod:`.japanese`): SudachiPy with the core dictionary, C units plus their A-mode parts,
  normalised and folded to Simplified Chinese forms (蓄電池 -> 蓄电池, 蓄电, 池).
* ``ko`` (:mod:`.korean`): MeCab-ko, nouns (and compound nouns with their parts).

The Japanese and Korean analyzers hold a dictionary of 100-200 MB, so each is created once per
process and only when text in its language first appears: ``policyscope --help`` and a workspace
with only Chinese and English never import them. :func:`analyzer_settings` describes all of them
for an index manifest without loading any.
"""

from __future__ import annotations

import importlib
import threading
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol

__all__ = ["ANALYZERS", "Analyzer", "analyzer_settings", "get_analyzer", "package_version"]


class Analyzer(Protocol):
    """Tokens of one run of text in the analyzer's language (NFKC-normalised and lower-cased)."""

    def analyze(self, text: str) -> list[str]: ...


# Language -> (module, class, settings function) of the analyzers shared by every tokenizer in the
# process. Chinese and English are not here: their state is per tokenizer (jieba user words, the
# stemmer option), see BilingualTokenizer.
ANALYZERS: dict[str, tuple[str, str]] = {
    "ja": ("policyscope.nlp.analyzers.japanese", "JapaneseAnalyzer"),
    "ko": ("policyscope.nlp.analyzers.korean", "KoreanAnalyzer"),
}

_instances: dict[str, Analyzer] = {}
_lock = threading.Lock()


def get_analyzer(lang: str) -> Analyzer:
    """The process-wide analyzer for ``lang``, created (and its dictionary loaded) on first use.

    Raises:
        ValueError: no analyzer for ``lang``.
    """
    analyzer = _instances.get(lang)
    if analyzer is not None:
        return analyzer
    if lang not in ANALYZERS:
        raise ValueError(f"no keyword analyzer for language {lang!r}; available: {', '.join(ANALYZERS)}")
    with _lock:  # two web requests asking at once must not load a dictionary twice
        analyzer = _instances.get(lang)
        if analyzer is None:
            module, cls = ANALYZERS[lang]
            analyzer = _instances[lang] = getattr(importlib.import_module(module), cls)()
    return analyzer


def package_version(name: str) -> str:
    """An installed distribution's version, or ``"missing"`` (read from metadata, nothing imported)."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "missing"


def analyzer_settings() -> dict[str, Any]:
    """What an index records about the Japanese and Korean analyzers (no dictionary is loaded)."""
    out: dict[str, Any] = {}
    for lang, (module, _) in ANALYZERS.items():
        out[lang] = importlib.import_module(module).settings()
    return out
