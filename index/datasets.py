"""Tagging datasets: export passages with their tags, import human labels back, and a review queue.

One record per passage, the same in every format:

``{"id", "text", "meta": {doc_id, title, title_zh, title_en, region, country, year, date, doc_kind, lang,
page, heading, kind}, "tags": [{"measure", "score", "source", "spans": [{"start", "end", "text"}]}],
"annotations": [{"measure", "action", "annotator", "created_at"}], "options": [{"id", "text"}],
"accept": [effective measures], "answer": "accept"}``

``tags`` lists what each source said (``rule``/``model``/``classifier``/``ensemble`` machine tags with their
evidence spans, plus ``human`` for measures a person accepted or added, score 1.0); span offsets point into
``text``. ``accept`` is the *effective* label set - machine tags corrected by humans (see
``nlp.effective``) - and is the only field :func:`import_labels` reads back. ``options``/``accept``/``answer``
is Prodigy's ``textcat_multilabel`` shape; ``text`` + ``meta`` + ``tags`` (as suggestions) map onto an Argilla
record.

Formats (see ``docs/tagging.md`` for an example of each):

* ``jsonl`` - the record above, one a line (UTF-8, Chinese unescaped).
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
import io
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from policyscope.corpus.errors import LoadError
from policyscope.corpus.records import Tag
from policyscope.corpus.store import Store

__all__ = [
    "EXPORT_FORMATS",
    "META_FIELDS",
    "SOURCES",
    "ExportReport",
    "ImportReport",
    "LabelFileError",
    "agreement",
    "annotator_labels",
    "default_export_path",
    "export_dataset",
    "import_labels",
    "iter_records",
    "read_label_file",
    "review_queue",
]

log = logging.getLogger(__name__)

ExportFormat = Literal["jsonl", "csv", "parquet", "hf", "spacy"]
EXPORT_FORMATS: tuple[str, ...] = ("jsonl", "csv", "parquet", "hf", "spacy")
SOURCES: tuple[str, ...] = ("rule", "model", "classifier", "ensemble", "human")
META_FIELDS: tuple[str, ...] = (
    "doc_id",
    "title",
    "title_zh",
    "title_en",
    "region",
    "country",
    "year",
    "date",
    "doc_kind",
    "lang",
    "page",
    "heading",
    "kind",
)
_INT_META = frozenset({"year", "page"})
_DEFAULT_SUFFIX = {"jsonl": ".jsonl", "csv": ".csv", "parquet": ".parquet", "hf": "", "spacy": ".spacy"}
_HUMAN_SCORE = 1.0
# How far from 0.5 a machine score may be and still count as "near the threshold" in the review queue. Every
# backend maps its decision threshold to 0.5 (the lexicon's weakest single match scores 0.55, the embedding
# tagger's threshold is 0.5 by construction, the classifier's default threshold is 0.5).
_THRESHOLD = 0.5


class LabelFileError(LoadError):
    """A label file that cannot be imported; ``errors`` holds one line per problem (``file:line: problem``)."""

    def __init__(self, path: str | Path, errors: Sequence[str]):
        self.errors = list(errors)
        more = f" (and {len(self.errors) - 1} more error(s))" if len(self.errors) > 1 else ""
        first = self.errors[0] if self.errors else "no labels"
        # LoadError prefixes the path; the line errors already name it.
        super().__init__(path, first.removeprefix(f"{path}:").lstrip() + more)
        self.args = (first + more,)

    def __str__(self) -> str:
        return self.args[0]


# --------------------------------------------------------------------------------------------------------
# Records


def _taxonomy_ids(measures: Sequence[str] | None = None) -> tuple[str, ...]:
    from policyscope.nlp.measures import load_taxonomy

    return load_taxonomy().ids if measures is None else tuple(measures)


def _taxonomy_names() -> dict[str, str]:
    from policyscope.nlp.measures import load_taxonomy

    return {m.id: f"{m.name_en} / {m.name_zh}" for m in load_taxonomy()}


def _human_state(annotations: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Latest human action per measure of one passage (annotations in id order)."""
    state: dict[str, str] = {}
    for a in annotations:
        state[a["measure"]] = a["action"]
    return state


def _tag_dict(t: Tag) -> dict[str, Any]:
    return {
        "measure": t.measure,
        "score": float(t.score),
        "source": t.source,
        "spans": [{"start": s.start, "end": s.end, "text": s.text} for s in t.spans],
    }


def iter_records(
    store: Store,
    measures: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    langs: Sequence[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Passages as export records (see the module docstring), in store order.

    Args:
        measures: keep passages whose effective tags include *any* of these measures.
        sources: keep passages with a tag from any of these sources (``human`` = a person accepted or added a
            measure), and list only those sources' tags.
        langs: keep passages in these languages (``zh``, ``en``, …).

    Raises:
        ValueError: an unknown measure or source, listing the valid ones.
    """
    from policyscope.nlp.effective import effective_tags

    known = _taxonomy_ids()
    bad = sorted(set(measures or ()) - set(known))
    if bad:
        raise ValueError(f"unknown measure(s) {', '.join(bad)}; available: {', '.join(known)}")
    bad = sorted(set(sources or ()) - set(SOURCES))
    if bad:
        raise ValueError(f"unknown source(s) {', '.join(bad)}; available: {', '.join(SOURCES)}")
    options = [{"id": mid, "text": name} for mid, name in _taxonomy_names().items()]
    ids = [r["id"] for r in store.passage_rows()]
    info = store.get_passages(ids)
    rows = [info[pid] for pid in ids]
    machine = store.tags_for(ids)
    effective = effective_tags(store, ids)
    by_passage: dict[str, list[dict[str, Any]]] = {}
    for a in store.annotations():
        by_passage.setdefault(a["passage_id"], []).append(a)
    wanted_measures = set(measures or ())
    wanted_sources = set(sources or ())
    wanted_langs = {x.lower() for x in langs or ()}
    for r in rows:
        pid = r["id"]
        if wanted_langs and (r["lang"] or "").lower() not in wanted_langs:
            continue
        accept = [m for m in known if m in effective.get(pid, set())]
        # Measures outside the taxonomy (an older taxonomy's tags) are kept at the end, not dropped.
        accept += sorted(effective.get(pid, set()) - set(known))
        if wanted_measures and not wanted_measures & set(accept):
            continue
        anns = by_passage.get(pid, [])
        tags = [_tag_dict(t) for t in sorted(machine.get(pid, []), key=_tag_order(known))]
        state = _human_state(anns)
        tags += [
            {"measure": m, "score": _HUMAN_SCORE, "source": "human", "spans": []}
            for m in sorted(state, key=_measure_order(known))
            if state[m] in ("accept", "add")
        ]
        if wanted_sources:
            tags = [t for t in tags if t["source"] in wanted_sources]
            if not tags:
                continue
        meta = {
            "doc_id": r["doc_id"],
            "title": r["title"],
            "title_zh": r["title_zh"],
            "title_en": r["title_en"],
            "region": r["region"],
            "country": r["country"],
            "year": r["year"],
            "date": r["date"],
            "doc_kind": r["doc_kind"],
            "lang": r["lang"],
            "page": r["page"],
            "heading": r["heading"],
            "kind": r["kind"],
        }
        yield {
            "id": pid,
            "text": r["text"],
            "meta": meta,
            "tags": tags,
            "annotations": [
                {
                    "measure": a["measure"],
                    "action": a["action"],
                    "annotator": a["annotator"],
                    "created_at": a["created_at"],
                }
                for a in anns
            ],
            "options": options,
            "accept": accept,
            "answer": "accept",
        }


def _measure_order(known: Sequence[str]) -> Callable[[str], tuple[int, str]]:
    pos = {m: i for i, m in enumerate(known)}
    return lambda m: (pos.get(m, len(pos)), m)


def _tag_order(known: Sequence[str]) -> Callable[[Tag], tuple[int, str, str]]:
    order = _measure_order(known)
    return lambda t: (*order(t.measure), t.source)


# --------------------------------------------------------------------------------------------------------
# Export


@dataclass
class ExportReport:
    """What an export wrote."""

    format: str
    path: Path
    passages: int = 0
    labelled: int = 0
    tags: int = 0
    by_measure: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["path"] = str(self.path)
        return d


def default_export_path(fmt: str, directory: str | Path = ".") -> Path:
    """``policyscope-tags.<ext>`` (a directory ``policyscope-tags-hf`` for ``hf``) in ``directory``."""
    _check_format(fmt)
    name = "policyscope-tags-hf" if fmt == "hf" else f"policyscope-tags{_DEFAULT_SUFFIX[fmt]}"
    return Path(directory) / name


def _check_format(fmt: str) -> None:
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; available: {', '.join(EXPORT_FORMATS)}")


def export_dataset(
    store: Store,
    fmt: str,
    path: str | Path,
    measures: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    *,
    langs: Sequence[str] | None = None,
) -> ExportReport:
    """Write the passages (filtered as in :func:`iter_records`) to ``path`` in format ``fmt``.

    The file (or, for ``hf``, the directory) is written beside ``path`` and renamed into place, so a failed
    export never leaves a half-written file behind.

    Raises:
        ValueError: unknown format, measure or source.
    """
    _check_format(fmt)
    path = Path(path)
    known = _taxonomy_ids()
    records = list(iter_records(store, measures=measures, sources=sources, langs=langs))
    report = ExportReport(format=fmt, path=path, passages=len(records))
    report.labelled = sum(1 for r in records if r["accept"])
    report.tags = sum(len(r["tags"]) for r in records)
    report.by_measure = {m: sum(1 for r in records if m in r["accept"]) for m in known}
    writer = _WRITERS[fmt]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        target = tmp / (path.name or "out")
        writer(records, target, known)
        if path.is_dir():
            shutil.rmtree(path)
        os.replace(target, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report


def _write_jsonl(records: list[dict[str, Any]], path: Path, known: Sequence[str]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def _flat(record: Mapping[str, Any], known: Sequence[str]) -> dict[str, Any]:
    """A record as one flat row: meta fields become columns, one 0/1 column per measure."""
    clash = sorted(set(known) & {"id", "text", "accept", "tags", "annotations", *META_FIELDS})
    if clash:
        raise ValueError(f"measure id(s) {clash} clash with column names; rename them in the taxonomy")
    row: dict[str, Any] = {"id": record["id"], "text": record["text"]}
    row.update({k: record["meta"].get(k) for k in META_FIELDS})
    accept = set(record["accept"])
    row.update({m: int(m in accept) for m in known})
    row["accept"] = list(record["accept"])
    row["tags"] = record["tags"]
    row["annotations"] = record["annotations"]
    return row


def _write_csv(records: list[dict[str, Any]], path: Path, known: Sequence[str]) -> None:
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


def _arrow_table(records: list[dict[str, Any]], known: Sequence[str]) -> Any:
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
    fields += [pa.field(k, pa.int32() if k in _INT_META else pa.string()) for k in META_FIELDS]
    fields += [pa.field(m, pa.int8()) for m in known]
    fields += [
        pa.field("accept", pa.list_(pa.string())),
        pa.field("tags", pa.list_(tag)),
        pa.field("annotations", pa.list_(ann)),
    ]
    schema = pa.schema(fields, metadata={"policyscope.measures": json.dumps(list(known))})
    rows = [_flat(r, known) for r in records]
    return pa.Table.from_pylist(rows, schema=schema)


def _write_parquet(records: list[dict[str, Any]], path: Path, known: Sequence[str]) -> None:
    import pyarrow.parquet as pq

    pq.write_table(_arrow_table(records, known), path)


_HF_CARD = """---
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train.parquet
language:
- zh
- en
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


def _write_hf(records: list[dict[str, Any]], path: Path, known: Sequence[str]) -> None:
    from policyscope.nlp.measures import load_taxonomy

    tax = load_taxonomy()
    (path / "data").mkdir(parents=True)
    _write_parquet(records, path / "data" / "train.parquet", known)
    names = _taxonomy_names()
    rows = "\n".join(
        f"| `{m}` | {names.get(m, m)} | {sum(1 for r in records if m in r['accept'])} |" for m in known
    )
    card = _HF_CARD.format(
        n_measures=len(known),
        version=tax.version,
        n=len(records),
        labelled=sum(1 for r in records if r["accept"]),
        dirname=path.name.split(".")[0] or "DIR",
        meta=", ".join(f"`{k}`" for k in META_FIELDS),
        rows=rows,
    )
    (path / "README.md").write_text(card, encoding="utf-8")
    (path / "measures.json").write_text(json.dumps(list(known), ensure_ascii=False), encoding="utf-8")


_SPACY_LANGS = {"zh": ("zh", {"nlp": {"tokenizer": {"segmenter": "jieba"}}}), "en": ("en", {})}


def _write_spacy(records: list[dict[str, Any]], path: Path, known: Sequence[str]) -> None:
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
        lang = r["meta"].get("lang") or ""
        doc = nlp_for(lang).make_doc(r["text"])
        accept = set(r["accept"])
        doc.cats = {m: 1.0 if m in accept else 0.0 for m in known}
        evidence = []
        seen: set[tuple[int, int, str]] = set()
        for t in r["tags"]:
            if t["measure"] not in accept:
                continue
            for s in t["spans"]:
                sp = doc.char_span(s["start"], s["end"], label=t["measure"], alignment_mode="expand")
                if sp is not None and (sp.start, sp.end, t["measure"]) not in seen:
                    seen.add((sp.start, sp.end, t["measure"]))
                    evidence.append(sp)
        doc.spans["evidence"] = evidence
        doc.user_data["id"] = r["id"]
        doc.user_data["lang"] = lang
        doc.user_data["meta"] = json.dumps(r["meta"], ensure_ascii=False)
        db.add(doc)
    db.to_disk(path)


_WRITERS: dict[str, Callable[[list[dict[str, Any]], Path, Sequence[str]], None]] = {
    "jsonl": _write_jsonl,
    "csv": _write_csv,
    "parquet": _write_parquet,
    "hf": _write_hf,
    "spacy": _write_spacy,
}


# --------------------------------------------------------------------------------------------------------
# Import


@dataclass
class ImportReport:
    """What an import changed. ``added``/``rejected`` count annotations written."""

    path: Path
    annotator: str
    rows: int = 0
    skipped: int = 0
    changed_passages: int = 0
    unchanged_passages: int = 0
    added: int = 0
    rejected: int = 0
    confirmed: int = 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["path"] = str(self.path)
        return d


def _parse_bool(value: str) -> bool | None:
    v = value.strip().lower()
    if v in ("1", "1.0", "true", "yes", "y", "x"):
        return True
    if v in ("", "0", "0.0", "false", "no", "n"):
        return False
    return None


def _parse_accept(raw: Any) -> list[str] | None:
    """An ``accept`` value: a JSON list, or (from CSV) JSON text or ``;``/``,``-separated ids."""
    if isinstance(raw, list):
        return raw if all(isinstance(x, str) for x in raw) else None
    if isinstance(raw, str):
        s = raw.strip()
        if s.startswith("["):
            try:
                return _parse_accept(json.loads(s))
            except json.JSONDecodeError:
                return None
        return [x.strip() for x in s.replace(",", ";").split(";") if x.strip()]
    return None


def read_label_file(
    path: str | Path, known: Sequence[str]
) -> tuple[list[tuple[int, str, list[str]]], int, list[str]]:
    """Parse a label file into ``(line, passage id, measures)`` rows without touching a store.

    JSONL rows need ``id`` and ``accept``; a Prodigy ``answer`` of ``reject`` or ``ignore`` skips the row.
    CSV rows need ``id`` and either one 0/1 column per measure or an ``accept`` column. Parquet (our export)
    is read like JSONL.

    Returns:
        ``(rows, skipped, errors)``: errors are ``file:line: problem`` strings.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        raw_rows = list(_jsonl_rows(path))
    elif suffix in (".csv", ".tsv"):
        raw_rows = list(_csv_rows(path, known, "\t" if suffix == ".tsv" else ","))
    elif suffix == ".parquet":
        raw_rows = list(_parquet_rows(path))
    else:
        problem = f"unsupported label file type {suffix or '(none)'!r}; use .jsonl, .csv or .parquet"
        raise LabelFileError(path, [f"{path}: {problem}"])
    rows: list[tuple[int, str, list[str]]] = []
    errors: list[str] = []
    skipped = 0
    seen: dict[str, int] = {}
    known_set = set(known)
    for line, obj, problem in raw_rows:
        where = f"{path}:{line}"
        if problem:
            errors.append(f"{where}: {problem}")
            continue
        answer = obj.get("answer", "accept")
        if answer in ("reject", "ignore"):
            skipped += 1
            continue
        pid = obj.get("id")
        if not isinstance(pid, str) or not pid.strip():
            errors.append(f"{where}: missing passage 'id'")
            continue
        if "accept" not in obj:
            errors.append(
                f"{where}: no labels (expected an 'accept' list{' or measure columns' if suffix == '.csv' else ''})"
            )
            continue
        accept = _parse_accept(obj["accept"])
        if accept is None:
            errors.append(f"{where}: 'accept' must be a list of measure ids, got {obj['accept']!r}")
            continue
        unknown = [m for m in accept if m not in known_set]
        if unknown:
            errors.append(f"{where}: unknown measure(s) {', '.join(unknown)}; available: {', '.join(known)}")
            continue
        if pid in seen:
            errors.append(f"{where}: passage {pid} already labelled on line {seen[pid]}")
            continue
        seen[pid] = line
        rows.append((line, pid, list(dict.fromkeys(accept))))
    return rows, skipped, errors


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any], str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        yield 1, {}, f"not UTF-8 ({exc.reason})"
        return
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield i, {}, f"not valid JSON ({exc.msg})"
            continue
        if not isinstance(obj, dict):
            yield i, {}, "expected a JSON object"
            continue
        yield i, obj, ""


def _csv_rows(path: Path, known: Sequence[str], delimiter: str) -> Iterator[tuple[int, dict[str, Any], str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        yield 1, {}, f"not UTF-8 ({exc.reason})"
        return
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = reader.fieldnames or []
    if "id" not in header:
        yield 1, {}, f"no 'id' column (columns: {', '.join(header) or 'none'})"
        return
    # Measure columns are the taxonomy ids present in the header; any other column is metadata.
    measure_cols = [c for c in header if c in set(known)]
    has_accept = "accept" in header
    if not measure_cols and not has_accept:
        yield 1, {}, f"no label columns: expected one 0/1 column per measure ({', '.join(known)}) or 'accept'"
        return
    for row in reader:
        line = reader.line_num  # physical line where this record ends (multi-line texts are quoted)
        obj: dict[str, Any] = {"id": (row.get("id") or "").strip()}
        if row.get("answer"):
            obj["answer"] = row["answer"].strip()
        if measure_cols:
            labels = []
            for c in measure_cols:
                v = _parse_bool(row.get(c) or "")
                if v is None:
                    yield line, {}, f"column {c!r}: expected 0 or 1, got {row.get(c)!r}"
                    break
                if v:
                    labels.append(c)
            else:
                if has_accept and (row.get("accept") or "").strip():
                    other = _parse_accept(row["accept"])
                    if other is None or set(other) != set(labels):
                        yield line, {}, "'accept' column disagrees with the measure columns; keep one of them"
                        continue
                obj["accept"] = labels
                yield line, obj, ""
            continue
        obj["accept"] = row.get("accept") or ""
        yield line, obj, ""


def _parquet_rows(path: Path) -> Iterator[tuple[int, dict[str, Any], str]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        yield 1, {}, f"not a readable parquet file ({exc})"
        return
    for i, row in enumerate(table.to_pylist(), start=1):
        yield i, {"id": row.get("id"), "accept": row.get("accept") or []}, ""


def import_labels(store: Store, path: str | Path, annotator: str, *, confirm: bool = False) -> ImportReport:
    """Store a label file as human annotations, so each passage's effective tags equal its ``accept`` list.

    Relative to the current effective tags (and to ``annotator``'s own earlier labels), a measure the file
    adds becomes an ``add`` annotation and a measure it drops a ``reject``; a passage whose labels already
    match writes nothing. With ``confirm``,
    the kept machine measures are also stored as ``accept`` annotations, which marks the passage as reviewed
    by ``annotator`` (for agreement statistics and classifier training).

    The whole file is validated first (unknown passage ids or measures, malformed rows, duplicated ids);
    any error raises :class:`LabelFileError` and nothing is stored. Otherwise all annotations are written in
    one transaction.
    """
    from policyscope.nlp.effective import effective_tags

    path = Path(path)
    if not annotator or not annotator.strip():
        raise ValueError("an annotator name is required")
    if not path.is_file():
        raise LabelFileError(path, [f"{path}: no such file"])
    known = _taxonomy_ids()
    rows, skipped, errors = read_label_file(path, known)
    ids = [pid for _, pid, _ in rows]
    present = set(store.get_passages(ids)) if ids else set()
    errors += [f"{path}:{line}: unknown passage id {pid!r}" for line, pid, _ in rows if pid not in present]
    if errors:
        errors.sort(key=_error_line)
        raise LabelFileError(path, errors)
    report = ImportReport(path=path, annotator=annotator, rows=len(rows) + skipped, skipped=skipped)
    current = effective_tags(store, ids)
    machine = {pid: {t.measure for t in tags} for pid, tags in store.tags_for(ids).items()}
    own = _latest_actions(store, annotator, set(ids))
    writes: list[tuple[str, str, str]] = []
    for _, pid, accept in rows:
        want, have = set(accept), current.get(pid, set())
        mine = own.get(pid, {})
        # The annotator's own view: machine tags with only their annotations applied. Writing where either
        # view differs keeps the effective tags equal to the file *and* records this annotator's labels for
        # agreement, even when another annotator already made the same change.
        view = {m for m in machine.get(pid, set()) | set(mine) if mine.get(m, "accept") != "reject"}
        order = _measure_order(known)
        adds = sorted((want - have) | (want - view), key=order)
        rejects = sorted((have - want) | (view - want), key=order)
        confirms = (
            sorted(
                (want & machine.get(pid, set())) - set(adds) - {m for m in mine if mine[m] != "reject"},
                key=order,
            )
            if confirm
            else []
        )
        writes += [(pid, m, "add") for m in adds] + [(pid, m, "reject") for m in rejects]
        writes += [(pid, m, "accept") for m in confirms]
        report.added += len(adds)
        report.rejected += len(rejects)
        report.confirmed += len(confirms)
        if adds or rejects:
            report.changed_passages += 1
        else:
            report.unchanged_passages += 1
    _write_annotations(store, writes, annotator)
    return report


def _latest_actions(store: Store, annotator: str, ids: set[str]) -> dict[str, dict[str, str]]:
    """``{passage: {measure: latest action}}`` of one annotator on these passages."""
    out: dict[str, dict[str, str]] = {}
    for a in store.annotations():
        if a["annotator"] == annotator and a["passage_id"] in ids:
            out.setdefault(a["passage_id"], {})[a["measure"]] = a["action"]
    return out


def _error_line(message: str) -> tuple[int, str]:
    parts = message.split(":")
    for p in parts[1:2]:
        if p.isdigit():
            return int(p), message
    return 0, message


def _write_annotations(store: Store, writes: Sequence[tuple[str, str, str]], annotator: str) -> None:
    """All annotations of one import in one transaction."""
    import time

    if not writes:
        return
    now = time.time()
    store.add_annotations((pid, m, action, annotator, now) for pid, m, action in writes)


# --------------------------------------------------------------------------------------------------------
# Review queue


def _closeness(score: float) -> float:
    """1.0 at the decision threshold (score 0.5), falling linearly to 0.0 at scores 0 and 1."""
    return max(0.0, 1.0 - abs(float(score) - _THRESHOLD) / _THRESHOLD)


def review_queue(
    store: Store,
    limit: int = 20,
    annotator: str | None = None,
    *,
    scores: Mapping[str, Mapping[str, float]] | None = None,
) -> list[dict[str, Any]]:
    """Passages most worth a human look, most uncertain first.

    A passage is skipped once a human annotated it (once ``annotator`` did, when given). The rest are ranked
    by, in order:

    1. **disagreement** - the number of measures on which the stored sources disagree (e.g. the lexicon
       tagged ``recycling`` but a stored embedding or classifier tag set does not, or vice versa);
    2. **closeness to the threshold** - the largest ``1 - |score - 0.5| / 0.5`` over the passage's machine
       scores, and over ``scores`` (optional extra per-passage measure scores, e.g. an embedding tagger's
       scores for passages the lexicon left untagged);
    3. the sum of those closenesses (several weak tags before one), then the passage id, so the order is
       deterministic.

    Worked example: a passage whose only tag is ``recycling`` from one short lexicon term (score 0.55) has
    closeness 0.9 and comes before one tagged by two five-character terms (score 0.98, closeness 0.04);
    a passage the lexicon and the embedding tagger disagree on comes before both.

    Returns dicts with ``passage_id``, ``text``, ``lang``, ``doc_id``, ``title``, ``heading``, ``tags``
    (as in exports), ``effective`` (measures), ``priority``, ``disagreement``, ``closeness`` and ``reasons``.
    """
    from policyscope.nlp.effective import effective_tags

    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    reviewed = {
        a["passage_id"] for a in store.annotations() if annotator is None or a["annotator"] == annotator
    }
    rows = {r["id"]: dict(r) for r in store.passage_rows() if r["id"] not in reviewed}
    ids = list(rows)
    machine = store.tags_for(ids)
    known = _taxonomy_ids()
    ranked: list[tuple[float, float, float, str, dict[str, Any]]] = []
    for pid in ids:
        tags = machine.get(pid, [])
        by_source: dict[str, dict[str, float]] = {}
        for t in tags:
            by_source.setdefault(t.source, {})[t.measure] = float(t.score)
        reasons: list[str] = []
        disagree: set[str] = set()
        sources = sorted(by_source)
        if len(sources) > 1:
            union = set().union(*(set(v) for v in by_source.values()))
            for m in sorted(union, key=_measure_order(known)):
                voters = [s for s in sources if m in by_source[s]]
                if len(voters) != len(sources):
                    disagree.add(m)
                    reasons.append(f"{m}: only {', '.join(voters)} of {', '.join(sources)}")
        best, best_reason, total = 0.0, "", 0.0
        for t in tags:
            c = _closeness(t.score)
            total += c
            if c > best:
                best, best_reason = c, f"{t.measure}: {t.source} score {t.score:.2f} near threshold"
        for m, s in (scores or {}).get(pid, {}).items():
            c = _closeness(s)
            total += c
            if c > best:
                best, best_reason = c, f"{m}: extra score {s:.2f} near threshold"
        if best_reason:
            reasons.append(best_reason)
        if not disagree and best == 0.0:
            continue  # nothing uncertain about an untagged passage no scorer looked at
        ranked.append((-float(len(disagree)), -round(best, 6), -round(total, 6), pid, {"reasons": reasons}))
    ranked.sort(key=lambda x: x[:4])
    chosen = ranked[:limit]
    effective = effective_tags(store, [pid for *_, pid, _ in chosen])
    out = []
    for neg_dis, neg_best, _, pid, extra in chosen:
        r = rows[pid]
        out.append(
            {
                "passage_id": pid,
                "text": r["text"],
                "lang": r["lang"],
                "doc_id": r["doc_id"],
                "title": r["title_zh"] or r["title_en"] or r["title"],
                "heading": r["heading"],
                "tags": [_tag_dict(t) for t in sorted(machine.get(pid, []), key=_tag_order(known))],
                "effective": [m for m in known if m in effective.get(pid, set())],
                "disagreement": int(-neg_dis),
                "closeness": round(-neg_best, 4),
                "priority": round(-neg_dis + -neg_best, 4),
                "reasons": extra["reasons"],
            }
        )
    return out


def annotator_labels(store: Store, annotator: str) -> dict[str, set[str]]:
    """The label set ``annotator`` gave each passage they annotated: machine tags with *their* annotations
    applied in order (a measure they did not touch keeps the machine's decision)."""
    anns = [a for a in store.annotations() if a["annotator"] == annotator]
    ids = list(dict.fromkeys(a["passage_id"] for a in anns))
    labels = {pid: {t.measure for t in tags} for pid, tags in store.tags_for(ids).items()}
    for a in anns:
        if a["action"] == "reject":
            labels[a["passage_id"]].discard(a["measure"])
        else:
            labels[a["passage_id"]].add(a["measure"])
    return labels


def agreement(store: Store, a: str, b: str, measures: Sequence[str] | None = None) -> dict[str, Any]:
    """Cohen's kappa per measure between annotators ``a`` and ``b`` (``b="model"``: the machine tags).

    Items are the passages both annotated (with ``model``: every passage ``a`` annotated).
    """
    from policyscope.nlp.tagmetrics import kappa_per_measure

    known = _taxonomy_ids(measures)
    la = annotator_labels(store, a)
    if not la:
        raise ValueError(f"annotator {a!r} has no annotations")
    if b == "model":
        ids = sorted(la)
        machine = store.tags_for(ids)
        lb = {pid: {t.measure for t in machine.get(pid, [])} for pid in ids}
    else:
        lb = annotator_labels(store, b)
        if not lb:
            raise ValueError(f"annotator {b!r} has no annotations")
        ids = sorted(set(la) & set(lb))
    if not ids:
        raise ValueError(f"annotators {a!r} and {b!r} share no annotated passage")
    kappa = kappa_per_measure([la[i] for i in ids], [lb[i] for i in ids], known)
    support = {
        m: {"a": sum(1 for i in ids if m in la[i]), "b": sum(1 for i in ids if m in lb[i])} for m in known
    }
    agree = {m: sum(1 for i in ids if (m in la[i]) == (m in lb[i])) / len(ids) for m in known}
    return {
        "a": a,
        "b": b,
        "n": len(ids),
        "kappa": {m: kappa[m] for m in known},
        "mean_kappa": kappa["mean"],
        "observed_agreement": agree,
        "positives": support,
        "exact_match": sum(1 for i in ids if la[i] & set(known) == lb[i] & set(known)) / len(ids),
        "passages": ids,
    }
