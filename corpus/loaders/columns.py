"""Which column of a tabular file (CSV, JSONL, XLSX) feeds which document field."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path

from policyscope.corpus.errors import LoadError


@dataclass(frozen=True)
class ColumnMap:
    """Which source column feeds which document field in a tabular file.

    Only ``text`` is required. ``ColumnMap.parse("text=description,title=name")`` reads the CLI
    form; ``ColumnMap.guess(header)`` picks common column names, e.g. for the CCLW export
    ``["id", "title", "description", "geography", "date", ...]`` it maps ``text=description``,
    ``country=geography`` and ``date=date``.
    """

    text: str
    title: str | None = None
    id: str | None = None
    country: str | None = None
    region: str | None = None
    date: str | None = None
    year: str | None = None
    kind: str | None = None
    lang: str | None = None
    url: str | None = None

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        """The valid field names, ``text`` first."""
        return tuple(f.name for f in fields(cls))

    @classmethod
    def parse(cls, spec: str) -> ColumnMap:
        """Parse ``"text=text,title=title,id=id,country=country,date=date"``.

        Raises:
            ValueError: An item without ``=``, an unknown key (the message lists the valid keys),
                a repeated key, an empty column name, or no ``text`` key.
        """
        valid = cls.keys()
        mapping: dict[str, str] = {}
        for item in (s.strip() for s in spec.split(",")):
            if not item:
                continue
            key, eq, column = (s.strip() for s in item.partition("="))
            if not eq:
                raise ValueError(
                    f"bad column mapping item '{item}'; expected key=column, e.g. text=description"
                )
            if key not in valid:
                raise ValueError(f"unknown column key '{key}'; valid keys: {', '.join(valid)}")
            if key in mapping:
                raise ValueError(f"column key '{key}' given twice")
            if not column:
                raise ValueError(f"empty column name for key '{key}'")
            mapping[key] = column
        if "text" not in mapping:
            raise ValueError("column mapping needs text=<column>, e.g. text=description")
        return cls(**mapping)

    @classmethod
    def guess(cls, header: list[str]) -> ColumnMap:
        """Pick columns by common names (case-, space- and hyphen-insensitive).

        Raises:
            ValueError: No column looks like text; the message lists the columns.
        """
        by_key: dict[str, str] = {}
        for name in header:
            if name is None:
                continue
            key = re.sub(r"[\s\-]+", "_", str(name).strip().lower())
            by_key.setdefault(key, str(name))
        chosen: dict[str, str] = {}
        for field_name, candidates in _GUESSES.items():
            for cand in candidates:
                if cand in by_key:
                    chosen[field_name] = by_key[cand]
                    break
        if "text" not in chosen:
            cols = ", ".join(str(h) for h in header if h is not None) or "(none)"
            raise ValueError(f"no text column found among: {cols}; pass a column map such as text=<column>")
        return cls(**chosen)

    def mapped(self) -> dict[str, str]:
        """``{field: column}`` for the fields that are set."""
        return {k: v for k in self.keys() if (v := getattr(self, k))}


_GUESSES: dict[str, tuple[str, ...]] = {
    "text": (
        "text",
        "description",
        "summary",
        "body",
        "content",
        "full_text",
        "abstract",
        "short_description",
        "正文",
        "内容",
        "摘要",
    ),
    "title": ("title", "name", "document_title", "title_en", "标题", "名称"),
    "id": ("id", "document_id", "doc_id", "law_id", "uid", "编号"),
    # A code column first: codes map without ambiguity (the CCLW export has both "iso" and "country").
    "country": ("country_code", "iso", "iso3", "iso_code", "iso_a3", "alpha_3", "alpha_2", "country", "country_name",
                "nation", "geography", "jurisdiction", "国家", "国家/地区"),
    "region": ("region", "地区", "区域"),
    "date": ("date", "publication_date", "date_published", "published", "date_passed", "日期", "发布日期"),
    "year": ("year", "year_passed", "date_passed", "年份"),
    "kind": ("type", "kind", "document_type", "doc_type", "legislation_type", "category", "类型"),
    "lang": ("language", "lang", "语言"),
    "url": ("url", "link", "source_url", "href", "链接"),
}


def resolve_columns(path: Path, header: list[str], columns: ColumnMap | None) -> ColumnMap:
    """``columns`` checked against a file's header, or guessed from it when ``None``.

    Raises:
        LoadError: a mapped column is not in the header, or no column looks like text; the
            message lists the columns.
    """
    if columns is None:
        try:
            return ColumnMap.guess(header)
        except ValueError as exc:
            raise LoadError(path, str(exc)) from None
    present = set(header)
    for key, column in columns.mapped().items():
        if column not in present:
            cols = ", ".join(str(h) for h in header if h not in (None, "")) or "(none)"
            raise LoadError(path, f"column '{column}' (for {key}) not found; available columns: {cols}")
    return columns
