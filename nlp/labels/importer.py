"""Import a label file as human annotations: our JSONL/CSV/parquet export (edited), or any JSONL with
``id`` and ``accept``.

Only ``accept`` (or, in CSV, the 0/1 measure columns) is read back: the file states each passage's effective
labels, and :func:`import_labels` stores the ``add``/``reject`` annotations that make the store agree.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from policyscope.corpus.errors import LoadError
from policyscope.corpus.jsonl import iter_jsonl
from policyscope.corpus.store import Store
from policyscope.nlp.labels.effective import effective_tags, latest_actions
from policyscope.nlp.labels.records import measure_order, taxonomy_ids

__all__ = ["ImportReport", "LabelFileError", "import_labels", "read_label_file"]


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
    for line in iter_jsonl(path):
        yield line.lineno, line.obj or {}, line.problem


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
    path = Path(path)
    if not annotator or not annotator.strip():
        raise ValueError("an annotator name is required")
    if not path.is_file():
        raise LabelFileError(path, [f"{path}: no such file"])
    known = taxonomy_ids()
    rows, skipped, errors = read_label_file(path, known)
    ids = [pid for _, pid, _ in rows]
    present = set(store.get_passages(ids)) if ids else set()
    errors += [f"{path}:{line}: unknown passage id {pid!r}" for line, pid, _ in rows if pid not in present]
    if errors:
        errors.sort(key=_error_line)
        raise LabelFileError(path, errors)
    report = ImportReport(path=path, annotator=annotator, rows=len(rows) + skipped, skipped=skipped)
    current = effective_tags(store, ids)
    # The annotator's own view: machine tags with only their annotations applied. Writing where either
    # view differs keeps the effective tags equal to the file *and* records this annotator's labels for
    # agreement, even when another annotator already made the same change.
    views = effective_tags(store, ids, annotator)
    machine = {pid: {t.measure for t in tags} for pid, tags in store.tags_for(ids).items()}
    own = latest_actions(store.annotations(), annotator)
    order = measure_order(known)
    writes: list[tuple[str, str, str]] = []
    for _, pid, accept in rows:
        want, have = set(accept), current.get(pid, set())
        mine = own.get(pid, {})
        view = views.get(pid, set())
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
