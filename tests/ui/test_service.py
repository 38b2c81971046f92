"""The app's back end: five tabs over one shared workspace."""

from __future__ import annotations

from policyscope.corpus.config import Settings
from policyscope.ui.service import Service


def test_every_tab_shares_the_one_workspace(tmp_path):
    svc = Service(Settings.load(tmp_path / "home", encoder="hash"), max_upload_mb=3)
    tabs = (svc.search_tab, svc.document_tab, svc.compare_tab, svc.review_tab, svc.corpus_tab)
    assert all(tab.ws is svc.workspace for tab in tabs)
    assert svc.corpus_tab.max_upload_bytes == 3 * 1024 * 1024
    assert not svc.workspace.is_built()  # nothing is built until the app starts
