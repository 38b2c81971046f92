"""Check a workspace and repair what can be rebuilt: the store, the current index, the embedding cache.

:func:`check` reads and never writes. :func:`repair` fixes each problem it found, from the cheapest
source that still holds the truth:

* **index** missing, cut short or not matching its manifest's checksums → rebuilt from the store
  (the embedding cache makes that a matter of seconds when it is intact);
* **embedding cache** unreadable → moved aside (it only saves work; the index build re-embeds);
* **store** unreadable (a truncated or garbled SQLite file, or emptied while an index still lists
  passages) → moved aside as ``policyscope.sqlite.damaged-<time>`` and the built-in corpus rebuilt.
  What the store held beyond the built-in corpus cannot be rebuilt from the workspace: the report
  says how many documents the last index listed that the new store lacks, so the user knows what
  to add again (the damaged file stays for forensic tools such as ``sqlite3 .recover``).

Example:
    >>> report = repair(Settings.load("~/ps"))
    >>> [f"{f.part}: {f.problem} -> {f.action}" for f in report.findings]
    ['index: missing vectors/index.faiss -> rebuilt the index (2,969 passages)']
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from policyscope.corpus.atomic import move_aside
from policyscope.corpus.config import Settings
from policyscope.corpus.errors import IndexMismatchError
from policyscope.index.build import Progress, current_index_dir, read_manifest, verify_index_files


@dataclass
class Finding:
    """One part of the workspace: what is wrong with it ("" = fine) and what repair did about it."""

    part: str  # "store", "index" or "cache"
    path: str
    problem: str = ""
    action: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


@dataclass
class DoctorReport:
    findings: list[Finding] = field(default_factory=list)
    lost_documents: int = 0

    @property
    def healthy(self) -> bool:
        return all(f.ok or f.action for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {"healthy": self.healthy, "lost_documents": self.lost_documents,
                "findings": [{**asdict(f), "ok": f.ok} for f in self.findings]}


def _sqlite_problem(path: Path, tables: set[str]) -> str:
    """What is wrong with an SQLite file ("" when it reads and holds ``tables``), read only."""
    if path.stat().st_size == 0:
        return "empty file (0 bytes)"
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return f"unreadable ({exc})"
    try:
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            return f"damaged ({verdict})"
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables <= names:
            return f"not a policyscope file (missing tables {', '.join(sorted(tables - names))})"
    except sqlite3.DatabaseError as exc:
        return f"damaged ({exc})"
    finally:
        conn.close()
    return ""


def _store_problem(settings: Settings, index_passages: int) -> str:
    from policyscope.corpus.store_schema import STORE_TABLES

    path = settings.store_path
    if not path.exists():
        return "missing" if index_passages else ""
    problem = _sqlite_problem(path, STORE_TABLES)
    if problem == "empty file (0 bytes)" and not index_passages:
        return ""  # a store created and never written: nothing is lost
    if problem:
        return problem
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        documents = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        conn.close()
    if index_passages and not documents:
        return f"holds no documents but the index lists {index_passages} passages"
    return ""


def _index_state(settings: Settings) -> tuple[str, dict[str, Any]]:
    """(problem, manifest) of the current index; problem "" when it is complete or there is none yet."""
    root = settings.index_root
    pointer = root / "CURRENT"
    if not pointer.exists():
        return "", {}
    current = current_index_dir(root)
    if current is None:
        return f"CURRENT names {pointer.read_text(encoding='utf-8').strip()!r}, which has no manifest", {}
    try:
        manifest = read_manifest(current)
    except IndexMismatchError as exc:
        return str(exc), {}
    return verify_index_files(current, manifest), manifest


def check(settings: Settings) -> DoctorReport:
    """Inspect the workspace without changing it."""
    report = DoctorReport()
    index_problem, manifest = _index_state(settings)
    passages = int(manifest.get("counts", {}).get("passages", 0))
    report.findings.append(Finding("store", str(settings.store_path), _store_problem(settings, passages)))
    report.findings.append(Finding("index", str(settings.index_root), index_problem))
    cache = settings.cache_path
    cache_problem = _sqlite_problem(cache, {"embeddings"}) if cache.exists() and cache.stat().st_size else ""
    report.findings.append(Finding("cache", str(cache), cache_problem))
    return report


def _indexed_documents(settings: Settings) -> set[str]:
    """The document ids the current (or, when it is damaged, any readable) index lists."""
    import numpy as np

    root = settings.index_root
    for path in sorted(root.glob("idx-*"), key=lambda p: p.stat().st_mtime, reverse=True) if root.exists() else []:
        try:
            with np.load(path / "columns.npz", allow_pickle=False) as cols:
                return set(cols["doc_id"].tolist())
        except (OSError, ValueError, KeyError):
            continue
    return set()


def repair(settings: Settings, progress: Progress | None = None) -> DoctorReport:
    """Fix what :func:`check` finds (see the module docstring); returns the findings with their actions."""
    from policyscope.index.pipeline import Pipeline

    report = check(settings)
    store, index, cache = report.findings
    if cache.problem:
        cache.action = f"moved to {move_aside(settings.cache_path).name}; vectors are re-embedded when needed"
    if store.problem:
        known = _indexed_documents(settings)
        aside = move_aside(settings.store_path) if settings.store_path.exists() else None
        pipe = Pipeline(settings)
        result = pipe.run(builtin=True, force=True, progress=progress)
        kept = {info.id for info in pipe.store.document_infos()}
        pipe.store.close()
        report.lost_documents = len(known - kept)
        moved = f"moved to {aside.name}; " if aside else ""
        lost = (f"; {report.lost_documents} documents of the last index are not in it: add their files again"
                if report.lost_documents else "")
        store.action = (f"{moved}rebuilt the built-in corpus ({result.index.passages if result.index else 0} "
                        f"passages){lost}")
        if index.problem:
            index.action = "rebuilt with the store"
        return report
    if index.problem:
        pipe = Pipeline(settings)
        built = pipe.index(force=True, progress=progress)
        pipe.store.close()
        index.action = f"rebuilt the index from the store ({built.passages} passages)"
    return report


def describe(report: DoctorReport) -> list[str]:
    """One line per part: ``store ok``, ``index: missing bm25/… -> rebuilt …``."""
    lines = []
    for f in report.findings:
        if f.ok:
            lines.append(f"{f.part}: ok ({f.path})")
        elif f.action:
            lines.append(f"{f.part}: {f.problem} -> {f.action}")
        else:
            lines.append(f"{f.part}: {f.problem} ({f.path})")
    return lines


__all__ = ["DoctorReport", "Finding", "check", "describe", "repair"]
