"""Cut documents into searchable passages: headings -> paragraphs -> sentence windows.

Everything here is a pure function of the document: the same text and blocks always give
the same passages with the same ids. Offsets point into ``Document.text`` as stored, so
``doc.text[p.start:p.end] == p.text`` for every passage.

A document may be of any length: spaCy and jieba never see more than ``PIECE_CHARS`` characters
at once (see :func:`text_pieces`), so a 10 M-character spreadsheet cell is cut like any paragraph.

Sentence splitting and the cutting of over-long sentences live in :mod:`.sentences`; the names
it shares with the segmenter are re-exported here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from policyscope.corpus.records import Block, Document, Passage, content_id
from policyscope.nlp.language import LANGUAGES, detect_language
from policyscope.nlp.sentences import (
    BLANK_LINE,
    BRACKET_LANGS,
    CJK_LANGS,
    LINE,
    MIXED,
    PIECE_CHARS,
    cut_long,
    english_pipeline,
    sentence_spans,
    split_sentences,
    text_pieces,
    trim,
)

__all__ = [
    "MIXED", "PIECE_CHARS", "english_pipeline", "paragraph_blocks", "segment_document", "segment_stream",
    "split_sentences", "text_pieces",
]

Span = tuple[int, int]

# Blocks that are one passage however long they are: a table row is meaningless when cut.
_WHOLE_KINDS = frozenset({"table_row", "table_header", "caption"})
_LETTER = re.compile(r"[^\W\d_]")
_PARAGRAPH_MARK = re.compile(r"\n[^\S\n]*\n")
_MAX_HEADING = 1000  # characters of one heading kept in the heading path passages carry


def paragraph_blocks(text: str) -> tuple[Block, ...]:
    """Derive paragraph blocks from plain text that came without structure.

    Text in Chinese, Japanese or Korean, and text without blank lines, gets one block per
    non-empty line (each line of the seed paper is a heading, paragraph or table cell).
    Prose in other languages that separates paragraphs by blank lines gets one block per
    paragraph, so hard-wrapped lines of an English paragraph stay together.

    Example: ``paragraph_blocks("One.\\nstill one.\\n\\nTwo.")`` -> blocks over
    ``"One.\\nstill one."`` and ``"Two."``.
    """
    blocks: list[Block] = []
    if _PARAGRAPH_MARK.search(text) and detect_language(text) not in ("zh", "ja", "ko"):
        pos = 0
        for sep in BLANK_LINE.finditer(text):
            span = trim(text, pos, sep.start())
            if span:
                blocks.append(Block("paragraph", *span))
            pos = sep.end()
        span = trim(text, pos, len(text))
        if span:
            blocks.append(Block("paragraph", *span))
    else:
        for line in LINE.finditer(text):
            span = trim(text, line.start(), line.end())
            if span:
                blocks.append(Block("paragraph", *span))
    return tuple(blocks)


# --- windows -------------------------------------------------------------------------------


def _length(window: list[Span]) -> int:
    return window[-1][1] - window[0][0]


def _pack(units: list[Span], max_chars: int) -> list[list[Span]]:
    windows: list[list[Span]] = []
    for unit in units:
        if windows and unit[1] - windows[-1][0][0] <= max_chars:
            windows[-1].append(unit)
        else:
            windows.append([unit])
    return windows


def _merge_tiny(windows: list[list[Span]], min_chars: int, max_chars: int) -> list[list[Span]]:
    """Fold windows shorter than ``min_chars`` into a neighbour when the result still fits."""
    i = 0
    while i < len(windows):
        w = windows[i]
        if _length(w) >= min_chars or len(windows) == 1:
            i += 1
            continue
        with_prev = w[-1][1] - windows[i - 1][0][0] if i > 0 else None
        with_next = windows[i + 1][-1][1] - w[0][0] if i + 1 < len(windows) else None
        fits = [n for n in (with_prev, with_next) if n is not None and n <= max_chars]
        if fits:
            if with_prev is not None and with_prev == min(fits):
                windows[i - 1].extend(w)
                del windows[i]
            else:
                windows[i] = w + windows[i + 1]
                del windows[i + 1]
            continue
        # The previous window is full: borrow its last sentence if that leaves it big enough.
        prev = windows[i - 1] if i > 0 else None
        if (
            prev is not None
            and len(prev) > 1
            and w[-1][1] - prev[-1][0] <= max_chars
            and prev[-2][1] - prev[0][0] >= min_chars
        ):
            w.insert(0, prev.pop())
            continue
        i += 1
    return windows


def _windows(
    text: str, start: int, end: int, lang: str, max_chars: int, min_chars: int, piece_chars: int = PIECE_CHARS
) -> list[Span]:
    span = trim(text, start, end)
    if span is None:
        return []
    start, end = span
    if end - start <= max_chars:
        return [span]
    if lang not in CJK_LANGS and lang not in BRACKET_LANGS:
        lang = "en"
    units: list[Span] = []
    for s, e in sentence_spans(text, start, end, lang, piece_chars):
        if e - s <= max_chars:
            units.append((s, e))
        else:
            units.extend(cut_long(text, s, e, max_chars, lang, piece_chars))
    windows = _merge_tiny(_pack(units, max_chars), min_chars, max_chars)
    return [(w[0][0], w[-1][1]) for w in windows]


# --- documents -----------------------------------------------------------------------------


def _sample(text: str, start: int, end: int, limit: int = PIECE_CHARS) -> str:
    """``text[start:end]``, or for a longer span ten slices spread over it, ``limit`` characters in all.

    Language detection lists every word of what it reads: on a 50 M-character document that list
    alone took ~450 MB, twice (document and block). Spans up to ``limit`` are read whole, as before.
    """
    n = end - start
    if n <= limit:
        return text[start:end]
    size = limit // 10
    step = (n - size) // 9
    return "\n".join(text[start + i * step : start + i * step + size] for i in range(10))


def _language(text: str, doc_lang: str) -> str:
    """:func:`detect_language` of a block or passage, Han-only text of a Japanese document being Japanese."""
    lang = detect_language(text)
    return "ja" if lang == "zh" and doc_lang == "ja" else lang


def _ordered_blocks(blocks: Iterable[Block]) -> list[Block]:
    """Blocks in text order with overlaps clipped, so passages never overlap."""
    out: list[Block] = []
    cursor = 0
    for b in sorted(blocks, key=lambda b: (b.start, b.end)):
        start = max(b.start, cursor)
        if start >= b.end:
            continue
        out.append(b if start == b.start else Block(b.kind, start, b.end, b.level, b.page, b.context, b.meta))
        cursor = b.end
    return out


def segment_document(
    doc: Document, max_chars: int = 400, min_chars: int = 20, *, piece_chars: int = PIECE_CHARS
) -> list[Passage]:
    """Cut ``doc`` into passages of at most ``max_chars`` characters.

    Uses ``doc.blocks`` when present, else :func:`paragraph_blocks`. A heading block becomes
    a ``"heading"`` passage and updates the heading path (by ``Block.level``) carried on
    every passage after it, e.g. ``"2 欧美电池供应链战略布局 > 2.1 绘制供应链全景蓝图…"``.
    Table rows, table headers and captions are one passage each, whatever their length.
    A paragraph, record or heading within ``max_chars`` is one passage; a longer one is cut
    into windows of whole sentences (see :func:`split_sentences`), a sentence longer than
    ``max_chars`` at clause punctuation or whitespace, never inside an English word.
    Windows shorter than ``min_chars`` are folded into a neighbour of the same block when
    the result still fits. Passage language is :func:`detect_language` of its text, or of
    its block (then ``doc.lang``, else the whole text's) when the passage has no letters, like a cell "100%";
    in a Japanese document, text that reads as Chinese (kanji with no or few kana: 第一章 総則,
    七 蓄電池) is Japanese, so that its Han characters get the Japanese analyzer like the rest.

    A text of any length is segmented: spaCy and jieba read at most ``piece_chars`` characters
    at a time (:func:`text_pieces`), so a paragraph longer than that is read in pieces that end at
    a line break or a space, where a sentence then ends too.

    Example: a 900-character Chinese paragraph of ten sentences gives three passages of
    whole sentences, each up to 400 characters, all with ``kind="paragraph"``.
    """
    return list(segment_stream(doc, max_chars, min_chars, piece_chars=piece_chars))


def segment_stream(
    doc: Document, max_chars: int = 400, min_chars: int = 20, *, piece_chars: int = PIECE_CHARS
) -> Iterator[Passage]:
    """:func:`segment_document`'s passages one at a time, in order, as they are cut.

    A 200 MB text file is ~10^6 passages (~1 GB as a list of ``Passage`` objects); the store writes
    them from this iterator in batches, so only the passages of one block are held at a time.
    Arguments are checked when this is called, not when the first passage is asked for.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    if min_chars < 0:
        raise ValueError(f"min_chars must not be negative, got {min_chars}")
    if piece_chars < 2:
        raise ValueError(f"piece_chars must be at least 2, got {piece_chars}")
    min_chars = min(min_chars, max_chars)  # so segment_document(doc, max_chars=10) just works
    return _passages(doc, max_chars, min_chars, piece_chars)


def _passages(doc: Document, max_chars: int, min_chars: int, piece_chars: int) -> Iterator[Passage]:
    text = doc.text
    blocks = _ordered_blocks(doc.blocks) if doc.blocks else paragraph_blocks(text)
    doc_lang = doc.lang if doc.lang in LANGUAGES else detect_language(_sample(text, 0, len(text)))
    path: list[tuple[int, str]] = []
    seq = 0
    for block in blocks:
        span = trim(text, block.start, block.end)
        if span is None:
            continue
        block_text = _sample(text, *span)  # the block itself unless it is over PIECE_CHARS
        block_lang = _language(block_text, doc_lang) if _LETTER.search(block_text) else doc_lang
        if block.kind == "heading":
            level = max(block.level, 1)
            while path and path[-1][0] >= level:
                path.pop()
            title = " ".join(block_text.split())
            # Every later passage carries the heading path: a one-line Markdown file of 10 M characters
            # after "# " must not copy its text into each of its 25,000 passages.
            path.append((level, title if len(title) <= _MAX_HEADING else title[: _MAX_HEADING - 1] + "…"))
        if block.kind in _WHOLE_KINDS:
            spans = [span]
        else:
            spans = _windows(text, span[0], span[1], block_lang, max_chars, min_chars, piece_chars)
        heading = " > ".join(title for _, title in path)
        for s, e in spans:
            ptext = text[s:e]
            if (s, e) == span or not _LETTER.search(ptext):
                lang = block_lang
            else:
                lang = _language(ptext, doc_lang)
            yield Passage(
                id=content_id(doc.id, str(s), str(e), ptext),
                doc_id=doc.id,
                seq=seq,
                start=s,
                end=e,
                text=ptext,
                lang=lang,
                heading=heading,
                page=block.page,
                kind=block.kind,
                context=block.context,
            )
            seq += 1
