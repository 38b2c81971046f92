"""The document view: a whole document with its facts, passage by passage (search results: :mod:`.results`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .markup import (
    action,
    count_noun,
    country_badge,
    esc,
    fact,
    highlight,
    measure_chip,
    meta_line,
    titles,
)

if TYPE_CHECKING:
    from policyscope.corpus.records import Document, Passage

# -- document view ----------------------------------------------------------------------------------


def related_links(groups: Sequence[Mapping[str, Any]]) -> str:
    """Links between a document and others: ``[{"heading": ..., "items": [{"label", "doc", "note"}]}]``."""
    out = []
    for g in groups:
        items = g.get("items") or ()
        if not items:
            continue
        lis = "".join(
            f'<li>{action(str(i["label"]), "open", doc=i["doc"]) if i.get("doc") else esc(i["label"])}'
            + (f' <small>{esc(i["note"])}</small>' if i.get("note") else "") + "</li>"
            for i in items
        )
        out.append(f'<div class="ps-related"><b>{esc(g["heading"])}</b><ul>{lis}</ul></div>')
    return "".join(out)


def document_facts(doc: Document) -> str:
    """What the corpus knows about a document: titles in every language, country and region, kind, dates,
    issuer, official address (as text: no link is built from document data), licence and where the text
    came from (source repository, path, commit)."""
    from policyscope.corpus.jurisdictions import known_country_names

    m = doc.meta or {}
    names = known_country_names(doc.country)
    country = ""
    if doc.country:
        country = country_badge(doc.country) + " " + esc(" / ".join(dict.fromkeys(
            v for k, v in names.items() if k != "en")))
        if doc.region:
            country += f' <small>({esc(doc.region)})</small>'
    native = m.get("title_native") or (doc.title if doc.title not in (doc.title_en, doc.title_zh) else "")
    urls = list(m.get("urls") or ([m["url"]] if m.get("url") else []))
    src = m.get("source_repo") or {}
    source = ""
    if src:
        commit = str(src.get("commit", ""))[:10]
        source = (f'<code>{esc(src.get("repo", ""))}</code> · {esc(src.get("path", ""))}'
                  + (f" · commit <code>{esc(commit)}</code>" if commit else ""))
    rows = [
        fact("Title (original)", esc(native)),
        fact("English title", esc(doc.title_en)),
        fact("中文标题", esc(doc.title_zh)),
        fact("日本語", esc(m.get("title_ja", "")) if m.get("title_ja") != native else ""),
        fact("한국어", esc(m.get("title_ko", "")) if m.get("title_ko") != native else ""),
        fact("Country 国家", country),
        fact("Kind", esc(doc.kind)),
        fact("Date", esc(m.get("date_raw") or doc.date)),
        fact("In force", esc(m.get("in_force", ""))),
        fact("Version", esc(m.get("version_note", ""))),
        fact("Issuer", esc(m.get("issuer", "")) + (f"<br><small>{esc(m['issuer_native'])}</small>"
                                                    if m.get("issuer_native") and m.get("issuer_native") != m.get("issuer")
                                                    else "")),
        fact("Official address", "<br>".join(f'<span class="ps-url">{esc(u)}</span>' for u in urls)),
        fact("Summary", esc(m.get("summary_en", "")) + (f"<br>{esc(m['summary_zh'])}" if m.get("summary_zh") else "")),
        fact("Source of the text", source),
        fact("Licence", esc(m.get("licence", ""))),
        fact("Metadata problem", esc(m.get("front_matter_warning", ""))),
    ]
    body = "".join(r for r in rows if r)
    return f'<table class="ps-facts">{body}</table>' if body else ""


def document_view(
    doc: Document, passages: Sequence[Passage], focus: str | None = None, measures: Mapping[str, Iterable[str]] | None = None,
    spans: Mapping[str, Sequence[tuple[int, int]]] | None = None, terms: Sequence[str] = (),
    related: Sequence[Mapping[str, Any]] = (), passage_links: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> str:
    """The whole document, passage by passage, with the focus passage marked (``.ps-focus``) for scrolling.

    Above the text: the document's facts (:func:`document_facts`) and its ``related`` documents (the
    Table 1 row a text is the basis of, the full texts of a catalog record). ``passage_links`` adds links
    under single passages (a seed-paper table row -> the full texts that implement its policy).
    Text between passages (blank lines, dropped fragments) is shown as-is so the reader sees everything.
    """
    measures = measures or {}
    spans = spans or {}
    passage_links = passage_links or {}
    info = {"country": doc.country, "year": doc.year, "lang": doc.lang, "status": doc.status}
    out = [
        '<div class="ps-doc">',
        f'<h3 class="ps-doc-title">{titles(doc.title_zh, doc.title_en, doc.title)}</h3>',
        f'<div class="ps-meta">{meta_line(info)} · <code>{esc(doc.catalog_id or doc.id)}</code>'
        + (f" · {esc(doc.kind)}" if doc.kind else "") + (f" · {esc(doc.date)}" if doc.date else "")
        + f" · {count_noun(len(passages), 'passage')}</div>",
        related_links(related),
        document_facts(doc),
        '<div class="ps-doc-body">',
    ]
    pos = 0
    for p in passages:
        if p.start > pos:
            gap = doc.text[pos:p.start]
            if gap.strip():
                out.append(f'<div class="ps-gap">{esc(gap)}</div>')
        cls = "ps-passage ps-focus" if p.id == focus else "ps-passage"
        chips = "".join(measure_chip(m) for m in sorted(measures.get(p.id, ())))
        head = f'<div class="ps-heading">{esc(p.heading)}</div>' if p.kind == "heading" else ""
        body = highlight(p.text, terms if p.id == focus else (), spans.get(p.id, ()))
        links = passage_links.get(p.id, ())
        linked = ("" if not links else '<div class="ps-plinks">'
                  + " ".join(action(str(i["label"]), "open", doc=i["doc"]) for i in links) + "</div>")
        out.append(
            f'<div class="{cls}" id="ps-p-{esc(p.id)}" data-pid="{esc(p.id)}">{head}'
            f'<span class="ps-seq">{esc(p.seq)}{" · p." + esc(p.page) if p.page else ""}</span>'
            f'<div class="ps-text">{body}</div>'
            + (f'<div class="ps-foot">{chips}</div>' if chips else "")
            + linked
            + "</div>"
        )
        pos = max(pos, p.end)
    if pos < len(doc.text) and doc.text[pos:].strip():
        out.append(f'<div class="ps-gap">{esc(doc.text[pos:])}</div>')
    out.append("</div></div>")
    return "".join(out)
