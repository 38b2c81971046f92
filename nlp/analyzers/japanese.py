"""Japanese keyword analyzer: SudachiPy with the core dictionary, in "search mode".

Each morpheme of the coarsest split (mode C: 蓄電池, 再資源化, 独立行政法人) is emitted, followed by
its parts in the finest split (mode A: 蓄電 + 池, 再 + 資源 + 化, 独立 + 行政 + 法人) when it has
any, the same idea as Kuromoji's search mode. A query for the whole compound then matches it on
every part and ranks above passages holding the parts scattered, and a query for a part (資源)
still finds the compound (再資源化). Measured on the six Japanese laws (JAKO.md §1): mode C alone
finds 資源 on 114 of the 162 lines that hold it, search mode on all 162.

Each token is Sudachi's ``normalized_form()``, which unifies inflection and spelling
(講ずる, 講じ, 講ぜられる -> 講じる; 附属 -> 付属; 取扱い -> 取り扱い; 七 -> 7), then folded to
Simplified Chinese forms (:func:`policyscope.nlp.fold.fold_japanese`: 蓄電池 -> 蓄电池,
鉱産 -> 矿产), so that a Chinese query meets the Japanese passage.

Dropped: particles, auxiliaries, symbols, whitespace, conjunctions (及び, 又は), adnominals (この,
その), prefixes (第), pronouns, the dependent verbs (する, ある, なる: POS 非自立可能) and
:data:`~policyscope.nlp.words.JA_STOPWORDS`.

Sudachi refuses input over 49,149 bytes, so text is cut at line breaks, then at 。, then at a
character boundary to stay under :data:`MAX_BYTES`. One ``Dictionary`` (about 90 MB, 0.2 s to
load) serves the process; each thread gets its own ``Tokenizer`` (about 3 µs to make), because a
shared one raises "Tokenizer is already in use" when two threads call it at once.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import Any

from policyscope.nlp.analyzers import package_version
from policyscope.nlp.fold import fold_japanese
from policyscope.nlp.words import JA_STOPWORDS, ZH_STOPWORDS

__all__ = ["DROPPED_POS", "MAX_BYTES", "JapaneseAnalyzer", "settings"]

DICTIONARY = "core"
# Sudachi's limit is 49,149 bytes; a margin for the UTF-8 of one more character.
MAX_BYTES = 49_000
# Part-of-speech (level 1) dropped from the index; level 2 非自立可能 is dropped as well.
DROPPED_POS = frozenset({"助詞", "助動詞", "補助記号", "空白", "接続詞", "連体詞", "接頭辞", "代名詞", "感動詞"})
_DEPENDENT = "非自立可能"
_SENTENCE_END = re.compile(r"(?<=[。．！？])")
_MEMO_SIZE = 200_000  # normalized forms kept folded before the memo is cleared


def settings() -> dict[str, Any]:
    """What an index records about this analyzer (versions from package metadata, nothing loaded)."""
    return {
        "name": "sudachi",
        "dictionary": DICTIONARY,
        "split": "C+A",
        "field": "normalized_form",
        "dropped_pos": sorted(DROPPED_POS) + [f"*/{_DEPENDENT}"],
        "sudachipy": package_version("sudachipy"),
        "sudachidict_core": package_version("sudachidict_core"),
    }


@functools.lru_cache(maxsize=1)
def _dictionary() -> Any:
    """The Sudachi core dictionary (created once; callers hold ``JapaneseAnalyzer``'s lock)."""
    from sudachipy import Dictionary

    return Dictionary(dict=DICTIONARY)


def _pieces(text: str) -> list[str]:
    """``text`` cut into pieces of at most :data:`MAX_BYTES` UTF-8 bytes (whole lines when possible)."""
    if len(text) * 4 <= MAX_BYTES or len(text.encode("utf-8")) <= MAX_BYTES:
        return [text]
    out: list[str] = []
    for line in text.splitlines():
        if len(line.encode("utf-8")) <= MAX_BYTES:
            out.append(line)
            continue
        for sentence in _SENTENCE_END.split(line):
            while len(sentence.encode("utf-8")) > MAX_BYTES:
                # No 。 for 16k characters: cut at a character boundary (at most 4 bytes each).
                out.append(sentence[: MAX_BYTES // 4])
                sentence = sentence[MAX_BYTES // 4 :]
            out.append(sentence)
    return [p for p in out if p]


class JapaneseAnalyzer:
    """Tokens of Japanese text: Sudachi C units plus their A parts, normalised, folded, filtered.

    Example: ``JapaneseAnalyzer().analyze("密閉形蓄電池の再資源化を講ずる")`` ->
    ``["密闭", "形", "蓄电池", "蓄电", "池", "再资源化", "资源", "化", "讲じる"]``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self._keep: dict[int, bool] = {}  # part-of-speech id -> kept
        self._forms: dict[str, str | None] = {}  # normalized form -> folded token, None if dropped
        with self._lock:
            self._dict = _dictionary()
        from sudachipy import SplitMode

        self._mode_a = SplitMode.A
        self._mode_c = SplitMode.C

    def _tokenizer(self) -> Any:
        tok = getattr(self._local, "tokenizer", None)
        if tok is None:
            tok = self._local.tokenizer = self._dict.tokenizer(mode=self._mode_c)
        return tok

    def _kept(self, m: Any) -> bool:
        pos_id = m.part_of_speech_id()
        keep = self._keep.get(pos_id)
        if keep is None:
            pos = m.part_of_speech()
            keep = self._keep[pos_id] = pos[0] not in DROPPED_POS and pos[1] != _DEPENDENT
        return keep

    def _form(self, m: Any) -> str | None:
        normalized = m.normalized_form()
        token = self._forms.get(normalized, "")
        if token == "":
            if len(self._forms) >= _MEMO_SIZE:
                self._forms.clear()
            folded = fold_japanese(normalized.lower())
            keep = normalized not in JA_STOPWORDS and folded not in ZH_STOPWORDS and not folded.isspace()
            token = self._forms[normalized] = folded if keep and folded else None
        return token

    def word_starts(self, text: str) -> list[int]:
        """Offsets in ``text`` where a word (mode C) begins, except 0: where a long sentence may be cut.

        Example: ``word_starts("密閉形蓄電池の回収")`` -> ``[2, 3, 6, 7]``.
        """
        starts: list[int] = []
        base = 0
        tok = self._tokenizer()
        for piece in _pieces(text):
            base = text.index(piece, base)
            starts.extend(base + m.begin() for m in tok.tokenize(piece) if base + m.begin() > 0)
            base += len(piece)
        return starts

    def analyze(self, text: str) -> list[str]:
        """Tokens of ``text`` in reading order; see the class docstring."""
        tok = self._tokenizer()
        mode_a = self._mode_a
        out: list[str] = []
        for piece in _pieces(text):
            for m in tok.tokenize(piece):
                if not self._kept(m):
                    continue
                token = self._form(m)
                if token is not None:
                    out.append(token)
                parts = m.split(mode_a)
                if len(parts) > 1:
                    for p in parts:
                        if self._kept(p):
                            part = self._form(p)
                            if part is not None:
                                out.append(part)
        return out
