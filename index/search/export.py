"""Search results as files a researcher takes away: CSV, JSONL, BibTeX and RIS.

:func:`cite_hits` joins each :class:`~.results.Hit` with its document's catalog facts (issuer, date,
official address, titles in every language) into a flat :class:`CitedHit`; one writer per format turns
those into text. The writers live in :data:`EXPORTERS` (a registry by name): the CLI's ``--format``
choices, the app's format picker and the file suffixes all derive from it.

Document text is untrusted, so every writer escapes for its format:

- CSV: a cell that starts with ``= + - @`` (or a tab or carriage return) is read as a formula by
  spreadsheet programs; such cells get a leading ``'`` (OWASP's advice for CSV injection).
- BibTeX (written with ``bibtexparser`` v2): BibTeX counts braces even after a backslash, so ``\\{``
  does not protect an unbalanced brace; braces, the backslash and TeX's other special characters
  become text commands (``{`` -> ``\\textbraceleft{}``, ``&`` -> ``\\&``). Worked example:
  ``R&D {draft} 50%`` is written ``R\\&D \\textbraceleft{}draft\\textbraceright{} 50\\%``.
- RIS (written with ``rispy``): a record is one ``TAG  - value`` per line, so a newline inside a
  value could start a forged tag (``ER  -`` ends the record); line breaks become spaces.

Only ``http``/``https`` addresses are exported as the official URL.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:
    from policyscope.corpus.records import Document
    from policyscope.corpus.store import Store
    from policyscope.index.search.results import Hit

__all__ = [
    "EXPORTERS",
    "CitedHit",
    "Exporter",
    "citation_text",
    "cite_hits",
    "export_hits",
    "get_exporter",
    "official_url",
]


@dataclass(frozen=True)
class CitedHit:
    """One search hit with what a citation needs: the document's facts beside the passage and its offsets.

    ``title`` is the title in the document's own language; ``title_en`` and ``title_zh`` where known.
    ``start``/``end`` are character offsets of the passage in the stored document text.
    """

    rank: int
    score: float
    passage_id: str
    doc_id: str
    catalog_id: str
    title: str
    title_en: str
    title_zh: str
    issuer: str
    date: str
    year: int | None
    country: str
    country_name: str
    region: str
    kind: str
    lang: str
    start: int
    end: int
    text: str
    url: str
    query: str = ""


def official_url(meta: dict[str, Any]) -> str:
    """The document's first ``http``/``https`` official address, or "" (other schemes are never exported)."""
    urls = list(meta.get("urls") or ()) + ([meta["url"]] if meta.get("url") else [])
    for u in urls:
        u = str(u).strip()
        parts = urlsplit(u)
        if parts.scheme.lower() in ("http", "https") and parts.netloc:
            # Characters no valid address holds (spaces, braces, quotes, backslashes) are percent-encoded,
            # so the address cannot end a BibTeX value, an HTML attribute or a RIS line early.
            return quote(u, safe=":/?#[]@!$&'()*+,;=%~")
    return ""


def cite_hits(hits: Sequence[Hit], store: Store, query: str = "") -> list[CitedHit]:
    """The hits joined with their documents' facts (one read of the documents they come from)."""
    from policyscope.corpus.jurisdictions import known_country_names

    docs: dict[str, Document] = {d.id: d for d in store.iter_documents(list(dict.fromkeys(h.doc_id for h in hits)))}
    out = []
    for h in hits:
        doc = docs.get(h.doc_id)
        meta = (doc.meta if doc else {}) or {}
        native = str(meta.get("title_native") or h.title or h.title_en or h.title_zh)
        out.append(CitedHit(
            rank=h.rank, score=h.score, passage_id=h.passage_id, doc_id=h.doc_id, catalog_id=h.catalog_id,
            title=native, title_en=h.title_en, title_zh=h.title_zh,
            issuer=str(meta.get("issuer") or meta.get("issuer_native") or ""),
            date=str(meta.get("date_raw") or (doc.date if doc else "") or (h.year or "")),
            year=h.year, country=h.country, country_name=known_country_names(h.country).get("en", ""), region=h.region,
            kind=h.doc_kind or (doc.kind if doc else ""), lang=h.lang, start=h.start, end=h.end, text=h.text,
            url=official_url(meta), query=query,
        ))
    return out


def citation_text(c: CitedHit) -> str:
    """One plain-text citation (what "copy citation" puts on the clipboard).

    Example: ``National Diet of Japan. 資源の有効な利用の促進に関する法律 [Act on the Promotion of Effective
    Utilization of Resources]. Japan (JP), law, 1991-04-26. Passage 3f2a…, characters 120–480.
    https://laws.e-gov.go.jp/law/403AC0000000048``
    """
    others = [t for t in (c.title_en, c.title_zh) if t and t != c.title]
    title = c.title + (f" [{' / '.join(others)}]" if others else "")
    where = ", ".join(x for x in (f"{c.country_name} ({c.country})" if c.country_name else c.country, c.kind,
                                  c.date) if x)
    parts = [f"{c.issuer}." if c.issuer else "", f"{title}.", f"{where}." if where else "",
             f"Passage {c.passage_id}, characters {c.start}–{c.end}.", c.url]
    return " ".join(p for p in parts if p)


# -- writers ----------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def write_csv(rows: Sequence[CitedHit]) -> str:
    """A header row of :class:`CitedHit`'s fields, then one row per hit (formula-looking cells quoted)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    names = [f.name for f in fields(CitedHit)]
    w.writerow(names)
    for r in rows:
        d = asdict(r)
        w.writerow([_csv_cell(d[n]) for n in names])
    return buf.getvalue()


def write_jsonl(rows: Sequence[CitedHit]) -> str:
    """One JSON object per line, Chinese and Japanese kept as they are (``ensure_ascii=False``)."""
    return "".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in rows)


_TEX = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "&": r"\&", "%": r"\%",
    "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_TEX_RE = re.compile("|".join(re.escape(k) for k in _TEX))


def tex_escape(text: str) -> str:
    """``text`` safe inside a braced BibTeX value (every brace balanced, TeX specials as text)."""
    return _TEX_RE.sub(lambda m: _TEX[m.group(0)], text)


def _bib_key(c: CitedHit) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", f"{c.country}{c.year or ''}") + "_" + re.sub(r"[^A-Za-z0-9]", "", c.passage_id)


def write_bibtex(rows: Sequence[CitedHit]) -> str:
    """One ``@misc`` entry per hit (``bibtexparser`` v2 writes the file).

    Fields: ``title`` (own language), ``titleaddon`` (English and Chinese titles, biblatex prints it after
    the title), ``author`` (the issuer, double-braced as a corporate author), ``date`` and ``year``,
    ``url``, ``language``, ``note`` (jurisdiction, kind, passage id and character offsets, rank and score)
    and ``annote`` (the passage text).
    """
    from bibtexparser import Library, write_string
    from bibtexparser.model import Entry, Field

    lib = Library()
    seen: dict[str, int] = {}
    for c in rows:
        key = _bib_key(c)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:  # the same passage twice (two queries' results): keys must be unique
            key = f"{key}_{seen[key]}"
        others = [t for t in (c.title_en, c.title_zh) if t and t != c.title]
        where = f"{c.country_name} ({c.country})" if c.country_name else c.country
        note = "; ".join(x for x in (where, c.kind, f"passage {c.passage_id}, characters {c.start}--{c.end}",
                                     f"rank {c.rank}, score {c.score:.4f}") if x)
        values = {
            "title": tex_escape(c.title),
            "titleaddon": tex_escape(" / ".join(others)),
            "author": "{" + tex_escape(c.issuer) + "}" if c.issuer else "",
            "date": tex_escape(c.date),
            "year": str(c.year or ""),
            "url": c.url,  # already restricted to http(s) and percent-encoded (official_url)
            "language": tex_escape(c.lang),
            "note": tex_escape(note),
            "annote": tex_escape(c.text),
        }
        lib.add(Entry("misc", key, [Field(k, v) for k, v in values.items() if v]))  # the writer adds the braces
    return write_string(lib)


_RIS_TYPES = {"law": "STAT", "regulation": "STAT", "act": "STAT", "decree": "STAT", "ordinance": "STAT",
              "bill": "BILL"}


def _ris_text(value: Any) -> str:
    """One line: line breaks (and other control characters) become spaces, so a value cannot forge a tag."""
    return re.sub(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+", " ", "" if value is None else str(value)).strip()


def _ris_type(kind: str) -> str:
    words = re.findall(r"[a-z]+", kind.lower())  # whole words: "fact sheet" holds "act" but is no statute
    return next((_RIS_TYPES[w] for w in words if w in _RIS_TYPES), "GOVDOC")


def write_ris(rows: Sequence[CitedHit]) -> str:
    """One RIS record per hit (``rispy`` writes the file).

    ``TY`` is ``STAT`` for laws and regulations, else ``GOVDOC``; ``TI`` the title in its own language,
    ``TT`` the English (and Chinese) title, ``AU`` the issuer, ``PY``/``DA`` year and date, ``CY`` the
    jurisdiction, ``UR`` the official address, ``LA`` the language, ``M3`` the kind, ``ID`` the passage
    id, ``C1``/``C2`` the passage's start and end offsets, ``AB`` the passage text and ``N1`` a note with
    passage, offsets, rank and score.
    """
    import rispy
    from rispy.writer import RisWriter

    class _Writer(RisWriter):
        def set_header(self, count: int) -> str:
            return ""  # no "1." line before each record: not a RIS tag, and some readers choke on it

    entries = []
    for c in rows:
        others = [t for t in (c.title_en, c.title_zh) if t and t != c.title]
        date = c.date.replace("-", "/") if re.fullmatch(r"\d{4}-\d{2}-\d{2}", c.date) else c.date
        e = {
            "type_of_reference": _ris_type(c.kind),
            "title": c.title, "translated_title": " / ".join(others),
            "authors": [c.issuer] if c.issuer else [],
            "year": str(c.year or ""), "date": date,
            "place_published": f"{c.country_name} ({c.country})" if c.country_name else c.country,
            "urls": [c.url] if c.url else [], "language": c.lang, "type_of_work": c.kind,
            "id": c.passage_id, "custom1": str(c.start), "custom2": str(c.end), "abstract": c.text,
            "notes": [f"passage {c.passage_id}, characters {c.start}-{c.end}; rank {c.rank}, score {c.score:.4f}"],
        }
        clean: dict[str, Any] = {}
        for k, v in e.items():
            v = [_ris_text(x) for x in v] if isinstance(v, list) else _ris_text(v)
            if v:
                clean[k] = v
        entries.append(clean)
    return rispy.dumps(entries, implementation=_Writer)


@dataclass(frozen=True)
class Exporter:
    """A result format: its writer, the file suffix and the media type a download is served with."""

    name: str
    suffix: str
    media_type: str
    write: Callable[[Sequence[CitedHit]], str]

    def file_name(self, stem: str) -> str:
        return f"{stem}{self.suffix}"


EXPORTERS: dict[str, Exporter] = {
    e.name: e for e in (
        Exporter("csv", ".csv", "text/csv", write_csv),
        Exporter("jsonl", ".jsonl", "application/jsonl", write_jsonl),
        Exporter("bibtex", ".bib", "application/x-bibtex", write_bibtex),
        Exporter("ris", ".ris", "application/x-research-info-systems", write_ris),
    )
}


def get_exporter(name: str) -> Exporter:
    """The exporter called ``name``; ``ValueError`` lists the available ones."""
    try:
        return EXPORTERS[name]
    except KeyError:
        raise ValueError(f"unknown export format {name!r}; available: {', '.join(EXPORTERS)}") from None


def export_hits(rows: Iterable[CitedHit], fmt: str) -> str:
    """``rows`` written in ``fmt`` (a name of :data:`EXPORTERS`)."""
    return get_exporter(fmt).write(list(rows))
