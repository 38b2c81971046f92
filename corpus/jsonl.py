"""The one JSON Lines reader: corpus files, label files, query and gold sets all come through here.

Lines are read as bytes and decoded one at a time, so a multi-gigabyte file streams; a UTF-8 BOM on
the first line is skipped; blank lines are skipped. Each line either parses to a JSON object or
carries a one-line problem, so a caller chooses whether a bad line stops the file
(:func:`read_jsonl`) or is reported and skipped (:func:`iter_jsonl`).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import LoadError


@dataclass(frozen=True)
class JsonLine:
    """One non-blank line: ``obj`` when it is a JSON object, else ``problem`` says why not."""

    lineno: int
    obj: dict[str, Any] | None
    problem: str = ""


def iter_jsonl(path: str | Path) -> Iterator[JsonLine]:
    """Every non-blank line of ``path``, parsed or with its problem.

    Problems read ``undecodable bytes (jsonl must be utf-8)``, ``invalid json (expecting value)``
    or ``expected a json object, got list``.

    Raises:
        LoadError: the file is missing or unreadable (a per-line problem never raises).
    """
    p = Path(path)
    try:
        fh = p.open("rb")
    except FileNotFoundError:
        raise LoadError(p, "no such file") from None
    except IsADirectoryError:
        raise LoadError(p, "is a directory, not a file") from None
    except OSError as exc:
        raise LoadError.cannot_read(p, exc) from None
    with fh:
        for lineno, raw in enumerate(fh, start=1):
            if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield JsonLine(lineno, None, "undecodable bytes (jsonl must be utf-8)")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield JsonLine(lineno, None, f"invalid json ({exc.msg.lower()})")
                continue
            except RecursionError:
                yield JsonLine(lineno, None, "invalid json (nested too deeply)")
                continue
            if not isinstance(obj, dict):
                yield JsonLine(lineno, None, f"expected a json object, got {type(obj).__name__}")
                continue
            yield JsonLine(lineno, obj)


def read_jsonl(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for every non-blank line; the first bad line raises.

    Raises:
        LoadError: ``<path>: line 7: invalid json (expecting value)``, or the file is unreadable.
    """
    for line in iter_jsonl(path):
        if line.obj is None:
            raise LoadError(path, f"line {line.lineno}: {line.problem}")
        yield line.lineno, line.obj
