"""Encoding detection: the bytes of a text file to a string, and the name of the codec that read them.

Order: byte-order marks; NUL bytes (UTF-16 without BOM, or UTF-8 with stray NULs, or binary data);
strict UTF-8; a UTF-8 file with lines, or parts of lines, pasted in one Chinese legacy codec, decoded
line by line and run by run (:mod:`.mixed`); then charset-normalizer, nudged towards the Chinese
codecs a Chinese/English corpus meets (GB18030 for GB2312/GBK, Big5).
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from policyscope.corpus.errors import LoadError
from policyscope.corpus.loaders.base import SAMPLE
from policyscope.corpus.loaders.mixed import char_score, common_han, decode_line, has_utf8_chinese

logger = logging.getLogger(__name__)


class UndecodableError(ValueError):
    """Bytes that are not text in any supported encoding; the message is a lowercase problem."""


# charset-normalizer ranks Korean/Japanese codecs first on very short Chinese samples; in a
# Chinese/English corpus a Chinese reading of the same bytes is far more likely.
_CHINESE_CODECS = ("gb18030", "big5", "big5hkscs", "cp950")
_PREFERRED_CODECS = ("gb18030", "big5", "cp1252", "latin_1")
_OTHER_EAST_ASIAN = (
    "cp949",
    "euc_kr",
    "johab",
    "cp932",
    "shift_jis",
    "shift_jis_2004",
    "euc_jp",
    "euc_jis_2004",
    "utf_16_be",
    "utf_16_le",
    "utf_16",
)


@dataclass(frozen=True)
class Decoded:
    """Decoded text, the codec that read it, and the lines that mix two codecs within the line.

    ``encoding`` is a Python codec name (``utf-8``, ``gb18030``, ``utf-16-le`` ...) or, for a
    UTF-8 file with text pasted in a Chinese legacy codec, ``utf-8+gb18030``; ``mixed_lines`` are
    the 1-based numbers of the lines whose UTF-8 and legacy runs were decoded separately.
    """

    text: str
    encoding: str
    mixed_lines: tuple[int, ...] = ()


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode text bytes, detecting the encoding: :func:`decode_text` as ``(text, encoding)``.

    Returns:
        ``(text, encoding)``, e.g. ``("二是 电池", "gb18030")``.

    Raises:
        UndecodableError: Binary data or bytes no supported encoding can decode.
    """
    decoded = decode_text(data)
    return decoded.text, decoded.encoding


def decode_text(data: bytes) -> Decoded:
    """Decode text bytes, detecting the encoding.

    Order: byte-order marks (UTF-8, UTF-16 LE/BE); NUL bytes mean UTF-16 without BOM (the byte
    order chosen by which positions hold the NULs of ASCII characters) or else binary data;
    strict UTF-8; UTF-8 mixed with one Chinese legacy codec, by line and within lines; then
    charset-normalizer (GB18030 for GB2312/GBK, Big5, ...).

    Raises:
        UndecodableError: Binary data or bytes no supported encoding can decode.
    """
    if data.startswith(codecs.BOM_UTF8):
        return Decoded(_strict(data, "utf-8-sig", "utf-8-sig"), "utf-8-sig")
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return Decoded(_strict(data[len(bom) :], enc, enc), enc)
    if b"\x00" in data:
        return Decoded(*(_decode_with_stray_nuls(data) or _decode_utf16_guess(data)))
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    mixed = _decode_mixed(data)
    if mixed is not None:
        return mixed
    enc = _guess_codec(data)
    text = _strict(data, enc, enc)
    if not _looks_like_text(text):
        raise UndecodableError(f"binary data, not text (decodes as {enc} to control characters)")
    return Decoded(text, enc)


def _strict(data: bytes, enc: str, label: str) -> str:
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        raise UndecodableError(f"undecodable bytes: invalid {label} at byte {exc.start}") from None


def _decode_utf16_guess(data: bytes) -> tuple[str, str]:
    sample = data[:SAMPLE]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    # ASCII in UTF-16 LE is "x\0": NULs at odd positions; BE puts them at even positions.
    order = ("utf-16-le", "utf-16-be") if odd >= even else ("utf-16-be", "utf-16-le")
    if len(data) % 2 == 0:
        for enc in order:
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _looks_like_text(text):
                return text, enc
    raise UndecodableError("binary data (nul bytes), not text")


def _decode_with_stray_nuls(data: bytes) -> tuple[str, str] | None:
    """UTF-8 text with a few stray NUL bytes (fixed-width exports, C tools), NULs dropped.

    UTF-16 has a NUL in every ASCII character (about half its bytes in English text) and its CJK
    byte pairs are almost never valid UTF-8, so a file whose NULs are under 10% of its bytes and
    whose other bytes are UTF-8 text is not UTF-16.
    """
    if data.count(0) > 0.1 * len(data):
        return None
    try:
        text = data.replace(b"\x00", b"").decode("utf-8")
    except UnicodeDecodeError:
        return None
    return (text, "utf-8") if _looks_like_text(text) else None


def _decode_mixed(data: bytes) -> Decoded | None:
    """A UTF-8 file with lines, or runs within lines, pasted in one Chinese legacy codec.

    Files concatenated or pasted together from two sources (a UTF-8 export and a GB18030 page)
    defeat whole-file detection, and GB18030 reads UTF-8 bytes "successfully" as mojibake. Lines
    that are valid UTF-8 stay UTF-8 (unless the legacy reading of a short line is clearly more
    plausible); every other line is read by :func:`~.mixed.decode_line`, which splits a line
    into UTF-8 and legacy runs where both occur. Tried only when the bytes hold UTF-8 Chinese
    (:func:`~.mixed.has_utf8_chinese`), and accepted only when UTF-8 is really in use and the
    legacy codec detected on the bad lines is a Chinese one; ``None`` otherwise.
    """
    if not has_utf8_chinese(data):
        return None  # no UTF-8 Chinese anywhere: a legacy file, read whole (fast for a big GB18030 file)
    # Lines are read twice from ``data`` (never held as a list: that was a second copy of the file),
    # first only up to the sample of lines UTF-8 cannot read that names the legacy codec.
    sample = bytearray()
    for line in _byte_lines(data):
        if line.isascii() or _is_utf8(line):
            continue
        if sample and len(sample) + len(line) > SAMPLE:
            break
        sample += line  # whole lines, so the sample never ends inside a character
    if not sample:
        return None
    enc = _legacy_codec(bytes(sample))
    if enc is None:
        return None
    common = common_han(enc)
    chunks: list[str] = []
    parts: list[str] = []
    mixed_lines: list[int] = []
    utf8_used = False
    for i, line in enumerate(_byte_lines(data)):
        if line.isascii():
            text = line.decode("ascii")
        elif _is_utf8(line):
            text = line.decode("utf-8")
            try:
                legacy = line.decode(enc)
            except UnicodeDecodeError:
                legacy = ""
            if legacy and _plausibility(legacy, common) > _plausibility(text, common):
                text = legacy  # a short legacy line that happens to be valid UTF-8
            else:
                utf8_used = True
        else:
            decoded = decode_line(line, enc)
            if decoded is None:
                return None
            text, mixed = decoded
            if mixed:
                mixed_lines.append(i + 1)
                utf8_used = True
        parts.append(text)
        if len(parts) >= _LINES_PER_CHUNK:  # a str per line costs ~60 bytes beside its text
            chunks.append("".join(parts))
            parts.clear()
    if not utf8_used:
        return None  # a legacy file: whole-file detection reads it
    chunks.append("".join(parts))
    del parts
    text = "".join(chunks)
    return Decoded(text, f"utf-8+{enc}", tuple(mixed_lines)) if _looks_like_text(text) else None


_LINES_PER_CHUNK = 4096
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _byte_lines(data: bytes) -> Iterator[bytes]:
    """``data.splitlines(keepends=True)``, one line at a time."""
    for m in _LINE.finditer(data):
        yield m.group()


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _legacy_codec(sample: bytes) -> str | None:
    """The Chinese legacy codec of the lines UTF-8 cannot read, or ``None`` when it is not Chinese.

    charset-normalizer reads whole lines in one codec; lines that mix UTF-8 and GB18030 defeat it,
    so then each Chinese codec reads them run by run and the most plausible reading wins.
    """
    try:
        enc = _guess_codec(sample)
    except UndecodableError:
        readings = []
        for codec in ("gb18030", "big5"):
            lines = [decode_line(line, codec) for line in sample.splitlines()]
            if all(lines):
                readings.append((_plausibility("".join(t for t, _ in lines), common_han(codec)), codec))
        return max(readings)[1] if readings else None
    return enc if enc in _CHINESE_CODECS else None


def _plausibility(text: str, common: frozenset[str]) -> float:
    return sum(char_score(ch, common) for ch in text)


def _looks_like_text(text: str) -> bool:
    """True when at most 2% of a sample are control, private-use or unassigned characters."""
    sample = text[:20000]
    if not sample or "\x00" in sample:
        return False
    bad = 0
    for ch in sample:
        if ch in "\n\r\t\f":
            continue
        if unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs"):
            bad += 1
    return bad <= 0.02 * len(sample)


def _guess_codec(data: bytes) -> str:
    from charset_normalizer import from_bytes

    results = list(from_bytes(data))
    if not results:
        raise UndecodableError("undecodable bytes: not utf-8, utf-16, gb18030 or big5 text")
    best = results[0]
    # Equally good readings are common for short text (cp1250/cp1252/cp1257 for "café"); pick the
    # codec most likely in a Chinese/English corpus.
    tied = [
        _codec_name(r.encoding) for r in results if (r.chaos, r.coherence) == (best.chaos, best.coherence)
    ]
    chosen = next((n for n in _PREFERRED_CODECS if n in tied), tied[0])
    if chosen in _OTHER_EAST_ASIAN:
        names = [_codec_name(r.encoding) for r in results]
        chosen = next((n for n in names if n in _CHINESE_CODECS), chosen)
    return chosen


def _codec_name(enc: str) -> str:
    return canonical_codec(enc).replace("-", "_")


def canonical_codec(label: str) -> str:
    """Python's name for a codec label (``"GB2312"`` -> ``"gb18030"``, ``"UTF8"`` -> ``"utf-8"``).

    Raises:
        LookupError: no such codec.
    """
    name = codecs.lookup(label).name
    # GB18030 is a superset of GB2312 and GBK: decode with it so rare characters survive.
    return "gb18030" if name in ("gb2312", "gbk") else name


#: A warning about lines mixing two codecs lists this many line numbers, then counts the rest.
SHOWN_MIXED_LINES = 10


def decode_file(path: Path, data: bytes) -> tuple[str, str]:
    """:func:`decode_text` for a file: a ``LoadError`` naming it, codec names as ``utf-8``/``gb18030``.

    Lines mixing UTF-8 and a legacy codec within the line are reported in one warning naming the
    file and the lines: ``mixed.txt: line 2 mixes utf-8 and gb18030 within the line; each run was
    decoded in its own codec, check the text``.
    """
    try:
        decoded = decode_text(data)
    except UndecodableError as exc:
        raise LoadError(path, str(exc)) from None
    enc = decoded.encoding.replace("_", "-")
    warn_mixed_lines(path, enc, decoded.mixed_lines)
    return decoded.text, enc


def warn_mixed_lines(path: Path, encoding: str, numbers: Sequence[int]) -> None:
    """One warning naming the file and the lines that mix two codecs within the line (none: no warning)."""
    if not numbers:
        return
    shown = ", ".join(map(str, numbers[:SHOWN_MIXED_LINES]))
    more = f" and {len(numbers) - SHOWN_MIXED_LINES} more" if len(numbers) > SHOWN_MIXED_LINES else ""
    which = f"line {shown} mixes" if len(numbers) == 1 else f"lines {shown}{more} mix"
    logger.warning(
        "%s: %s %s within the line; each run was decoded in its own codec, check the text",
        path,
        which,
        encoding.replace("+", " and "),
    )


def sniff_file_encoding(path: Path) -> str:
    """The codec of a file too large to decode whole (CSV), detected on its first ``SAMPLE`` bytes.

    Raises:
        LoadError: the file is unreadable, blank, or its sample is not text.
    """
    try:
        with path.open("rb") as fh:
            sample = fh.read(SAMPLE)
            more = bool(fh.read(1))
    except OSError as exc:
        raise LoadError.cannot_read(path, exc) from None
    if not sample.strip():
        raise LoadError(path, "empty file" if not sample else "file contains only whitespace")
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # the codec reads the BOM and picks the byte order
    if more:
        if b"\x00" in sample:
            sample = sample[: len(sample) - len(sample) % 2]
        else:
            # Cut at a line end so the sample does not end inside a multi-byte character.
            cut = sample.rfind(b"\n")
            sample = sample[: cut + 1] if cut > 0 else sample
    try:
        _, enc = decode_bytes(sample)
    except UndecodableError as exc:
        if not more or b"\x00" not in sample:
            raise LoadError(path, str(exc)) from None
        # The even cut may have split a UTF-16 surrogate pair.
        try:
            _, enc = decode_bytes(sample[:-2])
        except UndecodableError:
            raise LoadError(path, str(exc)) from None
    return enc.replace("_", "-")


def ascii_compatible(encoding: str) -> bool:
    """True when ``encoding`` writes ASCII as ASCII bytes, so a file can be split at ``b"\\n"``.

    UTF-8, GB18030, Big5, Shift_JIS and the single-byte codecs are (no trail byte is ever ``0x0A``);
    UTF-16 and UTF-32 are not.
    """
    try:
        return "\n".encode(canonical_codec(encoding.split("+")[0])) == b"\n"
    except LookupError:
        return False


class LineDecoder:
    """Decodes a file line by line in the codec sniffed from its start, remembering bad lines.

    A line the codec cannot read is decoded with replacement characters (so a CSV parser stays in
    step) and its problem is kept under its line number until :meth:`take` collects it: the
    caller skips the record that contains the line instead of refusing the whole file.
    ``LineDecoder("utf-8")(b"caf\\xe9\\n", 7)`` returns ``"caf\\ufffd\\n"`` and
    ``take(7)`` then gives ``"undecodable bytes (not utf-8)"``. For a mixed file
    (``"utf-8+gb18030"``) a line that is not UTF-8 is read by :func:`~.mixed.decode_line`, and the
    lines mixing both codecs within the line are collected in ``mixed_lines``.

    Args:
        encoding: a codec name as :func:`sniff_file_encoding` gives it; ``utf-8-sig`` drops the
            BOM of line 1.
    """

    def __init__(self, encoding: str) -> None:
        primary, _, self.legacy = encoding.partition("+")
        self.encoding = "utf-8" if primary == "utf-8-sig" else primary
        self.mixed_lines: list[int] = []
        self._problems: dict[int, str] = {}

    def __call__(self, raw: bytes, lineno: int) -> str:
        if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            return raw.decode(self.encoding)
        except UnicodeDecodeError:
            pass
        if self.legacy:
            decoded = decode_line(raw, self.legacy)
            if decoded is not None:
                if decoded[1]:
                    self.mixed_lines.append(lineno)
                return decoded[0]
        self._problems[lineno] = f"undecodable bytes (not {self.encoding})"
        return raw.decode(self.encoding, "replace")

    def block(self, raw: bytes, first_line: int) -> str | None:
        """Whole lines starting at line ``first_line`` decoded at once, or ``None`` when some line is bad."""
        if first_line == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            return raw.decode(self.encoding)
        except UnicodeDecodeError:
            return None

    def take(self, upto: int) -> str:
        """The first problem of the lines up to ``upto`` (``""`` when none), forgetting them all."""
        found = [n for n in self._problems if n <= upto]
        first = self._problems[min(found)] if found else ""
        for n in found:
            del self._problems[n]
        return first
