"""Shared fixtures: where the shared data lives, fresh workspaces, a built built-in corpus."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from policyscope.corpus.config import Settings

# Property tests check behaviour, not speed: hypothesis's default 200 ms deadline per example fails
# them at random on a loaded 2-core machine (speed targets live in benchmarks/).
hypothesis_settings.register_profile("policyscope", deadline=None)
hypothesis_settings.load_profile("policyscope")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("POLICYSCOPE_SHARED", REPO.parent / "shared"))
CCLW_JSONL = SHARED / "sources" / "cclw-laws-2021-03.jsonl"
CCLW_XLSX = SHARED / "sources" / "cclw-laws-2021-03.xlsx"
SEARCH_DEV = SHARED / "eval" / "search_dev.jsonl"
TAGS_DEV = SHARED / "eval" / "tags_dev.jsonl"
SEED = SHARED / "seed" / "battery-supply-chain-paper.txt"


HOSTILE_ID = "hostile-doc"
HOSTILE_TEXT = (
    "<script>alert('pwned')</script> Battery recycling rules for <img src=x onerror=alert(1)> lithium.\n\n"
    '<a href="javascript:alert(1)">click here</a> 电池回收 ${alert(1)} {{7*7}}'
)


def build_tagged_workspace(home: Path, encoder: str = "hash", hostile: bool = True) -> Settings:
    """The built-in corpus (plus a hostile document), segmented, tagged and indexed.

    Uses the pipeline's default tagger; while that is unavailable, the lexicon tagger's tags are stored
    directly so the compare and review views have real tags to show.
    """
    from policyscope.corpus.records import Document
    from policyscope.index.pipeline import MACHINE_SOURCES, Pipeline

    settings = Settings.load(home, encoder=encoder)
    pipe = Pipeline(settings)
    pipe.ingest_builtin()
    if hostile:
        pipe.store.add_documents([Document(
            id=HOSTILE_ID, text=HOSTILE_TEXT, title="<script>alert('title')</script>",
            title_zh="<img src=x onerror=alert('zh')>", title_en='<a href="javascript:alert(1)">Evil</a>',
            region="US", year=2021, lang="en", kind="test", source="hostile.txt",
        )])
    pipe.segment()
    pipe.tag()
    if pipe.store.count("tags") == 0:
        from policyscope.nlp.taggers import make_tagger

        passages = list(pipe.store.iter_passages())
        tags = make_tagger("lexicon").tag([p.text for p in passages], [p.lang for p in passages])
        pipe.store.replace_tags({p.id: t for p, t in zip(passages, tags)}, sources=MACHINE_SOURCES,
                                tagger_key="test-lexicon")
    pipe.index(force=True)
    pipe.store.close()
    return settings


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
