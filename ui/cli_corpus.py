"""Corpus commands: ``build``, ``add``, ``remove``, ``docs`` and ``fetch`` (``cli.py`` adds them to the app)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from policyscope.ui.console import JsonOpt, emit_json, errors, fail, open_store, progress_bars, settings

if TYPE_CHECKING:
    from policyscope.corpus.loaders import ColumnMap
    from policyscope.corpus.store import DocumentInfo
    from policyscope.index.pipeline import PipelineReport, RemoveReport

ColumnsOpt = Annotated[
    str | None,
    typer.Option(help="Column mapping for tabular files, e.g. text=text,title=title,id=id,country=country,date=date."),
]


def _print_report(report: PipelineReport, as_json: bool) -> None:
    if as_json:
        emit_json(report.to_dict())
        return
    for f in report.files:
        if f.error:
            typer.echo(f"error: {f.error}", err=True)
        else:
            extra = ((f", {f.updated} updated" if f.updated else "") + (f", {f.removed} removed" if f.removed else "")
                     + (f", replaced {f.replaced} earlier version{'s' * (f.replaced != 1)}" if f.replaced else ""))
            typer.echo(f"{f.path}: {f.added} added, {f.unchanged} unchanged{extra}")
    idx = report.index
    if idx is not None:
        state = "unchanged (nothing new)" if idx.skipped else f"built in {idx.seconds:.1f}s"
        typer.echo(f"index: {idx.passages} passages, {idx.embedded} newly embedded, {state}")


def _parse_columns(columns: str | None) -> ColumnMap | None:
    if not columns:
        return None
    from policyscope.corpus.loaders import ColumnMap

    try:
        return ColumnMap.parse(columns)
    except ValueError as exc:
        fail(f"--columns: {exc}")


def build(
    add: Annotated[list[Path] | None, typer.Option("--add", help="Also ingest these files or folders.")] = None,
    columns: ColumnsOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even when nothing changed.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Ingest the built-in corpus (seed paper, catalog, 21 policy texts), tag every passage and build the index."""
    from policyscope.index.pipeline import Pipeline

    with errors(), progress_bars() as progress:
        report = Pipeline(settings()).run(add or [], builtin=True, columns=_parse_columns(columns), force=force,
                                          progress=progress)
    _print_report(report, as_json)
    if report.errors:
        raise typer.Exit(1)


def add_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (.txt .md .pdf .html .docx .csv .jsonl .xlsx).")],
    columns: ColumnsOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Refuse a CSV/JSONL/XLSX file at its first bad row "
                                          "(default: skip bad rows, load the rest, warn with their lines).")] = False,
    keep_old: Annotated[bool, typer.Option(
        "--keep-old", help="Keep the earlier version of a file added again after an edit (default: replace it).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add documents to the corpus and update the index (unchanged passages are not re-embedded).

    A file added again after an edit replaces its earlier version; --keep-old keeps both.
    """
    from policyscope.index.pipeline import Pipeline

    with errors(), progress_bars() as progress:
        pipe = Pipeline(settings())
        report = pipe.run(paths, builtin=pipe.store.count("documents") == 0, columns=_parse_columns(columns),
                          progress=progress, strict=strict, keep_old=keep_old)
    _print_report(report, as_json)
    if report.errors:
        raise typer.Exit(1)


def remove(
    ids: Annotated[list[str], typer.Argument(
        help="Document ids, or the catalog id `policyscope docs` shows for a full text.")],
    export_labels: Annotated[Path | None, typer.Option(
        "--export-labels", help="First write the removed passages' human labels to this JSONL file "
        "(the `policyscope export` format; `import-labels` reads it back).")] = None,
    drop_labels: Annotated[bool, typer.Option(
        "--drop-labels", help="Also delete the human labels of the removed passages (default: keep them).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove documents with their passages and machine tags from the store and the index.

    Human labels are kept by default: adding the same file again brings them back.
    """
    from policyscope.index.pipeline import Pipeline

    with errors(OSError), progress_bars() as progress:
        s = settings()
        open_store(s).close()  # "no corpus …; run `policyscope build` first" rather than an empty store
        report = Pipeline(s).remove(ids, labels="drop" if drop_labels else "keep", export_labels=export_labels,
                                    progress=progress)
    _print_removal(report, as_json)


def _print_removal(report: RemoveReport, as_json: bool) -> None:
    if as_json:
        emit_json(report.to_dict())
        return
    for r in report.removed:
        typer.echo(f"removed {r['id']}: {r['title'][:70]}" + (f" ({r['source']})" if r["source"] else ""))
    n = report.annotated_passages
    if n:
        where = "dropped" if report.labels == "drop" else "kept in the store (adding the same file again restores them)"
        typer.echo(f"labels: {n} annotated passage{'s' * (n != 1)} {where}"
                   + (f"; exported to {report.exported}" if report.exported else ""))
    elif report.exported:
        typer.echo(f"labels: none on the removed passages; {report.exported} lists no passage")
    if any(r["source"].startswith("builtin:") or r["source"] == "catalog" for r in report.removed):
        typer.echo("note: built-in documents come back with the next `policyscope build`")
    idx = report.index
    if idx is not None:
        typer.echo(f"index: {idx.passages} passages, built in {idx.seconds:.1f}s")


def docs(as_json: JsonOpt = False) -> None:
    """List the documents of the corpus with their country, language, status (catalog record or full text)
    and version (a file added again after an edit is version 2, …)."""
    with errors():
        infos = open_store(settings()).document_infos()
    if as_json:
        emit_json([i.__dict__ for i in infos])
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(infos)} documents")
    # The version column only once some file was added again after an edit: most corpora have none.
    versions = any(i.version > 1 or i.superseded_by for i in infos)
    for col in ("id", "country", "lang", "year", "kind", "title", "status", "passages", *(("version",) * versions)):
        table.add_column(col)
    for i in infos:
        status = "full text" if i.status == "full" else ("catalog + full text" if i.has_full_text else "catalog record")
        title = i.title_zh + (" / " if i.title_zh and i.title_en else "") + i.title_en if (i.title_zh or i.title_en) else i.title
        table.add_row(i.catalog_id if i.status == "full" and i.catalog_id else i.id, i.country, i.lang,
                      str(i.year or ""), i.kind, title[:70], status, str(i.passages), *((_version(i),) * versions))
    Console().print(table)


def _version(info: DocumentInfo) -> str:
    """``2`` for a file added again after an edit; ``1 (old)`` for an earlier version kept with
    ``add --keep-old`` (``docs --json`` names the ids: ``supersedes``, ``superseded_by``)."""
    return f"{info.version} (old)" if info.superseded_by else str(info.version)


def fetch(
    ids: Annotated[list[str] | None, typer.Argument(
        help="Catalog ids (default: every entry with an address whose text is not built in).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Download official texts from the catalog addresses, then ingest and link them."""
    from policyscope.corpus.catalog import load_catalog
    from policyscope.index.pipeline import Pipeline

    ids = ids or []
    with errors():
        s = settings()
        entries = load_catalog()
        known = {e.id for e in entries}
        unknown = [i for i in ids if i not in known]
        if unknown:
            fail(f"unknown catalog id(s) {', '.join(unknown)}; see `policyscope docs`")
        built_in = [i for i in ids if any(e.id == i and e.file for e in entries)]
        if built_in:
            fail(f"{', '.join(built_in)}: the full text is built in already; see `policyscope docs`")
        chosen = [e for e in entries if e.id in ids] if ids else [e for e in entries if not e.file]
        with progress_bars() as progress:
            results = Pipeline(s).fetch(chosen, progress=progress)
    if as_json:
        emit_json(results)
        return
    for r in results:
        typer.echo(f"{r['id']}: " + (f"error: {r['error']}" if r["error"] else f"{r['file']} ({r['added']} added)"))

