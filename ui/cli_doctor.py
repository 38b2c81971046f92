"""``policyscope doctor [--repair]``: check the workspace, rebuild what can be rebuilt (``cli.py`` adds it)."""

from __future__ import annotations

from typing import Annotated

import typer
from policyscope.ui.console import JsonOpt, emit_json, errors, progress_bars, settings


def doctor(
    repair: Annotated[bool, typer.Option("--repair", help="Fix what is found: rebuild the index, move a damaged "
                                         "cache or store aside and rebuild the built-in corpus.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check the store, the index and the embedding cache; exit 1 while a problem remains."""
    from policyscope.index import doctor as checks

    s = settings()
    with errors():
        if repair:
            with progress_bars() as progress:
                report = checks.repair(s, progress=progress)
        else:
            report = checks.check(s)
    if as_json:
        emit_json(report.to_dict())
    else:
        for line in checks.describe(report):
            typer.echo(line)
        if not report.healthy:
            typer.echo("run `policyscope doctor --repair` to fix it", err=True)
    if not report.healthy:
        raise typer.Exit(1)
