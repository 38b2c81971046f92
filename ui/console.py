"""What every ``policyscope`` command shares: the global options, one-line errors, progress, JSON.

The app's callback (``cli.py``) stores the global options in :data:`options` once per process;
command modules (``cli_corpus``, ``cli_search``, ``cli_tags``) and the server read them through
:func:`settings`. This module imports nothing from the other ui modules, so the command modules
import it and ``cli.py`` imports them: no import cycle. Heavy imports (rich) stay inside the
functions, so ``policyscope --help`` is instant.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from policyscope.corpus.config import Settings
from policyscope.corpus.errors import PolicyscopeError

if TYPE_CHECKING:
    from policyscope.corpus.store import Store
    from policyscope.index.pipeline import Progress

HomeOpt = Annotated[
    Path | None, typer.Option("--home", help="Workspace directory (default: $POLICYSCOPE_HOME or ~/.local/share/policyscope).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]


@dataclass
class GlobalOptions:
    """The options given before the command (``policyscope --home H --encoder E search …``)."""

    debug: bool = False
    home: Path | None = None
    encoder: str | None = None
    device: str | None = None
    quiet: bool = False
    backend: str | None = None
    milvus_uri: str | None = None


options = GlobalOptions()

_NOISY = ("jieba", "faiss", "bm25s", "urllib3", "httpx", "httpcore", "gradio")


def configure(
    debug: bool, home: Path | None, encoder: str | None, device: str | None, quiet: bool = False,
    backend: str | None = None, milvus_uri: str | None = None,
) -> None:
    """Record the global options and set up logging on stderr (the CLI configures logging, no library does)."""
    options.debug, options.home, options.encoder, options.device = debug, home, encoder, device
    options.quiet, options.backend, options.milvus_uri = quiet, backend, milvus_uri
    # The milvus extra pins setuptools<81 (milvus-lite 2.5 imports pkg_resources); jieba then imports
    # pkg_resources too, and its deprecation warning would open every command's output.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    if backend == "milvus":  # a missing extra fails now, in one line, not at the first query
        from policyscope.corpus.errors import ConfigError
        from policyscope.index.backends import get_backend

        try:
            get_backend(backend)
        except ConfigError as exc:
            fail(str(exc))
    if encoder is not None or device is not None:  # a typo fails now, not after minutes of segmenting
        from policyscope.corpus.config import DEFAULT_ENCODER
        from policyscope.corpus.errors import ConfigError
        from policyscope.index.encoders import check_encoder_spec

        try:
            check_encoder_spec(encoder or DEFAULT_ENCODER, device or "cpu")
        except ConfigError as exc:
            fail(str(exc))
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not debug:
        # jieba and bm25s reset their own loggers to DEBUG when imported (lazily, later), so
        # quieting the loggers here would not last: filter at the handler instead.
        for handler in logging.getLogger().handlers:
            handler.addFilter(_quiet_third_party)


def _quiet_third_party(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING or record.name.split(".")[0] not in _NOISY


def settings(home: Path | None = None) -> Settings:
    """The workspace settings: ``home`` (or ``--home``) with the ``--encoder``, ``--device``, ``--backend`` and
    ``--milvus-uri`` overrides."""
    return Settings.load(
        home or options.home, encoder=options.encoder, device=options.device, backend=options.backend,
        milvus_uri=options.milvus_uri,
    )


def fail(message: str) -> NoReturn:
    """Print ``error: message`` on stderr and exit 1."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def open_store(s: Settings) -> Store:
    """The workspace's store, or a one-line error saying to build first."""
    from policyscope.corpus.store import Store

    if not s.store_path.exists():
        fail(f"no corpus in {s.home}; run `policyscope build` first")
    return Store(s.store_path)


#: Besides domain errors, what the tagging and label commands report as one line: bad values
#: (an unknown tagger, measure or format) and missing files.
BAD_INPUT: tuple[type[Exception], ...] = (ValueError, KeyError, FileNotFoundError)


@contextmanager
def errors(*also: type[Exception]) -> Iterator[None]:
    """Turn domain errors, and exceptions of the ``also`` types, into one-line messages.

    ``--debug`` re-raises them with their traceback instead. A ``KeyError``'s message is its
    argument (``str(KeyError("x"))`` would quote it).
    """
    try:
        yield
    except PolicyscopeError as exc:
        if options.debug:
            raise
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted; the previous index is still in place")
    except sqlite3.DatabaseError as exc:  # a store page damaged after it opened, mid-query
        if options.debug:
            raise
        from policyscope.corpus.errors import WorkspaceDamagedError

        fail(str(WorkspaceDamagedError(settings().store_path, f"damaged store ({exc})")))
    except also as exc:
        if options.debug:
            raise
        fail(str(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc))


@contextmanager
def progress_bars(enabled: bool = True) -> Iterator[Progress]:
    """A ``progress(stage, done, total)`` callback drawing rich bars on stderr.

    ``total`` None (a file read row by row, whose row count is unknown until the end) draws a
    running count; when the next stage starts, or the work ends, such a stage is shown complete at
    the count it reached. Without a terminal each stage is named once on one line; ``--quiet`` (or
    ``enabled=False``) prints nothing. In both of those cases the progress bars of Hugging Face
    libraries (sentence-transformers' "Loading weights") are switched off too, so they do not leak
    into logs.
    """
    from rich.console import Console

    console = Console(stderr=True)
    quiet = options.quiet or not enabled
    if quiet or not console.is_terminal:
        # Read by huggingface_hub when transformers is first imported (lazily, by the encoder).
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        seen: set[str] = set()

        def plain(stage: str, done: int, total: int | None) -> None:
            if stage not in seen and not quiet:
                typer.echo(f"{stage}…", err=True)
            seen.add(stage)

        yield plain
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    # Elapsed and estimated remaining time (rich's estimate from the recent rate; blank for a stage
    # without a total, such as reading a file).
    with Progress(
        TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("eta"), TimeRemainingColumn(), console=console, transient=False,
    ) as bars:
        tasks: dict[str, Any] = {}
        open_ended: set[str] = set()

        def finish_open_ended() -> None:
            for name in open_ended:
                task = bars.tasks[tasks[name]]
                bars.update(tasks[name], total=task.completed, completed=task.completed)
            open_ended.clear()

        def update(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                finish_open_ended()
                tasks[stage] = bars.add_task(stage, total=total)
            if total is None:
                open_ended.add(stage)
            bars.update(tasks[stage], completed=done, total=total)

        try:
            yield update
        finally:
            finish_open_ended()


def emit_json(obj: Any) -> None:
    """``obj`` as indented JSON on stdout, Chinese unescaped."""
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))
