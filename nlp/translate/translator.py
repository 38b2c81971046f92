"""The query translator: a query and its dictionary translation into the other language.

Resources, in order of trust: the curated glossary (:mod:`.glossary`), the number rules
(:mod:`.numbers`), then CC-CEDICT (:mod:`.dictionary`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path

from policyscope.nlp.language import contains_han, detect_language, to_simplified
from policyscope.nlp.translate.cjk import japanese_terms, korean_terms
from policyscope.nlp.translate.dictionary import Cedict, cedict_path
from policyscope.nlp.translate.english import LATIN_TOKEN, en_keys, fold_word, normalize_en
from policyscope.nlp.translate.glossary import GlossaryEntry, GlossaryIndex, read_glossary
from policyscope.nlp.translate.jmdict import JapaneseDictionary
from policyscope.nlp.translate.numbers import number_spans
from policyscope.nlp.translate.terms import Expansion, QueryLang, Term, row_term
from policyscope.nlp.words import EN_QUERY_STOPWORDS, ZH_QUERY_STOPWORDS

# Longest glossary phrase in tokens; the longest curated variant is well below this.
_MAX_PHRASE = 8

class QueryTranslator:
    """Expand a query with its dictionary translation between Chinese, English, Japanese and Korean.

    English -> Chinese: normalise (NFKC, lowercase, singular, American spelling), match glossary
    phrases longest-first over word keys, render number expressions, then look the remaining content
    words up in a reverse index of CC-CEDICT (English gloss -> headwords), keeping at most three
    headwords per word ranked by sense order, jieba frequency and length. Words nobody knows (names,
    acronyms) are passed through, since Chinese text often quotes them (MSP, GWh).

    Chinese -> English: convert to simplified, segment with a private jieba tokenizer that knows the
    glossary's Chinese terms, translate each token from the glossary, else the number rules, else the
    first two CC-CEDICT definitions; an unknown token is split into the longest known pieces.

    Japanese and Korean (:mod:`.cjk`): glossary terms matched longest-first in the query's own script,
    number expressions (7億ドル, 10조원), then for Japanese the JMdict word list (ja -> en). A glossary
    row carries all four languages, so every glossary term is rendered in each of the other three;
    Japanese kanji need no rendering to reach Chinese passages, since both sides of the keyword
    index fold Han characters to Simplified Chinese.

    Example: "Korean won budget to commercialise solid-state batteries" gives the glossary terms
    "korean won"→韩元, "budget"→财政|预算|经费, "commercialise"→商业化|商用化 and "solid-state
    batteries"→固态电池, so ``text_zh`` is "韩元 财政 预算 经费 商业化 商用化 固态电池". The longest
    phrase wins: "korean won" is the currency, not Korea plus the past tense of "win" (赢), which is
    what word-by-word CC-CEDICT lookup would give.

    Args:
        glossary_path: A glossary TSV to use instead of the packaged one.
        use_cedict: Set False to translate with the glossary and number rules only (fast, for tests).
    """

    def __init__(self, glossary_path: str | Path | None = None, *, use_cedict: bool = True):
        self._glossary_path = glossary_path
        self._use_cedict = use_cedict

    # ---- lazily built resources ----------------------------------------------------------------

    @cached_property
    def glossary(self) -> list[GlossaryEntry]:
        return read_glossary(self._glossary_path)

    @cached_property
    def _index(self) -> GlossaryIndex:
        return GlossaryIndex(self.glossary)

    @cached_property
    def _jmdict(self) -> JapaneseDictionary:
        return JapaneseDictionary()

    @cached_property
    def _jieba(self):
        from policyscope.nlp.tokens import jieba_tokenizer

        # A private tokenizer: adding glossary words to jieba's global dictionary would change how
        # the index stage segments passages.
        tok = jieba_tokenizer()
        for zh in self._index.by_zh:
            if len(zh) > 1:
                tok.add_word(zh, freq=max(tok.suggest_freq(zh, tune=False), 1000))
        return tok

    @cached_property
    def _cedict(self) -> Cedict | None:
        if not self._use_cedict:
            return None
        return Cedict(cedict_path(), self._jieba.FREQ)

    # ---- public API ----------------------------------------------------------------------------

    def expand(self, query: str) -> Expansion:
        """Translate ``query``; an empty or punctuation-only query gives an empty expansion."""
        if not isinstance(query, str):
            raise TypeError(f"query must be a str, got {type(query).__name__}")
        text = unicodedata.normalize("NFKC", query).strip()
        lang = query_language(text)
        if not re.search(r"\w", text):
            return Expansion(source_lang=lang)
        if lang == "ja":
            return self._expand_cjk(text, "ja", japanese_terms(text, self._index, self._jmdict, self._en_lookup))
        if lang == "ko":
            return self._expand_cjk(text, "ko", korean_terms(text, self._index))
        if lang == "zh":
            return self._expand_zh(text)
        return self._expand_en(text)

    # ---- English -> Chinese ----------------------------------------------------------------------

    def _en_terms(self, text: str) -> tuple[list[Term], list[str]]:
        """Terms for an English text and the content words no resource could translate."""
        norm = normalize_en(text)
        tokens = [(m.start(), m.end(), m.group()) for m in LATIN_TOKEN.finditer(norm)]
        keys = [fold_word(t) for _, _, t in tokens]
        found: list[tuple[int, Term]] = []  # (char start, term)
        used = [False] * len(tokens)

        def claim(i: int, n: int, make: Callable[[str], Term]) -> None:
            """Tokens i..i+n-1 become one term; no later rule may take them."""
            found.append((tokens[i][0], make(norm[tokens[i][0] : tokens[i + n - 1][1]])))
            used[i : i + n] = [True] * n

        def glossary_pass(with_digits: bool) -> None:
            i = 0
            while i < len(tokens):
                for n in range(min(_MAX_PHRASE, len(tokens) - i), 0, -1):
                    if any(used[i : i + n]):
                        continue
                    span = keys[i : i + n]
                    if with_digits != any(k[0].isdigit() for k in span):
                        continue
                    entries = self._index.by_en.get(tuple(span))
                    if entries:
                        claim(i, n, lambda src, e=entries: row_term(src, e, "en"))
                        i += n
                        break
                else:
                    i += 1

        # 1. glossary names that contain a number ("battery 2030+", "horizon 2020") before the number
        #    rules take the digits; 2. numbers, before the glossary claims their units ("billion" ->
        #    十亿, "dollars" -> 美元); 3. the rest of the glossary, longest phrase first.
        glossary_pass(with_digits=True)
        for start, end, src, targets in number_spans(norm, "en"):
            idx = [j for j, (s, e, _) in enumerate(tokens) if s < end and start < e]
            if any(used[j] for j in idx):
                continue
            for j in idx:
                used[j] = True
            found.append((start, Term(src, tuple(targets), "number")))
        glossary_pass(with_digits=False)

        # 4. CC-CEDICT: phrases of 2-3 words that are a whole gloss, then single words
        unknown: list[str] = []
        cedict = self._cedict
        i = 0
        while i < len(tokens):
            if used[i]:
                i += 1
                continue
            matched = False
            if cedict is not None:
                for n in (3, 2):
                    span = keys[i : i + n]
                    if (
                        len(span) == n
                        and not any(used[i : i + n])
                        and span[0] not in EN_QUERY_STOPWORDS
                        and span[-1] not in EN_QUERY_STOPWORDS
                        and cedict.has_phrase(tuple(span))
                    ):
                        zh = cedict.english_to_zh(tuple(span))
                        if zh:
                            claim(i, n, lambda src, zh=zh: Term(src, tuple(zh), "cedict", ("zh",) * len(zh)))
                            i += n
                            matched = True
                            break
            if matched:
                continue
            word, key = tokens[i][2], keys[i]
            if word not in EN_QUERY_STOPWORDS and key not in EN_QUERY_STOPWORDS and not word.isdigit():
                zh = cedict.english_to_zh((key,)) if cedict is not None else []
                if zh:
                    found.append((tokens[i][0], Term(word, tuple(zh), "cedict", ("zh",) * len(zh))))
                elif len(word) > 1:
                    unknown.append(word)
            used[i] = True
            i += 1
        found.sort(key=lambda x: x[0])
        return [t for _, t in found], unknown

    def _expand_en(self, text: str) -> Expansion:
        terms, unknown = self._en_terms(text)
        zh_parts = _unique(t for term in terms for t in term.in_lang("zh"))
        zh_parts += [w for w in _unique(unknown) if w not in zh_parts]
        return Expansion("en", tuple(terms), " ".join(zh_parts), text)

    # ---- Chinese -> English ----------------------------------------------------------------------

    def _expand_zh(self, text: str) -> Expansion:
        text = to_simplified(text)
        terms: list[Term] = []
        extra_zh: list[str] = []
        # Number expressions first (3066亿韩元 would otherwise be cut into 3066 / 亿韩元), then jieba
        # segments the text between them.
        pos = 0
        for start, end, src, targets in [*number_spans(text, "zh"), (len(text), len(text), "", [])]:
            for token in self._jieba.lcut(text[pos:start], HMM=True) if start > pos else ():
                token = token.strip()
                if not token or not re.search(r"\w", token) or token in ZH_QUERY_STOPWORDS:
                    continue
                if not contains_han(token):
                    # Latin inside a Chinese query (MSP, EV): translate it into Chinese as well.
                    en_terms, _ = self._en_terms(token)
                    terms.extend(en_terms)
                    extra_zh.extend(t for term in en_terms for t in term.in_lang("zh"))
                    continue
                terms.extend(self._zh_token_terms(token))
            if src:
                terms.append(Term(src, tuple(targets), "number"))
            pos = end
        en_parts = _unique(
            t for term in terms if contains_han(term.source) or term.origin == "number" for t in term.in_lang("en")
        )
        en_parts += [t.source for t in terms if not contains_han(t.source) and t.origin != "number"]
        text_zh = " ".join([text, *_unique(extra_zh)]) if extra_zh else text
        return Expansion("zh", tuple(terms), text_zh, " ".join(_unique(en_parts)))

    def _zh_word_term(self, word: str) -> Term | None:
        entry = self._index.by_zh.get(word)
        if entry is not None:
            return row_term(word, [entry], "zh")
        if self._cedict is not None:
            en = self._cedict.zh_to_english(word)
            if en:
                return Term(word, tuple(en), "cedict", ("en",) * len(en))
        return None

    def _zh_token_terms(self, token: str) -> list[Term]:
        term = self._zh_word_term(token)
        if term is not None:
            return [term]
        # Unknown word: cover it with the longest known pieces (短链化 -> 短链 + 化 fails, 短 + 链化 ...).
        out: list[Term] = []
        i = 0
        while i < len(token):
            for n in range(min(6, len(token) - i), 0, -1):
                piece = token[i : i + n]
                if n == 1 and piece in ZH_QUERY_STOPWORDS:
                    continue
                term = self._zh_word_term(piece)
                if term is not None:
                    out.append(term)
                    i += n
                    break
            else:
                i += 1
        return out


    # ---- Japanese and Korean ---------------------------------------------------------------------

    def _en_lookup(self, english: str) -> list[tuple[str, str]]:
        """Chinese and Korean renderings of an English gloss through the glossary (not CC-CEDICT:
        a JMdict gloss such as "goods" would pull in CC-CEDICT's every sense)."""
        out: list[tuple[str, str]] = []
        for entry in self._index.by_en.get(en_keys(english), ()):
            out.append((entry.zh, "zh"))
            out.extend((v, "ko") for v in entry.ko)
        return out

    def _expand_cjk(self, text: str, lang: QueryLang, terms: list[Term]) -> Expansion:
        zh = _unique(t for term in terms for t in term.in_lang("zh"))
        en = _unique(t for term in terms for t in term.in_lang("en"))
        return Expansion(lang, tuple(terms), " ".join(zh), " ".join(en))


def query_language(text: str) -> QueryLang:
    """The language a query is translated from: Korean or Japanese when its script says so
    (Hangul; kana), else Chinese when it holds any Han character, else English."""
    lang = detect_language(text)
    if lang in ("ja", "ko"):
        return lang
    return "zh" if contains_han(text) else "en"


def _unique(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return out
