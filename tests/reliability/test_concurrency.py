"""Readers keep searching while a rebuild runs, and move to the new index once it is complete.

Two set-ups: a separate ``policyscope add`` process writing the workspace while reader threads
search (the CLI next to a running app), and the web app's own ``Service`` ingesting an upload in
one thread while other threads call its search endpoint function.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from policyscope.index.build import current_index_dir

from . import files as F

CLI = [sys.executable, "-c", "from policyscope.ui.cli import main; main()"]
QUERIES = [
    ("动力电池回收", "hybrid"),
    ("critical minerals", "keyword"),
    ("lithium supply", "semantic"),
    ("电池", "phrase"),
    ("battery recycling targets", "hybrid"),
]


class _Reader(threading.Thread):
    """Searches in a loop until stopped; records errors and which index answered."""

    def __init__(self, search, index_path, n: int):
        super().__init__(daemon=True)
        self.search, self.index_path, self.n = search, index_path, n
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.seen: list[Path] = []
        self.count = 0

    def run(self) -> None:
        i = self.n
        while not self.stop.is_set():
            query, mode = QUERIES[i % len(QUERIES)]
            i += 1
            try:
                hits = self.search(query, mode)
                assert all(h for h in hits), "a hit without text"
                path = self.index_path()
                if not self.seen or self.seen[-1] != path:
                    self.seen.append(path)
                self.count += 1
            except Exception as exc:  # noqa: BLE001 - every failure is a finding
                self.errors.append(f"{query!r}/{mode}: {exc.__class__.__name__}: {exc}")


@pytest.mark.timeout(240)
def test_readers_keep_searching_while_another_process_rebuilds(home, tmp_path):
    from policyscope.index.search import Searcher

    folder = F.policy_folder(tmp_path / "new", 60, tag="concur", seed=3)
    old = current_index_dir(home.index_root)
    first = Searcher(home)
    readers = []
    for n in range(4):
        searcher = first if n == 0 else Searcher(home, translator=first.translator)
        readers.append(
            _Reader(
                lambda q, m, s=searcher: [h.text for h in s.search(q, k=5, mode=m).hits],
                lambda s=searcher: s.index.path,
                n,
            )
        )
    for r in readers:
        r.start()
    # The claim is about readers that are already searching when a rebuild starts.
    deadline = time.monotonic() + 120
    while any(r.count == 0 for r in readers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(r.seen and r.seen[0] == old for r in readers), [r.errors for r in readers]
    started = time.monotonic()
    proc = subprocess.run(
        [*CLI, "--home", str(home.home), "--encoder", "hash", "add", str(folder)],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )
    build_seconds = time.monotonic() - started
    time.sleep(1.0)  # let every reader run a few queries on the new index
    for r in readers:
        r.stop.set()
    for r in readers:
        r.join(30)
    assert proc.returncode == 0, proc.stderr[-2000:]
    new = current_index_dir(home.index_root)
    assert new is not None and new != old
    for r in readers:
        assert r.errors == []
        assert r.seen[0] == old and r.seen[-1] == new, r.seen
        assert r.count > 10
    total = sum(r.count for r in readers)
    assert total / build_seconds > 5, f"{total} searches in {build_seconds:.1f}s"
    hits = first.search("concur 17", k=3, mode="keyword").hits
    assert hits and "concur 17" in hits[0].text


def test_a_build_finishing_mid_query_does_not_mix_two_indexes(home, tmp_path, monkeypatch):
    """The query keeps the index it started with; the next query takes the new one."""
    from policyscope.index.pipeline import Pipeline
    from policyscope.index.search import Searcher, SearchFilters

    searcher = Searcher(home)
    old = searcher.index.path
    note = tmp_path / "new.md"
    note.write_text("# Battery passport\n\nThe ministry pilots a battery passport for critical minerals.\n",
                    encoding="utf-8")
    analyse = Searcher.query_analysis
    built: list[Path] = []

    def analyse_then_build(self, query):  # a rebuild completes between two steps of one query
        if not built:
            pipe = Pipeline(home)
            built.append(pipe.run([note]).index.index_dir)
            pipe.store.close()
        return analyse(self, query)

    monkeypatch.setattr(Searcher, "query_analysis", analyse_then_build)
    # With a filter the row mask is made first: read against another index, its length is wrong.
    result = searcher.search("critical minerals", k=5, mode="keyword", filters=SearchFilters(langs=("en",)))
    assert result.hits and built and built[0] != old
    assert all("passport" not in h.text for h in result.hits)
    monkeypatch.setattr(Searcher, "query_analysis", analyse)
    assert searcher.index.path == built[0]
    assert any("passport" in h.text for h in searcher.search("battery passport", k=5, mode="keyword").hits)


@pytest.mark.timeout(240)
def test_app_service_answers_searches_while_an_upload_is_indexed(home, tmp_path):
    from policyscope.ui.service import Service

    svc = Service(home)
    svc.workspace.ensure_built()
    svc.search_tab.search_json("warm up", "hybrid")  # loads the query dictionary, as the first user of the app does
    old = svc.workspace.searcher.index.path
    upload = F.policy_folder(tmp_path / "up", 40, tag="uploaded", seed=5)
    files = [str(p) for p in sorted(upload.iterdir())]  # what Gradio hands over: temp file paths

    def search(query: str, mode: str) -> list[str]:
        out = svc.search_tab.search_json(query, mode)
        assert "error" not in out, out
        return [h["text"] for h in out["hits"]]

    readers = [_Reader(search, lambda: svc.workspace.searcher.index.path, n) for n in range(4)]
    for r in readers:
        r.start()
    deadline = time.monotonic() + 120
    while any(r.count == 0 for r in readers) and time.monotonic() < deadline:
        time.sleep(0.1)
    started = time.monotonic()
    results = svc.corpus_tab.upload(files)
    upload_seconds = time.monotonic() - started
    time.sleep(1.0)
    for r in readers:
        r.stop.set()
    for r in readers:
        r.join(30)
    assert [row["error"] for row in results] == [None] * len(files)
    assert sum(row["added"] for row in results) == len(files)
    new = svc.workspace.searcher.index.path
    assert new != old
    for r in readers:
        assert r.errors == []
        assert r.count > 5, f"{r.count} searches during a {upload_seconds:.1f}s upload"
        assert r.seen[-1] == new
    out = svc.search_tab.search_json("uploaded 7", "keyword", k=3)
    assert out["hits"] and "uploaded 7" in out["hits"][0]["text"]
    # Uploads are copied into the workspace, never read in place.
    stored = {i.source for i in svc.workspace.store.document_infos() if "uploaded" in i.source}
    assert stored and all(Path(s).parent == home.home / "uploads" for s in stored)


def test_two_adds_at_once_take_turns_and_embed_each_passage_once(home, tmp_path):
    """Both ``add`` processes start together; the workspace's write lock makes the second wait, so the
    passages they embed add up to the passages they brought (without it each embedded the other's too)."""
    import json

    from policyscope.corpus.store import Store

    folders = [F.policy_folder(tmp_path / f"batch{i}", 30, tag=f"twin{i}", seed=10 + i) for i in range(2)]
    with Store(home.store_path, readonly=True) as store:
        before = store.count("passages")
    procs = [
        subprocess.Popen([*CLI, "--home", str(home.home), "--encoder", "hash", "add", str(f), "--json"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for f in folders
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e[-2000:] for _, e in outs]
    reports = [json.loads(out) for out, _ in outs]
    with Store(home.store_path, readonly=True) as store:
        new = store.count("passages") - before
    assert new > 0
    assert sum(r["index"]["embedded"] for r in reports) == new
    assert max(r["index"]["passages"] for r in reports) == before + new


def test_the_write_lock_makes_a_second_process_wait(home):
    from policyscope.corpus.lock import WorkspaceLock

    holder = subprocess.Popen(
        [sys.executable, "-c",
         ("import sys, time; from policyscope.corpus.lock import WorkspaceLock\n"
          f"with WorkspaceLock({str(home.home)!r}).hold():\n"
          "    print('held', flush=True); time.sleep(2)")],
        stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    waited: list[bool] = []
    lock = WorkspaceLock(home.home, on_wait=lambda: waited.append(True))
    started = time.monotonic()
    with lock.hold(), lock.hold():  # re-entrant within one lock object
        took = time.monotonic() - started
    holder.wait(10)
    assert waited == [True] and took > 1.0
