"""The Gradio app: Search, Document, Compare, Tag review and Corpus tabs over one ``Service``.

``build_app(service)`` only wires components to the methods of ``Service``'s tabs (plain functions,
unit-tested without a browser). The index is loaded once inside the service and shared read-only; per-user
state lives in ``gr.State``: the review position (and undo history), and the current search's result set
(up to 1,000 hits), which paging, sorting, grouping and the export download re-read without searching again.

Named API endpoints (for ``gradio_client``): ``search``, ``compare``, ``tag`` — e.g.
``Client(url).predict("电池回收", "hybrid", api_name="/search")``. The UI's own events are private.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

import gradio as gr
from policyscope.corpus.errors import PolicyscopeError
from policyscope.corpus.loaders import SUPPORTED_EXTENSIONS
from policyscope.index.search import SearchResult  # at run time: Gradio reads the handlers' type hints
from policyscope.index.search.export import EXPORTERS
from policyscope.ui import pickers as picking
from policyscope.ui import render
from policyscope.ui.api_types import CompareAnswer, SearchAnswer, TagAnswer, TagTextAnswer, typed
from policyscope.ui.corpus_tab import SORTS, Upload
from policyscope.ui.review_tab import ReviewState
from policyscope.ui.search_tab import DEFAULT_PAGE_SIZE, DEFAULT_RESULTS, PAGE_SIZES, more_like_label
from policyscope.ui.service import Service

log = logging.getLogger(__name__)

MODES = ("hybrid", "semantic", "keyword", "phrase")
LANGS = ("zh", "en", "ja", "ko", "other")

def handle_action(service: Service, data: dict[str, str]) -> dict[str, str]:
    """What a click on a card, table cell or timeline chip asks for (its ``data-*`` attributes).

    Returns the HTML to show and where: ``{"target": "document" | "results" | "evidence", "html": ...}``.
    """
    act = data.get("action")
    if act == "open":
        html = service.document_tab.document_view(data.get("doc", ""), data.get("pid") or None)
        return {"target": "document", "html": html}
    if act == "more":
        return {"target": "results", "html": service.search_tab.more_like_this(data.get("pid", ""))}
    if act == "cell":
        html = service.compare_tab.cell_evidence(data.get("country", ""), data.get("measure", ""))
        return {"target": "evidence", "html": html}
    return {"target": "none", "html": ""}


def _state(value: ReviewState | dict[str, Any] | None) -> ReviewState:
    if isinstance(value, ReviewState):
        return value
    return ReviewState(**value) if isinstance(value, dict) else ReviewState()


def when_opened(tab: gr.Tab, state: Sequence[gr.State] = (),
                prepare: Callable[..., tuple[Any, ...]] | None = None) -> Callable[[Callable[..., None]], Any]:
    """Decorator: build the decorated function's components and events (``gr.render``) the first time a
    session opens ``tab``, not with the page.

    Gradio's front end builds every component of the page config, hidden tabs included, before the page
    takes input: with the Compare, Tag review and Corpus tabs in the config (63 of its 114 components) a
    page load cost the browser ~15 % more CPU (renderer 0.96–1.05 s against 0.87–0.90 s) and 0.15–0.4 s more
    to become interactive, depending on the machine's load (issue #11, docs/performance.md). A session that never opens a tab never builds it. The first opening
    flips a ``gr.State`` flag whose change runs the render once; later openings find the flag set and do
    nothing, so what the tab shows (a comparison, the corpus list's page) stays. ``prepare`` may fill ``state`` on that first opening (from
    their values; the render reads them back): a render cannot write a state itself.

    Must be applied inside ``with tab:``. Events that fill the tab's components must be declared inside
    the render, since its components do not exist before it runs. A rendered input that holds a value
    needs ``interactive=True``: Gradio's front end decides interactivity from the first page's events,
    so a rendered dropdown holding a value would come disabled.
    """
    opened = gr.State(False)
    state = list(state)

    def gate(done: bool, *values: Any) -> tuple[Any, ...]:
        if done:
            return (gr.skip(),) * (1 + len(state))
        return (True, *(prepare(*values) if prepare else ()))

    # On the queue: Gradio's front end fires a state's change event only from queued answers.
    tab.select(gate, [opened, *state], [opened, *state], api_visibility="private", show_progress="hidden")

    def decorate(build: Callable[..., None]) -> Any:
        return gr.render(inputs=state or None, triggers=[opened.change], queue=False, show_progress="hidden")(build)

    return decorate


def build_app(service: Service) -> gr.Blocks:
    """The whole app as a ``gr.Blocks`` (not launched)."""

    # Every box that holds cards, tables or a document view gets the delegated click handler: a click on
    # an element with data-action sends its data-* ids to Python; it also scrolls a newly rendered focus
    # passage into view (the document view).
    on_load = render.asset("on_load.js")

    def html_box(value: str = "", elem_id: str | None = None) -> gr.HTML:
        return gr.HTML(value, elem_id=elem_id, js_on_load=on_load, container=False, padding=False)

    ws = service.workspace
    search_tab, compare_tab, review_tab, corpus_tab = (
        service.search_tab, service.compare_tab, service.review_tab, service.corpus_tab)
    # Pickers of documents, countries and regions are built empty and filled per session (ui/pickers.py).
    pickers = picking.Pickers(ws)
    measure_choices = ws.measure_choices()
    y_lo, y_hi = ws.year_bounds()
    private = {"api_visibility": "private"}

    with gr.Blocks(title="policyscope") as demo:
        # The header's counts are read afresh on every page load (picking.wire), not frozen at start.
        header = gr.HTML(picking.header(ws.status), container=False, padding=False)
        review_state, first_card = gr.State(asdict(ReviewState())), gr.State("")
        with gr.Tabs(selected="search") as tabs:
            # -- Search ---------------------------------------------------------------------------
            with gr.Tab("Search 检索", id="search"):
                with gr.Row(equal_height=True):
                    query = gr.Textbox(label="Query 查询 (中文 or English)", scale=5, elem_id="ps-query",
                                       placeholder="e.g. 动力电池回收利用 · critical minerals stockpile", max_lines=2)
                    mode = gr.Radio(list(MODES), value="hybrid", label="Mode", scale=3, elem_id="ps-mode")
                    search_btn = gr.Button("Search", variant="primary", scale=1, elem_id="ps-search")
                with gr.Accordion("Filters 筛选", open=True):
                    with gr.Row():
                        f_countries = gr.Dropdown([], multiselect=True, label="Country 国家",
                                                  elem_id="ps-f-country")
                        f_regions = gr.Dropdown([], multiselect=True, label="Region or bloc 地区/集团",
                                                elem_id="ps-f-region")
                        f_docs = gr.Dropdown([], multiselect=True, label="Document (type to search)",
                                             elem_id="ps-f-doc")
                        f_langs = gr.CheckboxGroup(list(LANGS), label="Passage language", elem_id="ps-f-lang")
                    with gr.Row():
                        # Text boxes, not gr.Number: an empty number box would send 0 and hide every result.
                        f_from = gr.Textbox(label="Year from", placeholder=str(y_lo), elem_id="ps-f-from")
                        f_to = gr.Textbox(label="Year to", placeholder=str(y_hi), elem_id="ps-f-to")
                        f_measures = gr.Dropdown(measure_choices, multiselect=True, label="Measures (any)",
                                                 elem_id="ps-f-measure")
                        f_k = gr.Slider(1, 1000, value=DEFAULT_RESULTS, step=1, label="Results (over all pages)",
                                        elem_id="ps-f-k")
                        f_per_doc = gr.Dropdown([("all", 0), ("1", 1), ("2", 2), ("3", 3)], value=0,
                                                label="Passages per document", elem_id="ps-f-per-doc")
                # The result set stays on the server (gr.State); sort, group and page turns re-render it.
                res_state, page_state = gr.State(None), gr.State(1)
                # Sort, paging and export come with the first result set: hidden, they are not mounted when
                # the page loads, which makes it interactive sooner (issue #11).
                with gr.Row(equal_height=True, elem_id="ps-r-bar", visible=False) as r_bar:
                    r_sort = gr.Radio([("Relevance", "relevance"), ("Newest first", "newest"),
                                       ("Oldest first", "oldest")], value="relevance", label="Sort", scale=3,
                                      elem_id="ps-sort")
                    r_group = gr.Checkbox(False, label="Group by document", scale=1, elem_id="ps-group")
                    r_size = gr.Dropdown(list(PAGE_SIZES), value=DEFAULT_PAGE_SIZE, label="Per page", scale=1,
                                         elem_id="ps-page-size")
                    r_prev = gr.Button("◀ Previous", scale=1, elem_id="ps-prev")
                    r_next = gr.Button("Next ▶", scale=1, elem_id="ps-next")
                results = html_box(render.message("Type a query in Chinese or English and press Enter."),
                                   "ps-results")
                with gr.Row(equal_height=True, elem_id="ps-x-bar", visible=False) as x_bar:
                    x_fmt = gr.Dropdown(list(EXPORTERS), value=next(iter(EXPORTERS)), label="Export the results as",
                                        scale=1, elem_id="ps-x-fmt")
                    x_file = gr.DownloadButton("Download results", value=None, interactive=False, scale=2,
                                               elem_id="ps-x-download")

            # -- Document -------------------------------------------------------------------------
            # Built with the page (two components): every tab's cards open documents here.
            with gr.Tab("Document 文档", id="document") as document_page:
                doc_pick = gr.Dropdown([], value=None, label="Open a document (type a title, country or id)",
                                       elem_id="ps-doc-pick")
                doc_view = html_box(render.message("Open a document from a search result, the Compare tab or"
                                                   " the Corpus tab."), "ps-docview")

            # Compare, Tag review and Corpus follow below (``with tabs:`` again), after the wiring they share.

        # -- wiring -------------------------------------------------------------------------------
        search_inputs = [query, mode, f_regions, f_docs, f_langs, f_from, f_to, f_measures, f_k, f_countries,
                         f_per_doc]
        # UI events are private and named ui_*, so the public names search/compare/tag stay free for the API.
        def download(result: SearchResult | None, fmt: str, sort: str, group: bool) -> Any:
            """The download button, holding the whole result set in ``fmt`` (in the page's order)."""
            if result is None:
                return gr.DownloadButton("Download results", value=None, interactive=False)
            try:
                path = search_tab.export_file(result, fmt, sort, group)
            except Exception:  # the results stay on the page; the button says there is no file
                log.exception("result export failed")
                return gr.DownloadButton("Export failed", value=None, interactive=False)
            n = render.count_noun(len(result.hits), "result")
            return gr.DownloadButton(f"Download {n} ({fmt})", value=str(path), interactive=True)

        def bars(result: SearchResult | None) -> tuple[gr.Row, gr.Row]:
            """The result bar (sort, paging) and the export row: shown while there is a result set."""
            return gr.Row(visible=result is not None), gr.Row(visible=result is not None)

        def do_search(*args: Any) -> tuple[Any, ...]:
            """``search_inputs`` (as ``SearchTab.result_set`` takes them), then per_doc again and the view."""
            *form, per_doc, sort, group, size, fmt = args
            result, message = search_tab.result_set(*form)
            if result is None:
                return None, 1, message, download(None, fmt, sort, group), *bars(None)
            html, page = search_tab.page(result, 1, size, sort, group, per_doc=per_doc)
            return result, page, html, download(result, fmt, sort, group), *bars(result)

        def reorder(result: SearchResult | None, size: int, sort: str, group: bool, per_doc: int,
                    fmt: str) -> tuple[Any, ...]:
            html, page = search_tab.page(result, 1, size, sort, group, per_doc=per_doc)
            return page, html, download(result, fmt, sort, group)

        def turn(result: SearchResult | None, page: int, size: int, sort: str, group: bool, per_doc: int,
                 step: int) -> tuple[int, str]:
            html, shown = search_tab.page(result, int(page or 1) + step, size, sort, group, per_doc=per_doc)
            return shown, html

        view = [r_sort, r_group, r_size, x_fmt]
        searched = [res_state, page_state, results, x_file, r_bar, x_bar]
        search_btn.click(do_search, [*search_inputs, f_per_doc, *view], searched, api_name="ui_search", **private)
        query.submit(do_search, [*search_inputs, f_per_doc, *view], searched, api_name="ui_search_submit", **private)
        for control in (r_sort, r_group, r_size):
            control.change(reorder, [res_state, r_size, r_sort, r_group, f_per_doc, x_fmt],
                           [page_state, results, x_file], **private)
        for btn, step in ((r_prev, -1), (r_next, 1)):
            btn.click(lambda r, p, z, s, g, d, step=step: turn(r, p, z, s, g, d, step),
                      [res_state, page_state, r_size, r_sort, r_group, f_per_doc], [page_state, results], **private)
        x_fmt.change(download, [res_state, x_fmt, r_sort, r_group], x_file, **private)

        def wire_clicks(boxes: Sequence[gr.HTML], evidence: gr.HTML | None = None) -> None:
            """Send clicks on ``boxes`` (cards, table cells, timeline chips) to Python: one event for all of
            them (each event is a dependency the page processes at load). A document opens in the Document
            tab, *More like this* gives the Search tab a new result set, a heatmap cell's passages go to
            ``evidence``. The browser then brings a document view's focus passage into view."""
            outputs = [doc_view, results, tabs, res_state, page_state, x_file, r_bar, x_bar]
            if evidence is not None:
                outputs.append(evidence)

            def on_click(sort: str, group: bool, size: int, fmt: str, evt: gr.EventData) -> dict[Any, Any]:
                data = dict(getattr(evt, "_data", None) or {})
                if data.get("action") == "more":  # a new result set: paged, sorted and exported like a search
                    result, html = search_tab.more_like_this_set(data.get("pid", ""))
                    if result is not None:
                        html, _ = search_tab.page(result, 1, size, sort, group, label=more_like_label(result))
                    r_shown, x_shown = bars(result)
                    return {results: html, tabs: gr.Tabs(selected="search"), res_state: result, page_state: 1,
                            x_file: download(result, fmt, sort, group), r_bar: r_shown, x_bar: x_shown}
                out = handle_action(service, data)
                if out["target"] == "document":
                    return {doc_view: out["html"], tabs: gr.Tabs(selected="document")}
                if out["target"] == "evidence" and evidence is not None:
                    return {evidence: out["html"]}
                return {}

            gr.on([box.click for box in boxes], on_click, view, outputs, **private).then(
                None, None, None, js=render.asset("scroll.js"), **private)

        wire_clicks([results, doc_view])
        doc_pick.change(lambda d: service.document_tab.document_view(d) if d else gr.skip(), doc_pick, doc_view,
                        **private)

        # The page load fills only what the Search tab shows (header, filter pickers); the Document picker
        # fills when its tab opens, so the page is interactive sooner (issue #11).
        picking.wire(demo, pickers, {f_countries: "country", f_regions: "region", f_docs: "document",
                                     doc_pick: "document"}, header, on_open={document_page: [doc_pick]})

        # -- The tabs built when first opened (when_opened): Compare, Tag review, Corpus ---------------
        # Their contents are declared inside the render functions; events reaching into them from outside
        # (a card click opening the Document tab, the header after an upload) only ever target the page's
        # own components, so nothing outside depends on a tab having been opened.
        with tabs:  # back into the tab bar, after the Search and Document tabs
            with gr.Tab("Compare 比较", id="compare") as compare_page:
                @when_opened(compare_page)
                def compare_view() -> None:
                    with gr.Row(equal_height=True):
                        c_items = gr.Dropdown(pickers.choices("compare"), multiselect=True, max_choices=4, scale=5,
                                              label="Documents, countries or regions to compare (2–4; type to search)",
                                              elem_id="ps-c-items")
                        c_btn = gr.Button("Compare", variant="primary", scale=1, elem_id="ps-compare")
                    gr.Markdown("#### Measures side by side 措施对照")
                    c_table = html_box(render.message("Pick 2–4 documents or countries, e.g. Country US and Country JP."),
                                       "ps-c-table")
                    gr.Markdown("#### Country × measure over the whole corpus 国家×措施")
                    # The heatmap is ~0.5 MB of HTML at 2,146 documents: made here, never for a page load.
                    c_heat = html_box(compare_tab.heatmap(), "ps-c-heat")
                    c_evidence = html_box("", "ps-c-evidence")
                    gr.Markdown("#### Timeline of the compared items 时间线 (before a comparison: documents per year)")
                    c_timeline = html_box(compare_tab.timeline(), "ps-c-timeline")
                    gr.Markdown("#### Passage alignment 段落对齐 (first two items)")
                    c_align = html_box("", "ps-c-align")

                    c_btn.click(compare_tab.compare, c_items, [c_table, c_heat, c_timeline, c_align], **private)
                    wire_clicks([c_table, c_heat, c_evidence, c_timeline, c_align], evidence=c_evidence)
                    picking.follow(pickers, {c_items: "compare"}, compare_page)

            # -- Tag review (built when first opened) ---------------------------------------------------
            def review_step(state: dict[str, Any] | None, act: str | None, measure: str | None, who: str,
                            f_measure: str | None, f_country: str | None, f_doc: str | None,
                            ) -> tuple[dict[str, Any], str, str, Any]:
                """One review action on the card shown (or undo, or None: show the card the filters give). The
                measure picker is cleared after every action and when a new card comes, so a pick made for one
                card never applies to the next."""
                clear = gr.Dropdown(value=None)
                st = review_tab.set_filters(_state(state), f_measure, f_country, f_doc)
                try:
                    if act == "undo":
                        st, note = review_tab.review_undo(st)
                        return asdict(st), note, review_tab.review_card(st.current, len(st.queue) - st.pos), clear
                    st, note = review_tab.review_step(st, act, measure, who)
                    st, card = review_tab.review_next(st)
                except Exception as exc:  # shown to the reviewer; the card stays
                    if not isinstance(exc, PolicyscopeError):
                        log.exception("review action failed")
                    return asdict(st), f"⚠️ {exc}", review_tab.review_card(st.current, len(st.queue) - st.pos), clear
                return asdict(st), note, card, clear

            def first_review(state: dict[str, Any] | None, _card: str) -> tuple[dict[str, Any], str]:
                """The first opening's card, as a later opening shows it (no filters yet); the render shows it."""
                st, _note, card, _ = review_step(state, None, None, "reviewer", None, None, "")
                return st, card

            with gr.Tab("Tag review 标注审核", id="review") as review_page:
                @when_opened(review_page, [review_state, first_card], first_review)
                def review_view(_state: dict[str, Any], card: str) -> None:
                    with gr.Row():
                        annotator = gr.Textbox(label="Annotator", value="reviewer", scale=2, elem_id="ps-annotator",
                                               interactive=True)
                        r_measure = gr.Dropdown(measure_choices, value=None, label="Measure (for add, or one tag only)",
                                                scale=3, elem_id="ps-r-measure")
                    with gr.Row():
                        accept_btn = gr.Button("Accept (A)", variant="primary", elem_id="ps-accept")
                        reject_btn = gr.Button("Reject (R)", variant="stop", elem_id="ps-reject")
                        add_btn = gr.Button("Add measure (D)", elem_id="ps-add")
                        skip_btn = gr.Button("Skip (N)", elem_id="ps-skip")
                        undo_btn = gr.Button("Undo (U)", elem_id="ps-undo")
                    with gr.Row():  # the queue's filters: a change starts the queue again under them
                        q_measure = gr.Dropdown(measure_choices, value=None, label="Queue: measure",
                                                elem_id="ps-q-measure")
                        q_country = gr.Dropdown(pickers.choices("country"), value=None, label="Queue: country",
                                                elem_id="ps-q-country")
                        q_doc = gr.Textbox(label="Queue: document (id or catalog id)", elem_id="ps-q-doc")
                    r_note = gr.Markdown("", elem_id="ps-r-note")
                    r_card = html_box(card, "ps-r-card")
                    with gr.Row():
                        formats = review_tab.export_formats()
                        r_fmt = gr.Dropdown(formats, value=formats[0] if formats else None, label="Export format",
                                            elem_id="ps-r-fmt", interactive=True)
                        r_export = gr.Button("Export dataset", elem_id="ps-export")
                        r_file = gr.File(label="Export", interactive=False, elem_id="ps-r-file")

                    r_inputs = [review_state, r_measure, annotator, q_measure, q_country, q_doc]
                    r_outputs = [review_state, r_note, r_card, r_measure]
                    # Each later opening shows the card the filters give, as the first one did.
                    review_page.select(lambda s, m, w, *f: review_step(s, None, m, w, *f), r_inputs, r_outputs,
                                       **private)
                    for btn, act in ((accept_btn, "accept"), (reject_btn, "reject"), (add_btn, "add"),
                                     (skip_btn, "skip"), (undo_btn, "undo")):
                        btn.click(lambda s, m, w, *f, a=act: review_step(s, a, m, w, *f), r_inputs, r_outputs,
                                  **private)
                    for box in (q_measure, q_country):
                        box.change(lambda s, m, w, *f: review_step(s, None, m, w, *f), r_inputs, r_outputs,
                                   **private)
                    q_doc.submit(lambda s, m, w, *f: review_step(s, None, m, w, *f), r_inputs, r_outputs, **private)

                    def do_export(fmt: str) -> tuple[str | None, str]:
                        try:
                            path = review_tab.export(fmt)
                        except Exception as exc:
                            log.exception("export failed")
                            return None, f"⚠️ export failed: {exc}"
                        return str(path), f"✓ exported {path.name}"

                    r_export.click(do_export, r_fmt, [r_file, r_note], **private)
                    wire_clicks([r_card])
                    picking.follow(pickers, {q_country: "country"}, review_page)

            # -- Corpus: paged list, metadata form, uploads -------------------------------------------------
            with gr.Tab("Corpus 语料", id="corpus") as corpus_page:
                @when_opened(corpus_page)
                def corpus_view() -> None:
                    with gr.Row():
                        up_files = gr.File(file_count="multiple", file_types=list(SUPPORTED_EXTENSIONS),
                                           label=f"Upload files ({' '.join(SUPPORTED_EXTENSIONS)})", elem_id="ps-upload")
                        with gr.Column():
                            up_btn = gr.Button("Add to corpus", variant="primary", elem_id="ps-upload-btn")
                            fetch_btn = gr.Button("Fetch official texts (network)", elem_id="ps-fetch")
                    up_out = html_box("", "ps-upload-out")
                    with gr.Accordion("Edit metadata 编辑元数据 (an upload opens here)", open=False,
                                      elem_id="ps-meta") as m_acc:
                        m_doc = gr.Dropdown(pickers.choices("document"), value=None, label="Document (type to search)",
                                            elem_id="ps-m-doc")
                        with gr.Row():
                            m_fields = {name: gr.Textbox(label=label, elem_id=f"ps-m-{name.replace('_', '-')}",
                                                         scale=scale)
                                        for name, label, scale in (
                                            ("title", "Title", 3), ("title_zh", "Title 中文", 3),
                                            ("title_en", "Title (English)", 3))}
                        with gr.Row():
                            m_fields.update({name: gr.Textbox(label=label, elem_id=f"ps-m-{name}", scale=scale)
                                             for name, label, scale in (
                                                 ("country", "Country (ISO code or name)", 2), ("year", "Year", 1),
                                                 ("kind", "Kind (law, strategy, …)", 2),
                                                 ("url", "Official source URL (http/https)", 4))})
                        with gr.Row():
                            m_save = gr.Button("Save and re-index", variant="primary", elem_id="ps-m-save", scale=1)
                            m_note = gr.Markdown("", elem_id="ps-m-note")
                    with gr.Row(equal_height=True):
                        t_query = gr.Textbox(label="Search the list", placeholder="title, country, kind, year or id",
                                             scale=4, elem_id="ps-t-query", max_lines=1)
                        t_sort = gr.Dropdown(list(SORTS), value="country", label="Sort", scale=2, elem_id="ps-t-sort",
                                             filterable=False, interactive=True)
                        t_page = gr.Number(1, label="Page", precision=0, minimum=1, scale=1, elem_id="ps-t-page",
                                           interactive=True)
                        t_prev = gr.Button("◀ Previous", scale=1, elem_id="ps-t-prev")
                        t_next = gr.Button("Next ▶", scale=1, elem_id="ps-t-next")
                    corpus = html_box(corpus_tab.corpus_table(), "ps-corpus")
                    with gr.Accordion("About the corpus 关于语料", open=False, elem_id="ps-about"):
                        gr.Markdown(corpus_tab.about_markdown(), elem_id="ps-about-text")

                    m_inputs = list(m_fields.values())
                    t_inputs = [t_query, t_sort, t_page]

                    def table(q: str, sort: str, page: Any, step: int = 0) -> tuple[str, int]:
                        shown = corpus_tab.corpus_page(q, sort, int(page or 1) + step)
                        return shown.html, shown.page

                    t_query.submit(lambda q, s: table(q, s, 1), [t_query, t_sort], [corpus, t_page], **private)
                    t_sort.change(lambda q, s: table(q, s, 1), [t_query, t_sort], [corpus, t_page], **private)
                    t_page.submit(table, t_inputs, [corpus, t_page], **private)
                    t_prev.click(lambda q, s, p: table(q, s, p, -1), t_inputs, [corpus, t_page], **private)
                    t_next.click(lambda q, s, p: table(q, s, p, 1), t_inputs, [corpus, t_page], **private)

                    def form(doc_id: str | None) -> list[str]:
                        values = corpus_tab.metadata_of(doc_id)
                        return [values[name] for name in m_fields]

                    m_doc.change(form, m_doc, m_inputs, **private)

                    def save(doc_id: str | None, *values: str) -> tuple[Any, ...]:
                        try:
                            note = corpus_tab.save_metadata(doc_id, **dict(zip(m_fields, values)))
                        except PolicyscopeError as exc:  # one line, raised so the page shows it as an error toast
                            raise gr.Error(str(exc), print_exception=False) from None
                        # The form shows the values as stored (a country name typed becomes its code).
                        return ("✓ " + note, *table("", "country", 1), pickers.header_html(),
                                gr.Dropdown(choices=pickers.choices("document", "", doc_id)), *form(doc_id))

                    m_save.click(save, [m_doc, *m_inputs], [m_note, corpus, t_page, header, m_doc, *m_inputs], **private)

                    def do_upload(files: list[Upload] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
                        rows = corpus_tab.upload(files or [], progress=lambda f, d: progress(f, desc=d))
                        first = next((d["id"] for r in rows for d in r["documents"]), None)
                        page = corpus_tab.corpus_page(sort="recently added")
                        # The form opens on the first uploaded document, to give it a country, year and kind.
                        return (render.upload_results(rows), page.html, None, "recently added", pickers.header_html(),
                                gr.Dropdown(choices=pickers.choices("document", "", first), value=first),
                                gr.Accordion(open=bool(first)))

                    up_btn.click(do_upload, up_files, [up_out, corpus, up_files, t_sort, header, m_doc, m_acc], **private)

                    def do_fetch(progress: gr.Progress = gr.Progress()) -> tuple[str, str, str]:  # noqa: B008
                        html = corpus_tab.fetch(progress=lambda f, d: progress(f, desc=d))
                        return html, corpus_tab.corpus_table(), pickers.header_html()

                    fetch_btn.click(do_fetch, None, [up_out, corpus, header], **private)
                    wire_clicks([corpus, up_out])
                    picking.follow(pickers, {m_doc: "document"}, corpus_page)

        # -- API ------------------------------------------------------------------------------------
        # Each endpoint raises gr.Error with the one-line reason, so gradio_client.predict raises too.
        def answer(result: dict[str, Any]) -> Any:
            if "error" in result:
                raise gr.Error(result["error"], print_exception=False)
            return result

        @typed
        def search(
            query: str, mode: str = "hybrid", regions: list[str] | None = None, docs: list[str] | None = None,
            langs: list[str] | None = None, year_from: int | None = None, year_to: int | None = None,
            measures: list[str] | None = None, k: int = 10, countries: list[str] | None = None,
            per_doc: int = 0, kinds: list[str] | None = None, measures_all: list[str] | None = None,
        ) -> SearchAnswer:
            """Search passages, with every filter of `policyscope search`; returns {query, mode, query_terms,
            translations, timings_ms, hits: [...]}. ``countries``: codes or names (CL, 智利, 米国); ``regions``:
            blocs or UN M49 regions (G7, EU27, Eastern Asia) or countries; ``kinds``: document kinds (law,
            fact sheet, …); ``measures``: any of; ``measures_all``: every one of; ``per_doc``: at most that many
            passages of one document (0: no limit). A bad value raises an error naming it."""
            return answer(search_tab.search_json(query, mode, regions, docs, langs, year_from, year_to, measures,
                                                 k, countries, per_doc, kinds, measures_all))

        @typed
        def compare(items: list[str], k: int = 2) -> CompareAnswer:
            """Measure table (and passage alignment of the first two) for 2–4 document ids, catalog ids,
            countries or regions: {items, rows, alignment}."""
            from policyscope.index.compare import MAX_ITEMS

            if not 2 <= len(items or []) <= MAX_ITEMS:
                raise gr.Error(f"compare needs 2 to {MAX_ITEMS} items, got {len(items or [])}", print_exception=False)
            return answer(compare_tab.compare_json(items, k))

        @typed
        def tag(passage_id: str, action: str, measure: str = "", annotator: str = "api") -> TagAnswer:
            """Record a review decision (accept, reject or add) on a passage; returns its effective tags."""
            return answer(review_tab.tag_json(passage_id, action, measure, annotator))

        @typed
        def tag_text(text: str, lang: str = "") -> TagTextAnswer:
            """The measures in any text (not stored): {measures: [{measure, score, source, evidence}]}."""
            return answer(review_tab.tag_text_json(text, lang or None))

        gr.api(search, api_name="search")
        gr.api(compare, api_name="compare")
        gr.api(tag, api_name="tag")
        gr.api(tag_text, api_name="tag_text")
    return demo
