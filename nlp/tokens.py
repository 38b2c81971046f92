"""The keyword (BM25) tokenizer for Chinese, English, Japanese and Korean, used at index time and at
query time. The analyzers of each language are in :mod:`policyscope.nlp.analyzers`."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from policyscope.nlp.analyzers import analyzer_settings, get_analyzer, package_version
from policyscope.nlp.analyzers.chinese import (
    ChineseAnalyzer,
    Mode,
    import_jieba,
    initialize_global_jieba,
    jieba_tokenizer,
)
from policyscope.nlp.analyzers.english import EnglishAnalyzer, Stem
from policyscope.nlp.fold import fold_han, fold_settings
from policyscope.nlp.language import HAN_BMP, LANGUAGES, detect_language
from policyscope.nlp.words import EN_STOPWORDS, JA_STOPWORDS, ZH_STOPWORDS

__all__ = [
    "TOKENIZER_VERSION",
    "BilingualTokenizer",
    "check_index_tokenizer",
    "import_jieba",
    "initialize_global_jieba",
    "jieba_tokenizer",
]

# Bump when a rule changes what tokens come out, so indexes built before are rejected.
# 2: Japanese and Korean analyzers instead of kana/Hangul bigrams; Han folding (OpenCC) instead of zhconv.
# 3: currency signs are words ($700 million -> dollar 700 million), so 7億ドル and 7亿美元 reach it.
TOKENIZER_VERSION = 3

# Han characters, with the ideographic iteration and closing marks 々 〆 〇 〻 that Japanese writes
# inside kanji words (各々, 人々) and the supplementary planes (Extension B and after).
_HAN = HAN_BMP + "\u3005-\u3007\u303b\U00020000-\U0003134f"
_TOKEN = re.compile(
    rf"(?P<han>[{_HAN}]+)"
    r"|(?P<kana>[\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff]+)"
    r"|(?P<hangul>[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]+)"
    r"|(?P<thousands>(?<![0-9a-z])[0-9]{1,3}(?:,[0-9]{3})+(?![0-9]))"
    r"|(?P<latin>[a-z0-9\u00df-\u00f6\u00f8-\u024f]+(?:[-'.][a-z0-9\u00df-\u00f6\u00f8-\u024f]+)*)"
    r"|(?P<currency>[$\u20ac\u00a3\u20a9])"
    r"|(?P<other>(?:(?![\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff])[^\W_])+)"
)
# Scripts that make one run for the analyzer of the text's language: in Japanese text, kanji and
# kana together (蓄電池の備蓄), with the punctuation and spaces between them; in Korean text, Hangul
# words with the spaces between them. Han in Korean text goes to jieba: it is mostly Chinese (the
# catalog's "2030二次电池产业发展战略 (2030 이차전지 산업 발전 전략)" reads as Korean), rarely Hanja.
# Latin words and numbers always go to the English analyzer, also inside such a run.
_NATIVE: dict[str, frozenset[str]] = {"ja": frozenset({"han", "kana"}), "ko": frozenset({"hangul"})}
_KANA_OR_HANGUL = re.compile(r"[\u3040-\u30fa\u30fc-\u30ff\uac00-\ud7af\u3130-\u318f]")
_HAN_RUN = re.compile(f"[{_HAN}]")
_MEMO_SIZE = 100_000  # memoised runs per tokenizer before the memo is cleared
# Currency signs read as the word an English query (or a translated 美元/ドル/달러) uses; ¥ is left
# out: it is yen in Japan and yuan in China.
_CURRENCY = {"$": "dollar", "\u20ac": "euro", "\u00a3": "pound", "\u20a9": "won"}
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


class BilingualTokenizer:
    """Tokens for BM25 over Chinese, English, Japanese and Korean text, the same at index and query time.

    Text is NFKC-normalised (full-width ``ＥＵ`` -> ``EU``) and lower-cased, then cut into runs of
    one script, and each run is given to an analyzer (:mod:`policyscope.nlp.analyzers`):

    * Han runs of Chinese (or English, or unknown) text: folded to Simplified Chinese
      (:func:`~policyscope.nlp.fold.fold_han`: 電池 -> 电池, and Japanese forms such as 経済 ->
      经济), then jieba in search mode: 全固态锂电池 -> 固态, 全固态, 锂电, 电池, 锂电池.
      Terms given to :meth:`add_words` are kept whole.
    * Japanese text (``lang="ja"``): each run of kanji and kana, with the punctuation between, to
      Sudachi: C units plus their A parts, normalised and folded to Simplified Chinese forms,
      so 密閉形蓄電池 -> 密闭, 形, 蓄电池, 蓄电, 池 and the Chinese query 蓄电池 meets it.
    * Korean text (``lang="ko"``): each run of Hangul words to MeCab-ko, nouns only
      (공급망을 비축하여야 -> 공급, 망, 비축). Kana or Hangul inside text of another language go to
      the same analyzers, one run at a time.
    * Latin words and numbers, in text of any language: a regex that keeps ``li-ion``, ``2030``,
      ``3.5`` and ``co2`` whole (``2,000`` -> ``2000``; ``2021-2030`` -> ``2021``, ``2030``), then
      the S-stemmer (``batteries`` -> ``battery``; ``stem="none"`` turns it off).
    * Other letters (Cyrillic, Greek, Arabic ...) as whole words.

    Punctuation and whitespace are dropped, and so are small stopword lists per language. The
    language of a text is the ``lang`` given (a passage's stored language), else
    :func:`~policyscope.nlp.language.detect_language` of the text: Han-only text is Chinese then.
    The Japanese and Korean dictionaries load when text in that language first appears.

    Example: ``BilingualTokenizer().tokenize("英国发布首个关键矿产战略 (UK Critical Minerals Strategy)")``
    -> ``["英国", "发布", "首个", "关键", "矿产", "战略", "uk", "critical", "mineral", "strategy"]``;
    ``tokenize("金属鉱産物の備蓄", "ja")`` -> ``["金属", "矿产", "物", "备蓄"]``.
    """

    def __init__(
        self,
        *,
        mode: Mode = "search",
        hmm: bool = False,
        stem: Stem = "s",
        user_words: Iterable[str] = (),
    ) -> None:
        self._zh = ChineseAnalyzer(mode=mode, hmm=hmm, user_words=user_words)
        self._en = EnglishAnalyzer(stem=stem)
        # Han run or Latin word -> its tokens. Most words and many Han runs repeat (a table header
        # is indexed with every row); jieba and the stemming rules are pure Python.
        self._memo: dict[str, list[str]] = {}
        # (language, run) -> tokens for the Japanese and Korean analyzers.
        self._native_memo: dict[tuple[str, str], list[str]] = {}

    @property
    def mode(self) -> Mode:
        return self._zh.mode

    @property
    def hmm(self) -> bool:
        return self._zh.hmm

    @property
    def stem(self) -> Stem:
        return self._en.stem

    def add_words(self, words: Iterable[str]) -> int:
        """Add lexicon terms to this tokenizer's jieba dictionary so they come out whole.

        Words are normalised like text (NFKC, folded to Simplified, lower case). Only words written
        entirely in Han characters matter to jieba; others are skipped. Returns how many new words
        were added.

        Example: ``tok.add_words(["碳排放", "關鍵礦產", "carbon tax"])`` -> ``2``.
        """
        added = self._zh.add_words(words)
        if added:
            self._memo.clear()  # new words change how Han runs are cut
        return added

    # --- tokens -----------------------------------------------------------------------

    def _memoised(self, kind: str, value: str) -> list[str]:
        memo = self._memo
        words = memo.get(value)
        if words is None:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            words = memo[value] = self._zh.analyze(fold_han(value)) if kind == "han" else self._en.analyze(value)
        return words

    def _native(self, lang: str, run: str) -> list[str]:
        memo = self._native_memo
        key = (lang, run)
        words = memo.get(key)
        if words is None:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            words = memo[key] = get_analyzer(lang).analyze(run)
        return words

    def tokenize(self, text: str, lang: str | None = None) -> list[str]:
        """Return the tokens of ``text`` in reading order.

        Args:
            text: the text.
            lang: its language (``zh``, ``en``, ``ja``, ``ko``, ``other``), e.g. a passage's stored
                ``lang``; None detects it. It decides which analyzer reads the Han characters:
                Sudachi in Japanese text, jieba in any other.

        Example: ``tokenize("Li-ion batteries")`` -> ``["li-ion", "battery"]``;
        ``tokenize("電池")`` -> ``["电池"]``; ``tokenize("ＥＵ")`` -> ``["eu"]``;
        ``tokenize("講じなければ", "ja")`` -> ``["讲じる"]``.
        """
        if not isinstance(text, str):
            raise TypeError(f"tokenize expects str, got {type(text).__name__}")
        if lang is None:
            lang = detect_language(text)
        elif lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; available: {', '.join(LANGUAGES)}")
        text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
        native = _NATIVE.get(lang)
        tokens: list[str] = []
        run_start = -1  # start of the pending run for the native analyzer
        run_end = -1
        for m in _TOKEN.finditer(text):
            kind = m.lastgroup
            if native is not None and kind in native:
                if run_start < 0:
                    run_start = m.start()
                run_end = m.end()
                continue
            if run_start >= 0:
                tokens.extend(self._native(lang, text[run_start:run_end]))
                run_start = -1
            value = m.group()
            if kind == "han" or kind == "latin":
                tokens.extend(self._memoised(kind, value))
            elif kind == "thousands":
                tokens.append(value.replace(",", ""))
            elif kind == "currency":
                tokens.append(_CURRENCY[value])
            elif kind == "kana":
                tokens.extend(self._native("ja", value))
            elif kind == "hangul":
                tokens.extend(self._native("ko", value))
            else:
                tokens.append(value)
        if run_start >= 0:
            tokens.extend(self._native(lang, text[run_start:run_end]))
        return tokens

    def tokenize_query(self, query: str) -> list[str]:
        """Tokens of a query whose language is not given: :meth:`tokenize`, plus a Japanese reading
        of a query written in Han characters only.

        Such a query may be Chinese or Japanese (備蓄, 再資源化, 経済安全保障 are Japanese words), and
        detection calls it Chinese. jieba knows only Chinese words and cuts 備蓄 (folded 备蓄) into
        备 + 蓄, while the Japanese passages hold the token 备蓄. So jieba's tokens are followed by
        the Japanese analyzer's multi-character tokens that jieba did not give: 備蓄 -> 备, 蓄, 备蓄;
        再資源化 -> 再, 资源, 资源化, 再资源化. Measured (2026-12): search_dev and search_concept_dev
        are unchanged in hybrid and keyword mode (Chinese queries gain only tokens no Chinese
        passage holds). It loads the Japanese dictionary on the first Han-only query (0.25 s,
        90 MB), so call it only when the index holds Japanese passages.

        Example: ``tokenize_query("備蓄")`` -> ``["备", "蓄", "备蓄"]``;
        ``tokenize_query("蓄電池の備蓄")`` (kana: Japanese) -> ``tokenize("蓄電池の備蓄", "ja")``.
        """
        lang = detect_language(query)
        tokens = self.tokenize(query, lang)
        if lang != "zh" or _KANA_OR_HANGUL.search(query) or not _HAN_RUN.search(query):
            return tokens
        seen = set(tokens)
        extra = [t for t in dict.fromkeys(self.tokenize(query, "ja")) if len(t) > 1 and t not in seen]
        return tokens + extra

    def tokenize_many(self, texts: Iterable[str], langs: Sequence[str | None] | None = None) -> list[list[str]]:
        """Tokenize each text, with its language from ``langs`` (detected where None); see :meth:`tokenize`."""
        if langs is None:
            return [self.tokenize(t) for t in texts]
        texts = list(texts)
        if len(langs) != len(texts):
            raise ValueError(f"tokenize_many got {len(texts)} texts but {len(langs)} languages")
        return [self.tokenize(t, lang) for t, lang in zip(texts, langs)]

    def __call__(self, text: str, lang: str | None = None) -> list[str]:
        return self.tokenize(text, lang)

    # --- manifest -----------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """JSON-able description recorded in an index manifest; a query tokenizer must match it.

        Loads no dictionary: analyzer versions come from package metadata.
        """
        stopwords = "\n".join(sorted(ZH_STOPWORDS | EN_STOPWORDS | JA_STOPWORDS))
        user_words = "\n".join(sorted(self._zh.user_words))
        return {
            "name": "multilingual",
            "version": TOKENIZER_VERSION,
            "mode": self.mode,
            "hmm": self.hmm,
            "normalization": "NFKC",
            "fold": fold_settings(),
            "lowercase": True,
            "stem": self.stem,
            "stopwords_hash": hashlib.sha256(stopwords.encode("utf-8")).hexdigest()[:16],
            "user_words": len(self._zh.user_words),
            "user_words_hash": hashlib.sha256(user_words.encode("utf-8")).hexdigest()[:16],
            "jieba_version": package_version("jieba"),
            "analyzers": analyzer_settings(),
        }


def _differences(recorded: Mapping[str, Any], current: Mapping[str, Any], prefix: str = "") -> list[str]:
    """``"key old -> new"`` for each setting that differs, nested keys joined by dots."""

    def show(value: Any) -> str:
        return "{" + ", ".join(map(str, value)) + "}" if isinstance(value, Mapping) else str(value)

    out = []
    for key in sorted(set(recorded) | set(current)):
        old, new = recorded.get(key, "missing"), current.get(key, "missing")
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            out.extend(_differences(old, new, f"{prefix}{key}."))
        elif old != new:
            out.append(f"{prefix}{key} {show(old)} -> {show(new)}")
    return out


def check_index_tokenizer(recorded: Mapping[str, Any] | None, where: str, tokenizer: BilingualTokenizer) -> None:
    """Raise when an index's tokens were made by other tokenizer settings than ``tokenizer``'s.

    Query tokens must be cut exactly as the indexed ones were; an index built by an older version
    (or with another analyzer dictionary) would answer with silent misses.

    Args:
        recorded: the ``"tokenizer"`` entry of the index manifest.
        where: the index directory, for the message.
        tokenizer: the tokenizer that will cut the queries.

    Raises:
        IndexMismatchError: "<where>: index built with other tokenizer settings (version 1 -> 2, ...);
            run `policyscope build` to rebuild it".
    """
    from policyscope.corpus.errors import IndexMismatchError

    current = tokenizer.settings()
    if recorded == current:
        return
    diffs = _differences(recorded or {}, current)
    shown = "; ".join(diffs[:4]) + (f"; and {len(diffs) - 4} more" if len(diffs) > 4 else "")
    raise IndexMismatchError(
        f"{where}: index built with other keyword tokenizer settings ({shown}); run `policyscope build` to rebuild it"
    )
