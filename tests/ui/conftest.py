"""Workspaces for the web app's tests: the built-in corpus plus a hostile document, tagged and indexed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from policyscope.corpus.config import Settings

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
