"""The curated domain glossary (``nlp/data/glossary.tsv``), the translator's most trusted resource.

Policy, battery technology, minerals, places, institutions and units. Columns ``zh``, ``en``
(variants separated by ``|``) and ``note``; the first row is the header.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GlossaryEntry:
    """One glossary row: a Chinese term and its English variants, best first."""

    zh: str
    en: tuple[str, ...]
    note: str = ""


def read_glossary(path: str | Path | None = None) -> list[GlossaryEntry]:
    """Parse a glossary TSV (header ``zh<TAB>en<TAB>note``); the packaged one by default.

    Raises:
        ValueError: A row lacks a Chinese or an English side; the message names the line.
    """
    if path is None:
        text = importlib.resources.files("policyscope.nlp").joinpath("data/glossary.tsv").read_text("utf-8")
        where = "glossary.tsv"
    else:
        text = Path(path).read_text("utf-8")
        where = str(path)
    entries: list[GlossaryEntry] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if lineno == 1 or not line.strip():
            continue
        cols = line.split("\t")
        zh = cols[0].strip()
        en = tuple(v.strip() for v in (cols[1] if len(cols) > 1 else "").split("|") if v.strip())
        if not zh or not en:
            raise ValueError(f"{where}:{lineno}: a glossary row needs both zh and en, got {line!r}")
        entries.append(GlossaryEntry(zh, en, cols[2].strip() if len(cols) > 2 else ""))
    return entries
