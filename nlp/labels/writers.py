"""Export formats: one per dataset format, each knowing its name, file suffix, writer and reader.

:data:`WRITERS` is the only list of formats; ``EXPORT_FORMATS``, the default file names and the suffixes
``import-labels`` accepts derive from it. Every writer gets the
:class:`~policyscope.nlp.labels.records.LabelRecord` list, the target path and an :class:`ExportContext`
(measure ids, split, provenance), and writes one file (or, with an empty suffix, one directory); every
reader turns such a file, edited, back into :class:`~.readers.LabelTable` s for ``import-labels``:

* ``jsonl`` - :meth:`LabelRecord.to_dict`, one a line (UTF-8, Chinese unescaped); labels: ``accept``.
* ``csv`` - one row per passage: ``id``, ``text``, the meta fields, one ``0``/``1`` column per measure (the
  effective labels, editable in a spreadsheet), and ``tags``/``annotations`` as JSON text. UTF-8 with a BOM
  so spreadsheet programs show Chinese.
* ``parquet`` - the CSV's columns with real types, ``tags``/``annotations`` as nested lists of structs; the
  0/1 measure columns are the labels (no ``accept`` list beside them: an edit has one place to go).
* ``hf`` - a ``datasets.DatasetDict`` directory split by document, with ``labels`` as
  ``Sequence(ClassLabel)``, a ``multi_hot`` column and a dataset card (:mod:`~.hf`).
* ``spacy`` - a ``.spacy`` ``DocBin`` for ``textcat_multilabel``: ``doc.cats`` holds all measures (1.0/0.0),
  ``doc.spans["evidence"]`` the evidence of the effective tags, ``doc.user_data`` the passage id and meta.
  Chinese passages are tokenised by spaCy's jieba segmenter, English by spaCy's English rules.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from policyscope.corpus.store import DocumentInfo
from policyscope.nlp.labels.arrow import read_parquet
from policyscope.nlp.labels.hf import read_hf, write_hf
from policyscope.nlp.labels.readers import LabelTable, read_csv, read_jsonl, read_spacy
from policyscope.nlp.labels.records import INT_META, META_FIELDS, LabelRecord, tag_dict
from policyscope.nlp.labels.splits import DocumentSplit

__all__ = ["EXPORT_FORMATS", "WRITERS", "ExportContext", "Provenance", "Writer", "format_of", "get_writer"]


@dataclass(frozen=True)
class Provenance:
    """Where an export comes from, for a dataset card."""

    workspace: str
    policyscope_version: str
    taxonomy_version: str
    exported_at: str
    filters: Mapping[str, tuple[str, ...]]
    documents: Mapping[str, DocumentInfo]


@dataclass(frozen=True)
class ExportContext:
    """What a writer gets besides the records.

    Attributes:
        measures: the measure ids, in taxonomy order (columns, classes).
        split: the split settings (for a writer with ``splits``).
        doc_split: ``{document id: split name}`` of every exported document (for a writer with ``splits``).
        provenance: where the records come from.
    """

    measures: tuple[str, ...]
    split: DocumentSplit = field(default_factory=DocumentSplit)
    doc_split: Mapping[str, str] = field(default_factory=dict)
    provenance: Provenance | None = None


WriteFn = Callable[[Sequence[LabelRecord], Path, ExportContext], None]
ReadFn = Callable[[Path, Sequence[str]], list[LabelTable]]


@dataclass(frozen=True)
class Writer:
    """An export format: its registry name, the suffix of its file (empty for a directory), the writer, the
    reader ``import-labels`` uses, other suffixes that reader accepts, and whether it writes splits."""

    name: str
    suffix: str
    write: WriteFn
    read: ReadFn
    also_reads: tuple[str, ...] = ()
    splits: bool = False

    def file_name(self, stem: str) -> str:
        """``stem`` + suffix, or ``stem-<name>`` for a directory format (``policyscope-tags-hf``)."""
        return f"{stem}{self.suffix}" if self.suffix else f"{stem}-{self.name}"


def _write_jsonl(records: Sequence[LabelRecord], path: Path, ctx: ExportContext) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for r in records:
            f.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")


def _flat(record: LabelRecord, known: Sequence[str]) -> dict[str, Any]:
    """A record as one flat row: meta fields become columns, one 0/1 column per measure."""
    # The importer recognises the label columns of every format by name.
    taken = {"id", "text", "accept", "answer", "labels", "multi_hot", "cats", "tags", "annotations"}
    clash = sorted(set(known) & (taken | set(META_FIELDS)))
    if clash:
        raise ValueError(f"measure id(s) {clash} clash with column names; rename them in the taxonomy")
    row: dict[str, Any] = {"id": record.id, "text": record.text}
    row.update(asdict(record.meta))
    accept = set(record.accept)
    row.update({m: int(m in accept) for m in known})
    row["tags"] = [tag_dict(t) for t in record.tags]
    row["annotations"] = [asdict(a) for a in record.annotations]
    return row


def _write_csv(records: Sequence[LabelRecord], path: Path, ctx: ExportContext) -> None:
    # The 0/1 measure columns are the labels; there is no ``accept`` column, so a spreadsheet edit has one
    # place to go (import_labels reads either, and refuses a row where both are given and disagree).
    known = ctx.measures
    columns = ["id", "text", *META_FIELDS, *known, "tags", "annotations"]
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        for r in records:
            row = _flat(r, known)
            row["tags"] = json.dumps(row["tags"], ensure_ascii=False)
            row["annotations"] = json.dumps(row["annotations"], ensure_ascii=False)
            w.writerow({k: "" if v is None else v for k, v in row.items()})


def _arrow_table(records: Sequence[LabelRecord], known: Sequence[str]) -> Any:
    import pyarrow as pa

    span = pa.struct([("start", pa.int32()), ("end", pa.int32()), ("text", pa.string())])
    tag = pa.struct(
        [
            ("measure", pa.string()),
            ("score", pa.float64()),
            ("source", pa.string()),
            ("spans", pa.list_(span)),
        ]
    )
    ann = pa.struct(
        [
            ("measure", pa.string()),
            ("action", pa.string()),
            ("annotator", pa.string()),
            ("created_at", pa.float64()),
        ]
    )
    fields = [pa.field("id", pa.string()), pa.field("text", pa.string())]
    fields += [pa.field(k, pa.int32() if k in INT_META else pa.string()) for k in META_FIELDS]
    fields += [pa.field(m, pa.int8()) for m in known]
    fields += [
        pa.field("tags", pa.list_(tag)),
        pa.field("annotations", pa.list_(ann)),
    ]
    schema = pa.schema(fields, metadata={"policyscope.measures": json.dumps(list(known))})
    rows = [_flat(r, known) for r in records]
    return pa.Table.from_pylist(rows, schema=schema)


def _write_parquet(records: Sequence[LabelRecord], path: Path, ctx: ExportContext) -> None:
    import pyarrow.parquet as pq

    pq.write_table(_arrow_table(records, ctx.measures), path)


_SPACY_LANGS = {"zh": ("zh", {"nlp": {"tokenizer": {"segmenter": "jieba"}}}), "en": ("en", {})}


def _write_spacy(records: Sequence[LabelRecord], path: Path, ctx: ExportContext) -> None:
    import spacy
    from policyscope.nlp.tokens import import_jieba
    from spacy.tokens import DocBin

    import_jieba()  # spaCy's zh tokenizer uses the global jieba; keep its loading quiet

    pipelines: dict[str, Any] = {}

    def nlp_for(lang: str) -> Any:
        # Japanese and Korean blanks need extra tokeniser packages; the multi-language blank needs none.
        code, config = _SPACY_LANGS.get(lang, ("xx", {}))
        if code not in pipelines:
            pipelines[code] = spacy.blank(code, config=config) if config else spacy.blank(code)
        return pipelines[code]

    db = DocBin(store_user_data=True)
    for r in records:
        lang = r.meta.lang or ""
        doc = nlp_for(lang).make_doc(r.text)
        accept = set(r.accept)
        doc.cats = {m: 1.0 if m in accept else 0.0 for m in ctx.measures}
        evidence = []
        seen: set[tuple[int, int, str]] = set()
        for t in r.tags:
            if t.measure not in accept:
                continue
            for s in t.spans:
                sp = doc.char_span(s.start, s.end, label=t.measure, alignment_mode="expand")
                if sp is not None and (sp.start, sp.end, t.measure) not in seen:
                    seen.add((sp.start, sp.end, t.measure))
                    evidence.append(sp)
        doc.spans["evidence"] = evidence
        doc.user_data["id"] = r.id
        doc.user_data["lang"] = lang
        doc.user_data["meta"] = json.dumps(asdict(r.meta), ensure_ascii=False)
        db.add(doc)
    db.to_disk(path)


WRITERS: dict[str, Writer] = {
    w.name: w
    for w in (
        Writer("jsonl", ".jsonl", _write_jsonl, read_jsonl, also_reads=(".json", ".ndjson")),
        Writer("csv", ".csv", _write_csv, read_csv, also_reads=(".tsv",)),
        Writer("parquet", ".parquet", _write_parquet, read_parquet),
        Writer("hf", "", write_hf, read_hf, splits=True),
        Writer("spacy", ".spacy", _write_spacy, read_spacy),
    )
}
"""Export writers by format name, in the order ``--format`` help lists them."""

EXPORT_FORMATS: tuple[str, ...] = tuple(WRITERS)


def get_writer(fmt: str) -> Writer:
    """The writer of format ``fmt``; ``ValueError`` listing the formats otherwise."""
    try:
        return WRITERS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}; available: {', '.join(WRITERS)}") from None


def format_of(path: str | Path) -> Writer:
    """The format of an existing label file: a directory is the directory format, a file goes by suffix.

    Raises:
        ValueError: no format reads that suffix (the message lists those that do).
    """
    path = Path(path)
    if path.is_dir():
        for w in WRITERS.values():
            if not w.suffix:
                return w
    suffix = path.suffix.lower()
    for w in WRITERS.values():
        if suffix and suffix in (w.suffix, *w.also_reads):
            return w
    readable = [x for w in WRITERS.values() for x in (w.suffix, *w.also_reads) if x]
    dirs = [w.name for w in WRITERS.values() if not w.suffix]
    raise ValueError(
        f"unsupported label file type {suffix or '(none)'!r}; use {', '.join(readable)}"
        + (f" or a directory of the {', '.join(dirs)} export" if dirs else "")
    )
