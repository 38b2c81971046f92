"""HTML for the web app, built only from escaped text.

Rule: every string that comes from a document, a title, a query or a file name goes through
:func:`esc` (``html.escape`` with quotes) before it touches markup. Highlighting never inserts
markup into raw text: :func:`highlight` labels each character (query term, measure evidence),
then emits runs of *escaped* characters wrapped in ``<mark>``. Links to documents are
``data-*`` attributes holding escaped ids that the app's click handler sends back to Python
(``trigger('click', {...})``); no ``href`` is ever built from document content and no file path
is ever shown or served.

Example: ``highlight('<b>电池</b> recycling', ['电池'])`` gives
``&lt;b&gt;<mark class="term">电池</mark>&lt;/b&gt; recycling``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from policyscope.corpus.records import Document, Passage, PassageView, Tag
    from policyscope.corpus.store import DocumentInfo
    from policyscope.index.compare import (
        Alignment,
        Item,
        MeasureMatrix,
        MeasureTable,
        TimelineEntry,
        TimelineLane,
        YearCounts,
    )
    from policyscope.index.search import Hit

_LATIN = re.compile(r"[A-Za-z0-9]")
COUNTRY_COLOURS = {
    "US": "#2563eb", "EU": "#16a34a", "JP": "#dc2626", "KR": "#9333ea", "GB": "#ea580c",
    "CN": "#b91c1c", "INT": "#0891b2",
}
TERM, EVIDENCE = 1, 2


@cache
def asset(name: str) -> str:
    """A browser-side file of the app from ``ui/assets/`` (package data), e.g. ``asset("app.css")``.

    ``app.css`` styles every ``ps-*`` class used below; ``on_load.js`` is each HTML box's click
    handler; ``keys.js`` and ``scroll.js`` are page scripts (see ``app.py`` and ``serve.py``).
    """
    return resources.files("policyscope.ui").joinpath("assets", name).read_text(encoding="utf-8")


def esc(value: Any) -> str:
    """Escape any value for HTML text or a double-quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


# -- measure names ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _taxonomy_names() -> dict[str, tuple[str, str]]:
    try:
        from policyscope.nlp.measures import load_taxonomy

        return {m.id: (m.name_zh, m.name_en) for m in load_taxonomy()}
    except (ImportError, OSError, ValueError):  # taxonomy absent or broken: show ids
        return {}


def measure_names(measure: str) -> tuple[str, str]:
    """(Chinese, English) display names of a measure id; the id itself when unknown."""
    return _taxonomy_names().get(measure, (measure, measure))


def measure_label(measure: str) -> str:
    """``中文 · English`` for choices and headers (plain text, escape before use)."""
    zh, en = measure_names(measure)
    return en if zh == en else f"{zh.split(' / ')[0]} · {en}"


def measure_chip(measure: str, extra_class: str = "") -> str:
    zh, en = measure_names(measure)
    short_zh = zh.split(" / ")[0]
    return (f'<span class="ps-chip {esc(extra_class)}" title="{esc(measure)}">'
            f"{esc(short_zh)}<small> {esc(en)}</small></span>")


# -- highlighting -----------------------------------------------------------------------------------


def _term_pattern(term: str) -> re.Pattern[str] | None:
    chars = [c for c in term.strip() if not c.isspace()]
    if not chars:
        return None
    body = r"\s*".join(re.escape(c) for c in chars)
    if _LATIN.match(chars[0]):
        body = r"(?<![A-Za-z0-9])" + body
    if _LATIN.match(chars[-1]):
        body += r"(?![A-Za-z0-9])"
    return re.compile(body, re.IGNORECASE)


def highlight(text: str, terms: Iterable[str] = (), spans: Iterable[tuple[int, int]] = ()) -> str:
    """Escaped ``text`` with query ``terms`` and evidence ``spans`` (offsets into ``text``) in ``<mark>``."""
    labels = [0] * len(text)
    for term in terms:
        pattern = _term_pattern(term)
        if pattern is None:
            continue
        for m in pattern.finditer(text):
            for i in range(m.start(), m.end()):
                labels[i] |= TERM
    for start, end in spans:
        for i in range(max(0, start), min(len(text), end)):
            labels[i] |= EVIDENCE
    out: list[str] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and labels[j] == labels[i]:
            j += 1
        chunk = esc(text[i:j])
        label = labels[i]
        if label == 0:
            out.append(chunk)
        else:
            cls = {TERM: "term", EVIDENCE: "evidence", TERM | EVIDENCE: "term evidence"}[label]
            out.append(f'<mark class="{cls}">{chunk}</mark>')
        i = j
    return "".join(out)


# -- small pieces -----------------------------------------------------------------------------------


def message(text: str, kind: str = "info") -> str:
    """A friendly notice box (``info``, ``empty``, ``error``)."""
    icon = {"info": "ℹ️", "empty": "🔍", "error": "⚠️"}.get(kind, "ℹ️")
    return f'<div class="ps-msg ps-{esc(kind)}" role="status">{icon} {esc(text)}</div>'


def titles(zh: str, en: str, fallback: str = "") -> str:
    """Both titles, Chinese first; escaped."""
    parts = []
    if zh:
        parts.append(f'<span class="ps-title-zh">{esc(zh)}</span>')
    if en and en != zh:
        parts.append(f'<span class="ps-title-en">{esc(en)}</span>')
    if not parts:
        parts.append(f'<span class="ps-title-en">{esc(fallback or "(untitled)")}</span>')
    return " ".join(parts)


def _country_names(code: str) -> dict[str, str]:
    from policyscope.corpus.jurisdictions import country_names

    try:
        return country_names(code)
    except ValueError:
        return {}


def country_badge(code: str, names: bool = True) -> str:
    """The country code with its English name (all four names in the tooltip): ``US United States``."""
    code = (code or "").upper()
    colour = COUNTRY_COLOURS.get(code, "#475569")
    found = _country_names(code) if code else {}
    tip = " / ".join(dict.fromkeys(found.values()))
    name = f' <span class="ps-cname">{esc(found["en"])}</span>' if names and found.get("en") else ""
    return (f'<span class="ps-country" style="background:{colour}" title="{esc(tip)}">'
            f'<b class="ps-code">{esc(code or "?")}</b>{name}</span>')


def action(label: str, act: str, **data: Any) -> str:
    """A button the app's delegated click handler turns into a Python call (ids only, escaped)."""
    attrs = " ".join(f'data-{esc(k)}="{esc(v)}"' for k, v in data.items() if v is not None)
    return f'<button type="button" class="ps-act" data-action="{esc(act)}" {attrs}>{esc(label)}</button>'


def _meta_line(row: Mapping[str, Any]) -> str:
    bits = [country_badge(row.get("country", ""))]
    if row.get("year"):
        bits.append(f"<span>{esc(row['year'])}</span>")
    if row.get("page"):
        bits.append(f"<span>p. {esc(row['page'])}</span>")
    if row.get("lang"):
        bits.append(f'<span class="ps-lang">{esc(row["lang"])}</span>')
    if row.get("status") == "catalog":
        bits.append('<span class="ps-status">catalog record</span>')
    return " · ".join(bits)


# -- search results ---------------------------------------------------------------------------------


def result_cards(
    hits: Sequence[Hit | Mapping[str, Any]], spans: Mapping[str, Sequence[tuple[int, int]]] | None = None,
    header: str = "", translations: Sequence[str] = (),
) -> str:
    """Search hits as cards: titles in both languages, metadata, highlighted passage, measures, actions."""
    spans = spans or {}
    out = ['<div class="ps-results">']
    if header:
        out.append(f'<div class="ps-summary">{esc(header)}</div>')
    if translations:
        out.append(f'<div class="ps-summary">also searched: {esc(" ".join(translations))}</div>')
    for h in hits:
        row = h.to_dict() if hasattr(h, "to_dict") else dict(h)
        pid = row["passage_id"]
        ranks = []
        if row.get("semantic_rank"):
            ranks.append(f"semantic #{row['semantic_rank']}")
        if row.get("keyword_rank"):
            ranks.append(f"keyword #{row['keyword_rank']}")
        heading = f'<div class="ps-heading">{esc(row["heading"])}</div>' if row.get("heading") else ""
        context = f'<div class="ps-context">{esc(row["context"])}</div>' if row.get("context") else ""
        chips = "".join(measure_chip(m) for m in row.get("measures", ()))
        matched = ", ".join(esc(t) for t in row.get("matched_terms", ()))
        out.append(
            f'<article class="ps-card" data-pid="{esc(pid)}">'
            f'<header><span class="ps-rank">{esc(row.get("rank", ""))}</span> '
            f'{titles(row.get("title_zh", ""), row.get("title_en", ""), row.get("title", ""))}</header>'
            f'<div class="ps-meta">{_meta_line(row)}'
            f' · <span class="ps-score" title="{esc(", ".join(ranks))}">score {float(row.get("score", 0)):.4f}</span></div>'
            f"{heading}{context}"
            f'<div class="ps-text">{highlight(row["text"], row.get("matched_terms", ()), spans.get(pid, ()))}</div>'
            f'<div class="ps-foot">{chips}'
            + (f'<span class="ps-matched">matched: {matched}</span>' if matched else "")
            + (f'<span class="ps-more">{int(row["doc_hits"]) - 1} more matching in this document</span>'
               if int(row.get("doc_hits") or 0) > 1 else "")
            + "</div>"
            f'<div class="ps-actions">{action("More like this", "more", pid=pid)}'
            f'{action("Open in document", "open", doc=row["doc_id"], pid=pid)}</div>'
            "</article>"
        )
    out.append("</div>")
    return "".join(out)


# -- document view ----------------------------------------------------------------------------------


def _fact(label: str, value: str) -> str:
    return f'<tr><th>{esc(label)}</th><td>{value}</td></tr>' if value else ""


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
    m = doc.meta or {}
    names = _country_names(doc.country) if doc.country else {}
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
        _fact("Title (original)", esc(native)),
        _fact("English title", esc(doc.title_en)),
        _fact("中文标题", esc(doc.title_zh)),
        _fact("日本語", esc(m.get("title_ja", "")) if m.get("title_ja") != native else ""),
        _fact("한국어", esc(m.get("title_ko", "")) if m.get("title_ko") != native else ""),
        _fact("Country 国家", country),
        _fact("Kind", esc(doc.kind)),
        _fact("Date", esc(m.get("date_raw") or doc.date)),
        _fact("In force", esc(m.get("in_force", ""))),
        _fact("Version", esc(m.get("version_note", ""))),
        _fact("Issuer", esc(m.get("issuer", "")) + (f"<br><small>{esc(m['issuer_native'])}</small>"
                                                    if m.get("issuer_native") and m.get("issuer_native") != m.get("issuer")
                                                    else "")),
        _fact("Official address", "<br>".join(f'<span class="ps-url">{esc(u)}</span>' for u in urls)),
        _fact("Summary", esc(m.get("summary_en", "")) + (f"<br>{esc(m['summary_zh'])}" if m.get("summary_zh") else "")),
        _fact("Source of the text", source),
        _fact("Licence", esc(m.get("licence", ""))),
        _fact("Metadata problem", esc(m.get("front_matter_warning", ""))),
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
        f'<div class="ps-meta">{_meta_line(info)} · <code>{esc(doc.catalog_id or doc.id)}</code>'
        + (f" · {esc(doc.kind)}" if doc.kind else "") + (f" · {esc(doc.date)}" if doc.date else "")
        + f" · {len(passages)} passages</div>",
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


# -- compare ----------------------------------------------------------------------------------------


def _item_header(item: Item) -> str:
    if item.kind == "country":
        zh = f" {esc(item.label_zh)}" if item.label_zh else ""
        return f"{country_badge(item.country)}{zh} <small>{len(item.passage_ids)} passages</small>"
    if item.kind == "region":
        return (f'<span class="ps-group">{titles(item.label_zh, item.label_en)}</span>'
                f" <small>{len(item.passage_ids)} passages</small>")
    year = f" · {esc(item.year)}" if item.year else ""
    return f"{country_badge(item.country)}{year}<br>{titles(item.label_zh, item.label_en)}"


def measure_table(table: MeasureTable) -> str:
    """The side-by-side measure table: ✓ with evidence or —, shared and unique rows marked."""
    items = table.items
    out = ['<table class="ps-mtable"><thead><tr><th>Measure 措施</th>']
    out += [f"<th>{_item_header(it)}</th>" for it in items]
    out.append("<th></th></tr></thead><tbody>")
    counts = [0] * len(items)
    for row in table.rows:
        zh, en = measure_names(row.measure)
        if row.shared:
            cls, badge = "ps-shared", '<span class="ps-badge ps-b-shared">shared 共有</span>'
        elif row.unique_to is not None:
            cls, badge = "ps-unique", '<span class="ps-badge ps-b-unique">unique 独有</span>'
        elif not any(row.present):
            cls, badge = "ps-absent", ""
        else:
            cls, badge = "ps-partial", ""
        cells = []
        for i, (item, cell) in enumerate(zip(items, row.cells)):
            if cell is None:
                cells.append('<td class="ps-no">—</td>')
                continue
            counts[i] += 1
            excerpt = cell.text if len(cell.text) <= 160 else cell.text[:160] + "…"
            spans = [(s, e) for s, e in cell.spans if e <= 160]
            cells.append(
                f'<td class="ps-yes"><div class="ps-check">✓ <small>{cell.score:.2f}'
                f' · {cell.passages} passage{"s" if cell.passages != 1 else ""}</small></div>'
                f'<div class="ps-evidence">{highlight(excerpt, (), spans)}</div>'
                f'{action("evidence →", "open", doc=cell.doc_id, pid=cell.passage_id)}</td>'
            )
        out.append(
            f'<tr class="{cls}" data-measure="{esc(row.measure)}"><th>{esc(zh.split(" / ")[0])}'
            f"<br><small>{esc(en)}</small></th>{''.join(cells)}<td>{badge}</td></tr>"
        )
    out.append('</tbody><tfoot><tr><th>measures present</th>')
    out += [f"<td>{c} / {len(table.rows)}</td>" for c in counts]
    out.append("<td></td></tr></tfoot></table>")
    return "".join(out)


def heatmap(matrix: MeasureMatrix, marked: Iterable[str] = ()) -> str:
    """Country × measure as a table whose colour intensity is the share of the country's documents.

    ``marked``: the compared items' country codes; their rows come first with ``ps-hmark`` and a "compared"
    tag. The table scrolls inside ``.ps-heat-wrap`` (max-height, sticky header): the CCLW records bring in
    about 190 countries, a 5,000 px table otherwise, so the compared rows first keep them in view.
    Headers are horizontal and wrap (Chinese name, English name below): rotated Chinese names were clipped.
    """
    if not matrix.countries or not matrix.measures:
        return message("No tagged passages yet: build the corpus to see the heatmap.", "empty")
    marked = {c.upper() for c in marked}
    out = ['<div class="ps-heat-wrap"><table class="ps-heat"><thead><tr><th class="ps-hcorner">Country 国家</th>']
    for m in matrix.measures:
        zh, en = measure_names(m)
        out.append(f'<th class="ps-mhead" title="{esc(en)}"><span class="ps-mh-zh">{esc(zh.split(" / ")[0])}</span>'
                   f'<span class="ps-mh-en">{esc(en)}</span></th>')
    out.append("</tr></thead><tbody>")
    order = sorted(range(len(matrix.countries)), key=lambda i: matrix.countries[i].upper() not in marked)
    for i in order:
        country = matrix.countries[i]
        total = matrix.country_documents[i] if matrix.country_documents else 0
        mark = country.upper() in marked
        tag = ' <span class="ps-badge ps-b-compared">compared 比较中</span>' if mark else ""
        row_class = ' class="ps-hmark"' if mark else ""
        out.append(f'<tr{row_class} data-country="{esc(country)}">'
                   f"<th>{country_badge(country)} <small>{total} docs</small>{tag}</th>")
        for j, m in enumerate(matrix.measures):
            n_docs, n_pass = int(matrix.documents[i, j]), int(matrix.passages[i, j])
            share = n_docs / total if total else 0.0
            alpha = 0.0 if n_docs == 0 else 0.15 + 0.85 * share
            colour = "#0f172a" if alpha < 0.55 else "#fff"
            tip = f"{country} · {measure_label(m)}: {n_docs} of {total} documents, {n_pass} passages"
            if n_docs:
                out.append(
                    f'<td class="ps-hcell" style="background:rgba(37,99,235,{alpha:.2f});color:{colour}"'
                    f' title="{esc(tip)}" data-action="cell" data-country="{esc(country)}"'
                    f' data-measure="{esc(m)}">{n_docs}</td>'
                )
            else:
                out.append(f'<td class="ps-hcell ps-h0" title="{esc(tip)}">·</td>')
        out.append("</tr>")
    out.append("</tbody></table></div><div class=\"ps-note\">Cell: documents of the country with the measure"
               " (colour = share of the country's documents; the seed paper's table rows count for the"
               " policy they describe). Click a cell for its evidence; compared countries come first.</div>")
    return "".join(out)


def year_strip(years: YearCounts) -> str:
    """The corpus by year as one compact bar strip (the timeline before any comparison): one bar per year
    from the first to the last, its height the year's share of the busiest year. 2,125 documents back
    to 1947 give 79 bars in a 64 px strip, where one chip per document was 12,663 px tall."""
    if not years.years:
        return message("No dated documents.", "empty")
    peak = max(years.counts) or 1
    bars = "".join(
        f'<span class="ps-bar{" ps-bar0" if n == 0 else ""}" style="height:{max(4, round(100 * n / peak)) if n else 0}%"'
        f' title="{y}: {n} document{"s" if n != 1 else ""}"></span>'
        for y, n in zip(years.years, years.counts)
    )
    undated = f", {years.undated:,} undated" if years.undated else ""
    return (f'<div class="ps-tl-corpus"><div class="ps-summary">{years.total:,} dated documents,'
            f" {years.years[0]}–{years.years[-1]}{undated} (busiest year: {peak:,})."
            " Compare 2–4 items to see their documents here.</div>"
            f'<div class="ps-strip">{bars}</div><div class="ps-strip-axis"><span>{years.years[0]}</span>'
            f"<span>{years.years[-1]}</span></div></div>")


def _tl_context(e: TimelineEntry) -> str:
    """An entry's catalog context (titles, issuer, year, kind, linked documents), shown when opened."""
    linked = "".join(
        f"<li>{action(label, 'open', doc=doc)}" + (f" <small>{esc(rel.replace('_', ' '))}</small>" if rel else "")
        + "</li>"
        for doc, label, rel in e.linked
    )
    kind = e.kind + (" · Table 1 row 表1条目" if e.catalog_list == "strategy" else "")
    rows = [
        _fact("中文标题", esc(e.title_zh)),
        _fact("English title", esc(e.title_en)),
        _fact("Title (original)", esc(e.title) if e.title not in (e.title_zh, e.title_en) else ""),
        _fact("Issuer", esc(e.issuer)),
        _fact("Year", esc(e.year if e.year is not None else "")),
        _fact("Kind", esc(kind)),
        _fact("Status", esc(e.status)),
        _fact("Linked documents", f"<ul>{linked}</ul>" if linked else ""),
    ]
    return (f'<div class="ps-tl-ctx"><table class="ps-facts">{"".join(r for r in rows if r)}</table>'
            f'{action("open document →", "open", doc=e.doc_id)}</div>')


def timeline(lanes: Sequence[TimelineLane]) -> str:
    """The compared items' documents by year: one lane per item, each document a ``<details>`` whose
    summary is year, country and title and whose body is its catalog context. The whole is bounded by
    ``.ps-tl-items``' max-height (360 px; it scrolls inside), so a country of hundreds of documents cannot push
    the passage alignment a screen further down."""
    if not lanes:
        return message("No items to show on the timeline.", "empty")
    out = ['<div class="ps-timeline ps-tl-items">']
    for lane in lanes:
        it = lane.item
        out.append(f'<section class="ps-lane" data-item="{esc(it.key)}"><header class="ps-lane-head">'
                   f"{_item_header(it)}</header>")
        if not lane.entries:
            out.append('<div class="ps-note">No dated documents.</div>')
        for e in lane.entries:
            colour = COUNTRY_COLOURS.get(e.country, "#475569")
            label = e.title_zh or e.title_en or e.title or e.doc_id
            year = esc(e.year) if e.year is not None else "—"
            out.append(
                f'<details class="ps-tl-doc" data-doc="{esc(e.doc_id)}" style="border-left:4px solid {colour}">'
                f'<summary title="{esc(e.title_en or e.title)}"><span class="ps-tl-year">{year}</span>'
                f" <b>{esc(e.country)}</b> {esc(label)}</summary>{_tl_context(e)}</details>"
            )
        notes = []
        if lane.more:
            notes.append(f"{lane.more:,} more dated documents not listed")
        if lane.undated:
            notes.append(f"{lane.undated:,} undated")
        if notes:
            out.append(f'<div class="ps-note">{esc("; ".join(notes))}</div>')
        out.append("</section>")
    out.append("</div>")
    return "".join(out)


def alignment(aligned: Sequence[Alignment], label_a: str, label_b: str) -> str:
    """Passage alignment: each passage of A beside its closest passages of B."""
    if not aligned:
        return message("Nothing to align: one of the items has no passages.", "empty")
    out = [(f'<table class="ps-align"><thead><tr><th>{esc(label_a)}</th><th>{esc(label_b)} (closest)</th>'
            "</tr></thead><tbody>")]
    for a in aligned:
        p = a.passage
        left = (f'<div class="ps-text">{esc(p.text)}</div>'
                f'{action("open", "open", doc=p.doc_id, pid=p.id)}')
        right = []
        for m, score in a.matches:
            right.append(
                f'<div class="ps-match"><span class="ps-score">{score:.3f}</span> '
                f'<span class="ps-lang">{esc(m.lang)}</span> {esc(m.text)} '
                f'{action("open", "open", doc=m.doc_id, pid=m.id)}</div>'
            )
        out.append(f"<tr><td>{left}</td><td>{''.join(right)}</td></tr>")
    out.append("</tbody></table>")
    return "".join(out)


# -- corpus, review, uploads ------------------------------------------------------------------------


def corpus_table(infos: Sequence[DocumentInfo]) -> str:
    """The document list with metadata and status."""
    if not infos:
        return message("The corpus is empty.", "empty")
    full = sum(1 for i in infos if i.status == "full")
    out = [(f'<div class="ps-summary">{len(infos)} documents · {full} full texts · '
            f'{len(infos) - full} catalog records</div><table class="ps-corpus"><thead><tr>'
            "<th>Country</th><th>Year</th><th>Title</th><th>Kind</th><th>Lang</th><th>Status</th>"
            "<th>Passages</th><th>Id</th></tr></thead><tbody>")]
    for i in infos:
        if i.status == "full":
            status = '<span class="ps-st-full">full text</span>'
        elif i.has_full_text:
            status = '<span class="ps-st-full">catalog + full text</span>'
        else:
            status = '<span class="ps-st-cat">catalog record only</span>'
        out.append(
            f"<tr><td>{country_badge(i.country)}</td><td>{esc(i.year or '')}</td>"
            f'<td><a class="ps-link" data-action="open" data-doc="{esc(i.id)}">'
            f"{titles(i.title_zh, i.title_en, i.title)}</a></td><td>{esc(i.kind)}</td><td>{esc(i.lang)}</td>"
            f"<td>{status}</td><td>{esc(i.passages)}</td><td><code>{esc(i.catalog_id or i.id)}</code></td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def review_card(
    passage: PassageView | None, machine: Sequence[Tag], effective: Iterable[str],
    history: Sequence[Mapping[str, Any]], counts: Mapping[str, int],
) -> str:
    """One passage to review with its machine tags (evidence marked) and the human history."""
    summary = (f'<div class="ps-summary">reviewed passages: <b>{counts.get("reviewed", 0)}</b> · '
               f"tags accepted {counts.get('accept', 0)} · rejected {counts.get('reject', 0)} · "
               f'added {counts.get("add", 0)} · left in queue {counts.get("queue", 0)}</div>')
    if passage is None:
        return summary + message("The review queue is empty. Every queued passage has been reviewed.", "empty")
    effective = set(effective)
    spans = [(s.start, s.end) for t in machine for s in t.spans]
    tags = []
    for t in machine:
        state = "ps-on" if t.measure in effective else "ps-off"
        tags.append(f'{measure_chip(t.measure, state)}<small>{t.score:.2f} {esc(t.source)}</small> ')
    added = [m for m in effective if m not in {t.measure for t in machine}]
    tags += [measure_chip(m, "ps-on") + "<small>human</small> " for m in sorted(added)]
    hist = "".join(
        f"<li>{esc(a['action'])} {esc(measure_label(a['measure']))} — {esc(a['annotator'])}</li>" for a in history
    )
    return (
        summary
        + f'<article class="ps-card ps-review" data-pid="{esc(passage.id)}">'
        f'<header>{titles(passage.title_zh, passage.title_en, passage.title)}</header>'
        f'<div class="ps-meta">{_meta_line(asdict(passage))} · <code>{esc(passage.id)}</code></div>'
        + (f'<div class="ps-context">{esc(passage.context)}</div>' if passage.context else "")
        + f'<div class="ps-text">{highlight(passage.text, (), spans)}</div>'
        f'<div class="ps-foot">{"".join(tags) or "<i>no machine tags</i>"}</div>'
        + (f'<ul class="ps-history">{hist}</ul>' if hist else "")
        + "</article>"
    )


def upload_results(rows: Sequence[Mapping[str, Any]]) -> str:
    """Per-file outcome of an upload."""
    if not rows:
        return message("No files were uploaded.", "empty")
    out = ['<table class="ps-upload"><thead><tr><th>File</th><th>Result</th></tr></thead><tbody>']
    for r in rows:
        if r.get("error"):
            res = f'<span class="ps-err">✗ {esc(r["error"])}</span>'
        else:
            res = f'✓ {esc(r.get("added", 0))} added, {esc(r.get("unchanged", 0))} unchanged'
            for d in r.get("documents", ()):
                res += f' {action("open " + str(d.get("title") or d["id"])[:40], "open", doc=d["id"])}'
        out.append(f"<tr><td>{esc(r['name'])}</td><td>{res}</td></tr>")
    out.append("</tbody></table>")
    return "".join(out)
