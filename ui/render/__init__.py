"""HTML for the web app, built only from escaped text.

Rule: every string that comes from a document, a title, a query or a file name goes through
:func:`esc` (``html.escape`` with quotes) before it touches markup. Highlighting never inserts
markup into raw text: :func:`highlight` labels each character (query term, measure evidence),
then emits runs of *escaped* characters wrapped in ``<mark>``. Links to documents are
``data-*`` attributes holding escaped ids that the app's click handler sends back to Python
(``trigger('click', {...})``). The one ``href`` built from stored data is a document's official source
(:func:`official_link`: ``http``/``https`` only, escaped, ``rel="noopener noreferrer"``); no file path is
ever shown or served.

Example: ``highlight('<b>电池</b> recycling', ['电池'])`` gives
``&lt;b&gt;<mark class="term">电池</mark>&lt;/b&gt; recycling``.

One module per part of the app: :mod:`.markup` (escaping, highlighting and the small pieces the
others share), :mod:`.results` (search results), :mod:`.documents` (the document view), :mod:`.compare` (the Compare
tab) and :mod:`.corpus` (the Corpus and Review tabs). Callers use the names re-exported here
(``from policyscope.ui import render``; ``render.result_cards(...)``).
"""

from __future__ import annotations

from .compare import alignment, heatmap, measure_table, timeline, year_strip
from .corpus import corpus_table, review_card, upload_results
from .documents import document_facts, document_view, related_links
from .markup import (
    COUNTRY_COLOURS,
    EVIDENCE,
    TERM,
    action,
    asset,
    count_noun,
    country_badge,
    esc,
    highlight,
    measure_chip,
    measure_label,
    measure_names,
    message,
    official_link,
    titles,
)
from .results import group_header, result_card, result_cards

__all__ = [
    "COUNTRY_COLOURS", "EVIDENCE", "TERM", "action", "alignment", "asset", "corpus_table", "count_noun",
    "country_badge", "document_facts", "document_view", "esc", "group_header", "heatmap", "highlight",
    "measure_chip", "measure_label", "measure_names", "measure_table", "message", "official_link",
    "related_links", "result_card", "result_cards", "review_card", "timeline", "titles", "upload_results",
    "year_strip",
]
