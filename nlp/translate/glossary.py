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
from dataclasses import dataclass
from pathlib import Path

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
