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


def normalize_text(text: str, *, keep_tabs: bool = False) -> str:
    """Return ``text`` cleaned for storage.

    Removes Word bookmark artifacts, control and zero-width characters and the BOM;
    turns CRLF/CR into LF; maps the ideographic space U+3000 and other Unicode spaces to
    one ASCII space; collapses runs of blank lines; strips trailing spaces on each line.
    Chinese punctuation is kept as written (full-width ，。 carry meaning for segmentation).

    Example: ``"[bookmark: OLE_LINK22]二是\u3000电池\r\n"`` -> ``"二是 电池"``.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _WORD_ARTIFACTS.sub("", text)
    text = _CONTROL.sub("", text)
    text = text.replace("\u3000", " ")
    if not keep_tabs:
        text = text.replace("\t", " ")
    text = _SPACES.sub(lambda m: "\t" if keep_tabs and "\t" in m.group() else " ", text)
    text = _EDGE_SPACES.sub("", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()
