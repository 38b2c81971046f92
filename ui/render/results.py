"""Search results: one card per passage, optionally under a header per document, with citation and source link."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .markup import (
    action,
    count_noun,
    country_badge,
    esc,
    highlight,
    measure_chip,
    meta_line,
    official_link,
    titles,
)

if TYPE_CHECKING:
    from policyscope.index.search import CitedHit, Hit


def _row(h: Hit | Mapping[str, Any]) -> dict[str, Any]:
    return h.to_dict() if hasattr(h, "to_dict") else dict(h)


def _copy_button(citation: str) -> str:
    """A button whose ``data-copy`` text the page script puts on the clipboard (no round trip to Python)."""
    return (f'<button type="button" class="ps-act ps-copy" data-copy="{esc(citation)}" '
            f'title="{esc(citation)}">Copy citation</button>')


def result_card(row: Mapping[str, Any], spans: Sequence[tuple[int, int]] = (), cite: CitedHit | None = None) -> str:
    """One hit as a card: titles, metadata, highlighted passage, measures, citation, source link, actions."""
    from policyscope.index.search.export import citation_text

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
    more = int(row.get("doc_hits") or 0) - 1
    extra = [action("More like this", "more", pid=pid), action("Open in document", "open", doc=row["doc_id"], pid=pid)]
    if cite is not None:
        extra.append(_copy_button(citation_text(cite)))
        extra.append(official_link(cite.url))
    return (
        f'<article class="ps-card" data-pid="{esc(pid)}">'
        f'<header><span class="ps-rank">{esc(row.get("rank", ""))}</span> '
        f'{titles(row.get("title_zh", ""), row.get("title_en", ""), row.get("title", ""))}</header>'
        f'<div class="ps-meta">{meta_line(row)}'
        f' · <span class="ps-score" title="{esc(", ".join(ranks))}">score {float(row.get("score", 0)):.4f}</span></div>'
        f"{heading}{context}"
        f'<div class="ps-text">{highlight(row["text"], row.get("matched_terms", ()), spans)}</div>'
        f'<div class="ps-foot">{chips}'
        + (f'<span class="ps-matched">matched: {matched}</span>' if matched else "")
        + (f'<span class="ps-more">{count_noun(more, "more matching passage")} in this document</span>'
           if more > 0 else "")
        + "</div>"
        f'<div class="ps-actions">{"".join(extra)}</div>'
        "</article>"
    )


def group_header(row: Mapping[str, Any], n: int, continued: bool = False) -> str:
    """The header of one document's hits: titles, country, year and how many of the results it holds."""
    bits = [country_badge(row.get("country", ""))]
    if row.get("year"):
        bits.append(esc(row["year"]))
    bits.append(f'<span class="ps-dochead-n">{count_noun(n, "passage")} in these results</span>')
    return (f'<div class="ps-dochead" data-doc="{esc(row["doc_id"])}">'
            f'{titles(row.get("title_zh", ""), row.get("title_en", ""), row.get("title", ""))}'
            + (" <small>(continued)</small>" if continued else "")
            + f'<div class="ps-meta">{" · ".join(bits)}</div></div>')


def result_cards(
    hits: Sequence[Hit | Mapping[str, Any]], spans: Mapping[str, Sequence[tuple[int, int]]] | None = None,
    header: str = "", translations: Sequence[str] = (), cites: Mapping[str, CitedHit] | None = None,
    group_sizes: Mapping[str, int] | None = None, continued: str = "",
) -> str:
    """Search hits as cards (see :func:`result_card`).

    Args:
        cites: per passage id, the hit's citation record: adds "Copy citation" and the official source link.
        group_sizes: per document id, its number of hits in the whole result set: a header opens each run of
            one document's cards (``continued``: the document whose run began on an earlier page).
    """
    spans = spans or {}
    cites = cites or {}
    out = ['<div class="ps-results">']
    if header:
        out.append(f'<div class="ps-summary">{esc(header)}</div>')
    if translations:
        out.append(f'<div class="ps-summary">also searched: {esc(" ".join(translations))}</div>')
    current = None
    for h in hits:
        row = _row(h)
        if group_sizes is not None and row["doc_id"] != current:
            if current is not None:
                out.append("</section>")
            current = row["doc_id"]
            out.append('<section class="ps-docgroup">'
                       + group_header(row, group_sizes.get(current, 1), continued=current == continued))
        out.append(result_card(row, spans.get(row["passage_id"], ()), cites.get(row["passage_id"])))
    if current is not None:
        out.append("</section>")
    out.append("</div>")
    return "".join(out)
