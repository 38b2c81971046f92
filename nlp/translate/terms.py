"""What a translated query is made of: ``Term`` (a piece of the query and its renderings) and
``Expansion`` (all of a query's terms), plus the renderings of a glossary row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from policyscope.nlp.translate.english import en_keys
from policyscope.nlp.translate.glossary import GlossaryEntry

Origin = Literal["glossary", "cedict", "number", "jmdict"]
ORIGINS: tuple[str, ...] = ("glossary", "cedict", "number", "jmdict")
QueryLang = Literal["zh", "en", "ja", "ko"]


@dataclass(frozen=True)
class Term:
    """One piece of the query and its translations.

    Attributes:
        source: The query text the term covers, as normalised ("solid state battery", 关键矿产).
        targets: Renderings in the other languages, best first.
        origin: Which resource produced the targets.
        langs: The language of each target (zh, en, ja, ko), so each is read by its own analyzer;
            empty when the targets' language is left to detection (number renderings).
    """

    source: str
    targets: tuple[str, ...]
    origin: Origin
    langs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.source:
            raise ValueError("a term needs a non-empty source")
        if self.origin not in ORIGINS:
            raise ValueError(f"unknown term origin {self.origin!r}; available: {', '.join(ORIGINS)}")
        if self.langs and len(self.langs) != len(self.targets):
            raise ValueError(f"{len(self.langs)} languages for {len(self.targets)} targets of {self.source!r}")

    def in_lang(self, lang: str) -> list[str]:
        """The targets written in ``lang`` (all targets when their languages are not recorded)."""
        if not self.langs:
            return list(self.targets)
        return [t for t, tl in zip(self.targets, self.langs) if tl == lang]

    def pairs(self) -> list[tuple[str, str | None]]:
        """``(target, language or None)`` for each target."""
        return list(zip(self.targets, self.langs)) if self.langs else [(t, None) for t in self.targets]


@dataclass(frozen=True)
class Expansion:
    """A query with its dictionary translation.

    Attributes:
        source_lang: Language the query was written in (zh, en, ja or ko).
        terms: Translated pieces of the query, in query order.
        text_zh: The Chinese side: the query itself if Chinese, else its Chinese renderings joined by spaces.
        text_en: The English side, likewise.
    """

    source_lang: QueryLang
    terms: tuple[Term, ...] = ()
    text_zh: str = ""
    text_en: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.text_zh and not self.text_en

    def all_terms(self) -> list[str]:
        """Source terms and their translations, unique, in query order (for highlighting hits)."""
        out: list[str] = []
        seen: set[str] = set()
        for term in self.terms:
            for s in (term.source, *term.targets):
                if s and s not in seen:
                    seen.add(s)
                    out.append(s)
        return out


def row_term(source: str, entries: list[GlossaryEntry], source_lang: str) -> Term:
    """A glossary term: every other language's renderings of the rows ``source`` was found in.

    Chinese renderings come first (one per row, in row order), then English, Japanese and Korean,
    so ``targets[0]`` of an English term is its Chinese translation as before.
    """
    targets: dict[str, str] = {}
    seen_en: set[tuple[str, ...]] = set()
    for lang in ("zh", "en", "ja", "ko"):
        if lang == source_lang:
            continue
        for entry in entries:
            for v in (entry.zh,) if lang == "zh" else getattr(entry, lang):
                if lang == "en":  # "battery" and "batteries" are one rendering
                    keys = en_keys(v)
                    if keys in seen_en:
                        continue
                    seen_en.add(keys)
                targets.setdefault(v, lang)
    return Term(source, tuple(targets), "glossary", tuple(targets.values()))
