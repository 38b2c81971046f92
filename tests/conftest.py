"""Shared fixtures: where the shared data lives, fresh workspaces, a built built-in corpus."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("POLICYSCOPE_SHARED", REPO.parent / "shared"))
CCLW_JSONL = SHARED / "sources" / "cclw-laws-2021-03.jsonl"
CCLW_XLSX = SHARED / "sources" / "cclw-laws-2021-03.xlsx"
SEARCH_DEV = SHARED / "eval" / "search_dev.jsonl"
TAGS_DEV = SHARED / "eval" / "tags_dev.jsonl"
SEED = SHARED / "seed" / "battery-supply-chain-paper.txt"


def require_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared data not found at {path}")
    return path


@pytest.fixture
def workspace(tmp_path):
    """A fresh workspace with the fast deterministic test encoder."""
    from policyscope.corpus.config import Settings

    return Settings.load(tmp_path / "home", encoder="hash")


@pytest.fixture(scope="session")
def built_home(tmp_path_factory):
    """The built-in corpus built once with the real default encoder (shared, read-only)."""
    from policyscope.corpus.config import Settings
    from policyscope.index.pipeline import Pipeline

    home = tmp_path_factory.mktemp("built")
    s = Settings.load(home)
    Pipeline(s).run(builtin=True)
    return s


@pytest.fixture(scope="session")
def built_hash_home(tmp_path_factory):
    """The built-in corpus built once per session with the fast `hash` encoder (never written to)."""
    from policyscope.corpus.config import Settings
    from policyscope.index.pipeline import Pipeline

    home = tmp_path_factory.mktemp("hashbuilt") / "home"
    pipe = Pipeline(Settings.load(home, encoder="hash"))
    pipe.run(builtin=True)
    pipe.store.close()
    return home


@pytest.fixture
def home(built_hash_home, tmp_path):
    """A private copy of the built `hash` workspace that a test may change."""
    dst = tmp_path / "home"
    shutil.copytree(built_hash_home, dst)
    return dst
