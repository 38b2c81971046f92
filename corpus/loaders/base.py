"""What every loader shares: its signature and the byte-level checks made before parsing.

Path problems (missing, a directory, not a regular file, unreadable) are found by
:func:`~policyscope.corpus.loaders.load_path` before a loader runs (:func:`check_regular_file`,
:func:`probe_open`); the other helpers catch what only reading reveals, each as a one-line
:class:`~policyscope.corpus.errors.LoadError`: an empty or whitespace-only file, a file over the
size cap, and a zip bomb in the zip containers DOCX and XLSX.
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from policyscope.corpus.errors import LoadError
from policyscope.corpus.loaders.columns import ColumnMap
from policyscope.corpus.records import Document

#: Called by tabular loaders with the cumulative number of rows read.
Progress = Callable[[int], None]


class Loader(Protocol):
    """A loader: the file, the column mapping and progress callback (tabular files), to documents.

    ``strict`` concerns tabular files: a bad row (invalid JSON, a malformed CSV record, undecodable
    bytes) refuses the whole file instead of being skipped and reported. A file that is one
    document has no rows to skip, so the other loaders accept and ignore it.
    """

    def __call__(
        self, path: Path, columns: ColumnMap | None, progress: Progress | None, *, strict: bool = False
    ) -> Iterator[Document]: ...


#: Zip containers (DOCX, XLSX) are refused above this declared uncompressed size ...
MAX_ZIP_UNCOMPRESSED = 200 * 1024 * 1024
#: ... or when a member larger than ``ZIP_RATIO_MIN_SIZE`` expands more than this many times.
#: Real Office XML compresses 5-20x; a zip bomb compresses 1000x.
MAX_ZIP_RATIO = 100
ZIP_RATIO_MIN_SIZE = 1024 * 1024

#: Files read whole (text, Markdown, HTML, PDF) are refused above this size. The store's own cap on a
#: document's length counts characters; this one bounds the bytes read, so a huge or growing file
#: never fills memory (a 512 MB UTF-8 text decodes to ~2 GB of str).
MAX_READ_BYTES = 512 * 1024 * 1024

#: Bytes read to sniff a file (blank check, CSV encoding) without reading a large file whole.
SAMPLE = 64 * 1024


_FILE_TYPES = (
    (stat.S_ISFIFO, "named pipe (FIFO)"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
    (stat.S_ISSOCK, "socket"),
)


def _not_regular(path: Path, mode: int) -> LoadError:
    kind = next((name for test, name in _FILE_TYPES if test(mode)), "special file")
    if path.is_symlink():
        kind = f"symlink to a {kind}, {os.path.realpath(path)}"
    return LoadError(path, f"not a regular file ({kind}); only regular files are read")


def check_regular_file(path: Path) -> None:
    """Refuse anything but a regular file (after following symlinks), without opening it.

    Opening a FIFO blocks until a writer appears and ``/dev/zero`` never ends, so the file type
    is read with ``stat`` first: ``x.txt: not a regular file (named pipe (FIFO)); ...``.
    """
    try:
        mode = path.stat().st_mode  # follows symlinks: a link to /dev/zero is a character device
    except FileNotFoundError:
        broken = " (broken symlink)" if path.is_symlink() else ""
        raise LoadError(path, f"no such file{broken}") from None
    except OSError as exc:
        raise LoadError.cannot_read(path, exc) from None
    if stat.S_ISDIR(mode):
        raise LoadError(path, "is a directory, not a file")
    if not stat.S_ISREG(mode):
        raise _not_regular(path, mode)


def probe_open(path: Path) -> None:
    """Open ``path`` once to report permission problems now, never blocking.

    ``O_NONBLOCK`` and the ``fstat`` of the open file cover a path swapped for a FIFO after
    :func:`check_regular_file` looked at it.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise LoadError.cannot_read(path, exc) from None
    try:
        mode = os.fstat(fd).st_mode
    finally:
        os.close(fd)
    if not stat.S_ISREG(mode):
        raise _not_regular(path, mode)


def _too_large(path: Path, size: int, limit: int) -> LoadError:
    return LoadError(
        path,
        f"file is {size / 2**20:.0f} MB, over the {limit / 2**20:.0f} MB limit for one document; "
        "split it, or add its parts as CSV/JSONL rows",
    )


def check_not_blank(path: Path) -> None:
    """Reject empty and whitespace-only files without reading a large file into memory."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(SAMPLE)
    except OSError as exc:
        raise LoadError.cannot_read(path, exc) from None
    if size == 0:
        raise LoadError(path, "empty file")
    if size <= SAMPLE and not head.strip():
        raise LoadError(path, "file contains only whitespace")


def read_bytes(path: Path, limit: int = MAX_READ_BYTES) -> bytes:
    """The whole file, refused when empty, whitespace only or larger than ``limit`` bytes.

    The size is checked before reading and the read stops at ``limit + 1`` bytes, so a file that
    grows while it is read is refused too.
    """
    try:
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > limit:
                raise _too_large(path, size, limit)
            # read(limit + 1) allocates limit + 1 bytes (512 MB) whatever the file's size; read what
            # stat gave, plus one byte to see whether the file grew, and the rest only then.
            data = fh.read(size + 1)
            if len(data) > size:
                data += fh.read(limit + 1 - len(data))
    except OSError as exc:
        raise LoadError.cannot_read(path, exc) from None
    if len(data) > limit:
        raise _too_large(path, len(data), limit)
    if not data.strip():
        raise LoadError(path, "empty file" if not data else "file contains only whitespace")
    return data


def check_zip(path: Path, what: str) -> None:
    """Refuse zip bombs from the central directory, before any member is decompressed."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise LoadError(path, f"not a {what} file (not a zip archive)") from None
    total = sum(i.file_size for i in infos)
    if total > MAX_ZIP_UNCOMPRESSED:
        raise LoadError(
            path,
            f"refusing suspected zip bomb: declared uncompressed size {total / 2**20:.0f} MB "
            f"exceeds {MAX_ZIP_UNCOMPRESSED / 2**20:.0f} MB",
        )
    for info in infos:
        if info.file_size >= ZIP_RATIO_MIN_SIZE:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_ZIP_RATIO:
                raise LoadError(
                    path,
                    f"refusing suspected zip bomb: member {info.filename} expands {ratio:.0f}x "
                    f"(limit {MAX_ZIP_RATIO}x)",
                )
