"""Encoding detection (policyscope.corpus.loaders.encoding), through text files and directly."""

from __future__ import annotations

import codecs

import pytest
from policyscope.corpus.loaders import decode_bytes
from policyscope.corpus.normalize import normalize_text

from tests.corpus.loaders.common import EN, ZH, ZH_TW, load_error, load_one


@pytest.mark.parametrize(
    ("text", "raw_encoding", "bom", "expected"),
    [
        (ZH, "utf-8", b"", "utf-8"),
        (ZH, "utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        (ZH, "utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le"),
        (ZH, "utf-16-be", codecs.BOM_UTF16_BE, "utf-16-be"),
        (ZH, "utf-16-le", b"", "utf-16-le"),
        (ZH, "utf-16-be", b"", "utf-16-be"),
        (EN, "utf-16-le", b"", "utf-16-le"),
        (ZH, "gb18030", b"", "gb18030"),
        (ZH, "gbk", b"", "gb18030"),
        (ZH_TW, "big5", b"", "big5"),
        ("Politique énergétique française, café et crème.\n", "cp1252", b"", "cp1252"),
    ],
)
def test_text_file_encoding_is_detected_and_decoded_exactly(tmp_path, text, raw_encoding, bom, expected):
    path = tmp_path / "policy.txt"
    path.write_bytes(bom + text.encode(raw_encoding))
    doc = load_one(path)
    assert doc.text == normalize_text(text)
    assert doc.meta["encoding"] == expected


def test_decode_bytes_rejects_binary_with_nul_bytes():
    from policyscope.corpus.loaders import UndecodableError

    with pytest.raises(UndecodableError, match="binary"):
        decode_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00")


def test_binary_data_in_text_file_is_reported(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
    )
    assert "binary data" in load_error(path)


def test_undecodable_bytes_are_reported(tmp_path):
    path = tmp_path / "bad.md"
    path.write_bytes(codecs.BOM_UTF8 + "标题".encode() + b"\xff\xfe\xfa broken")
    assert "undecodable bytes" in load_error(path)
