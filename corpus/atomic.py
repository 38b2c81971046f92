"""Crash-safe file writes (write beside the target, flush to disk, rename over it) and the
version-checked read of the settings files written that way."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def write_text_atomic(path: str | Path, text: str) -> None:
    """Replace ``path`` with ``text`` so a reader sees the old or the new file, never half of one."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: str | Path, obj: Any, **dumps: Any) -> None:
    """``write_text_atomic`` of ``obj`` as indented UTF-8 JSON (Chinese kept readable)."""
    write_text_atomic(path, json.dumps(obj, ensure_ascii=False, indent=2, **dumps) + "\n")


@contextmanager
def staged(path: str | Path) -> Iterator[Path]:
    """A fresh path beside ``path`` to write a file or a whole directory into; on a clean exit it
    replaces ``path`` (a file or a directory), on an error it is removed and ``path`` is untouched.

    ``rename`` cannot replace a non-empty directory, so an old directory is first renamed aside; a crash
    between the two renames leaves it there (``.<name>.old-*``), never half-overwritten.

    Example::

        with staged(out_dir / "model") as tmp:
            tmp.mkdir()
            (tmp / "weights.npz").write_bytes(data)
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        new = work / (target.name or "out")  # made by the caller, so it gets the usual permissions
        yield new
        if target.is_dir() and not target.is_symlink():
            aside = work / ".old"
            os.replace(target, aside)
        os.replace(new, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def read_versioned_json(
    path: Path, what: str, version: int, remedy: str = "rebuild the index"
) -> dict[str, Any]:
    """The JSON object at ``path``, whose ``"format"`` must be ``version``.

    Raises:
        FileNotFoundError: ``path`` is missing ("<path>: <what> file missing").
        IndexMismatchError: written by another format version ("...; <remedy>").
    """
    from policyscope.corpus.errors import IndexMismatchError

    if not path.is_file():
        raise FileNotFoundError(f"{path}: {what} file missing")
    settings = json.loads(path.read_text(encoding="utf-8"))
    if settings.get("format") != version:
        raise IndexMismatchError(
            f"{path}: {what} format {settings.get('format')!r}, this version reads {version}; {remedy}"
        )
    return settings


def move_aside(path: str | Path) -> Path:
    """Rename a damaged SQLite file (with its ``-wal``/``-shm`` companions) to ``<name>.damaged-<time>``,
    kept for forensic tools such as ``sqlite3 .recover``; returns the new path of the main file."""
    import time

    path = Path(path)
    aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            part.rename(Path(f"{aside}{suffix}"))
    return aside
