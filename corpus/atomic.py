"""Crash-safe file writes (write beside the target, flush to disk, rename over it) and the
version-checked read of the settings files written that way."""

from __future__ import annotations

import json
import os
import tempfile
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


def read_versioned_json(path: Path, what: str, version: int) -> dict[str, Any]:
    """The JSON object at ``path``, whose ``"format"`` must be ``version``.

    Raises:
        FileNotFoundError: ``path`` is missing ("<path>: <what> file missing").
        IndexMismatchError: written by another format version (rebuild the index).
    """
    from policyscope.corpus.errors import IndexMismatchError

    if not path.is_file():
        raise FileNotFoundError(f"{path}: {what} file missing")
    settings = json.loads(path.read_text(encoding="utf-8"))
    if settings.get("format") != version:
        raise IndexMismatchError(
            f"{path}: {what} format {settings.get('format')!r}, this version reads {version}; rebuild the index"
        )
    return settings
