"""What every loader shares: its signature and the byte-level checks made before parsing.

Path problems (missing, a directory, unreadable) are found by :func:`~policyscope.corpus.loaders.load_path`
before a loader runs; these helpers catch what only reading reveals, each as a one-line
:class:`~policyscope.corpus.errors.LoadError`: an empty or whitespace-only file, and a zip bomb in the
zip containers DOCX and XLSX.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from policyscope.corpus.errors import LoadError
from policyscope.corpus.loaders.columns import ColumnMap
from policyscope.corpus.records import Document

#: Called by tabular loaders with the cumulative number of rows read.
Progress = Callable[[int], None]
#: A loader: the file, the column mapping (tabular files only) and a progress callback, to documents.
Loader = Callable[[Path, ColumnMap | None, Progress | None], Iterator[Document]]

#: Zip containers (DOCX, XLSX) are refused above this declared uncompressed size ...
MAX_ZIP_UNCOMPRESSED = 200 * 1024 * 1024
#: ... or when a member larger than ``ZIP_RATIO_MIN_SIZE`` expands more than this many times.
#: Real Office XML compresses 5-20x; a zip bomb compresses 1000x.
MAX_ZIP_RATIO = 100
ZIP_RATIO_MIN_SIZE = 1024 * 1024

#: Bytes read to sniff a file (blank check, CSV encoding) without reading a large file whole.
SAMPLE = 64 * 1024


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


def read_bytes(path: Path) -> bytes:
    """The whole file, refused when empty or whitespace only."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError.cannot_read(path, exc) from None
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
