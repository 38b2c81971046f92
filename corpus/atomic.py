"""Crash-safe file writes: write beside the target, flush to disk, rename over it."""

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
