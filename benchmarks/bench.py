"""Benchmarks of docs/performance.md: figures are printed, never asserted in tests.

Usage::

    python benchmarks/bench.py build|query|scale|serve [OPTIONS] [--json]

* ``build``  fresh-workspace build, no-change re-build, encoder-alone vs index-step
  throughput on the same texts, and one new document added (cache misses = passages embedded).
* ``query``  hybrid / semantic / keyword latency on the CCLW + seed workspace (``--queries FILE``
  for the shared dev sets instead of the built-in mix; ``--budget-ms`` exits 1 above a p95 budget).
* ``scale``  1M passages: flat vs HNSW vs IVF-PQ (build, memory, recall@10, latency),
  BM25 at the same size and a hybrid (vector + BM25 + fusion) latency.
* ``serve``  seconds from starting ``policyscope serve`` to its first answered search, the page config's
  size and the page's time to interactive in headless Chromium.

Each prints a table, or JSON on stdout with ``--json`` (progress notes go to stderr). A bad or
missing option prints one line ``error: …`` and exits 2; a benchmark that cannot run (no CCLW
export, a failing ``policyscope`` subprocess) prints one line and exits 1. The harness lives
beside this file (``bench_*.py``) and is not installed with policyscope.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from bench_common import CCLW_FILE, BenchError

try:  # typer >= 0.24 ships its own click; UsageError and BadParameter derive from TyperException
    from typer import TyperException as CliError
except ImportError:  # older typer uses click's
    from click import ClickException as CliError

app = typer.Typer(
    name="bench.py",
    help="Benchmarks: build, query, scale and serve figures (see docs/performance.md).",
    add_completion=False,
    pretty_exceptions_enable=False,
)

EncoderOpt = Annotated[str | None, typer.Option("--encoder", help="Encoder (default: the configured one).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]
CclwOpt = Annotated[Path | None, typer.Option("--cclw", help=f"Path to {CCLW_FILE}.")]


def _emit(obj: Any, as_json: bool, printer: Callable[[Any], None]) -> None:
    if as_json:
        typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))
    else:
        printer(obj)


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


@app.command("build")
def build_cmd(
    home: Annotated[Path | None, typer.Option("--home", help="Parent for scratch workspaces (default: temp dir).")] = None,
    encoder: EncoderOpt = None,
    repeat: Annotated[int, typer.Option(help="Rounds of encoder alone / index step / whole pipeline (best is kept).")] = 3,
    sample: Annotated[int, typer.Option(help="Also measure the overhead on ~N CCLW + seed passages (0: only the built-in corpus).")] = 3000,
    cclw: CclwOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Fresh build, no-change re-build, overhead over the encoder (index step, whole pipeline), one document added."""
    from bench_build import bench_build, print_build

    _emit(bench_build(home, encoder, max(1, repeat), max(0, sample), cclw), as_json, print_build)


@app.command("query")
def query_cmd(
    home: Annotated[Path | None, typer.Option("--home", help="CCLW + seed workspace (default: ~/.cache/policyscope/bench-cclw-ENCODER; built once).")] = None,
    encoder: EncoderOpt = None,
    cclw: CclwOpt = None,
    rounds: Annotated[int, typer.Option(help="Passes over the query mix.")] = 3,
    modes: Annotated[str, typer.Option(help="Comma-separated modes.")] = "hybrid,semantic,keyword",
    queries: Annotated[
        list[Path] | None,
        typer.Option("--queries", help="Query file (shared/eval JSONL) instead of the built-in 30-query mix; repeatable."),
    ] = None,
    k: Annotated[int, typer.Option("--k", "-k", help="Results per query.")] = 10,
    budget_ms: Annotated[
        float | None, typer.Option("--budget-ms", help="Exit 1 when a mode's p95 exceeds this many milliseconds.")
    ] = None,
    backend: Annotated[str, typer.Option(
        "--backend", help="Comma-separated index backends to time on the same passages: faiss, milvus.")] = "faiss",
    milvus_uri: Annotated[str | None, typer.Option(
        "--milvus-uri", help="Milvus URI for the milvus backend (default: a Lite file in HOME-milvus).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Query latency p50/p95 per mode on the CCLW + seed workspace (model loaded), per backend."""
    from bench_query import bench_query, over_budget, print_query

    for path in queries or []:
        if not path.is_file():
            raise typer.BadParameter(f"{path}: no such file", param_hint="'--queries'")
    r = bench_query(home, encoder, cclw, max(1, rounds), _split(modes), queries or [], k,
                    backends=_split(backend), milvus_uri=milvus_uri)
    _emit(r, as_json, print_query)
    problems = over_budget(r, budget_ms)
    if problems:
        typer.echo(f"error: {'; '.join(problems)}", err=True)
        raise typer.Exit(1)


@app.command("scale")
def scale_cmd(
    n: Annotated[int, typer.Option("--n", help="Passages.")] = 1_000_000,
    dim: Annotated[int, typer.Option(help="Vector dimension (384: e5-small; 512: use).")] = 384,
    queries: Annotated[int, typer.Option(help="Queries for recall and latency.")] = 200,
    kinds: Annotated[str, typer.Option(help="Vector indexes to compare: flat, hnsw, ivfpq (sq8 refine), ivfpq-flat, ivfpq-none.")] = "flat,hnsw,ivfpq",
    hnsw_max: Annotated[int, typer.Option("--hnsw-max", help="HNSW is built on at most this many rows (its build is slow) and extrapolated.")] = 50_000,
    home: Annotated[Path | None, typer.Option("--home", help="CCLW workspace to take real texts from (default: the bench query one, if built).")] = None,
    encoder: EncoderOpt = None,
    cclw: CclwOpt = None,
    seed: int = 0,
    as_json: JsonOpt = False,
) -> None:
    """ANN and BM25 at 1M passages: build time, memory, recall@10 vs exact, latency; hybrid p95."""
    from bench_scale import KINDS, bench_scale, print_scale

    chosen = _split(kinds)
    unknown = [kd for kd in chosen if kd not in KINDS]
    if unknown:  # checked before minutes of vector generation, not after
        raise typer.BadParameter(f"unknown kind(s) {', '.join(unknown)}; available: {', '.join(KINDS)}",
                                 param_hint="'--kinds'")
    for name, value in (("--n", n), ("--dim", dim), ("--queries", queries)):
        if value < 1:
            raise typer.BadParameter(f"must be at least 1, got {value}", param_hint=f"'{name}'")
    _emit(bench_scale(n, dim, queries, chosen, hnsw_max, home, encoder, cclw, seed), as_json, print_scale)


@app.command("serve")
def serve_cmd(
    home: Annotated[Path | None, typer.Option("--home", help="Workspace with an index (built first if missing; default: a temp dir).")] = None,
    encoder: EncoderOpt = None,
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds.")] = 120.0,
    loads: Annotated[int, typer.Option(min=1, help="Fresh page loads timed (the median is reported).")] = 3,
    as_json: JsonOpt = False,
) -> None:
    """Seconds from starting `policyscope serve` on an existing index to its first answered search; page config
    size and time to interactive."""
    from bench_serve import bench_serve, print_serve

    tmp = None
    if home is None:
        tmp = Path(tempfile.mkdtemp(prefix="policyscope-bench-serve-"))
        home = tmp
    try:
        r = bench_serve(home, encoder, timeout, loads)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    _emit(r, as_json, print_serve)


def main(argv: list[str] | None = None) -> int:
    """Run a benchmark; every error is one line on stderr. Returns the exit code."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        code = app(args=args or ["--help"], prog_name="bench.py", standalone_mode=False)
    except CliError as exc:  # unknown or missing options and commands, bad values: exit 2
        typer.echo(f"error: {exc.format_message()}", err=True)
        return exc.exit_code
    except BenchError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 1
    except typer.Abort:
        typer.echo("error: interrupted", err=True)
        return 1
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
