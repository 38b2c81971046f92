"""kill -9 a real ``policyscope`` process at seeded random points of a build, several times.

After every kill: the SQLite store passes its integrity and foreign-key checks, ``CURRENT`` names a
complete index (never a temporary or half-written directory), that index still answers searches,
and a searcher that was open before the kill keeps answering. Finally an ordinary ``add`` run
completes and its index holds every stored passage.

Kill points are chosen from the stage lines the CLI prints on stderr (``segment…``, ``tag…``,
``embed…``, ``keywords…``) plus a seeded random delay, so each run dies inside a different stage:
ingest/segmentation transactions, tagging, the embedding cache, BM25/FAISS writing and the
pointer switch.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from policyscope.corpus.store import Store
from policyscope.index.build import current_index_dir, read_manifest
from policyscope.index.pipeline import segment_settings_key

from . import files as F

CLI = [sys.executable, "-c", "from policyscope.ui.cli import main; main()"]
N_DOCS = 60


class _Run:
    """A CLI subprocess whose stderr lines are watched for stage markers."""

    def __init__(self, home: Path, *args: str):
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [*CLI, "--home", str(home), "--encoder", "hash", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self._seen = threading.Condition()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._seen:
                self.lines.append(line.rstrip("\n"))
                self._seen.notify_all()
        with self._seen:
            self._seen.notify_all()

    def wait_for(self, marker: str, timeout: float = 90) -> bool:
        """True once a stderr line starts with ``marker``; False if the process ended first."""
        deadline = time.monotonic() + timeout
        with self._seen:
            while True:
                if any(line.startswith(marker) for line in self.lines):
                    return True
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    return False
                self._seen.wait(0.05)

    def kill(self) -> int:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        return self.proc.wait(timeout=30)


def _check_workspace(settings, *, searcher) -> Path:
    """Store sound, CURRENT complete and searchable; returns the current index directory."""
    with Store(settings.store_path) as store:
        assert store.integrity_check() == "ok"
        passages = store.count("passages")
    db = sqlite3.connect(settings.store_path)
    try:
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        db.close()
    current = current_index_dir(settings.index_root)
    assert current is not None and current.name.startswith("idx-")
    manifest = read_manifest(current)
    assert manifest["counts"]["passages"] <= passages or passages == 0
    from policyscope.index.search import Searcher

    fresh = Searcher(settings, translator=searcher.translator)  # share the loaded dictionary
    assert fresh.index.path == current
    for mode in ("hybrid", "keyword", "semantic", "phrase"):
        assert fresh.search("lithium", k=3, mode=mode).hits
    # A searcher opened before the kill keeps answering (and moves to a completed new index).
    assert searcher.search("动力电池回收", k=3, mode="hybrid").hits
    return current


@pytest.mark.timeout(300)
def test_kill_9_during_builds_never_loses_the_index_or_the_store(home, tmp_path):
    from policyscope.index.search import Searcher

    reader = Searcher(home)
    before = _check_workspace(home, searcher=reader)
    rng = random.Random(20240607)
    # Each round adds new documents, so every stage has work to be killed in:
    # (stage marker to wait for, random delay after it); None = a random time after the start.
    plan = [
        (None, (0.3, 3.0)),
        ("segment", (0.0, 0.5)),
        ("tag", (0.0, 1.0)),
        ("embed", (0.0, 1.0)),
        ("keywords", (0.0, 1.5)),
        ("keywords", (1.0, 3.0)),
    ]
    folders = []
    killed = 0
    log: list[tuple] = []
    for i, (marker, (lo, hi)) in enumerate(plan):
        folders.append(F.policy_folder(tmp_path / f"docs{i}", N_DOCS, tag=f"round{i}", seed=i))
        run = _Run(home.home, "add", str(folders[-1]))
        reached = True if marker is None else run.wait_for(marker)
        time.sleep(rng.uniform(lo, hi))
        code = run.kill()
        log.append((marker, reached, code, run.lines[-1:]))
        if code == -signal.SIGKILL:
            killed += 1
        else:  # finished before the kill: must have been a clean, complete run
            assert code == 0, run.lines[-5:]
        assert reached or code == 0, run.lines
        current = _check_workspace(home, searcher=reader)
        if current != before:
            # The pointer moved: the new index must be whole (the build reached its last step).
            assert (current / "vectors").is_dir() and (current / "bm25").is_dir()
        before = current
    print("kill log (marker, reached, exit code, last stderr line):", *log, sep="\n  ")
    leftovers = sorted(p.name for p in home.index_root.iterdir() if p.name.startswith(".tmp-"))
    print("abandoned temp dirs (pruned after an hour):", leftovers)
    assert killed >= 4, f"the kills should land inside builds, not after them: {log}"

    # The next ordinary run completes: interrupted ingests, segmentation and tagging resume.
    final = subprocess.run(
        [*CLI, "--home", str(home.home), "--encoder", "hash", "add", *map(str, folders)],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )
    assert final.returncode == 0, final.stderr[-2000:]
    current = _check_workspace(home, searcher=reader)
    with Store(home.store_path) as store:
        ours = {i.id: i.source for i in store.document_infos() if i.source.startswith(str(tmp_path))}
        assert len(ours) == N_DOCS * len(plan)
        assert store.unsegmented(segment_settings_key(home)) == []
        passages = store.count("passages")
    assert read_manifest(current)["counts"]["passages"] == passages
    for i in range(len(plan)):
        hits = reader.search(f"round{i} 17", k=5, mode="keyword").hits
        assert hits and ours.get(hits[0].doc_id, "").endswith(f"round{i}-0017.txt"), (i, hits[:1])
