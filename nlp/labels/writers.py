"""Export writers: one per dataset format, each knowing its name and default file suffix.

:data:`WRITERS` is the only list of formats; ``EXPORT_FORMATS`` and the default file names derive from it.
Every writer gets the :class:`~policyscope.nlp.labels.records.LabelRecord` list, the target path and the
measure ids, and writes one file (or, with an empty suffix, one directory):

* ``jsonl`` - :meth:`LabelRecord.to_dict`, one a line (UTF-8, Chinese unescaped).
* ``csv`` - one row per passage: ``id``, ``text``, the meta fields, one ``0``/``1`` column per measure (the
  effective labels, editable in a spreadsheet), and ``tags``/``annotations`` as JSON text. UTF-8 with a BOM
  so spreadsheet programs show Chinese.
* ``parquet`` - the CSV's columns with ``tags``/``annotations`` as nested lists of structs and ``accept`` as
  a list of strings.
* ``hf`` - a directory ``data/train.parquet`` + ``README.md`` (a dataset card whose YAML header names the
  data files), loadable with ``datasets.load_dataset(DIR)`` or ``load_dataset("parquet", data_files=...)``.
* ``spacy`` - a ``.spacy`` ``DocBin`` for ``textcat_multilabel``: ``doc.cats`` holds all measures (1.0/0.0),
  ``doc.spans["evidence"]`` the evidence of the effective tags, ``doc.user_data`` the passage id and meta.
  Chinese passages are tokenised by spaCy's jieba segmenter, English by spaCy's English rules.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from policyscope.nlp.labels.records import INT_META, META_FIELDS, LabelRecord, tag_dict, taxonomy_names

__all__ = ["EXPORT_FORMATS", "WRITERS", "Writer", "get_writer"]

WriteFn = Callable[[Sequence[LabelRecord], Path, Sequence[str]], None]


@dataclass(frozen=True)
class Writer:
    """An export format: its registry name, the suffix of its file (empty for a directory) and the writer."""

    name: str
    suffix: str
    write: WriteFn

    def file_name(self, stem: str) -> str:
        """``stem`` + suffix, or ``stem-<name>`` for a directory format (``policyscope-tags-hf``)."""
        return f"{stem}{self.suffix}" if self.suffix else f"{stem}-{self.name}"


def _write_jsonl(records: Sequence[LabelRecord], path: Path, known: Sequence[str]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for r in records:
            f.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")


def _flat(record: LabelRecord, known: Sequence[str]) -> dict[str, Any]:
    """A record as one flat row: meta fields become columns, one 0/1 column per measure."""
    clash = sorted(set(known) & {"id", "text", "accept", "tags", "annotations", *META_FIELDS})
    if clash:
        raise ValueError(f"measure id(s) {clash} clash with column names; rename them in the taxonomy")
    row: dict[str, Any] = {"id": record.id, "text": record.text}
    row.update(asdict(record.meta))
    accept = set(record.accept)
    row.update({m: int(m in accept) for m in known})
    row["accept"] = list(record.accept)
    row["tags"] = [tag_dict(t) for t in record.tags]
    row["annotations"] = [asdict(a) for a in record.annotations]
    return row


def _write_csv(records: Sequence[LabelRecord], path: Path, known: Sequence[str]) -> None:
    # The 0/1 measure columns are the labels; there is no ``accept`` column, so a spreadsheet edit has one
    # place to go (import_labels reads either, and refuses a file where both disagree).
    columns = ["id", "text", *META_FIELDS, *known, "tags", "annotations"]
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        for r in records:
            row = _flat(r, known)
            row.pop("accept")
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
        pa.field("accept", pa.list_(pa.string())),
        pa.field("tags", pa.list_(tag)),
        pa.field("annotations", pa.list_(ann)),
    ]
    schema = pa.schema(fields, metadata={"policyscope.measures": json.dumps(list(known))})
    rows = [_flat(r, known) for r in records]
    return pa.Table.from_pylist(rows, schema=schema)


def _write_parquet(records: Sequence[LabelRecord], path: Path, known: Sequence[str]) -> None:
    import pyarrow.parquet as pq

    pq.write_table(_arrow_table(records, known), path)


# No `configs:` block: with one, `datasets` (5.x) keys its cache on the folder name and the config
# alone, so loading a re-exported or another workspace's `hfds` folder returned the old rows. Without
# it, `data/train.parquet` is found by name and the cache key covers the file itself.
_HF_CARD = """---
language:
- zh
- en
- ja
- ko
task_categories:
- text-classification
task_ids:
- multi-label-classification
---

# policyscope measure-tagging dataset

Passages of policy documents with the {n_measures} policy measures of taxonomy `{version}`, exported by
`policyscope export --format hf`. {n} passages, {labelled} with at least one measure.

Load it with `datasets.load_dataset("{dirname}")` (or `load_dataset("parquet",
data_files="{dirname}/data/train.parquet")`).

Columns: `id`, `text`, document metadata ({meta}), one 0/1 column per measure (the effective labels: machine
tags corrected by humans), `accept` (the same labels as a list), `tags` (per source: measure, score, source,
evidence spans with character offsets into `text`) and `annotations` (human accept/reject/add decisions).

| measure | name | passages |
|---|---|---|
{rows}
"""


def _write_hf(records: Sequence[LabelRecord], path: Path, known: Sequence[str]) -> None:
    from policyscope.nlp.measures import load_taxonomy

    tax = load_taxonomy()
    (path / "data").mkdir(parents=True)
    _write_parquet(records, path / "data" / "train.parquet", known)
    names = taxonomy_names()
    rows = "\n".join(
        f"| `{m}` | {names.get(m, m)} | {sum(1 for r in records if m in r.accept)} |" for m in known
    )
    card = _HF_CARD.format(
        n_measures=len(known),
        version=tax.version,
        n=len(records),
        labelled=sum(1 for r in records if r.accept),
        dirname=path.name.split(".")[0] or "DIR",
        meta=", ".join(f"`{k}`" for k in META_FIELDS),
        rows=rows,
    )
    (path / "README.md").write_text(card, encoding="utf-8")
    (path / "measures.json").write_text(json.dumps(list(known), ensure_ascii=False), encoding="utf-8")


_SPACY_LANGS = {"zh": ("zh", {"nlp": {"tokenizer": {"segmenter": "jieba"}}}), "en": ("en", {})}


def _write_spacy(records: Sequence[LabelRecord], path: Path, known: Sequence[str]) -> None:
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
        doc.cats = {m: 1.0 if m in accept else 0.0 for m in known}
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
        Writer("jsonl", ".jsonl", _write_jsonl),
        Writer("csv", ".csv", _write_csv),
        Writer("parquet", ".parquet", _write_parquet),
        Writer("hf", "", _write_hf),
        Writer("spacy", ".spacy", _write_spacy),
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
