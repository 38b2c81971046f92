"""Pickers that scale: dropdowns filled from the store on demand, not thousands of choices in the page.

With the built-in corpus and the 2,100 CCLW records the page config was 1.2 MB, because the Document,
Compare and document-filter pickers each carried all 2,129 choices, frozen when the server started: an
upload never reached another session's pickers. Here every such picker is built empty. Its choices come
from the store, at most :data:`LIMIT` of them plus what is already selected,

- when a session loads the page (with the header's document counts, read afresh), or, for a picker on
  another tab than Search, when that tab opens,
- when the picker gets focus, and
- as the user types (``key_up``): the typed words, matched against label and value.

Each request reads the workspace's cached choice lists, which are recomputed when the store's
fingerprint changes, so a document added by an upload in one session, or by ``policyscope add`` or
``fetch`` in another process, is offered in every session at its next focus or keystroke.

Example: with ``("CL 2022 · Ley Marco de Cambio Climático", "cclw-9")`` in the list, typing ``ley cl``
offers it (both words occur in the label, in any order); typing ``cclw-9`` finds it by its id.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from policyscope.ui import render
from policyscope.ui.workspace import Workspace

if TYPE_CHECKING:
    import gradio as gr

log = logging.getLogger(__name__)

#: Choices sent per picker and request: enough to scroll, small enough for a fast page (50 labels ≈ 5 KB).
LIMIT = 50
#: Sources bounded by the world's ~250 jurisdictions are offered whole: a country list is for scrolling.
LIMITS = {"country": 300, "region": 300}

Choice = tuple[str, str]

#: Which workspace list each picker offers; a new picker source is one entry.
SOURCES: dict[str, Callable[[Workspace], list[Choice]]] = {
    "document": Workspace.document_choices,
    "compare": Workspace.compare_choices,
    "country": Workspace.country_choices,
    "region": Workspace.region_choices,
}


def fold(text: str) -> str:
    """Text as matching compares it: NFKC (full-width Ｌａｗ is Law) and case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def match_choices(
    choices: Sequence[Choice], query: str = "", limit: int = LIMIT, selected: Iterable[str] | str | None = (),
    folded: Sequence[str] | None = None,
) -> list[Choice]:
    """The selected choices, then up to ``limit`` choices whose label or value holds every word of ``query``.

    A choice whose value is the query comes first, then labels that start with the first word, then the
    rest, each in the list's own order.
    ``folded`` is ``fold(label + " " + value)`` per choice, when the caller keeps it (see :class:`Pickers`).
    A selected value no longer in ``choices`` stays, labelled by its value, so a selection is never lost.
    """
    if isinstance(selected, str):
        selected = [selected]
    keep = [v for v in dict.fromkeys(selected or ()) if v not in (None, "")]
    labels = {value: label for label, value in choices}
    out = [(labels.get(v, str(v)), v) for v in keep]
    kept = set(keep)
    terms = fold(query or "").split()
    hay = folded if folded is not None else [fold(f"{label} {value}") for label, value in choices]
    whole = " ".join(terms)
    exact: list[Choice] = []  # the typed text is the value: "US" puts Country US before US documents
    first: list[Choice] = []
    rest: list[Choice] = []
    for (label, value), text in zip(choices, hay):
        if value in kept or not all(t in text for t in terms):
            continue
        if terms and fold(str(value)) == whole:
            exact.append((label, value))
        else:
            (first if terms and text.startswith(terms[0]) else rest).append((label, value))
        if len(first) >= limit or (not terms and len(rest) >= limit):
            break
    return out + (exact + first + rest)[:limit]


class Pickers:
    """The bounded, searchable choices of the page's pickers, over one workspace."""

    def __init__(self, workspace: Workspace, limit: int = LIMIT):
        self.ws = workspace
        self.limit = limit
        self.limits = {name: max(limit, LIMITS.get(name, 0)) for name in SOURCES}

    def source(self, name: str) -> tuple[list[Choice], list[str]]:
        """(choices, folded texts) of one source, recomputed when the store changes."""
        if name not in SOURCES:
            raise ValueError(f"unknown picker source {name!r}; available: {', '.join(SOURCES)}")

        def compute() -> tuple[list[Choice], list[str]]:
            choices = SOURCES[name](self.ws)
            return choices, [fold(f"{label} {value}") for label, value in choices]

        return self.ws.cached(f"picker-{name}", compute)

    def whole(self, name: str) -> bool:
        """Whether source ``name`` is sent whole (countries, regions): typing then needs no server round trip.
        Only the short lists of :data:`LIMITS` can be; the document lists are not read to find out."""
        return name in LIMITS and len(self.source(name)[0]) <= self.limits[name]

    def choices(self, name: str, query: str = "", selected: Iterable[str] | str | None = ()) -> list[Choice]:
        """At most ``limit`` choices of source ``name`` matching ``query``, after the ``selected`` ones."""
        choices, folded = self.source(name)
        return match_choices(choices, query, self.limits[name], selected, folded)

    def header_html(self) -> str:
        """The page header with the index searches use now: its documents, passages and encoder."""
        from policyscope.index.build import current_index_dir, read_manifest

        status = self.ws.status
        try:
            index_dir = current_index_dir(self.ws.settings.index_root)
            if index_dir is not None:
                manifest = read_manifest(index_dir)
                counts = manifest.get("counts", {})
                encoder = manifest.get("encoder", {}).get("name", "?")
                status = (f"{counts.get('documents', '?')} documents, {counts.get('passages', '?')} passages,"
                          f" encoder {encoder}")
        except Exception:  # a half-written index: the start-up status is still true enough for a header
            log.warning("reading the index manifest for the header failed", exc_info=True)
        return header(status, loaded=True)


def warm_page(workspace: Workspace, *views: Callable[[], object]) -> threading.Thread:
    """Compute what a page load asks for (the picker lists, then ``views``: corpus table, heatmap,
    timeline) on a background thread, into the workspace's cache: with 2,146 documents the first page
    load otherwise spends ~3 s on them (heatmap 1.9 s, choices 0.7 s), later ones ~0.1 s."""

    def run() -> None:
        try:
            pickers = Pickers(workspace)
            for name in SOURCES:
                pickers.source(name)
            for view in views:
                view()
        except Exception:  # best effort: the page load computes (and reports) them itself
            log.warning("warming the page's views failed", exc_info=True)

    thread = threading.Thread(target=run, name="policyscope-warm-page", daemon=True)
    thread.start()
    return thread


def header(status: str, loaded: bool = False) -> str:
    """The page's top line with ``status`` (escaped); ``loaded``: written by the page-load handler
    (``data-loaded``, which tests and ``bench serve`` wait for)."""
    mark = ' data-loaded="1"' if loaded else ""
    return ('<div class="ps-top"><b style="font-size:1.3em">policyscope</b> · battery & critical-minerals policy'
            ' corpus in Chinese, English, Japanese and Korean · '
            f'<span id="ps-status"{mark}>{render.esc(status)}</span></div>')


def _refilled(pickers: Pickers, name: str, selected: Any, typed: str = "") -> Any:
    """A dropdown update with the choices of source ``name`` for ``typed``, keeping ``selected`` offered."""
    import gradio as gr

    return gr.Dropdown(choices=pickers.choices(name, typed, selected))


def follow(pickers: Pickers, dropdowns: Mapping[gr.Dropdown, str], tab: gr.Tab | None = None) -> None:
    """Refill ``dropdowns`` (component -> source name) when one gets focus and as the user types, and, with
    ``tab``, each time that tab opens. Also called inside a tab rendered on first open (``gr.render``),
    whose dropdowns are created with their first choices."""
    import gradio as gr

    private: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
    items = list(dropdowns.items())
    for dd, name in items:
        def refill(selected: Any, name: str = name) -> Any:
            return _refilled(pickers, name, selected)

        def typed(selected: Any, evt: gr.KeyUpData, name: str = name) -> Any:
            return _refilled(pickers, name, selected, evt.input_value or "")

        # Gradio finds the event-data parameter by its resolved type; this module's annotations are strings
        # (``from __future__ import annotations``) and gradio is imported lazily, so resolve it here.
        typed.__annotations__["evt"] = gr.KeyUpData

        dd.focus(refill, dd, dd, **private)
        if pickers.whole(name):
            # The whole list is in the browser, which filters it as the user types: a refill arriving
            # mid-typing would only re-render the open list under the user's click.
            continue
        # always_last: keystrokes that come while a request runs collapse into one request, for the latest text.
        dd.key_up(typed, dd, dd, trigger_mode="always_last", **private)
    if tab is None or not items:
        return

    def opened(*selected: Any) -> Any:
        out = [_refilled(pickers, name, sel) for (_, name), sel in zip(items, selected)]
        return out[0] if len(out) == 1 else tuple(out)  # one output: Gradio takes a returned list as its value

    # Tab openings go outside the queue: one plain HTTP request (milliseconds of cached lists).
    dds = [dd for dd, _ in items]
    tab.select(opened, dds, dds, queue=False, **private)


def wire(demo: gr.Blocks, pickers: Pickers, dropdowns: Mapping[gr.Dropdown, str], header: gr.HTML,
         on_open: Mapping[gr.Tab, Sequence[gr.Dropdown]] | None = None) -> None:
    """Fill ``dropdowns`` (component -> source name) on page load, on focus and as the user types, and
    refresh ``header`` on every page load. The dropdowns of ``on_open`` (tab -> its dropdowns) are filled
    when their tab opens instead of at page load, so the page is interactive sooner (issue #11: the load
    answer carried seven pickers' lists, with the heatmap, year strip and corpus list 0.6 MB at 2,146
    documents), and a tab opened an hour later offers the documents added since."""
    later = {dd for dds in (on_open or {}).values() for dd in dds}
    now = [(dd, name) for dd, name in dropdowns.items() if dd not in later]
    follow(pickers, dict(now))
    for tab, dds in (on_open or {}).items():
        follow(pickers, {dd: dropdowns[dd] for dd in dds}, tab)

    def fresh(*selected: Any) -> tuple[Any, ...]:
        return (pickers.header_html(), *(_refilled(pickers, name, sel) for (_, name), sel in zip(now, selected)))

    # The page load goes outside the queue: one plain HTTP request, no queue join and event stream before
    # the page can be used.
    targets = [dd for dd, _ in now]
    demo.load(fresh, targets, [header, *targets], api_visibility="private", show_progress="hidden", queue=False)
