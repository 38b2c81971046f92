"""The Compare tab: the measure table, the country × measure heatmap, the timeline and passage alignment."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .markup import (
    COUNTRY_COLOURS,
    action,
    count_noun,
    country_badge,
    esc,
    fact,
    highlight,
    measure_label,
    measure_names,
    message,
    titles,
)

if TYPE_CHECKING:
    from policyscope.index.compare import Alignment, Item, MeasureMatrix, MeasureTable
    from policyscope.index.timeline import TimelineEntry, TimelineLane, YearCounts

# -- compare ----------------------------------------------------------------------------------------


def _item_header(item: Item) -> str:
    if item.kind == "country":
        zh = f" {esc(item.label_zh)}" if item.label_zh else ""
        return f"{country_badge(item.country)}{zh} <small>{count_noun(len(item.passage_ids), 'passage')}</small>"
    if item.kind == "region":
        return (f'<span class="ps-group">{titles(item.label_zh, item.label_en)}</span>'
                f" <small>{count_noun(len(item.passage_ids), 'passage')}</small>")
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
            tip = (f"{country} · {measure_label(m)}: {n_docs} of {count_noun(total, 'document')}, "
                   f"{count_noun(n_pass, 'passage')}")
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
        fact("中文标题", esc(e.title_zh)),
        fact("English title", esc(e.title_en)),
        fact("Title (original)", esc(e.title) if e.title not in (e.title_zh, e.title_en) else ""),
        fact("Issuer", esc(e.issuer)),
        fact("Year", esc(e.year if e.year is not None else "")),
        fact("Kind", esc(kind)),
        fact("Status", esc(e.status)),
        fact("Linked documents", f"<ul>{linked}</ul>" if linked else ""),
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
            notes.append(f"{count_noun(lane.more, 'more dated document')} not listed")
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
