"""Text normalisation applied before anything is stored, so offsets point into clean text."""

from __future__ import annotations

import re
import unicodedata

# Word exports leave bookmark anchors such as "[bookmark: OLE_LINK22]" inside the text.
_WORD_ARTIFACTS = re.compile(r"\[bookmark:[^\]]*\]|\[(?:anchor|_GoBack)[^\]]*\]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200c\u200d\u2060\ufeff]")
# Only runs that change: two or more spaces, or any run with another space character. A lone " "
# (one per word of English) stays as it is; matching it too made ``re.sub`` build ~2 strings per word
# (~300 MB and 20 s for a 20 MB text file).
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f]{2,}|[\t\u00a0\u2000-\u200a\u202f\u205f]")
# Spaces at the start or end of a line; ``"\n".join(line.strip(" ") for line in text.split("\n"))``
# held every line as its own string.
_EDGE_SPACES = re.compile(r"^ +| +$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")
# A newline followed by a letter or digit: text may be cut there and normalised piece by piece.
_CUT = re.compile(r"\n(?=[^\W_])")
PIECE_CHARS = 1 << 20


def normalize_text(text: str, *, keep_tabs: bool = False) -> str:
    """Return ``text`` cleaned for storage.

    Removes Word bookmark artifacts, control and zero-width characters and the BOM;
    turns CRLF/CR into LF; maps the ideographic space U+3000 and other Unicode spaces to
    one ASCII space; collapses runs of blank lines; strips trailing spaces on each line.
    Chinese punctuation is kept as written (full-width ，。 carry meaning for segmentation).

    Example: ``"[bookmark: OLE_LINK22]二是\u3000电池\r\n"`` -> ``"二是 电池"``.
    """
    return "".join(normalized_pieces(text, keep_tabs=keep_tabs))


def normalized_pieces(text: str, *, keep_tabs: bool = False, piece_chars: int = PIECE_CHARS) -> list[str]:
    """:func:`normalize_text` of ``text`` as a list of strings that join to it, normalised piece by piece.

    Each ``re.sub`` that changes a string holds the old string, a list of its pieces and the new one:
    a 200 MB text file (400 MB as a Python string) normalised whole peaked at ~1.2 GB. Pieces of about
    ``piece_chars`` characters end after a newline that is followed by a letter or digit and lie outside
    any ``[...]``, so no rule reaches across two pieces: space runs and line edges stop at the newline,
    a run of blank lines ends before the letter, NFC never composes across ``\n``, and a bookmark
    artifact is never cut. A caller that drops ``text`` before joining holds two copies at most (the
    text loader); the join in :func:`normalize_text` holds three for long texts, as before.
    """
    pieces: list[str] = []
    start, n = 0, len(text)
    while start < n:
        end = _piece_end(text, start, piece_chars)
        pieces.append(_normalize_piece(text[start:end], keep_tabs))  # text[0:n] is text itself, not a copy
        start = end
    if pieces:
        pieces[0] = pieces[0].lstrip()
        pieces[-1] = pieces[-1].rstrip()
    return [p for p in pieces if p]


def _piece_end(text: str, start: int, piece_chars: int) -> int:
    """Where the piece starting at ``start`` ends (see :func:`normalized_pieces`): ``len(text)`` or a cut."""
    pos = start + piece_chars
    while pos < len(text):
        m = _CUT.search(text, pos)
        if m is None:
            break
        cut = m.end()
        if text.rfind("[", start, cut) <= text.rfind("]", start, cut):  # not inside [bookmark: ...]
            return cut
        pos = cut
    return len(text)


def _normalize_piece(text: str, keep_tabs: bool) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _WORD_ARTIFACTS.sub("", text)
    text = _CONTROL.sub("", text)
    text = text.replace("\u3000", " ")
    if not keep_tabs:
        text = text.replace("\t", " ")
    text = _SPACES.sub(lambda m: "\t" if keep_tabs and "\t" in m.group() else " ", text)
    text = _EDGE_SPACES.sub("", text)
    return _BLANK_LINES.sub("\n\n", text)
