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
from functools import lru_cache
from typing import Any

_LATIN = re.compile(r"[A-Za-z0-9]")
REGION_COLOURS = {
    "US": "#2563eb", "EU": "#16a34a", "JP": "#dc2626", "KR": "#9333ea", "UK": "#ea580c",
    "CN": "#b91c1c", "INT": "#0891b2",
}
TERM, EVIDENCE = 1, 2


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


def region_badge(region: str) -> str:
    colour = REGION_COLOURS.get((region or "").upper(), "#475569")
    return f'<span class="ps-region" style="background:{colour}">{esc(region or "?")}</span>'


def action(label: str, act: str, **data: Any) -> str:
    """A button the app's delegated click handler turns into a Python call (ids only, escaped)."""
    attrs = " ".join(f'data-{esc(k)}="{esc(v)}"' for k, v in data.items() if v is not None)
    return f'<button type="button" class="ps-act" data-action="{esc(act)}" {attrs}>{esc(label)}</button>'


def _meta_line(row: Mapping[str, Any]) -> str:
    bits = [region_badge(row.get("region", ""))]
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
    hits: Sequence[Any], spans: Mapping[str, Sequence[tuple[int, int]]] | None = None,
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
            + "</div>"
            f'<div class="ps-actions">{action("More like this", "more", pid=pid)}'
            f'{action("Open in document", "open", doc=row["doc_id"], pid=pid)}</div>'
            "</article>"
        )
    out.append("</div>")
    return "".join(out)


# -- document view ----------------------------------------------------------------------------------


def document_view(
    doc: Any, passages: Sequence[Any], focus: str | None = None, measures: Mapping[str, Iterable[str]] | None = None,
    spans: Mapping[str, Sequence[tuple[int, int]]] | None = None, terms: Sequence[str] = (),
) -> str:
    """The whole document, passage by passage, with the focus passage marked (``.ps-focus``) for scrolling.

    Text between passages (blank lines, dropped fragments) is shown as-is so the reader sees everything.
    """
    measures = measures or {}
    spans = spans or {}
    info = {"region": doc.region, "year": doc.year, "lang": doc.lang, "status": doc.status}
    out = [
        '<div class="ps-doc">',
        f'<h3 class="ps-doc-title">{titles(doc.title_zh, doc.title_en, doc.title)}</h3>',
        f'<div class="ps-meta">{_meta_line(info)} · <code>{esc(doc.id)}</code>'
        + (f" · {esc(doc.kind)}" if doc.kind else "") + (f" · {esc(doc.date)}" if doc.date else "")
        + f" · {len(passages)} passages</div>",
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
        out.append(
            f'<div class="{cls}" id="ps-p-{esc(p.id)}" data-pid="{esc(p.id)}">{head}'
            f'<span class="ps-seq">{esc(p.seq)}{" · p." + esc(p.page) if p.page else ""}</span>'
            f'<div class="ps-text">{body}</div>'
            + (f'<div class="ps-foot">{chips}</div>' if chips else "")
            + "</div>"
        )
        pos = max(pos, p.end)
    if pos < len(doc.text) and doc.text[pos:].strip():
        out.append(f'<div class="ps-gap">{esc(doc.text[pos:])}</div>')
    out.append("</div></div>")
    return "".join(out)


# -- compare ----------------------------------------------------------------------------------------


def _item_header(item: Any) -> str:
    if item.kind == "region":
        return f"{region_badge(item.region)} <small>{len(item.passage_ids)} passages</small>"
    year = f" · {esc(item.year)}" if item.year else ""
    return f"{region_badge(item.region)}{year}<br>{titles(item.label_zh, item.label_en)}"


def measure_table(table: Any) -> str:
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


def heatmap(matrix: Any) -> str:
    """Region × measure as a table whose colour intensity is the share of the region's documents."""
    if not matrix.regions or not matrix.measures:
        return message("No tagged passages yet: build the corpus to see the heatmap.", "empty")
    out = ['<div class="ps-heat-wrap"><table class="ps-heat"><thead><tr><th>Region</th>']
    for m in matrix.measures:
        zh, en = measure_names(m)
        out.append(f'<th title="{esc(en)}"><div class="ps-rot">{esc(zh.split(" / ")[0])}</div></th>')
    out.append("</tr></thead><tbody>")
    for i, region in enumerate(matrix.regions):
        total = matrix.region_documents[i] if matrix.region_documents else 0
        out.append(f"<tr><th>{region_badge(region)} <small>{total} docs</small></th>")
        for j, m in enumerate(matrix.measures):
            n_docs, n_pass = int(matrix.documents[i, j]), int(matrix.passages[i, j])
            share = n_docs / total if total else 0.0
            alpha = 0.0 if n_docs == 0 else 0.15 + 0.85 * share
            colour = "#0f172a" if alpha < 0.55 else "#fff"
            tip = f"{region} · {measure_label(m)}: {n_docs} of {total} documents, {n_pass} passages"
            if n_docs:
                out.append(
                    f'<td class="ps-hcell" style="background:rgba(37,99,235,{alpha:.2f});color:{colour}"'
                    f' title="{esc(tip)}" data-action="cell" data-region="{esc(region)}"'
                    f' data-measure="{esc(m)}">{n_docs}</td>'
                )
            else:
                out.append(f'<td class="ps-hcell ps-h0" title="{esc(tip)}">·</td>')
        out.append("</tr>")
    out.append("</tbody></table><div class=\"ps-note\">Cell: documents of the region with the measure"
               " (colour = share of the region's documents; the seed paper's table rows count for the"
               " policy they describe). Click a cell for its evidence.</div></div>")
    return "".join(out)


def timeline(rows: Sequence[Mapping[str, Any]]) -> str:
    """Documents by year, one column per year, chips coloured by region."""
    if not rows:
        return message("No dated documents.", "empty")
    years = sorted({r["year"] for r in rows})
    out = ['<div class="ps-timeline">']
    for y in years:
        out.append(f'<div class="ps-year"><div class="ps-year-label">{esc(y)}</div>')
        for r in rows:
            if r["year"] != y:
                continue
            colour = REGION_COLOURS.get((r["region"] or "").upper(), "#475569")
            label = r.get("title_zh") or r.get("title_en") or r.get("title") or r["doc_id"]
            out.append(
                f'<div class="ps-tl-doc" style="border-left:4px solid {colour}" data-action="open"'
                f' data-doc="{esc(r["doc_id"])}" title="{esc(r.get("title_en") or r.get("title") or "")}">'
                f'<b>{esc(r["region"])}</b> {esc(label)}</div>'
            )
        out.append("</div>")
    out.append("</div>")
    return "".join(out)


def alignment(aligned: Sequence[Any], label_a: str, label_b: str) -> str:
    """Passage alignment: each passage of A beside its closest passages of B."""
    if not aligned:
        return message("Nothing to align: one of the items has no passages.", "empty")
    out = [(f'<table class="ps-align"><thead><tr><th>{esc(label_a)}</th><th>{esc(label_b)} (closest)</th>'
            "</tr></thead><tbody>")]
    for a in aligned:
        p = a.passage
        left = (f'<div class="ps-text">{esc(p["text"])}</div>'
                f'{action("open", "open", doc=p["doc_id"], pid=p["id"])}')
        right = []
        for m, score in a.matches:
            right.append(
                f'<div class="ps-match"><span class="ps-score">{score:.3f}</span> '
                f'<span class="ps-lang">{esc(m["lang"])}</span> {esc(m["text"])} '
                f'{action("open", "open", doc=m["doc_id"], pid=m["id"])}</div>'
            )
        out.append(f"<tr><td>{left}</td><td>{''.join(right)}</td></tr>")
    out.append("</tbody></table>")
    return "".join(out)


# -- corpus, review, uploads ------------------------------------------------------------------------


def corpus_table(infos: Sequence[Any]) -> str:
    """The document list with metadata and status."""
    if not infos:
        return message("The corpus is empty.", "empty")
    full = sum(1 for i in infos if i.status == "full")
    out = [(f'<div class="ps-summary">{len(infos)} documents · {full} full texts · '
            f'{len(infos) - full} catalog records</div><table class="ps-corpus"><thead><tr>'
            "<th>Region</th><th>Year</th><th>Title</th><th>Kind</th><th>Lang</th><th>Status</th>"
            "<th>Passages</th><th>Id</th></tr></thead><tbody>")]
    for i in infos:
        if i.status == "full":
            status = '<span class="ps-st-full">full text</span>'
        elif i.has_full_text:
            status = '<span class="ps-st-full">catalog + full text</span>'
        else:
            status = '<span class="ps-st-cat">catalog record only</span>'
        out.append(
            f"<tr><td>{region_badge(i.region)}</td><td>{esc(i.year or '')}</td>"
            f'<td><a class="ps-link" data-action="open" data-doc="{esc(i.id)}">'
            f"{titles(i.title_zh, i.title_en, i.title)}</a></td><td>{esc(i.kind)}</td><td>{esc(i.lang)}</td>"
            f"<td>{status}</td><td>{esc(i.passages)}</td><td><code>{esc(i.id)}</code></td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def review_card(
    passage: Mapping[str, Any] | None, machine: Sequence[Any], effective: Iterable[str],
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
        + f'<article class="ps-card ps-review" data-pid="{esc(passage["id"])}">'
        f'<header>{titles(passage.get("title_zh", ""), passage.get("title_en", ""), passage.get("title", ""))}</header>'
        f'<div class="ps-meta">{_meta_line(passage)} · <code>{esc(passage["id"])}</code></div>'
        + (f'<div class="ps-context">{esc(passage["context"])}</div>' if passage.get("context") else "")
        + f'<div class="ps-text">{highlight(passage["text"], (), spans)}</div>'
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


CSS = """
.ps-results{display:flex;flex-direction:column;gap:10px}
.ps-summary{color:#475569;font-size:.9em;margin:4px 0}
.ps-card{border:1px solid #e2e8f0;border-radius:10px;padding:10px 14px;background:#fff;color:#0f172a}
.ps-card header{font-weight:600;font-size:1.02em}
.ps-title-zh{margin-right:.4em}.ps-title-en{color:#334155;font-weight:500}
.ps-rank{display:inline-block;min-width:1.6em;color:#64748b}
.ps-meta{font-size:.85em;color:#64748b;margin:2px 0 6px}
.ps-region{color:#fff;border-radius:4px;padding:0 5px;font-size:.8em;font-weight:600}
.ps-status{color:#b45309}.ps-lang{font-variant:small-caps}
.ps-heading{font-size:.85em;color:#475569;font-style:italic}
.ps-context{font-size:.8em;color:#64748b;border-left:3px solid #cbd5e1;padding-left:6px;margin:2px 0}
.ps-text{white-space:pre-wrap;line-height:1.55}
mark.term{background:#fde047;color:#0f172a;padding:0 1px;border-radius:2px}
mark.evidence{background:transparent;color:inherit;border-bottom:2px solid #16a34a}
mark.term.evidence{background:#fde047;border-bottom:2px solid #16a34a}
.ps-chip{display:inline-block;background:#ecfdf5;color:#065f46;border:1px solid #a7f3d0;border-radius:12px;
 padding:0 8px;margin:2px 3px 2px 0;font-size:.8em}
.ps-chip small{color:#047857}.ps-chip.ps-off{background:#f1f5f9;color:#94a3b8;border-color:#e2e8f0;text-decoration:line-through}
.ps-foot{margin-top:6px}.ps-matched{font-size:.8em;color:#92400e;margin-left:6px}
.ps-actions{margin-top:6px;display:flex;gap:6px}
.ps-act{border:1px solid #cbd5e1;background:#f8fafc;border-radius:6px;padding:2px 10px;font-size:.82em;cursor:pointer;color:#1e293b}
.ps-act:hover{background:#e2e8f0}
.ps-msg{padding:12px 14px;border-radius:8px;background:#f1f5f9;color:#334155}
.ps-msg.ps-error{background:#fef2f2;color:#991b1b}.ps-msg.ps-empty{background:#f8fafc}
.ps-doc{max-height:640px;overflow:auto;border:1px solid #e2e8f0;border-radius:10px;padding:10px 14px;background:#fff;color:#0f172a}
.ps-passage{padding:4px 6px;border-radius:6px;margin:2px 0;position:relative}
.ps-passage.ps-focus{background:#fef9c3;outline:2px solid #facc15}
.ps-seq{float:right;font-size:.7em;color:#94a3b8}.ps-gap{color:#94a3b8;white-space:pre-wrap}
table.ps-mtable,table.ps-heat,table.ps-corpus,table.ps-align,table.ps-upload{border-collapse:collapse;width:100%;font-size:.88em;color:#0f172a;background:#fff}
.ps-mtable th,.ps-mtable td,.ps-corpus td,.ps-corpus th,.ps-align td,.ps-align th,.ps-upload td,.ps-upload th{border:1px solid #e2e8f0;padding:5px 7px;vertical-align:top;text-align:left}
.ps-mtable tr.ps-shared{background:#f0fdf4}.ps-mtable tr.ps-unique{background:#fffbeb}.ps-mtable tr.ps-absent{color:#94a3b8}
.ps-mtable td.ps-no{text-align:center;color:#cbd5e1;font-size:1.2em}
.ps-check{color:#15803d;font-weight:700}.ps-evidence{font-size:.85em;color:#334155;margin:3px 0}
.ps-badge{border-radius:10px;padding:1px 8px;font-size:.78em;white-space:nowrap}
.ps-b-shared{background:#bbf7d0;color:#14532d}.ps-b-unique{background:#fde68a;color:#78350f}
.ps-heat-wrap{overflow-x:auto}.ps-heat th,.ps-heat td{border:1px solid #e2e8f0;padding:4px;text-align:center}
.ps-hcell{min-width:34px;cursor:pointer;font-weight:600}.ps-h0{color:#cbd5e1;cursor:default}
.ps-rot{writing-mode:vertical-rl;max-height:120px;font-weight:500;font-size:.85em;margin:auto}
.ps-note{font-size:.8em;color:#64748b;margin-top:4px}
.ps-timeline{display:flex;gap:10px;overflow-x:auto;padding:4px 0}
.ps-year{min-width:150px}.ps-year-label{font-weight:700;border-bottom:2px solid #334155;margin-bottom:4px;color:#0f172a}
.ps-tl-doc{font-size:.8em;background:#f8fafc;color:#0f172a;margin:3px 0;padding:2px 5px;cursor:pointer;border-radius:3px}
.ps-match{border-bottom:1px dashed #e2e8f0;padding:3px 0}
.ps-link{cursor:pointer;color:#1d4ed8}
.ps-st-full{color:#15803d;font-weight:600}.ps-st-cat{color:#b45309}
.ps-err{color:#b91c1c}.ps-history{font-size:.8em;color:#64748b}
"""

# Delegated click handler for every gr.HTML that holds cards, tables or document views: a click on an
# element with data-action sends its data-* ids to Python. watch() scrolls a newly rendered focus
# passage into view (the document view).
JS_ON_LOAD = """
element.addEventListener('click', (ev) => {
  const el = ev.target.closest('[data-action]');
  if (!el || !element.contains(el)) return;
  ev.preventDefault();
  trigger('click', Object.assign({}, el.dataset));
});
watch('value', () => {
  // The document tab may still be hidden when the value lands: retry once it is laid out.
  for (const ms of [50, 300, 800]) setTimeout(() => {
    const f = element.querySelector('.ps-focus');
    if (f && f.offsetParent !== null) f.scrollIntoView({block: 'center'});
  }, ms);
});
"""
