"""Workspaces for the web app's tests: private copies of the tagged built-in corpus (tests/conftest.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from policyscope.corpus.config import Settings

from tests.conftest import build_tagged_workspace


@pytest.fixture(scope="session")
def tagged_home(tmp_path_factory) -> Path:
    """The tagged workspace (hash encoder), built once per session and never written to: copy it."""
    home = tmp_path_factory.mktemp("tagged") / "home"
    build_tagged_workspace(home)
    return home


@pytest.fixture(scope="module")
def service(tagged_home, tmp_path_factory):
    """A ``Service`` over a private copy of the tagged workspace, shared by one test module (1 MB uploads)."""
    from policyscope.ui.service import Service

    home = tmp_path_factory.mktemp("svc") / "home"
    shutil.copytree(tagged_home, home)
    svc = Service(Settings.load(home, encoder="hash"), max_upload_mb=1)
    svc.workspace.ensure_built()
    return svc
