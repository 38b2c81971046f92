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

One module per part of the app: :mod:`.markup` (escaping, highlighting and the small pieces the
others share), :mod:`.documents` (search results, the document view), :mod:`.compare` (the Compare
tab) and :mod:`.corpus` (the Corpus and Review tabs). Callers use the names re-exported here
(``from policyscope.ui import render``; ``render.result_cards(...)``).
"""

from __future__ import annotations

from .compare import alignment, heatmap, measure_table, timeline, year_strip
from .corpus import corpus_table, review_card, upload_results
from .documents import document_facts, document_view, related_links, result_cards
from .markup import (
    COUNTRY_COLOURS,
    EVIDENCE,
    TERM,
    action,
    asset,
    country_badge,
    esc,
    highlight,
    measure_chip,
    measure_label,
    measure_names,
    message,
    titles,
)

__all__ = [
    "COUNTRY_COLOURS", "EVIDENCE", "TERM", "action", "alignment", "asset", "corpus_table", "country_badge",
    "document_facts", "document_view", "esc", "heatmap", "highlight", "measure_chip", "measure_label",
    "measure_names", "measure_table", "message", "related_links", "result_cards", "review_card", "timeline",
    "titles", "upload_results", "year_strip",
]
