"""Tagging commands: ``tag`` (``--text``, ``--input``, ``train``, ``agreement``) and ``eval tags``.

``cli.py`` adds them to the app; the shared plumbing (settings, one-line errors, JSON) comes from
``console``; the human loop (``export``, ``import-labels``, ``review``) is in ``cli_labels``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from policyscope.ui.console import BAD_INPUT, JsonOpt, emit_json, errors, open_store, settings

if TYPE_CHECKING:
    from policyscope.corpus.config import Settings
    from policyscope.corpus.records import Tag

CLASSIFIER_DIR = Path("models") / "classifier"

tag_app = typer.Typer(
    help="Tag text with policy measures (`tag --text …`, `tag --input F.jsonl`), train the classifier, "
    "measure agreement.",
    invoke_without_command=True,
)


# -- taggers ----------------------------------------------------------------------------------


def build_tagger(name: str, s: Settings) -> Any:
    """The tagger ``name`` for workspace ``s`` (the classifier is loaded from ``<home>/models/classifier``)."""
    from policyscope.index.encoders import get_encoder
    from policyscope.nlp.taggers import make_tagger

    return make_tagger(
        name,
        load_encoder=lambda: get_encoder(s.encoder, s.device),
        model_path=s.home / CLASSIFIER_DIR,
        encoder_name=s.encoder,
    )


def _tag_dicts(tags: Sequence[Tag]) -> list[dict[str, Any]]:
    return [
        {
            "measure": t.measure,
            "score": t.score,
            "source": t.source,
            "spans": [{"start": sp.start, "end": sp.end, "text": sp.text} for sp in t.spans],
        }
        for t in tags
    ]


def _read_jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` of a text file (``--input``, ``--gold``): every row needs a ``text`` string."""
    from policyscope.corpus.errors import LoadError
    from policyscope.corpus.jsonl import read_jsonl

    rows = []
    for i, obj in read_jsonl(path):
        if not isinstance(obj.get("text"), str):
            raise LoadError(f"{path}:{i}", "expected a JSON object with a 'text' string")
        rows.append((i, obj))
    if not rows:
        raise LoadError(path, "no rows")
    return rows


@tag_app.callback()
def tag(
    ctx: typer.Context,
    text: Annotated[list[str] | None, typer.Option("--text", help="Text to tag; repeatable.")] = None,
    input_path: Annotated[
        Path | None,
        typer.Option("--input", help="JSONL file with a 'text' (and optional 'id', 'lang') per line."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write --input results here (JSONL) instead of stdout."),
    ] = None,
    tagger: Annotated[
        str, typer.Option("--tagger", help="lexicon, embedding, ensemble or classifier.")
    ] = "lexicon",
    lang: Annotated[str | None, typer.Option("--lang", help="zh or en (default: detected per text).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Tag text with the policy measures: score, source and evidence spans (offsets into the text)."""
    if ctx.invoked_subcommand is not None:
        return
    text = text or []
    if not text and input_path is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(1)
    with errors(*BAD_INPUT):
        s = settings()
        tg = build_tagger(tagger, s)
        if text:
            tags = tg.tag(text, [lang] * len(text) if lang else None)
            results = [{"text": t, "tags": _tag_dicts(ts)} for t, ts in zip(text, tags)]
            if as_json:
                emit_json(results if len(results) > 1 else results[0])
            else:
                _print_tags(results)
        if input_path is not None:
            rows = _read_jsonl(input_path)
            texts = [obj["text"] for _, obj in rows]
            langs = [lang or obj.get("lang") or "" for _, obj in rows]
            tags = tg.tag(texts, langs)
            out_lines = []
            for (_, obj), ts in zip(rows, tags):
                rec = {k: v for k, v in obj.items() if k not in ("tags", "accept")}
                if isinstance(obj.get("tags"), list) and all(isinstance(x, str) for x in obj["tags"]):
                    rec["gold_tags"] = obj["tags"]  # keep a gold file's labels beside the prediction
                rec["tags"] = _tag_dicts(ts)
                rec["accept"] = [t.measure for t in ts]
                out_lines.append(json.dumps(rec, ensure_ascii=False))
            if output is not None:
                output.parent.mkdir(parents=True, exist_ok=True)
                output.write_text("\n".join(out_lines) + "\n", encoding="utf-8")
                typer.echo(f"{output}: {len(out_lines)} rows tagged with {tagger}", err=True)
            else:
                typer.echo("\n".join(out_lines))


def _print_tags(results: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console()
    for r in results:
        if len(results) > 1:
            console.print(f"[bold]{escape(r['text'][:80])}[/bold]")
        if not r["tags"]:
            console.print("  no measure")
        for t in r["tags"]:
            ev = "; ".join(f"{sp['text']} @{sp['start']}-{sp['end']}" for sp in t["spans"])
            console.print(f"  {t['measure']:<22} {t['score']:.2f}  {t['source']:<10} {escape(ev)}")


@tag_app.command("train")
def tag_train(
    annotator: Annotated[
        list[str] | None,
        typer.Option(
            "--annotator", help="Only passages these annotators labelled; repeatable (default: all)."
        ),
    ] = None,
    gold: Annotated[
        list[Path] | None,
        typer.Option("--gold", help="Also train on a labelled JSONL file ('text', 'tags'); repeatable."),
    ] = None,
    threshold: Annotated[float, typer.Option(help="Probability at which the classifier emits a tag.")] = 0.5,
    as_json: JsonOpt = False,
) -> None:
    """Train the classifier from stored human labels (and --gold files); saved in <home>/models/classifier."""
    from policyscope.index.encoders import get_encoder
    from policyscope.nlp.labels import effective_tags
    from policyscope.nlp.measures import load_taxonomy
    from policyscope.nlp.taggers import ClassifierTagger
    from policyscope.nlp.tagmetrics import tag_metrics

    annotator, gold = annotator or [], gold or []
    with errors(*BAD_INPUT):
        s = settings()
        tax = load_taxonomy()
        texts: list[str] = []
        labels: list[set[str]] = []
        from_store = 0
        if s.store_path.exists():
            store = open_store(s)
            ids = list(
                dict.fromkeys(
                    a["passage_id"]
                    for a in store.annotations()
                    if not annotator or a["annotator"] in annotator
                )
            )
            passages = store.get_passages(ids)
            ids = [i for i in ids if i in passages]
            eff = effective_tags(store, ids)
            for pid in ids:
                texts.append(passages[pid].text)
                labels.append({m for m in eff.get(pid, set()) if m in tax})
            from_store = len(ids)
        for path in gold:
            for _, obj in _read_jsonl(path):
                texts.append(obj["text"])
                labels.append({m for m in obj.get("tags") or [] if m in tax})
        if len(texts) < 2 or not any(labels):
            raise ValueError(
                f"only {len(texts)} labelled passage(s) with {sum(len(x) for x in labels)} tag(s); label passages "
                "with `policyscope review` or `policyscope import-labels`, or pass --gold FILE"
            )
        clf = ClassifierTagger(
            get_encoder(s.encoder, s.device), tax.ids, threshold=threshold, encoder_name=s.encoder
        )
        clf.fit(texts, labels)
        path = clf.save(s.home / CLASSIFIER_DIR)
        fit = tag_metrics(labels, [{t.measure for t in ts} for ts in clf.tag(texts)], tax.ids)
    report = {
        "path": str(path),
        "encoder": s.encoder,
        "passages": len(texts),
        "from_store": from_store,
        "from_gold_files": len(texts) - from_store,
        "positives": {m: sum(1 for x in labels if m in x) for m in tax.ids},
        "train_micro_f1": round(fit["micro"]["f1"], 4),
        "train_macro_f1": round(fit["macro"]["f1"], 4),
    }
    if as_json:
        emit_json(report)
        return
    typer.echo(
        f"classifier trained on {len(texts)} passages ({from_store} from the store) with encoder {s.encoder}; "
        f"saved to {path}\ntraining-set fit: micro-F1 {report['train_micro_f1']:.3f}, "
        f"macro-F1 {report['train_macro_f1']:.3f} (not a held-out score; use `policyscope eval tags`)"
    )


@tag_app.command("agreement")
def tag_agreement(
    a: Annotated[str, typer.Option("--a", help="First annotator.")],
    b: Annotated[str, typer.Option("--b", help="Second annotator, or 'model' for the machine tags.")],
    as_json: JsonOpt = False,
) -> None:
    """Cohen's kappa per measure between two annotators, or an annotator and the model."""
    from policyscope.nlp.labels import agreement

    with errors(*BAD_INPUT):
        store = open_store(settings())
        report = agreement(store, a, b)
    if as_json:
        emit_json(report)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Cohen's kappa: {a} vs {b} on {report['n']} passages")
    for col in ("measure", "kappa", "agreement", f"+ {a}", f"+ {b}"):
        table.add_column(col)
    for m, k in report["kappa"].items():
        pos = report["positives"][m]
        table.add_row(m, f"{k:.3f}", f"{report['observed_agreement'][m]:.3f}", str(pos["a"]), str(pos["b"]))
    console = Console()
    console.print(table)
    console.print(f"mean kappa {report['mean_kappa']:.3f}, exact match {report['exact_match']:.3f}")


# -- eval tags --------------------------------------------------------------------------------


def eval_tags(
    gold: Annotated[Path, typer.Option("--gold", help="JSONL gold file: 'id', 'text', 'tags' per line.")],
    tagger: Annotated[
        str, typer.Option("--tagger", help="lexicon, embedding, ensemble or classifier.")
    ] = "lexicon",
    as_json: JsonOpt = False,
) -> None:
    """Per-measure P/R/F1, micro/macro F1 and exact match of a tagger on a gold file, per language too."""
    from policyscope.nlp.measures import load_taxonomy
    from policyscope.nlp.taggers import guess_lang
    from policyscope.nlp.tagmetrics import tag_metrics

    with errors(*BAD_INPUT):
        rows = _read_jsonl(gold)
        tax = load_taxonomy()
        for line, obj in rows:
            tags = obj.get("tags")
            if not isinstance(tags, list) or not all(isinstance(x, str) for x in tags):
                raise ValueError(f"{gold}:{line}: 'tags' must be a list of measure ids")
            unknown = [x for x in tags if x not in tax]
            if unknown:
                raise ValueError(
                    f"{gold}:{line}: unknown measure(s) {', '.join(unknown)}; available: {', '.join(tax.ids)}"
                )
        tg = build_tagger(tagger, settings())
        texts = [obj["text"] for _, obj in rows]
        langs = [(obj.get("lang") or guess_lang(obj["text"]))[:2] for _, obj in rows]
        pred = [{t.measure for t in ts} for ts in tg.tag(texts, langs)]
        golds = [set(obj["tags"]) for _, obj in rows]
        report = tag_metrics(golds, pred, tax.ids, langs=langs)
    report.update(tagger=tagger, gold_file=str(gold), taxonomy=tax.version)
    report["errors"] = [
        {"id": obj.get("id", f"line {line}"), "missed": sorted(g - p), "extra": sorted(p - g)}
        for (line, obj), g, p in zip(rows, golds, pred)
        if g != p
    ]
    if as_json:
        emit_json(report)
        return
    _print_tag_eval(report)


def _print_tag_eval(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"tag eval: {report['tagger']} on {report['gold_file']} ({report['n']} items)")
    for col in ("measure", "P", "R", "F1", "support", "predicted"):
        table.add_column(col)
    for m, d in report["per_label"].items():
        if d["support"] or d["predicted"]:
            table.add_row(
                m,
                f"{d['precision']:.3f}",
                f"{d['recall']:.3f}",
                f"{d['f1']:.3f}",
                str(d["support"]),
                str(d["predicted"]),
            )
    console.print(table)
    summary = Table()
    for col in ("set", "n", "micro-P", "micro-R", "micro-F1", "macro-F1", "exact"):
        summary.add_column(col)
    for name, m in [("all", report), *report["by_lang"].items()]:
        summary.add_row(
            name,
            str(m["n"]),
            f"{m['micro']['precision']:.3f}",
            f"{m['micro']['recall']:.3f}",
            f"{m['micro']['f1']:.3f}",
            f"{m['macro']['f1']:.3f}",
            f"{m['exact_match']:.3f}",
        )
    console.print(summary)
