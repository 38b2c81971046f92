"""The ``hf`` export: a Hugging Face ``DatasetDict`` directory, and reading one back.

Layout of ``DIR`` (one export)::

    DIR/dataset_dict.json, train/, validation/, test/   datasets' save_to_disk: datasets.load_from_disk(DIR)
    DIR/data/{split}-00000-of-00001.parquet             the same rows: datasets.load_dataset(DIR)
    DIR/README.md                                       the dataset card: taxonomy, splits, provenance

Features: ``id``, ``text``, the document metadata, ``labels`` = ``Sequence(ClassLabel(names=[measures in
taxonomy order]))``, ``multi_hot`` = one float32 0/1 per measure in the same order (ready for
``BCEWithLogitsLoss``), and ``tags``/``annotations`` as in the parquet export. Passages are split into
train/validation/test by document (:class:`~.splits.DocumentSplit`).

``load_dataset(DIR)`` finds the parquet files by their ``data/{split}-NNNNN-of-NNNNN`` names, which datasets
tries before any other pattern, so the split directories of ``save_to_disk`` beside them are not read. The
card has no ``configs:`` block: with one, ``datasets`` keyed its cache on the folder name and the config, and a
re-export (or another workspace's export under the same folder name) loaded the old rows; without it the cache
key covers the data files themselves. An empty split is written for ``load_from_disk`` (one empty shard) but
gets no parquet file, because ``load_dataset`` refuses a split without rows: it then lists only the non-empty
splits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from policyscope.corpus.errors import ConfigError
from policyscope.nlp.labels.arrow import arrow_table, read_parquet
from policyscope.nlp.labels.readers import LabelFileError, LabelTable, label_rows
from policyscope.nlp.labels.records import INT_META, META_FIELDS, LabelRecord, tag_dict
from policyscope.nlp.labels.splits import SPLIT_NAMES

if TYPE_CHECKING:
    from policyscope.nlp.labels.writers import ExportContext

__all__ = ["hf_features", "read_hf", "write_hf"]

_PARQUET = "data/{split}-00000-of-00001.parquet"


def _datasets(action: str) -> ModuleType:
    try:
        import datasets
    except ImportError:
        raise ConfigError(
            f"{action} a Hugging Face dataset needs the `datasets` package; install it with: "
            "pip install 'policyscope[export]'"
        ) from None
    return datasets


@contextmanager
def _quiet(datasets: ModuleType) -> Iterator[None]:
    """No datasets progress bars while we save or load (a library must not print them); restores the setting."""
    was_off = datasets.are_progress_bars_disabled()
    datasets.disable_progress_bars()
    try:
        yield
    finally:
        if not was_off:
            datasets.enable_progress_bars()


def hf_features(measures: Sequence[str]) -> Any:
    """The ``datasets.Features`` of an ``hf`` export with these measures (in this order)."""
    from datasets import ClassLabel, Features, Sequence, Value

    span = {"start": Value("int32"), "end": Value("int32"), "text": Value("string")}
    tag = {"measure": Value("string"), "score": Value("float64"), "source": Value("string"), "spans": [span]}
    ann = {
        "measure": Value("string"),
        "action": Value("string"),
        "annotator": Value("string"),
        "created_at": Value("float64"),
    }
    cols: dict[str, Any] = {"id": Value("string"), "text": Value("string")}
    cols.update({k: Value("int32") if k in INT_META else Value("string") for k in META_FIELDS})
    cols["labels"] = Sequence(ClassLabel(names=list(measures)))
    cols["multi_hot"] = Sequence(Value("float32"), length=len(measures))
    cols["tags"] = [tag]
    cols["annotations"] = [ann]
    return Features(cols)


def _row(record: LabelRecord, measures: Sequence[str]) -> dict[str, Any]:
    index = {m: i for i, m in enumerate(measures)}
    accept = {m for m in record.accept if m in index}  # measures of an older taxonomy have no class
    row: dict[str, Any] = {"id": record.id, "text": record.text, **asdict(record.meta)}
    row["labels"] = sorted(index[m] for m in accept)
    row["multi_hot"] = [1.0 if m in accept else 0.0 for m in measures]
    row["tags"] = [tag_dict(t) for t in record.tags]
    row["annotations"] = [asdict(a) for a in record.annotations]
    return row


def write_hf(records: Sequence[LabelRecord], path: Path, ctx: ExportContext) -> None:
    """Write ``records`` as a ``DatasetDict`` split by ``ctx.doc_split`` into the new directory ``path``."""
    datasets = _datasets("writing")
    features = hf_features(ctx.measures)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in SPLIT_NAMES}
    for r in records:
        rows[ctx.doc_split[r.meta.doc_id]].append(_row(r, ctx.measures))
    dd = datasets.DatasetDict(
        {
            name: datasets.Dataset.from_dict(
                {k: [row[k] for row in split] for k in features}, features=features
            )
            for name, split in rows.items()
        }
    )
    with _quiet(datasets):
        # An empty split saved with datasets' default 0 shards cannot be loaded back (IndexError in
        # load_from_disk, datasets 5.2); one empty shard can.
        dd.save_to_disk(str(path), num_shards={name: 1 for name, split in rows.items() if not split})
        (path / "data").mkdir()
        for name, ds in dd.items():
            if ds.num_rows:
                ds.to_parquet(str(path / _PARQUET.format(split=name)))
    (path / "README.md").write_text(dataset_card(records, path, ctx), encoding="utf-8")


def read_hf(path: Path, known: Sequence[str]) -> list[LabelTable]:
    """An ``hf`` export directory (or any ``save_to_disk`` directory, or ``data/*.parquet``) as label tables.

    When the directory holds both the ``save_to_disk`` arrow files and the ``data/`` parquet files, both are
    read and must state the same labels: an edit of one copy only is refused with a line saying which file to
    import, instead of being silently ignored.
    """
    if not path.is_dir():
        raise LabelFileError.whole_file(path, "not a directory")
    on_disk = (path / "dataset_dict.json").is_file() or (path / "state.json").is_file()
    parquet = sorted((path / "data").glob("*.parquet"))
    if not on_disk and not parquet:
        raise LabelFileError.whole_file(
            path, "not a Hugging Face dataset directory (no dataset_dict.json, state.json or data/*.parquet)"
        )
    if not on_disk:
        return [t for p in parquet for t in read_parquet(p, known)]
    datasets = _datasets("reading")
    with _quiet(datasets):
        try:
            loaded = datasets.load_from_disk(str(path))
        except (OSError, ValueError) as exc:  # FileNotFoundError, or a shard datasets cannot read
            raise LabelFileError.whole_file(path, f"not a readable dataset directory ({exc})") from None
    splits = loaded.items() if isinstance(loaded, datasets.DatasetDict) else [("train", loaded)]
    tables = []
    names: tuple[str, ...] | None = None
    for name, ds in splits:
        labels = ds.features.get("labels")
        inner = getattr(labels, "feature", None)
        names = tuple(inner.names) if hasattr(inner, "names") else names
        # load_from_disk gives no indices mapping (save_to_disk flattens it), so the table is the rows.
        tables.append(arrow_table(path, ds.data.table, known, split=name, class_names=names))
    if parquet:
        _check_copies_agree(
            path, tables, [t for p in parquet for t in read_parquet(p, known, class_names=names)], known
        )
    return tables


def _check_copies_agree(
    path: Path, arrow: Sequence[LabelTable], parquet: Sequence[LabelTable], known: Sequence[str]
) -> None:
    def labels_by_id(tables: Sequence[LabelTable]) -> dict[str, frozenset[str]]:
        rows, _, _ = label_rows(tables, known)
        return {r.id: r.labels for r in rows}

    a, p = labels_by_id(arrow), labels_by_id(parquet)
    differ = sorted(pid for pid in set(a) | set(p) if a.get(pid) != p.get(pid))
    if differ:
        raise LabelFileError.whole_file(
            path,
            f"the save_to_disk files and data/*.parquet state different labels for {len(differ)} passage(s) "
            f"(e.g. {differ[0]}); import the copy you edited: a data/*.parquet file by its path, or the "
            "dataset saved with save_to_disk to a new directory",
        )


# -- the dataset card ---------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """A markdown table cell: no line breaks or pipes."""
    return " ".join(str("" if value is None else value).split()).replace("|", "\\|")


def _size_category(n: int) -> str:
    for limit, name in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
    ):
        if n < limit:
            return name
    return "n>1M"


def dataset_card(records: Sequence[LabelRecord], path: Path, ctx: ExportContext) -> str:
    """The README.md of an ``hf`` export: how to load it, splits, taxonomy, fields and provenance."""
    from policyscope.nlp.measures import load_taxonomy

    tax = {m.id: m for m in load_taxonomy()}
    prov = ctx.provenance
    split_of = {r.id: ctx.doc_split[r.meta.doc_id] for r in records}
    per_split = {name: [r for r in records if split_of[r.id] == name] for name in SPLIT_NAMES}
    docs_per_split = {name: len({r.meta.doc_id for r in rs}) for name, rs in per_split.items()}
    passages_per_doc = Counter(r.meta.doc_id for r in records)
    name = path.name.split(".")[0] or "DIR"
    out = [
        "---",
        "language:\n- zh\n- en\n- ja\n- ko",
        "task_categories:\n- text-classification",
        "task_ids:\n- multi-label-classification",
        f"size_categories:\n- {_size_category(len(records))}",
        "pretty_name: policyscope policy-measure tags",
        "---",
        "",
        "# policyscope policy-measure tagging dataset",
        "",
        (
            f"Passages of policy documents labelled with the {len(ctx.measures)} policy measures of taxonomy "
            f"`{prov.taxonomy_version if prov else '?'}` (multi-label: zero or more per passage), exported by "
            "`policyscope export --format hf`. The labels are the *effective* tags: machine tags corrected by "
            f"human review. {len(records)} passages, {sum(1 for r in records if r.accept)} with at least one "
            "measure."
        ),
        "",
        "## Loading",
        "",
        "```python",
        "from datasets import load_from_disk, load_dataset",
        f'ds = load_from_disk("{name}")        # DatasetDict: train / validation / test',
        f'ds = load_dataset("{name}")          # the same rows, from data/*.parquet',
        'names = ds["train"].features["labels"].feature.names   # the measures, in class-id order',
        "```",
        "",
        "`load_dataset` lists only the non-empty splits (it refuses a split without rows); `load_from_disk` always",
        "has all three. To correct labels, edit `labels` and `multi_hot` together (or remove the one you do not",
        "edit), save with `save_to_disk` to a new directory and bring them back with",
        "`policyscope import-labels NEWDIR` (`--dry-run` shows what would change).",
        "",
        "## Splits",
        "",
        f"Grouped by document (no document in two splits), seed {ctx.split.seed}, target share of passages "
        + ", ".join(f"{n} {r:g}" for n, r in zip(SPLIT_NAMES, ctx.split.ratios, strict=True))
        + ". Documents are shuffled with the seed and each goes to the split furthest below its target; a split "
        "with a positive share that got no document takes the smallest document of the fullest split, so three "
        "or more documents give three non-empty splits. With fewer documents the later splits are empty.",
        "",
        "| split | documents | passages | with a measure |",
        "|---|---|---|---|",
    ]
    for n in SPLIT_NAMES:
        rs = per_split[n]
        out.append(f"| {n} | {docs_per_split[n]} | {len(rs)} | {sum(1 for r in rs if r.accept)} |")
    out += [
        "",
        "## Taxonomy",
        "",
        "`labels` holds class ids of this `ClassLabel`; `multi_hot[i]` is 1.0 when class `i` applies.",
        "",
        "| class | measure | name | definition | " + " | ".join(SPLIT_NAMES) + " |",
        "|---|---|---|---|" + "---|" * len(SPLIT_NAMES),
    ]
    for i, m in enumerate(ctx.measures):
        meas = tax.get(m)
        names = f"{meas.name_en} / {meas.name_zh}" if meas else m
        counts = " | ".join(str(sum(1 for r in per_split[n] if m in r.accept)) for n in SPLIT_NAMES)
        out.append(
            f"| {i} | `{m}` | {_cell(names)} | {_cell(meas.definition_en if meas else '')} | {counts} |"
        )
    out += [
        "",
        "## Fields",
        "",
        "- `id`: passage id (a short sha256 of its document and place; stable across re-exports)",
        "- `text`: the passage",
        "- " + ", ".join(f"`{k}`" for k in META_FIELDS) + ": its document's metadata and its place in it",
        f"- `labels`: `Sequence(ClassLabel(names=[{len(ctx.measures)} measures]))`, the effective labels",
        f"- `multi_hot`: `Sequence(Value('float32'), length={len(ctx.measures)})`, the same labels as 0/1",
        (
            "- `tags`: what each source said (measure, score, source, evidence spans with character offsets "
            "into `text`); `human` tags are measures a person accepted or added"
        ),
        "- `annotations`: the human decisions (measure, accept/reject/add, annotator, time)",
        "",
        "## Provenance",
        "",
    ]
    if prov:
        filters = (
            ", ".join(f"{k}: {', '.join(v)}" for k, v in prov.filters.items() if v) or "none (every passage)"
        )
        out += [
            f"- exported {prov.exported_at} by policyscope {prov.policyscope_version}",
            f"- workspace: `{prov.workspace}`",
            f"- taxonomy version: `{prov.taxonomy_version}`",
            f"- filters: {filters}",
        ]
    sources = Counter(t.source for r in records for t in r.tags)
    annotators = Counter((a.annotator, a.action) for r in records for a in r.annotations)
    out.append(
        "- label sources (tags): " + (", ".join(f"{s} {n}" for s, n in sorted(sources.items())) or "none")
    )
    who = sorted({a for a, _ in annotators})
    out.append(
        "- human annotations: "
        + (
            "; ".join(
                f"{a}: "
                + ", ".join(
                    f"{act} {annotators[(a, act)]}"
                    for act in ("accept", "reject", "add")
                    if annotators[(a, act)]
                )
                for a in who
            )
            or "none"
        )
    )
    out += [
        f"- documents: {len(passages_per_doc)}",
        "",
        "| document | title | lang | year | source | passages | split |",
        "|---|---|---|---|---|---|---|",
    ]
    first = {r.meta.doc_id: r for r in reversed(records)}
    for doc_id in sorted(passages_per_doc, key=lambda d: (SPLIT_NAMES.index(ctx.doc_split[d]), d)):
        info = prov.documents.get(doc_id) if prov else None
        meta = first[doc_id].meta
        title = (info.title_en or info.title) if info else (meta.title_en or meta.title)
        out.append(
            f"| `{_cell(doc_id)}` | {_cell(title)} | {_cell(meta.lang)} | {_cell(meta.year)} | "
            f"{_cell(info.source if info else '')} | {passages_per_doc[doc_id]} | {ctx.doc_split[doc_id]} |"
        )
    return "\n".join(out) + "\n"
