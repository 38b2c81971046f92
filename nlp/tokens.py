"""One bilingual tokenizer for keyword (BM25) search, used at index time and at query time."""

from __future__ import annotations

import functools
import hashlib
import logging
import marshal
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from typing import Any, Literal

from policyscope.nlp.language import HAN_BMP, to_simplified
from policyscope.nlp.words import EN_STOPWORDS, ZH_STOPWORDS, s_stem

__all__ = ["TOKENIZER_VERSION", "BilingualTokenizer", "jieba_tokenizer"]

# Bump when a rule changes what tokens come out, so indexes built before are rejected.
TOKENIZER_VERSION = 1

Mode = Literal["search", "precise"]
Stem = Literal["none", "s"]
_MODES: tuple[str, ...] = ("search", "precise")
_STEMS: tuple[str, ...] = ("none", "s")

# Lexicon terms must beat the default dictionary's split: with its suggested frequency
# 碳排放 still loses to 碳 + 排放量 in 我们要减少碳排放量; this weight makes it win.
_USER_WORD_FREQ = 1000

_HAN_WORD = re.compile(f"[{HAN_BMP}]+")
_TOKEN = re.compile(
    rf"(?P<han>[{HAN_BMP}]+)"
    r"|(?P<kana>[\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff]+)"
    r"|(?P<hangul>[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]+)"
    r"|(?P<thousands>(?<![0-9a-z])[0-9]{1,3}(?:,[0-9]{3})+(?![0-9]))"
    r"|(?P<latin>[a-z0-9\u00df-\u00f6\u00f8-\u024f]+(?:[-'.][a-z0-9\u00df-\u00f6\u00f8-\u024f]+)*)"
    r"|(?P<other>(?:(?![\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff])[^\W_])+)"
)
_MEMO_SIZE = 100_000  # memoised runs per tokenizer before the memo is cleared
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


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


class BilingualTokenizer:
    """Tokens for BM25 over Chinese and English text, the same at index and query time.

    Text is NFKC-normalised (full-width ``ＥＵ`` -> ``EU``), converted from Traditional to
    Simplified Chinese and lower-cased. Then each run of one script is tokenised its own way:

    * Han runs by a private jieba dictionary, in search mode by default, which emits the
      parts of a long word before the word: 全固态锂电池 -> 固态, 全固态, 锂电, 电池, 锂电池.
      Terms given to :meth:`add_words` are kept whole: after ``add_words(["碳排放"])``,
      我们要减少碳排放量 -> 我们, 要, 减少, 排放, 碳排放, 量. jieba's HMM guessing of unknown
      words is off by default, because it can join the same characters differently in a
      short query and in a long passage, and then the query no longer matches.
    * Latin words and numbers by a regex that keeps ``li-ion``, ``2030``, ``3.5`` and
      ``co2`` whole (``2,000`` -> ``2000``; a number range ``2021-2030`` -> ``2021``, ``2030``),
      then an optional S-stemmer (``batteries`` -> ``battery``; ``stem="none"`` turns it off).
    * Kana and Hangul runs as overlapping character bigrams (the run itself when it is one
      character), since neither has a segmenter here.
    * Other letters (Cyrillic, Greek, Arabic ...) as whole words.

    Punctuation and whitespace are dropped, and so are small Chinese and English stopword
    lists (的 了 和 与 ..., the of and to a in ...). Output is deterministic.

    Example: ``BilingualTokenizer().tokenize("英国发布首个关键矿产战略 (UK Critical Minerals Strategy)")``
    -> ``["英国", "发布", "首个", "关键", "矿产", "战略", "uk", "critical", "mineral", "strategy"]``.
    """

    def __init__(
        self,
        *,
        mode: Mode = "search",
        hmm: bool = False,
        stem: Stem = "s",
        user_words: Iterable[str] = (),
    ) -> None:
        if mode not in _MODES:
            raise ValueError(f"unknown tokenizer mode {mode!r}; available: {', '.join(_MODES)}")
        if stem not in _STEMS:
            raise ValueError(f"unknown stemmer {stem!r}; available: {', '.join(_STEMS)}")
        self.mode: Mode = mode
        self.hmm = bool(hmm)
        self.stem: Stem = stem
        self._jieba: Any = None
        # Han run or Latin word -> its tokens. Most words and many Han runs repeat (a table header
        # is indexed with every row); jieba and the stemming rules are pure Python.
        self._memo: dict[str, list[str]] = {}
        self._user_words: dict[str, None] = {}  # ordered set: the order words were added in
        self.add_words(user_words)

    # --- jieba ------------------------------------------------------------------------

    def _dictionary(self) -> Any:
        if self._jieba is None:
            dictionary = jieba_tokenizer()  # lazy: only Chinese text needs the dictionary
            for word in self._user_words:
                self._add_to_dictionary(dictionary, word)
            self._jieba = dictionary
        return self._jieba

    @staticmethod
    def _add_to_dictionary(dictionary: Any, word: str) -> None:
        freq = max(dictionary.FREQ.get(word) or 0, _USER_WORD_FREQ)
        dictionary.add_word(word, freq=freq)

    def add_words(self, words: Iterable[str]) -> int:
        """Add lexicon terms to this tokenizer's jieba dictionary so they come out whole.

        Words are normalised like text (NFKC, Simplified, lower case). Only words written
        entirely in Han characters matter to jieba; others are skipped. Returns how many
        new words were added.

        Example: ``tok.add_words(["碳排放", "關鍵礦產", "carbon tax"])`` -> ``2``.
        """
        if isinstance(words, str):
            raise TypeError("add_words expects an iterable of words, not one string")
        added = 0
        for raw in words:
            word = to_simplified(unicodedata.normalize("NFKC", str(raw))).strip().lower()
            if not _HAN_WORD.fullmatch(word) or word in self._user_words:
                continue
            self._user_words[word] = None
            if self._jieba is not None:
                self._add_to_dictionary(self._jieba, word)
            added += 1
        if added:
            self._memo.clear()  # new words change how Han runs are cut
        return added

    # --- tokens -----------------------------------------------------------------------

    def _han(self, run: str) -> list[str]:
        dictionary = self._dictionary()
        if self.mode == "search":
            words = dictionary.cut_for_search(run, HMM=self.hmm)
        else:
            words = dictionary.cut(run, HMM=self.hmm)
        return [w for w in words if w not in ZH_STOPWORDS and not w.isspace()]

    def _latin(self, word: str) -> list[str]:
        word = word.removesuffix("'s")
        if word in EN_STOPWORDS or not word:
            return []
        if "-" in word and word.replace("-", "").isdigit():
            return [part for part in word.split("-") if part]
        if self.stem == "s":
            word = s_stem(word)
        return [word]

    def tokenize(self, text: str) -> list[str]:
        """Return the tokens of ``text`` in reading order.

        Example: ``tokenize("Li-ion batteries")`` -> ``["li-ion", "battery"]``;
        ``tokenize("電池")`` -> ``["电池"]``; ``tokenize("ＥＵ")`` -> ``["eu"]``.
        """
        if not isinstance(text, str):
            raise TypeError(f"tokenize expects str, got {type(text).__name__}")
        text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
        text = to_simplified(text).lower()
        tokens: list[str] = []
        memo = self._memo
        for m in _TOKEN.finditer(text):
            kind = m.lastgroup
            value = m.group()
            if kind == "han" or kind == "latin":
                words = memo.get(value)
                if words is None:
                    if len(memo) >= _MEMO_SIZE:
                        memo.clear()
                    words = memo[value] = self._han(value) if kind == "han" else self._latin(value)
                tokens.extend(words)
            elif kind == "thousands":
                tokens.append(value.replace(",", ""))
            elif kind in ("kana", "hangul"):
                tokens.extend(_bigrams(value))
            else:
                tokens.append(value)
        return tokens

    def tokenize_many(self, texts: Iterable[str]) -> list[list[str]]:
        """Tokenize each text; see :meth:`tokenize`."""
        return [self.tokenize(t) for t in texts]

    def __call__(self, text: str) -> list[str]:
        return self.tokenize(text)

    # --- manifest -----------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """JSON-able description recorded in an index manifest; a query tokenizer must match it."""
        import jieba

        stopwords = "\n".join(sorted(ZH_STOPWORDS | EN_STOPWORDS))
        user_words = "\n".join(sorted(self._user_words))
        return {
            "name": "bilingual",
            "version": TOKENIZER_VERSION,
            "mode": self.mode,
            "hmm": self.hmm,
            "normalization": "NFKC+zh-hans",
            "lowercase": True,
            "stem": self.stem,
            "kana_hangul": "bigram",
            "stopwords_hash": hashlib.sha256(stopwords.encode("utf-8")).hexdigest()[:16],
            "user_words": len(self._user_words),
            "user_words_hash": hashlib.sha256(user_words.encode("utf-8")).hexdigest()[:16],
            "jieba_version": getattr(jieba, "__version__", "unknown"),
        }
