"""Fixtures for the reliability suite: one built workspace (hash encoder), copied per test.

Building the built-in corpus takes a few seconds; copying the finished workspace takes
milliseconds, so every test gets its own store and index to break without touching the others.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def built_template(tmp_path_factory) -> Path:
    """A workspace with the built-in corpus indexed with the ``hash`` encoder (never modified)."""
    from policyscope.corpus.config import Settings
    from policyscope.index.pipeline import Pipeline

    home = tmp_path_factory.mktemp("template") / "home"
    settings = Settings.load(home, encoder="hash")
    pipe = Pipeline(settings)
    pipe.run(builtin=True)
    pipe.store.close()  # the last connection checkpoints the WAL, so a plain copy is complete
    return home


@pytest.fixture
def home(built_template, tmp_path):
    """Settings of a private copy of the built workspace."""
    from policyscope.corpus.config import Settings

    dest = tmp_path / "home"
    shutil.copytree(built_template, dest)
    return Settings.load(dest, encoder="hash")


@pytest.fixture
def inputs(tmp_path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    return folder


@dataclass(frozen=True)
class Snapshot:
    """What must not change when a bad input is refused."""

    fingerprint: str
    documents: int
    passages: int
    ids: frozenset[str]
    current: str

    @classmethod
    def of(cls, settings) -> Snapshot:
        from policyscope.corpus.store import Store

        with Store(settings.store_path, readonly=True) as store:
            ids = frozenset(i.id for i in store.document_infos())
            snap = cls(
                store.fingerprint(),
                store.count("documents"),
                store.count("passages"),
                ids,
                (settings.index_root / "CURRENT").read_text(encoding="utf-8").strip(),
            )
            assert store.integrity_check() == "ok"
        return snap


def run_cli(settings, *args: str):
    """``policyscope --home H --encoder hash ARGS`` in-process; returns click's Result."""
    from policyscope.ui.cli import app
    from typer.testing import CliRunner

    return CliRunner().invoke(app, ["--home", str(settings.home), "--encoder", "hash", *args])


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def manifest(settings) -> dict:
    from policyscope.index.build import current_index_dir

    path = current_index_dir(settings.index_root)
    assert path is not None
    return json.loads((path / "manifest.json").read_text(encoding="utf-8"))
