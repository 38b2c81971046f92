"""The web app's back end: one :class:`Workspace` and one object per tab, all plain Python.

Gradio handlers in ``app.py`` are thin wrappers around the tabs' methods, so everything is
unit-tested without a browser. Methods that feed the page return HTML strings built by ``render``
(every document string escaped); ``*_json`` methods return data for the API.

=================  ===============================================================
``workspace``      settings, store, searcher, pipeline, locks, caches (``workspace.py``)
``search_tab``     search, pages, sort, grouping, export, the ``search`` API, more like this (``search_tab.py``)
``document_tab``   one document, passage by passage (``document_tab.py``)
``compare_tab``    measure table, heatmap, timeline, alignment, ``compare`` API (``compare_tab.py``)
``review_tab``     review queue and its filters, decisions, undo, the ``tag`` API, export (``review_tab.py``)
``corpus_tab``     document list, uploads, fetch (``corpus_tab.py``)
=================  ===============================================================
"""

from __future__ import annotations

from policyscope.corpus.config import Settings
from policyscope.ui.compare_tab import CompareTab
from policyscope.ui.corpus_tab import CorpusTab
from policyscope.ui.document_tab import DocumentTab
from policyscope.ui.review_tab import ReviewTab
from policyscope.ui.search_tab import SearchTab
from policyscope.ui.workspace import Workspace


class Service:
    """Everything the app does, over one workspace.

    Example:
        >>> svc = Service(Settings.load("/tmp/home", encoder="hash"))
        >>> svc.workspace.ensure_built()          # builds the built-in corpus the first time
        >>> html = svc.search_tab.search("电池回收")
    """

    def __init__(self, settings: Settings, max_upload_mb: int = 50):
        self.workspace = Workspace(settings)
        self.search_tab = SearchTab(self.workspace)
        self.document_tab = DocumentTab(self.workspace)
        self.compare_tab = CompareTab(self.workspace)
        self.review_tab = ReviewTab(self.workspace)
        self.corpus_tab = CorpusTab(self.workspace, max_upload_mb=max_upload_mb)
