"""kill -9 a real ``policyscope`` process at seeded random points of a build, several times.

After every kill: the SQLite store passes its integrity and foreign-key checks, ``CURRENT`` names a
complete index (never a temporary or half-written directory) whose every passage is stored, that
index still finds a known built-in passage in every mode, and a searcher that was open before the
kill keeps finding it. Finally an ordinary ``add`` run completes and its index holds every stored
passage.

Kill points are chosen from what the run has done — its first document stored, or a stage line the
CLI prints on stderr (``segment…``, ``tag…``, ``embed…``, ``keywords…``) — plus a seeded random
delay, so each run dies inside a different stage of a build that has really started:
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
from collections.abc import Callable
from pathlib import Path

import pytest
from policyscope.corpus.store import Store
from policyscope.index.build import current_index_dir, read_manifest
from policyscope.index.pipeline import segment_settings_key

from . import files as F

CLI = [sys.executable, "-c", "from policyscope.ui.cli import main; main()"]
N_DOCS = 60
# One paragraph of the built-in seed paper holds this phrase; the generated documents never do.
PROBE_PHRASE = "关键矿产在线地图"


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

    def wait_until(self, done: Callable[[], bool], timeout: float = 90) -> bool:
        """True once ``done()`` holds; False if the process ended (or the time ran out) first."""
        deadline = time.monotonic() + timeout
        with self._seen:
            while True:
                if done():
                    return True
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    return False
                self._seen.wait(0.05)

    def wait_for(self, marker: str, timeout: float = 90) -> bool:
        """True once a stderr line starts with ``marker``; False if the process ended first."""
        return self.wait_until(lambda: any(line.startswith(marker) for line in self.lines), timeout)

    def kill(self) -> int:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        return self.proc.wait(timeout=30)


def _stored_documents_from(settings, folder: Path) -> Callable[[], bool]:
    """Whether the store holds a document read from ``folder`` yet (asked read-only, mid-run)."""

    def stored() -> bool:
        db = sqlite3.connect(f"file:{settings.store_path}?mode=ro", uri=True, timeout=5)
        try:
            row = db.execute("SELECT 1 FROM documents WHERE instr(source, ?) = 1 LIMIT 1", (str(folder),))
            return row.fetchone() is not None
        finally:
            db.close()

    return stored


def _probe(settings) -> tuple[str, str]:
    """The id and text of the one built-in passage holding ``PROBE_PHRASE``."""
    with Store(settings.store_path) as store:
        rows = [(r.id, r.text) for r in store.passage_rows() if PROBE_PHRASE in r.text]
    assert len(rows) == 1, rows
    return rows[0]


def _check_workspace(settings, *, searcher, probe: tuple[str, str]) -> Path:
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
    from policyscope.index.search import Searcher

    fresh = Searcher(settings, translator=searcher.translator)  # share the loaded dictionary
    assert fresh.index.path == current
    # The workspace always holds the built-in corpus; the index holds no passage the store lacks.
    assert 0 < manifest["counts"]["passages"] == fresh.index.n <= passages
    ids = fresh.index.ids.tolist()
    with Store(settings.store_path) as store:
        assert len(store.get_passages(ids)) == len(ids)
    # Every mode still finds the known passage: its own text as the query (the hash encoder
    # gives it cosine 1, and it holds every token), the phrase only it contains.
    probe_id, probe_text = probe
    for mode in ("hybrid", "keyword", "semantic"):
        assert fresh.search(probe_text, k=3, mode=mode).hits[0].passage_id == probe_id, mode
    assert [h.passage_id for h in fresh.search(PROBE_PHRASE, k=3, mode="phrase").hits] == [probe_id]
    # A searcher opened before the kill keeps answering (and moves to a completed new index).
    assert searcher.search(probe_text, k=3, mode="hybrid").hits[0].passage_id == probe_id
    return current


@pytest.mark.timeout(300)
def test_kill_9_during_builds_never_loses_the_index_or_the_store(home, tmp_path):
    from policyscope.index.search import Searcher

    reader = Searcher(home)
    probe = _probe(home)
    before = _check_workspace(home, searcher=reader, probe=probe)
    rng = random.Random(20240607)
    # Each round adds new documents, so every stage has work to be killed in:
    # (stage marker to wait for, random delay after it); "ingest" = the round's first document
    # stored (each file is one transaction, so a kill just after it lands among the others).
    plan = [
        ("ingest", (0.0, 0.3)),
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
        if marker == "ingest":
            reached = run.wait_until(_stored_documents_from(home, folders[-1]))
        else:
            reached = run.wait_for(marker)
        time.sleep(rng.uniform(lo, hi))
        code = run.kill()
        log.append((marker, reached, code, run.lines[-1:]))
        if code == -signal.SIGKILL:
            killed += 1
        else:  # finished before the kill: must have been a clean, complete run
            assert code == 0, run.lines[-5:]
        assert reached or code == 0, run.lines  # a killed run had really started its build
        current = _check_workspace(home, searcher=reader, probe=probe)
        if current != before:
            # The pointer moved: the new index must be whole (the build reached its last step)
            # and hold this round's documents, which the index it replaced did not.
            assert (current / "vectors").is_dir() and (current / "bm25").is_dir()
            assert read_manifest(current)["counts"]["passages"] > read_manifest(before)["counts"]["passages"]
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
    current = _check_workspace(home, searcher=reader, probe=probe)
    with Store(home.store_path) as store:
        ours = {i.id: i.source for i in store.document_infos() if i.source.startswith(str(tmp_path))}
        assert len(ours) == N_DOCS * len(plan)
        assert store.unsegmented(segment_settings_key(home)) == []
        passages = store.count("passages")
    assert read_manifest(current)["counts"]["passages"] == passages
    for i in range(len(plan)):
        hits = reader.search(f"round{i} 17", k=5, mode="keyword").hits
        assert hits and ours.get(hits[0].doc_id, "").endswith(f"round{i}-0017.txt"), (i, hits[:1])
