"""Sentences: where they end in each language, and where an over-long one may be cut.

:func:`split_sentences` is the public entry (also used for a tag's evidence sentences); the
segmenter (:mod:`.segment`) packs these sentences into passage windows and cuts a sentence
longer than a window at clause punctuation, whitespace or word boundaries (:func:`cut_long`).

spaCy and jieba never see more than ``PIECE_CHARS`` characters at once (see :func:`text_pieces`),
so a 10 M-character spreadsheet cell is cut like any paragraph.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import pairwise
from typing import Any

from policyscope.nlp.language import LANGUAGES

__all__ = ["MIXED", "PIECE_CHARS", "english_pipeline", "split_sentences", "text_pieces"]

Span = tuple[int, int]
# The ``lang`` of split_sentences for text of mixed or unknown language.
MIXED = "mixed"

CJK_LANGS = frozenset({"zh", "ja"})

_CLOSERS = "”’」』）)］]】》〉"
# Chinese sentence ends; ASCII !? only when followed by space, CJK or the end, so that a
# URL's "?uri=" does not end a sentence.
_CJK_SENTENCE_END = re.compile(
    rf"(?:[。！？；]+|[!?]+(?=[\s\u3000-\u9fff\uff00-\uffef]|$))[{re.escape(_CLOSERS)}]*"
)
# Text that mixes Chinese and English, cut in one pass without knowing its language (a tag's evidence
# sentence): Chinese or ASCII sentence ends with their closing quotes, a full stop before a space or
# the end of the text (not a Markdown-escaped one: the Korean decree numbers its items "1\. …"), and
# line breaks.
_MIXED_SENTENCE_END = re.compile(r"[。！？；!?;]+[”’\"')）\]」』]*|(?<!\\)\.(?=\s|$)|\n+")
# Japanese and Korean statutes nest whole sentences in brackets: 特定重要物資（第七条に規定する特定
# 重要物資をいう。第六条において同じ。）の安定的な供給…, and (…특별행정심판을 포함한다. 이하 같다). A
# sentence ends only outside brackets (depth 0); measured on the six Japanese laws (JAKO.md §3), a
# plain 。 split leaves 842 of 2,194 pieces with unbalanced brackets, this rule none. ASCII double
# quotes open and close alternately.
_OPENERS = "（「『(【〔［[｛{〈《“"
_CLOSER_OF = dict(zip(_OPENERS, "）」』)】〕］]｝}〉》”"))
_BRACKET_CLOSERS = frozenset(_CLOSER_OF.values())
_JA_SENTENCE_END = frozenset("。！？!?")
# A Korean statute sentence ends in 다. and may carry an amendment note: …제출해야 한다. <개정 2025.12.30>
_KO_NOTE = re.compile(r"[^\S\n]*<[^<>\n]*>")
BRACKET_LANGS = frozenset({"ja", "ko"})
_CJK_CLAUSE = frozenset("，；：、")
_ASCII_CLAUSE = frozenset(",;:")
BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
LINE = re.compile(r"[^\n]+")
# The most characters spaCy's tokenizer or jieba is given at once. spaCy refuses a text over its
# ``max_length`` ([E088]: a 10,485,759-character CSV cell stopped every later build), and its Doc for
# one million characters already holds ~200k tokens; a paragraph is far shorter than this, so only
# pathological runs (a whole file in one cell or one line) are ever cut by it.
PIECE_CHARS = 1_000_000
_PIECE_SPACES = (" ", "\t", "\u3000", "\r", "\xa0")


# --- spaCy pipelines, created once and only when a long paragraph needs them -------------


@lru_cache(maxsize=1)
def english_pipeline() -> Any:
    """spaCy's blank English pipeline (rule-based tokenizer only), one per process.

    Shared by sentence splitting and the lexicon tagger, so a word seen by one is already in
    the vocabulary of the other.
    """
    import spacy  # lazy: importing spaCy costs seconds

    nlp = spacy.blank("en")
    nlp.max_length = 10_000_000  # the tokenizer needs no parser memory, so long texts are fine
    return nlp


@lru_cache(maxsize=1)
def _sentence_punct() -> Any:
    """The hashes of spaCy's sentence-final characters, as a sorted numpy array (for ``np.isin``)."""
    import numpy as np
    from spacy.pipeline import Sentencizer

    strings = english_pipeline().vocab.strings
    return np.array(sorted({strings.add(c) for c in Sentencizer.default_punct_chars}), dtype=np.uint64)


def _sentence_offsets(doc: Any) -> list[int]:
    """Character offsets in ``doc`` where sentences start: spaCy's ``sentencizer`` rule on the token arrays.

    A sentence ends at the first token that is neither punctuation nor a sentence-final
    character after a sentence-final character (``.``, ``!``, ``?``, ``。``, …). So a token
    that is neither starts a sentence exactly when a sentence-final token lies between it and
    the previous such token: ``Lithium . " Cobalt`` starts a sentence at ``Cobalt``. The
    component itself builds a Python ``Token`` per token, which cost half of segmentation, and
    a Python loop over the token array still cost ~1 s per million characters (most of it
    converting 64-bit hashes to Python ints), so the rule runs in numpy;
    ``tests/nlp/test_segment.py`` checks both agree on every CCLW summary.
    """
    import numpy as np
    from spacy.attrs import IDX, IS_PUNCT, ORTH

    arr = doc.to_array([ORTH, IS_PUNCT, IDX])
    final = np.isin(arr[:, 0], _sentence_punct())
    word = np.flatnonzero(~final & (arr[:, 1] == 0))  # neither punctuation nor sentence-final
    finals = np.cumsum(final)  # sentence-final tokens up to each token
    before = np.concatenate(([0], finals[word[:-1]]))[: len(word)]  # ... up to the previous word token
    starts = word[finals[word] > before]
    return [0, *arr[starts, 2].tolist()]


@lru_cache(maxsize=1)
def _chinese_pipeline() -> Any:
    import spacy
    from policyscope.nlp.tokens import initialize_global_jieba

    # spaCy's jieba segmenter uses the global jieba; load it the fast way, quietly.
    initialize_global_jieba()
    # Without the jieba segmenter spacy.blank("zh") cuts every character apart.
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


# --- spans ---------------------------------------------------------------------------------


def trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def text_pieces(text: str, start: int, end: int, limit: int = PIECE_CHARS) -> Iterator[Span]:
    """Cut ``text[start:end]`` into consecutive spans of at most ``limit`` characters.

    Each cut is after the last line break in the second half of the window, else after its last
    space or line break anywhere, else (a run with no space at all) at the limit itself. The spans
    cover the range exactly, in order, so offsets found in a piece plus its start are offsets into
    ``text``.

    Example: ``list(text_pieces("aaa bbb\\nccc ddd", 0, 15, limit=10))`` -> ``[(0, 8), (8, 15)]``
    (after the line break, though ``"aaa bbb\\nccc "`` would fit too).
    """
    if limit < 2:
        raise ValueError(f"limit must be at least 2, got {limit}")
    pos = start
    while end - pos > limit:
        hi = pos + limit
        cut = text.rfind("\n", pos + limit // 2, hi) + 1
        if not cut:
            cut = max(text.rfind(c, pos, hi) for c in (*_PIECE_SPACES, "\n")) + 1
        if cut <= pos:  # no space at all, or only at pos itself
            cut = hi
        yield pos, cut
        pos = cut
    if pos < end:
        yield pos, end


def _is_word_char(c: str) -> bool:
    """Characters that must not be separated from a neighbour of the same kind (Latin words, numbers)."""
    return c.isalnum() and (c.isascii() or "\u00c0" <= c <= "\u024f" or "\u0370" <= c <= "\u04ff")


# --- sentences -----------------------------------------------------------------------------


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES and lang != MIXED:
        raise ValueError(f"unknown language {lang!r}; available: {', '.join((*LANGUAGES, MIXED))}")


def _mixed_sentences(text: str) -> list[Span]:
    spans: list[Span] = []
    pos = 0
    for m in _MIXED_SENTENCE_END.finditer(text):
        spans.append((pos, m.end()))
        pos = m.end()
    spans.append((pos, len(text)))
    trimmed = (trim(text, s, e) for s, e in spans)
    return [span for span in trimmed if span]


def _depths(text: str, start: int, end: int) -> list[int]:
    """Bracket depth before each position ``start..end`` of ``text`` (``end - start + 1`` values).

    A closer that matches no open bracket is ignored, so one stray ）does not hide every later
    sentence end.
    """
    depths = [0]
    stack: list[str] = []
    for i in range(start, end):
        c = text[i]
        if c == '"':
            if stack and stack[-1] == '"':
                stack.pop()
            else:
                stack.append('"')
        elif c in _CLOSER_OF:
            stack.append(_CLOSER_OF[c])
        elif c in _BRACKET_CLOSERS and c in stack:
            while stack and stack.pop() != c:  # close what the matching opener left open inside
                pass
        depths.append(len(stack))
    return depths


def _bracket_sentences(text: str, start: int, end: int, lang: str) -> list[Span]:
    """Japanese (。！？) or Korean (다.) sentences of each line, cut only outside brackets."""
    spans: list[Span] = []
    for line in LINE.finditer(text, start, end):
        ls, le = line.start(), line.end()
        depths = _depths(text, ls, le)
        pos = ls
        i = ls
        while i < le:
            c = text[i]
            if depths[i + 1 - ls] == 0 and (
                (lang == "ja" and c in _JA_SENTENCE_END) or (lang == "ko" and c == "." and i > ls and text[i - 1] == "다")
            ):
                j = i + 1
                while j < le and text[j] in _JA_SENTENCE_END:  # ！？ runs
                    j += 1
                if lang == "ko":
                    note = _KO_NOTE.match(text, j, le)
                    if note:
                        j = note.end()
                spans.append((pos, j))
                pos = i = j
                continue
            i += 1
        spans.append((pos, le))
    trimmed = (trim(text, s, e) for s, e in spans)
    return [span for span in trimmed if span]


def sentence_spans(text: str, start: int, end: int, lang: str, piece_chars: int = PIECE_CHARS) -> list[Span]:
    if lang in BRACKET_LANGS:
        return _bracket_sentences(text, start, end, lang)
    spans: list[Span] = []
    if lang in CJK_LANGS:
        # Chinese is not hard-wrapped inside a paragraph, so every line break ends a sentence.
        for line in LINE.finditer(text, start, end):
            pos = line.start()
            for m in _CJK_SENTENCE_END.finditer(text, line.start(), line.end()):
                spans.append((pos, m.end()))
                pos = m.end()
            spans.append((pos, line.end()))
    else:
        # English lines may be hard-wrapped; only a blank line is a hard boundary.
        chunks: list[Span] = []
        pos = start
        for sep in BLANK_LINE.finditer(text, start, end):
            chunks.append((pos, sep.start()))
            pos = sep.end()
        chunks.append((pos, end))
        nlp = english_pipeline()
        for chunk in chunks:
            # A chunk over piece_chars (a whole file on one line) is read piece by piece: a piece
            # ends at a line break or space, which then also ends a sentence.
            for cs, ce in text_pieces(text, *chunk, piece_chars):
                if not text[cs:ce].strip():
                    continue
                doc = nlp.make_doc(text[cs:ce])
                if not len(doc):
                    continue
                # Sentence i runs from its first token to the next sentence's; trim drops the
                # whitespace in between, as spaCy's sentence spans do.
                bounds = [cs + i for i in _sentence_offsets(doc)] + [ce]
                spans.extend(pairwise(bounds))
    trimmed = (trim(text, s, e) for s, e in spans)
    return [span for span in trimmed if span]


def split_sentences(text: str, lang: str) -> list[tuple[int, int]]:
    """Return the sentences of ``text`` as ``(start, end)`` offsets, trimmed of whitespace.

    Chinese splits after 。！？； (keeping closing quotes and brackets, so ``“脱钩”。`` stays
    whole) and at line breaks. Japanese splits after 。！？ and Korean after 다. (with a trailing
    amendment note ``<개정 …>``), both only outside brackets and quotes, so an aside such as
    ``（…をいう。以下同じ。）`` stays inside its sentence, and at line breaks. Other languages use
    spaCy's rule-based sentencizer, with blank lines as hard boundaries. ``lang="mixed"`` is for text that mixes
    Chinese and English or whose language is unknown: one regex pass, no spaCy, splitting after
    。！？；!?; (with closing quotes), after a full stop followed by a space or the end (so
    "U.S. policy" is two pieces), and at line breaks. Together the spans cover every non-space
    character of ``text``, in order and without overlap.

    Examples: ``split_sentences("一是增长。二是“多元”！", "zh")`` -> ``[(0, 5), (5, 12)]``;
    ``split_sentences("物資（…をいう。）の確保。次に", "ja")`` -> ``[(0, 13), (13, 15)]``;
    ``split_sentences("一是回收。Second, R&D. 三是", "mixed")`` -> ``[(0, 5), (5, 17), (18, 20)]``.
    """
    _check_lang(lang)
    if lang == MIXED:
        return _mixed_sentences(text)
    return sentence_spans(text, 0, len(text), lang)


# --- cutting over-long sentences -----------------------------------------------------------


def _break_levels(
    text: str, start: int, end: int, lang: str, piece_chars: int = PIECE_CHARS
) -> list[Callable[[], list[int]]]:
    """Candidate cut positions inside ``text[start:end]``, best kind first, each computed lazily.

    Chinese and Japanese text may also be cut between words (jieba's, Sudachi's). In Japanese and
    Korean every kind is tried first at bracket depth 0 only, so a long sentence is cut around its
    bracketed asides, and inside one only when no other cut fits.
    """

    def after_closers(i: int) -> int:
        while i < end and text[i] in _CLOSERS:
            i += 1
        return i

    def clauses() -> list[int]:
        out = []
        for i in range(start, end):
            c = text[i]
            nxt = text[i + 1] if i + 1 < end else " "
            if c in _CJK_CLAUSE or (c in _ASCII_CLAUSE and not nxt.isalnum()):
                out.append(after_closers(i + 1))
        return sorted(set(out))

    def spaces() -> list[int]:
        return [i for i in range(start + 1, end) if text[i].isspace() and not text[i - 1].isspace()]

    def tokens() -> list[int]:
        if lang == "ja":
            from policyscope.nlp.analyzers import get_analyzer

            # Sudachi's words, not jieba's: jieba cuts kana one character at a time, and spaCy's
            # Chinese pipeline would load (seconds) for the few Japanese sentences that need this.
            starts = [start + i for i in get_analyzer("ja").word_starts(text[start:end])]  # type: ignore[attr-defined]
            return [i for i in starts if not _inside_word(text, i)]
        nlp = _chinese_pipeline()
        out = []
        for ps, pe in text_pieces(text, start, end, piece_chars):
            # A piece's start is a cut too (between jieba's words of two pieces), unless inside a word.
            out.extend(ps + t.idx for t in nlp(text[ps:pe]) if ps + t.idx > start)
        return [i for i in out if not _inside_word(text, i)]

    def chars() -> list[int]:
        return [i for i in range(start + 1, end) if not _inside_word(text, i)]

    levels = [clauses, spaces]
    if lang in CJK_LANGS:
        levels.append(tokens)
    levels.append(chars)
    if lang not in BRACKET_LANGS:
        return levels
    depths = _depths(text, start, end)

    def outside(level: Callable[[], list[int]]) -> Callable[[], list[int]]:
        return lambda: [i for i in level() if depths[i - start] == 0]

    return [*map(outside, levels), *levels]


def _inside_word(text: str, i: int) -> bool:
    return _is_word_char(text[i - 1]) and _is_word_char(text[i])


def cut_long(
    text: str, start: int, end: int, max_chars: int, lang: str, piece_chars: int = PIECE_CHARS
) -> list[Span]:
    """Cut one over-long sentence at clause punctuation, else whitespace, else word boundaries.

    A run with no allowed cut within ``max_chars`` (one very long English word or URL) is
    kept whole, so that piece may exceed ``max_chars``.
    """
    levels = _break_levels(text, start, end, lang, piece_chars)
    cache: dict[int, list[int]] = {}

    def positions(k: int) -> list[int]:
        if k not in cache:
            cache[k] = levels[k]()
        return cache[k]

    pieces: list[Span] = []
    pos = start
    while True:
        span = trim(text, pos, end)
        if span is None:
            break
        pos = span[0]
        if end - pos <= max_chars:
            pieces.append(span)
            break
        limit = pos + max_chars
        cut = None
        # A clause break in the first third would leave a tiny piece; prefer a worse kind of
        # break near the limit, and fall back to any break only when none is near.
        for floor in (pos + max_chars // 3, pos):
            for k in range(len(levels)):
                cands = positions(k)
                j = bisect.bisect_right(cands, limit) - 1
                if j >= 0 and cands[j] > floor:
                    cut = cands[j]
                    break
            if cut is not None:
                break
        if cut is None:  # an unsplittable word runs past the limit: keep it whole
            chars = positions(len(levels) - 1)
            j = bisect.bisect_right(chars, limit)
            cut = chars[j] if j < len(chars) else end
        piece = trim(text, pos, cut)
        if piece:
            pieces.append(piece)
        pos = cut
    return pieces
