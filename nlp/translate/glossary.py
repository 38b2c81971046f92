"""The curated domain glossary (``nlp/data/glossary.tsv``), the translator's most trusted resource.

Policy, battery technology, minerals, places, institutions, units, and the legal and economic-security
vocabulary of the Japanese and Korean texts. Columns ``zh``, ``en``, ``note``, ``ja``, ``ko``; the first row
is the header and names them (found by name, so a file with only ``zh``, ``en`` and ``note`` still reads).
Variants are separated by ``|``, best first. ``ja`` and ``ko`` are the terms as written in Japanese and Korean
policy texts (蓄電池 / 축전지|배터리|이차전지), empty where no established term exists; ``zh`` and ``en`` are
required on every row.
"""

from __future__ import annotations

import importlib.resources
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from policyscope.nlp.translate.english import en_keys

REQUIRED_COLUMNS = ("zh", "en")


@dataclass(frozen=True)
class GlossaryEntry:
    """One glossary row: a Chinese term and its English, Japanese and Korean variants, best first."""

    zh: str
    en: tuple[str, ...]
    note: str = ""
    ja: tuple[str, ...] = ()
    ko: tuple[str, ...] = ()


def _variants(cell: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in cell.split("|") if v.strip())


def read_glossary(path: str | Path | None = None) -> list[GlossaryEntry]:
    """Parse a glossary TSV (header ``zh<TAB>en<TAB>note<TAB>ja<TAB>ko``); the packaged one by default.

    Raises:
        ValueError: The header lacks a ``zh`` or ``en`` column, or a row lacks a Chinese or an English
            side; the message names the file and line.
    """
    if path is None:
        text = importlib.resources.files("policyscope.nlp").joinpath("data/glossary.tsv").read_text("utf-8")
        where = "glossary.tsv"
    else:
        text = Path(path).read_text("utf-8")
        where = str(path)
    lines = text.splitlines()
    header = [c.strip() for c in lines[0].split("\t")] if lines else []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValueError(f"{where}:1: the header needs columns zh and en, got {header!r}")
    col = {name: header.index(name) for name in ("zh", "en", "note", "ja", "ko") if name in header}

    def cell(cols: list[str], name: str) -> str:
        i = col.get(name)
        return cols[i].strip() if i is not None and i < len(cols) else ""

    entries: list[GlossaryEntry] = []
    for lineno, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        cols = line.split("\t")
        zh, en = cell(cols, "zh"), _variants(cell(cols, "en"))
        if not zh or not en:
            raise ValueError(f"{where}:{lineno}: a glossary row needs both zh and en, got {line!r}")
        entries.append(
            GlossaryEntry(
                zh, en, cell(cols, "note"), _variants(cell(cols, "ja")), _variants(cell(cols, "ko"))
            )
        )
    return entries


class GlossaryIndex:
    """The glossary's rows looked up by their term in any of the four languages.

    A row is one concept in four languages, so a term found in any column gives the renderings of
    all the others: 備蓄 (ja) finds the row 储备 | stockpile | 備蓄 | 비축. English variants are keyed by
    their folded words (``en_keys``), Japanese by their NFKC form, Korean with spaces removed
    (공급망 안정화 is written both ways), Chinese as written.
    """

    def __init__(self, entries: list[GlossaryEntry]):
        self.entries = entries
        self.by_en: dict[tuple[str, ...], list[GlossaryEntry]] = {}
        self.by_zh: dict[str, GlossaryEntry] = {}
        self.by_ja: dict[str, list[GlossaryEntry]] = {}
        self.by_ko: dict[str, list[GlossaryEntry]] = {}
        for entry in entries:
            self.by_zh.setdefault(entry.zh, entry)
            for variant in entry.en:
                keys = en_keys(variant)
                if keys and entry not in self.by_en.setdefault(keys, []):
                    self.by_en[keys].append(entry)
            for variant in entry.ja:
                _append(self.by_ja, ja_key(variant), entry)
            for variant in entry.ko:
                _append(self.by_ko, ko_key(variant), entry)
        self.max_ja = max(map(len, self.by_ja), default=0)
        self.max_ko = max(map(len, self.by_ko), default=0)


def ja_key(text: str) -> str:
    """How a Japanese term is compared: NFKC (full-width letters and digits to ASCII), no spaces."""
    return unicodedata.normalize("NFKC", text).replace(" ", "")


def ko_key(text: str) -> str:
    """How a Korean term is compared: NFKC, no spaces (Korean compounds are written with or without)."""
    return unicodedata.normalize("NFKC", text).replace(" ", "")


def _append(index: dict[str, list[GlossaryEntry]], key: str, entry: GlossaryEntry) -> None:
    if key and entry not in index.setdefault(key, []):
        index[key].append(entry)
