"""The human loop: ``export``, ``import-labels`` and ``review next|accept|reject|add``.

``cli.py`` adds them to the app; the shared plumbing (settings, one-line errors, JSON) comes from
``console``.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Any

import typer
from policyscope.ui.console import BAD_INPUT, JsonOpt, emit_json, errors, open_store, settings

review_app = typer.Typer(
    help="Review queue: the passages most worth a human look, and accept/reject/add.", no_args_is_help=True
)


# -- export / import --------------------------------------------------------------------------


def export(
    # The format names are written out here, not read from nlp.labels.WRITERS: importing the registry costs
    # ~0.2 s that every `policyscope --help` would pay (tests/ui/test_cli_labels.py checks the list).
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl, csv, parquet, hf or spacy.")] = "jsonl",
    measure: Annotated[
        list[str] | None,
        typer.Option("--measure", help="Only passages with any of these measures; repeatable."),
    ] = None,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            help="Only tags from these sources (rule, model, classifier, ensemble, human); repeatable.",
        ),
    ] = None,
    lang: Annotated[
        list[str] | None, typer.Option("--lang", help="Only passages in these languages; repeatable.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="File (a directory for hf). Default: policyscope-tags.<ext> here."
        ),
    ] = None,
    split: Annotated[
        str | None,
        typer.Option(
            "--split",
            help="hf: shares of passages for train,validation,test, grouped by document (default 0.8,0.1,0.1).",
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="hf: seed of the document shuffle for --split (default 13).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Export passages with text, document metadata and tags (source, score, evidence spans) as a dataset."""
    from policyscope.nlp.labels import DocumentSplit, default_export_path, export_dataset
    from policyscope.nlp.labels.splits import DEFAULT_SEED

    with errors(*BAD_INPUT):
        doc_split = None
        if split is not None or seed is not None:
            doc_split = (
                DocumentSplit.parse(split, DEFAULT_SEED if seed is None else seed)
                if split is not None
                else DocumentSplit(seed=seed if seed is not None else DEFAULT_SEED)
            )
        store = open_store(settings())
        path = output or default_export_path(fmt)
        report = export_dataset(
            store,
            fmt,
            path,
            measures=measure or None,
            sources=source or None,
            langs=lang or None,
            split=doc_split,
        )
    if as_json:
        emit_json(report.to_dict())
        return
    typer.echo(
        f"{report.path}: {report.passages} passages ({report.labelled} with a measure, "
        f"{report.tags} tags) as {report.format}"
    )
    if report.splits:
        typer.echo(
            "  "
            + ", ".join(
                f"{name} {s['passages']} passages / {s['documents']} documents"
                for name, s in report.splits.items()
            )
            + f" (grouped by document, seed {report.split['seed']})"
        )


#: How many row errors and changed passages the human-readable output lists (--json lists all).
_SHOW = 20


def import_labels_cmd(
    path: Annotated[
        Path,
        typer.Argument(
            help="Labels: any `policyscope export` file or hf directory, edited, or any JSONL with 'id' and "
            "'accept'."
        ),
    ],
    annotator: Annotated[
        str | None, typer.Option("--annotator", help="Who labelled the file (default: your user name).")
    ] = None,
    confirm: Annotated[
        bool,
        typer.Option(
            "--confirm", help="Also record kept machine tags as 'accept' (marks the passages reviewed)."
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show what would change (per measure, per passage); write nothing."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Store a label file as human annotations: each passage's labels in the file become its effective tags."""
    from policyscope.nlp.labels import LabelFileError, import_labels

    who = annotator or _default_annotator()
    with errors(*BAD_INPUT):
        store = open_store(settings())
        try:
            report = import_labels(store, path, who, confirm=confirm, dry_run=dry_run)
        except LabelFileError as exc:
            if len(exc.errors) == 1:
                typer.echo(f"error: {exc.errors[0]} (nothing imported)", err=True)
                raise typer.Exit(1) from None
            for line in exc.errors[:_SHOW]:
                typer.echo(f"error: {line}", err=True)
            more = f", {len(exc.errors) - _SHOW} not shown" if len(exc.errors) > _SHOW else ""
            typer.echo(f"error: {path}: nothing imported ({len(exc.errors)} errors{more})", err=True)
            raise typer.Exit(1) from None
    if as_json:
        emit_json(report.to_dict())
        return
    would = "would change" if dry_run else "changed"
    measures = ", ".join(
        f"{m} " + " ".join(f"{sign}{n}" for sign, n in (("+", c["added"]), ("-", c["removed"])) if n)
        for m, c in report.by_measure.items()
    )
    typer.echo(
        f"{path}{' (dry run: nothing written)' if dry_run else ''}: {_n(report.rows, 'row')} by {who}; "
        f"{_n(report.changed_passages, 'passage')} {would} ({_n(report.added, 'label')} added, "
        f"{report.removed} removed"
        + (f": {measures}" if measures else "")
        + f"), {report.unchanged_passages} unchanged, {report.skipped} skipped; "
        + f"{_n(report.annotations, 'annotation')} {'to write' if dry_run else 'written'}"
        + (f" ({_n(report.confirmed, 'confirmation')})" if confirm else "")
    )
    if dry_run:
        for c in report.changes[:_SHOW]:
            typer.echo(
                f"  {c.id}  " + "  ".join([*(f"+{m}" for m in c.added), *(f"-{m}" for m in c.removed)])
            )
        if len(report.changes) > _SHOW:
            typer.echo(f"  … {len(report.changes) - _SHOW} more passages (--json lists all)")


def _n(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _default_annotator() -> str:
    try:
        return getpass.getuser() or "anonymous"
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return "anonymous"


# -- review -----------------------------------------------------------------------------------


@review_app.command("next")
def review_next(
    n: Annotated[int, typer.Option("--n", "-n", help="How many passages.")] = 10,
    annotator: Annotated[
        str | None,
        typer.Option(
            "--annotator", help="Skip passages this annotator already reviewed (default: any human)."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The passages most worth reviewing: taggers disagree or scores are near the threshold."""
    from policyscope.nlp.labels import review_queue

    with errors(*BAD_INPUT):
        items = review_queue(open_store(settings()), limit=n, annotator=annotator)
    if as_json:
        emit_json(items)
        return
    from rich.console import Console
    from rich.markup import escape

    console = Console()
    if not items:
        console.print("the review queue is empty")
    for i, it in enumerate(items, start=1):
        console.print(
            f"[bold]{i}. {it['passage_id']}[/bold] [dim]{escape(it['title'])} · priority "
            f"{it['priority']:.2f}[/dim]"
        )
        text = it["text"] if len(it["text"]) <= 300 else it["text"][:300] + "…"
        console.print(f"   {escape(text)}")
        console.print(
            f"   [dim]tags: {', '.join(it['effective']) or '—'} | {escape('; '.join(it['reasons']))}[/dim]"
        )


def _annotate(action: str, passage_id: str, measure: str, annotator: str, note: str, as_json: bool) -> None:
    from policyscope.nlp.labels import effective_tags
    from policyscope.nlp.measures import load_taxonomy

    with errors(*BAD_INPUT):
        tax = load_taxonomy()
        tax.get(measure)  # KeyError listing the valid ids
        store = open_store(settings())
        if not store.get_passages([passage_id]):
            raise ValueError(f"unknown passage id {passage_id!r}; see `policyscope review next`")
        if not annotator.strip():
            raise ValueError("--annotator must not be empty")
        ann_id = store.add_annotation(passage_id, measure, action, annotator, note=note)
        eff = sorted(effective_tags(store, [passage_id]).get(passage_id, set()))
    if as_json:
        emit_json(
            {
                "annotation": ann_id,
                "passage_id": passage_id,
                "measure": measure,
                "action": action,
                "annotator": annotator,
                "effective": eff,
            }
        )
        return
    typer.echo(f"{passage_id}: {action} {measure} by {annotator}; now {', '.join(eff) or 'no measure'}")


AnnotatorOpt = Annotated[str, typer.Option("--annotator", help="Your name (stored with the decision).")]
NoteOpt = Annotated[str, typer.Option("--note", help="Optional comment.")]
PassageArg = Annotated[str, typer.Argument(help="Passage id (see `review next`).")]
MeasureArg = Annotated[str, typer.Argument(help="Measure id.")]


def _review_command(action: str, summary: str) -> Any:
    """One ``review <action>`` command; accept, reject and add differ only in the action stored."""

    def command(
        passage_id: PassageArg,
        measure: MeasureArg,
        annotator: AnnotatorOpt,
        note: NoteOpt = "",
        as_json: JsonOpt = False,
    ) -> None:
        _annotate(action, passage_id, measure, annotator, note, as_json)

    command.__doc__ = summary
    command.__name__ = f"review_{action}"
    return command


for _action, _summary in (
    ("accept", "Confirm a machine tag."),
    ("reject", "Remove a measure from a passage (re-tagging never brings it back)."),
    ("add", "Add a measure the taggers missed."),
):
    review_app.command(_action)(_review_command(_action, _summary))
