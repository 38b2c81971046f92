"""The Corpus and Review tabs: the document list, the passage under review, and upload outcomes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from .markup import (
    action,
    country_badge,
    esc,
    highlight,
    measure_chip,
    measure_label,
    message,
    meta_line,
    titles,
)

if TYPE_CHECKING:
    from policyscope.corpus.records import PassageView, Tag
    from policyscope.corpus.store import DocumentInfo

# -- corpus, review, uploads ------------------------------------------------------------------------


def corpus_table(infos: Sequence[DocumentInfo], summary: str | None = None) -> str:
    """The document list with metadata and status; ``summary`` (plain text) replaces the counts line,
    for a page of a longer list."""
    if not infos:
        return message(summary or "The corpus is empty.", "empty")
    full = sum(1 for i in infos if i.status == "full")
    if summary is None:
        summary = f"{len(infos)} documents · {full} full texts · {len(infos) - full} catalog records"
    out = [(f'<div class="ps-summary">{esc(summary)}</div><table class="ps-corpus"><thead><tr>'
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
        f'<div class="ps-meta">{meta_line(asdict(passage))} · <code>{esc(passage.id)}</code></div>'
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
