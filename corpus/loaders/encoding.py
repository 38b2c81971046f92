"""Encoding detection: the bytes of a text file to a string, and the name of the codec that read them.

Order: byte-order marks; NUL bytes (UTF-16 without BOM, or UTF-8 with stray NULs, or binary data);
strict UTF-8; then charset-normalizer, nudged towards the Chinese codecs a Chinese/English corpus
meets (GB18030 for GB2312/GBK, Big5); when no codec reads the whole file, a UTF-8 file with some
lines pasted in one Chinese legacy codec is decoded line by line.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from policyscope.corpus.errors import LoadError
from policyscope.corpus.loaders.base import SAMPLE


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


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode text bytes, detecting the encoding.

    Order: byte-order marks (UTF-8, UTF-16 LE/BE); NUL bytes mean UTF-16 without BOM (the byte
    order chosen by which positions hold the NULs of ASCII characters) or else binary data;
    strict UTF-8; then charset-normalizer (GB18030 for GB2312/GBK, Big5, ...).

    Args:
        data: The raw bytes.

    Returns:
        ``(text, encoding)``, e.g. ``("二是 电池", "gb18030")``. Encoding names are Python codec
        names: ``utf-8``, ``utf-8-sig``, ``utf-16-le``, ``utf-16-be``, ``gb18030``, ``big5``, ...

    Raises:
        UndecodableError: Binary data or bytes no supported encoding can decode.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data, "utf-8-sig", "utf-8-sig"), "utf-8-sig"
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return _strict(data[len(bom) :], enc, enc), enc
    if b"\x00" in data:
        return _decode_with_stray_nuls(data) or _decode_utf16_guess(data)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        enc = _guess_codec(data)
    except UndecodableError:
        mixed = _decode_mixed_lines(data)
        if mixed is None:
            raise
        return mixed
    text = _strict(data, enc, enc)
    if not _looks_like_text(text):
        raise UndecodableError(f"binary data, not text (decodes as {enc} to control characters)")
    return text, enc


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


def _decode_mixed_lines(data: bytes) -> tuple[str, str] | None:
    """A UTF-8 file with some lines pasted in one Chinese legacy codec, decoded line by line.

    Files concatenated from two sources (a UTF-8 export plus a GB18030 page) defeat whole-file
    detection. Accepted only when some line is non-ASCII UTF-8 (so UTF-8 is really in use) and
    every other line decodes strictly in the single Chinese codec detected on those lines;
    encoding is reported as e.g. ``"utf-8+gb18030"``.
    """
    lines = data.splitlines(keepends=True)
    utf8_used = False
    bad: list[int] = []
    for i, line in enumerate(lines):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(i)
        else:
            utf8_used = utf8_used or not line.isascii()
    if not utf8_used or not bad:
        return None
    try:
        enc = _guess_codec(b"".join(lines[i] for i in bad))
    except UndecodableError:
        return None
    if enc not in _CHINESE_CODECS:
        return None
    try:
        text = "".join(line.decode(enc if i in set(bad) else "utf-8") for i, line in enumerate(lines))
    except UnicodeDecodeError:
        return None
    return (text, f"utf-8+{enc}") if _looks_like_text(text) else None


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


def decode_file(path: Path, data: bytes) -> tuple[str, str]:
    """:func:`decode_bytes` for a file: a ``LoadError`` naming it, codec names as ``utf-8``/``gb18030``."""
    try:
        text, enc = decode_bytes(data)
    except UndecodableError as exc:
        raise LoadError(path, str(exc)) from None
    return text, enc.replace("_", "-")


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
    ``take(7)`` then gives ``"undecodable bytes (not utf-8)"``.

    Args:
        encoding: a codec name as :func:`sniff_file_encoding` gives it; ``utf-8-sig`` drops the
            BOM of line 1.
    """

    def __init__(self, encoding: str) -> None:
        self.encoding = "utf-8" if encoding == "utf-8-sig" else encoding
        self._problems: dict[int, str] = {}

    def __call__(self, raw: bytes, lineno: int) -> str:
        if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            return raw.decode(self.encoding)
        except UnicodeDecodeError:
            self._problems[lineno] = f"undecodable bytes (not {self.encoding})"
            return raw.decode(self.encoding, "replace")

    def take(self, upto: int) -> str:
        """The first problem of the lines up to ``upto`` (``""`` when none), forgetting them all."""
        found = [n for n in self._problems if n <= upto]
        first = self._problems[min(found)] if found else ""
        for n in found:
            del self._problems[n]
        return first
