"""Label files read back: one reader per export format, all ending in the same :class:`LabelRow` list.

The Arrow-backed readers (parquet, and the splits of an ``hf`` dataset directory) are in :mod:`.arrow`.

A reader turns a file into :class:`LabelTable` s - plain rows of values, one table per file or per split -
and :func:`label_rows` interprets their label columns. Each export writes its labels one way, and the
importer reads any of these *views* of a row's labels:

* ``accept`` - a list of measure ids (JSONL; in CSV JSON text or ``;``-separated ids);
* the measure columns - one 0/1 column per measure (CSV, parquet, pandas edits of either);
* ``labels`` - class ids with ``ClassLabel`` names, or measure ids (the ``hf`` export);
* ``multi_hot`` - one 0/1 number per class, in ``ClassLabel`` order (the ``hf`` export);
* ``cats`` - a spaCy ``doc.cats`` dict, 1.0 or 0.0 for every measure.

A file holding several views (the ``hf`` export's ``labels`` and ``multi_hot``, or a parquet file with both
an ``accept`` list and the measure columns) must state the same labels in all of them: a row where they
differ is refused, since which one was edited cannot be told from the file. (Deciding it against the store
looks tempting, but is not idempotent: once the edit is imported, the stale view is the one that differs,
and importing the same file again would revert the edit.)

A whole-file problem - no ``id`` column, no label column, some measure columns missing, a label column of
the wrong type, or the same problem in every row - raises :class:`LabelFileError` with one line naming the
file; a problem of single rows is reported as ``file:row: problem``, one per row.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policyscope.corpus.errors import LoadError
from policyscope.corpus.jsonl import iter_jsonl

__all__ = [
    "LabelFileError",
    "LabelRow",
    "LabelTable",
    "label_rows",
    "read_csv",
    "read_jsonl",
    "read_spacy",
]

# View names, as messages show them.
ACCEPT, MEASURE_COLUMNS, LABELS, MULTI_HOT, CATS = (
    "'accept'",
    "the measure columns",
    "'labels'",
    "'multi_hot'",
    "cats",
)


class LabelFileError(LoadError):
    """A label file that cannot be imported; ``errors`` holds one line per problem (``file:row: problem``)."""

    def __init__(self, path: str | Path, errors: Sequence[str]):
        self.errors = list(errors)
        more = f" (and {len(self.errors) - 1} more error(s))" if len(self.errors) > 1 else ""
        first = self.errors[0] if self.errors else "no labels"
        # LoadError prefixes the path; the line errors already name it.
        super().__init__(path, first.removeprefix(f"{path}:").lstrip() + more)
        self.args = (first + more,)

    def __str__(self) -> str:
        return self.args[0]

    @classmethod
    def whole_file(cls, path: str | Path, problem: str) -> LabelFileError:
        """The error of a problem of the whole file: ``"<path>: <problem>"``."""
        return cls(path, [f"{path}: {problem}"])


@dataclass(frozen=True)
class LabelTable:
    """A label file (or one split of a dataset directory) as plain rows, before its labels are read.

    Attributes:
        path: the file (or dataset directory) the rows come from.
        columns: every column (JSONL: every key of any line).
        rows: ``(row number, values)``; the number is the line of a text file, else the 1-based row.
        split: the split of a dataset directory (``""`` for a plain file); messages show ``path:split:row``.
        class_names: the ``ClassLabel`` names of ``labels``/``multi_hot`` when the file carries them (else
            class ids are read in taxonomy order).
        bad_rows: ``(row number, problem)`` of rows that are not even a record (bad JSON).
    """

    path: Path
    columns: tuple[str, ...]
    rows: Sequence[tuple[int, Mapping[str, Any]]]
    split: str = ""
    class_names: tuple[str, ...] | None = None
    bad_rows: Sequence[tuple[int, str]] = ()

    def where(self, row: int) -> str:
        return f"{self.path}:{self.split}:{row}" if self.split else f"{self.path}:{row}"


@dataclass(frozen=True)
class LabelRow:
    """One labelled row: where it is (``file:row``; ``seq`` orders rows as in the file), the passage and the
    measures the file gives it."""

    where: str
    seq: tuple[int, int]
    id: str
    labels: frozenset[str]


class _Bad(Exception):
    """A cell that cannot be read; its message is the problem."""


# -- values -------------------------------------------------------------------------------------


def _parse_bool(value: str) -> bool | None:
    v = value.strip().lower()
    if v in ("1", "1.0", "true", "yes", "y", "x"):
        return True
    if v in ("", "0", "0.0", "false", "no", "n"):  # a blank spreadsheet cell is a 0
        return False
    return None


def _flag(value: Any) -> bool:
    """A 0/1 cell: a number or bool from a typed file, or CSV text."""
    if isinstance(value, str):
        b = _parse_bool(value)
    elif isinstance(value, bool) or type(value).__name__ == "bool_":
        b = bool(value)
    elif isinstance(value, int | float) or hasattr(value, "dtype"):  # numpy scalars from pandas
        f = float(value)
        b = None if math.isnan(f) else {0.0: False, 1.0: True}.get(f)
    else:
        b = None
    if b is None:
        raise _Bad(f"expected 0 or 1, got {value!r}")
    return b


def _as_list(value: Any) -> list[Any] | None:
    """A list cell: a list, a tuple or a numpy array (what pandas gives for a list column)."""
    if isinstance(value, list | tuple):
        return list(value)
    if hasattr(value, "tolist") and getattr(value, "ndim", 0) == 1:
        return list(value.tolist())
    return None


def _id_list(value: Any, what: str) -> list[str]:
    """A list of measure ids: a list of strings, or (from CSV) JSON text or ``;``/``,``-separated ids."""
    if isinstance(value, str):
        s = value.strip()
        if s.startswith("["):
            try:
                return _id_list(json.loads(s), what)
            except json.JSONDecodeError:
                raise _Bad(f"{what} is not valid JSON: {value!r}") from None
        return [x.strip() for x in s.replace(",", ";").split(";") if x.strip()]
    items = _as_list(value)
    if items is None or not all(isinstance(x, str) for x in items):
        raise _Bad(f"{what} must be a list of measure ids, got {value!r}")
    return items


def _accept_view(row: Mapping[str, Any], table: LabelTable, known: Sequence[str]) -> list[str]:
    if row.get("accept") is None:
        raise _Bad("'accept' is missing or null (write [] for a passage without measures)")
    return _id_list(row["accept"], "'accept'")


def _columns_view(row: Mapping[str, Any], table: LabelTable, known: Sequence[str]) -> list[str]:
    out = []
    for m in known:
        try:
            if _flag(row.get(m)):
                out.append(m)
        except _Bad as exc:
            raise _Bad(f"column {m!r}: {exc}") from None
    return out


def _class_names(table: LabelTable, known: Sequence[str]) -> Sequence[str]:
    # Without ClassLabel names (pandas drops the schema metadata that carries them), class ids and multi-hot
    # positions are read in taxonomy order: the order every export writes them in.
    return table.class_names if table.class_names is not None else known


def _labels_view(row: Mapping[str, Any], table: LabelTable, known: Sequence[str]) -> list[str]:
    value = row.get("labels")
    if value is None:
        raise _Bad("'labels' is missing or null (write [] for a passage without measures)")
    items = _as_list(value)
    if items is not None and items and all(not isinstance(x, str) for x in items):
        names = _class_names(table, known)
        out = []
        for x in items:
            if isinstance(x, bool) or not float(x).is_integer() or not 0 <= int(x) < len(names):
                raise _Bad(f"'labels': class id {x!r} outside 0..{len(names) - 1}")
            out.append(names[int(x)])
        return out
    return _id_list(value, "'labels'")


def _multi_hot_view(row: Mapping[str, Any], table: LabelTable, known: Sequence[str]) -> list[str]:
    names = _class_names(table, known)
    value = row.get("multi_hot")
    items = _as_list(json.loads(value) if isinstance(value, str) and value.strip().startswith("[") else value)
    if items is None or len(items) != len(names):
        raise _Bad(f"'multi_hot' must be {len(names)} numbers (0 or 1), got {value!r}")
    try:
        return [name for name, v in zip(names, items, strict=True) if _flag(v)]
    except _Bad as exc:
        raise _Bad(f"'multi_hot': {exc}") from None


def _cats_view(row: Mapping[str, Any], table: LabelTable, known: Sequence[str]) -> list[str]:
    cats = row.get("cats") or {}
    if not isinstance(cats, Mapping) or not cats:
        raise _Bad("doc.cats is empty (give every measure 1.0 or 0.0)")
    missing = [m for m in known if m not in cats]
    if missing:
        # spaCy reads a missing category as "unknown"; a passage's label set cannot say that.
        raise _Bad(f"doc.cats lacks {', '.join(missing)} (give every measure 1.0 or 0.0)")
    try:
        return [m for m, v in cats.items() if _flag(v)]
    except _Bad as exc:
        raise _Bad(f"doc.cats: {exc}") from None


ViewFn = Callable[[Mapping[str, Any], LabelTable, Sequence[str]], list[str]]


def _views(table: LabelTable, known: Sequence[str]) -> dict[str, ViewFn]:
    """The label views of a table's columns; a whole-file problem raises :class:`LabelFileError`."""
    cols = set(table.columns)
    if "id" not in cols:
        raise LabelFileError.whole_file(
            table.path, f"no 'id' column (columns: {', '.join(table.columns) or 'none'})"
        )
    views: dict[str, ViewFn] = {}
    if "accept" in cols:
        views[ACCEPT] = _accept_view
    present = [m for m in known if m in cols]
    if present:
        missing = [m for m in known if m not in cols]
        if missing:
            raise LabelFileError.whole_file(
                table.path,
                f"measure column(s) {', '.join(missing)} missing: keep all {len(known)} 0/1 measure columns "
                "(or drop them all and keep an 'accept' list)",
            )
        views[MEASURE_COLUMNS] = _columns_view
    if "labels" in cols:
        views[LABELS] = _labels_view
    if "multi_hot" in cols:
        views[MULTI_HOT] = _multi_hot_view
    if "cats" in cols:
        views[CATS] = _cats_view
    if not views:
        raise LabelFileError.whole_file(
            table.path,
            "no label column: expected 'accept' (a list of measure ids), 'labels', 'multi_hot' or the "
            f"{len(known)} 0/1 measure columns ({', '.join(known)})",
        )
    unknown = [n for n in table.class_names or () if n not in set(known)]
    if unknown:
        raise LabelFileError.whole_file(
            table.path,
            f"ClassLabel names include unknown measure(s) {', '.join(unknown)}; available: {', '.join(known)}",
        )
    return views


def label_rows(
    tables: Iterable[LabelTable], known: Sequence[str]
) -> tuple[list[LabelRow], int, list[tuple[tuple[int, int], str]]]:
    """Read the labels of every row of ``tables``.

    A Prodigy ``answer`` of ``reject`` or ``ignore`` skips the row. When one column fails in every row of a
    table (more than one row), that is reported once, as a problem of the file.

    Returns:
        ``(rows, skipped, errors)``: errors are ``(seq, "file:row: problem")``, ``seq`` = (table, row) orders
        them as in the file.

    Raises:
        LabelFileError: a problem of a whole file (see the module docstring).
    """
    known_set = set(known)
    rows: list[LabelRow] = []
    errors: list[tuple[tuple[int, int], str]] = []
    skipped = 0
    seen: dict[str, tuple[LabelTable, int]] = {}
    for t_index, table in enumerate(tables):
        views = _views(table, known)
        # column -> its row problems (seq, where, problem), to report a column broken in every row once
        failed: dict[str, list[tuple[tuple[int, int], str, str]]] = {}
        for line, problem in table.bad_rows:
            errors.append(((t_index, line), f"{table.where(line)}: {problem}"))
        for line, row in table.rows:
            seq = (t_index, line)
            where = table.where(line)
            answer = row.get("answer") or "accept"
            if answer in ("reject", "ignore"):
                skipped += 1
                continue
            pid = row.get("id")
            if not isinstance(pid, str) or not pid.strip():
                failed.setdefault("'id'", []).append((seq, where, "missing passage 'id'"))
                continue
            pid = pid.strip()
            got: dict[str, frozenset[str]] = {}
            bad = False
            for name, read in views.items():
                try:
                    labels = read(row, table, known)
                except _Bad as exc:
                    failed.setdefault(name, []).append((seq, where, str(exc)))
                    bad = True
                    continue
                unknown = list(dict.fromkeys(m for m in labels if m not in known_set))
                if unknown:
                    errors.append(
                        (
                            seq,
                            f"{where}: unknown measure(s) {', '.join(unknown)}; available: {', '.join(known)}",
                        )
                    )
                    bad = True
                    continue
                got[name] = frozenset(labels)
            if bad:
                continue
            if len(set(got.values())) > 1:
                shown = " and ".join(f"{name} {_show(labels)}" for name, labels in got.items())
                errors.append(
                    (seq, f"{where}: {shown} disagree; edit both, or remove the column you did not edit")
                )
                continue
            if pid in seen:
                first, first_line = seen[pid]
                at = f"line {first_line}" if first is table else f"{first.where(first_line)}"
                errors.append((seq, f"{where}: passage {pid} already labelled on {at}"))
                continue
            seen[pid] = (table, line)
            rows.append(LabelRow(where, seq, pid, next(iter(got.values()))))
        n = len(table.rows)
        for column, errs in failed.items():
            if n > 1 and len(errs) == n:
                raise LabelFileError.whole_file(
                    f"{table.path}:{table.split}" if table.split else table.path,
                    f"{column} unusable in all {n} rows (first: {errs[0][2]})",
                )
            errors += [(s, f"{where}: {problem}") for s, where, problem in errs]
    return rows, skipped, errors


def _show(labels: frozenset[str]) -> str:
    return "[" + ", ".join(sorted(labels)) + "]"


# -- readers ------------------------------------------------------------------------------------


def read_jsonl(path: Path, known: Sequence[str]) -> list[LabelTable]:
    """JSON lines: our export (``accept``), or any JSONL with ``id`` and a label key."""
    rows: list[tuple[int, Mapping[str, Any]]] = []
    bad: list[tuple[int, str]] = []
    columns: dict[str, None] = {}
    for line in iter_jsonl(path):
        if line.problem or line.obj is None:
            bad.append((line.lineno, line.problem or "not a json object"))
            continue
        rows.append((line.lineno, line.obj))
        columns.update(dict.fromkeys(line.obj))
    return [LabelTable(path, tuple(columns), rows, bad_rows=bad)]


def read_csv(path: Path, known: Sequence[str]) -> list[LabelTable]:
    """CSV (or, by suffix, TSV): our export's 0/1 measure columns, or an ``accept`` column."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LabelFileError.whole_file(path, f"not UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise LoadError.cannot_read(path, exc) from None
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = tuple(reader.fieldnames or ())
    rows: list[tuple[int, Mapping[str, Any]]] = []
    for row in reader:
        # The physical line where the record ends (multi-line texts are quoted).
        rows.append((reader.line_num, {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items()}))
    return [LabelTable(path, header, rows)]


def read_spacy(path: Path, known: Sequence[str]) -> list[LabelTable]:
    """A spaCy ``DocBin``: the passage id in ``doc.user_data["id"]``, the labels in ``doc.cats``."""
    import srsly
    from spacy.tokens import DocBin

    try:
        db = DocBin(store_user_data=True).from_disk(path)
    except (ValueError, OSError) as exc:
        raise LabelFileError.whole_file(
            path, f"not a readable spaCy DocBin ({str(exc).splitlines()[0]})"
        ) from None
    # DocBin keeps each doc's cats and msgpacked user_data side by side; reading them without rebuilding the
    # Docs (get_docs) is 4x faster (3 s instead of 13 s for 2,969 passages): no tokens or span groups.
    user_data = db.user_data if len(db.user_data) == len(db.cats) else [b""] * len(db.cats)
    rows = []
    for i, (cats, packed) in enumerate(zip(db.cats, user_data, strict=True), start=1):
        data = srsly.msgpack_loads(packed) if packed else {}
        rows.append((i, {"id": data.get("id") if isinstance(data, dict) else None, "cats": dict(cats)}))
    if rows and not any(r["id"] for _, r in rows):
        raise LabelFileError.whole_file(
            path, "no doc has a passage id in doc.user_data['id'] (save the DocBin with store_user_data=True)"
        )
    return [LabelTable(path, ("id", "cats"), rows)]
