"""File loaders: turn a path into ``Document`` records.

One entry point, :func:`load_path`, dispatches on the file extension through :data:`LOADERS`, one
module per format:

* :mod:`.text` (``.txt``, ``.md``): encoding detection (:mod:`.encoding`: BOMs, UTF-16 without BOM,
  UTF-8, GB18030, Big5, and UTF-8 mixed with one of those by line or within a line, :mod:`.mixed`),
  one block per line (plain text) or per paragraph (Markdown), numbered
  headings recognised;
* :mod:`.pdf` (pypdfium2): text per page, wrapped lines joined into paragraphs, page numbers on blocks;
* :mod:`.html` (trafilatura): main content only, headings and tables kept as blocks;
* :mod:`.docx` (python-docx): paragraphs, ``Heading N`` styles and tables, after a zip-bomb check;
* :mod:`.tabular` (``.csv``, ``.jsonl``, ``.xlsx``): one document per row, streamed, columns chosen
  by a :class:`ColumnMap` (:mod:`.columns`), cell values read by :mod:`.cells`; a bad row is
  skipped and reported with its line (``strict=True``: the file is refused).

Text and blocks are built together by :class:`~.builder.TextBuilder`, which the built-in corpus
uses too. Every bad input raises :class:`~policyscope.corpus.errors.LoadError` whose message starts
with the path and names the problem in one lowercase line, e.g.
``scan.pdf: no text layer (scanned PDF?); ...``. Text is passed through
:func:`~policyscope.corpus.normalize.normalize_text` before blocks are cut, so block offsets always
point into ``Document.text`` as stored.

Adding a format is one edit: a ``load_<format>(path, columns, progress, *, strict)`` function in its own
module and its extensions in :data:`LOADERS`; :data:`SUPPORTED_EXTENSIONS` follows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from policyscope.corpus.errors import LoadError
from policyscope.corpus.loaders.base import Loader, Progress, check_regular_file, probe_open
from policyscope.corpus.loaders.cells import parse_date
from policyscope.corpus.loaders.columns import ColumnMap
from policyscope.corpus.loaders.docx import load_docx
from policyscope.corpus.loaders.encoding import Decoded, UndecodableError, decode_bytes, decode_text
from policyscope.corpus.loaders.html import html_to_text, load_html
from policyscope.corpus.loaders.pdf import load_pdf
from policyscope.corpus.loaders.tabular import PROGRESS_EVERY, load_csv, load_jsonl, load_records, load_xlsx
from policyscope.corpus.loaders.text import heading_level, load_markdown, load_text
from policyscope.corpus.records import Document

logger = logging.getLogger(__name__)

#: The loader of each file extension (lowercase, with the dot).
LOADERS: dict[str, Loader] = {
    ".txt": load_text,
    ".md": load_markdown,
    ".pdf": load_pdf,
    ".html": load_html,
    ".htm": load_html,
    ".docx": load_docx,
    ".csv": load_csv,
    ".jsonl": load_jsonl,
    ".xlsx": load_xlsx,
}
SUPPORTED_EXTENSIONS: tuple[str, ...] = tuple(LOADERS)


def load_path(
    path: str | Path,
    columns: ColumnMap | None = None,
    progress: Progress | None = None,
    *,
    strict: bool = False,
) -> Iterator[Document]:
    """Load one file into documents.

    The path and extension are checked at call time; the file is parsed lazily as the returned
    iterator is consumed, so a huge CSV is streamed row by row.

    Args:
        path: The file to load.
        columns: Column mapping for tabular files (``.csv``, ``.jsonl``, ``.xlsx``); guessed from
            the header with :meth:`ColumnMap.guess` when omitted. Ignored for other files.
        progress: Called for tabular files with the cumulative number of rows read (including
            skipped rows), every ``PROGRESS_EVERY`` rows and once at the end.
        strict: For tabular files, refuse the whole file at its first bad row (``LoadError``
            naming the line). By default a bad row is skipped, the good rows are loaded and the
            skipped rows are reported in one warning naming the file and their lines; a file
            whose rows are all bad is refused either way.

    Returns:
        An iterator of documents: one per file, or one per row for tabular files.

    Raises:
        LoadError: The path is missing, a directory, not a regular file (a FIFO, a device),
            unreadable or of an unsupported type (raised immediately, without blocking), or its
            content is bad (raised while iterating).
    """
    p = Path(path)
    ext = p.suffix.lower()
    # Path problems first: a folder or a typo is not an "unsupported file type".
    check_regular_file(p)
    if ext not in LOADERS:
        shown = f"'{ext}'" if ext else "(no extension)"
        raise LoadError(p, f"unsupported file type {shown}; supported: {', '.join(LOADERS)}")
    probe_open(p)
    return _guarded(p, LOADERS[ext](p, columns, progress, strict=strict))


def _guarded(path: Path, docs: Iterator[Document]) -> Iterator[Document]:
    """``docs`` with any exception a parser lets through turned into one ``LoadError`` naming the file.

    Loaders report the problems they know as ``LoadError``; a library can still raise something
    unforeseen (a ``RecursionError`` from data nested 100,000 deep, a ``MemoryError``, a parser's
    own exception). Without this guard such an error escapes ``add`` as a traceback and the files
    after it are never read. The traceback stays available at debug level (``--debug``).
    """
    try:
        yield from docs
    except LoadError:
        raise
    except RecursionError:
        logger.debug("%s: loader failed", path, exc_info=True)
        raise LoadError(path, "data nested too deeply to read") from None
    except Exception as exc:  # the point: no parser failure may end the batch
        logger.debug("%s: loader failed", path, exc_info=True)
        detail = (str(exc).strip().splitlines() or [""])[0][:160]
        raise LoadError(
            path, f"unreadable file ({type(exc).__name__}{': ' + detail if detail else ''})"
        ) from None


__all__ = [
    "LOADERS",
    "PROGRESS_EVERY",
    "SUPPORTED_EXTENSIONS",
    "ColumnMap",
    "Decoded",
    "UndecodableError",
    "decode_bytes",
    "decode_text",
    "heading_level",
    "html_to_text",
    "load_path",
    "load_records",
    "parse_date",
]
