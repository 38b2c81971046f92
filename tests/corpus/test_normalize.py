"""Normalising a long text piece by piece gives what normalising it whole gives (issue #14)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from policyscope.corpus.normalize import normalize_text, normalized_pieces

# Whatever a rule looks at, and what may sit at a cut: newlines, CR, spaces of every kind, a bookmark
# artifact that spans a line break, combining marks after a newline, Chinese.
_ATOMS = st.sampled_from(
    [" ", "  ", "\t", "\n", "\n\n\n", "\r", "\r\n", "\u00a0", "\u3000", "\u2003", "\u200b", "a", "Z", "7", "_",
     "电池", "é", "e\u0301", "\u0301", "[bookmark: OLE\nLINK]", "[", "]", "。"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_ATOMS, max_size=40).map("".join), st.integers(1, 9), st.booleans())
def test_a_text_normalised_in_pieces_equals_the_text_normalised_whole(text, piece_chars, keep_tabs):
    pieces = normalized_pieces(text, keep_tabs=keep_tabs, piece_chars=piece_chars)
    assert "".join(pieces) == normalize_text(text, keep_tabs=keep_tabs)
    assert all(pieces)


def test_a_long_text_is_cut_only_after_a_newline_before_a_letter_or_digit():
    text = "line one  \n\n\n  \n2. second\u3000line\n[bookmark: a\nb]third\n" * 3
    pieces = normalized_pieces(text, piece_chars=5)
    assert len(pieces) > 3
    assert all(p.endswith("\n") for p in pieces[:-1]) and all(p[0].isalnum() for p in pieces[1:])
    assert "".join(pieces) == "line one\n\n2. second line\nthird\nline one\n\n2. second line\nthird\nline one\n\n2. second line\nthird"
