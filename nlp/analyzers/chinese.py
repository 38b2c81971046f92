"""Chinese keyword analyzer: jieba on Han runs, with a private dictionary per analyzer.

Also the one place that loads jieba for the rest of the package (the lexicon tagger, the
translator, spaCy's Chinese pipeline): :func:`jieba_tokenizer`, :func:`initialize_global_jieba`.
"""

from __future__ import annotations

import functools
import logging
import marshal
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from typing import Any, Literal

from policyscope.nlp.fold import fold_han
from policyscope.nlp.language import HAN_BMP
from policyscope.nlp.words import ZH_STOPWORDS

__all__ = ["ChineseAnalyzer", "Mode", "import_jieba", "initialize_global_jieba", "jieba_tokenizer"]

Mode = Literal["search", "precise"]
MODES: tuple[str, ...] = ("search", "precise")

_HAN_WORD = re.compile(f"[{HAN_BMP}]+")
# Lexicon terms must beat the default dictionary's split: with its suggested frequency
# 碳排放 still loses to 碳 + 排放量 in 我们要减少碳排放量; this weight makes it win.
_USER_WORD_FREQ = 1000


def import_jieba() -> Any:
    """Import jieba quietly: it logs "Building prefix dict ..." at DEBUG on its own stderr handler,
    and sets that level when imported, so the level must be lowered after the import."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


# Web requests run in threads (the web app, ui/workspace.py): two asking at once must not load it twice.
_prefix_lock = threading.Lock()


def _prefix_dictionary() -> tuple[dict[str, int], int]:
    """jieba's default prefix dictionary (word -> frequency, total), loaded once per process."""
    with _prefix_lock:
        return _load_prefix_dictionary()


@functools.lru_cache(maxsize=1)
def _load_prefix_dictionary() -> tuple[dict[str, int], int]:
    """Read jieba's default prefix dictionary the fast way (cached by :func:`_prefix_dictionary`).

    ``jieba.Tokenizer.initialize`` reads its marshal cache (``<tempdir>/jieba.cache``) with
    ``marshal.load`` on a file object, which reads it piece by piece: 0.6 s here. Reading the
    bytes first and ``marshal.loads`` takes 0.2 s. When the cache is missing or unreadable,
    jieba builds the dictionary (and writes the cache) as usual.
    """
    tok = import_jieba().Tokenizer()
    cache = os.path.join(tok.tmp_dir or tempfile.gettempdir(), "jieba.cache")
    try:
        with open(cache, "rb") as fh:
            freq, total = marshal.loads(fh.read())
        if not isinstance(freq, dict) or not freq or not isinstance(total, int):
            raise ValueError("not a jieba prefix dictionary")
    except (OSError, EOFError, ValueError, TypeError):
        tok.initialize()
        freq, total = tok.FREQ, tok.total
    return freq, total


def jieba_tokenizer() -> Any:
    """A private, initialised ``jieba.Tokenizer`` with the default dictionary.

    It holds its own copy of the prefix dictionary (10 ms), so words added to it never change
    how another tokenizer, or the process-wide ``jieba.dt``, segments text.
    """
    freq, total = _prefix_dictionary()
    tok = import_jieba().Tokenizer()
    tok.FREQ, tok.total, tok.initialized = dict(freq), total, True
    return tok


def initialize_global_jieba() -> None:
    """Initialise the process-wide ``jieba.dt`` from the shared dictionary (spaCy's Chinese
    tokenizer segments a word with it on creation, which would otherwise load it again)."""
    jieba = import_jieba()
    if jieba.dt.initialized:
        return
    if jieba.dt.dictionary != jieba.DEFAULT_DICT:  # someone chose another dictionary: jieba loads it
        jieba.dt.initialize()
        return
    freq, total = _prefix_dictionary()
    with jieba.dt.lock:
        if not jieba.dt.initialized:
            jieba.dt.FREQ, jieba.dt.total, jieba.dt.initialized = dict(freq), total, True


def normalize_word(raw: str) -> str:
    """A lexicon term as the analyzer sees text: NFKC, folded to Simplified Chinese, lower case."""
    return fold_han(unicodedata.normalize("NFKC", str(raw))).strip().lower()


class ChineseAnalyzer:
    """jieba on one Han run (already folded to Simplified Chinese), stopwords dropped.

    In search mode (the default) the parts of a long word come before the word:
    全固态锂电池 -> 固态, 全固态, 锂电, 电池, 锂电池. Words given to :meth:`add_words` are kept
    whole: after ``add_words(["碳排放"])``, 我们要减少碳排放量 -> 我们, 要, 减少, 排放, 碳排放, 量.
    jieba's HMM guessing of unknown words is off by default, because it can join the same
    characters differently in a short query and in a long passage, and then the query no longer
    matches. The dictionary is private to the analyzer and loaded on first use.
    """

    def __init__(self, *, mode: Mode = "search", hmm: bool = False, user_words: Iterable[str] = ()) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown tokenizer mode {mode!r}; available: {', '.join(MODES)}")
        self.mode: Mode = mode
        self.hmm = bool(hmm)
        self._jieba: Any = None
        self.user_words: dict[str, None] = {}  # ordered set: the order words were added in
        self.add_words(user_words)

    def _dictionary(self) -> Any:
        if self._jieba is None:
            dictionary = jieba_tokenizer()  # lazy: only Chinese text needs the dictionary
            for word in self.user_words:
                self._add_to_dictionary(dictionary, word)
            self._jieba = dictionary
        return self._jieba

    @staticmethod
    def _add_to_dictionary(dictionary: Any, word: str) -> None:
        freq = max(dictionary.FREQ.get(word) or 0, _USER_WORD_FREQ)
        dictionary.add_word(word, freq=freq)

    def add_words(self, words: Iterable[str]) -> int:
        """Add terms to the private dictionary; only words written entirely in Han count.

        Returns how many new words were added.
        """
        if isinstance(words, str):
            raise TypeError("add_words expects an iterable of words, not one string")
        added = 0
        for raw in words:
            word = normalize_word(raw)
            if not _HAN_WORD.fullmatch(word) or word in self.user_words:
                continue
            self.user_words[word] = None
            if self._jieba is not None:
                self._add_to_dictionary(self._jieba, word)
            added += 1
        return added

    def analyze(self, run: str) -> list[str]:
        """Tokens of one Han run (Simplified). Example: ``analyze("电池回收")`` -> ``["电池", "回收"]``."""
        dictionary = self._dictionary()
        if self.mode == "search":
            words = dictionary.cut_for_search(run, HMM=self.hmm)
        else:
            words = dictionary.cut(run, HMM=self.hmm)
        return [w for w in words if w not in ZH_STOPWORDS and not w.isspace()]
