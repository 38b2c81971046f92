"""The packaged glossary file and its reader."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from policyscope.nlp.translate import read_glossary

GLOSSARY = Path(__file__).resolve().parents[3] / "nlp" / "data" / "glossary.tsv"


def test_glossary_parses_with_both_sides_on_every_row() -> None:
    lines = GLOSSARY.read_text("utf-8").splitlines()
    assert lines[0] == "zh\ten\tnote"
    for lineno, line in enumerate(lines[1:], 2):
        cols = line.split("\t")
        assert len(cols) == 3, f"line {lineno}: {line!r}"
        assert cols[0].strip() and cols[1].strip(), f"line {lineno}: {line!r}"
        assert all(v.strip() for v in cols[1].split("|")), f"line {lineno}: empty variant"
    entries = read_glossary()
    assert len(entries) >= 300


def test_glossary_has_no_duplicate_zh_en_pairs() -> None:
    pairs = Counter((e.zh, v.lower()) for e in read_glossary() for v in e.en)
    assert [p for p, n in pairs.items() if n > 1] == []


def test_a_glossary_row_without_english_is_reported_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "g.tsv"
    bad.write_text("zh\ten\tnote\n锂\tlithium\t\n钴\t\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"g\.tsv:3"):
        read_glossary(bad)
