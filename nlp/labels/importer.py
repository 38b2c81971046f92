"""Import a label file as human annotations: any of our exports (edited), or any JSONL with ``id`` and
``accept``.

The file states each passage's labels; :func:`import_labels` stores the ``add``/``reject`` annotations that
make the store's effective labels agree. The reader of each format comes from the export registry
(:data:`~.writers.WRITERS`), so every export format can be imported back; :mod:`~.readers` says which
columns carry labels and how a file holding them twice (``hf``: ``labels`` and ``multi_hot``) is read.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from policyscope.corpus.store import Store
from policyscope.nlp.labels.effective import effective_tags, latest_actions
from policyscope.nlp.labels.readers import LabelFileError, LabelRow, label_rows
from policyscope.nlp.labels.records import measure_order, taxonomy_ids
from policyscope.nlp.labels.writers import format_of

__all__ = ["ImportReport", "LabelFile", "LabelFileError", "PassageChange", "import_labels", "read_label_file"]


@dataclass(frozen=True)
class LabelFile:
    """A parsed label file: its format, labelled rows, rows skipped (Prodigy ``reject``/``ignore``) and the
    problems of single rows (``file:row: problem``, in file order)."""

    path: Path
    format: str
    rows: list[LabelRow]
    skipped: int
    errors: list[str]


@dataclass(frozen=True)
class PassageChange:
    """How a passage's effective labels change: measures added and removed."""

    id: str
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass
class ImportReport:
    """What an import changed (with ``dry_run``: would change; nothing was written).

    ``changed_passages``, ``added``, ``removed``, ``by_measure`` and ``changes`` count *effective* changes:
    passages whose labels differ after the import, and measures added to or removed from them. Re-importing an
    unchanged export reports 0. ``annotations`` counts the annotation rows written: besides the changes, an
    annotator's own record where their view differed (see :func:`import_labels`), and ``confirmed`` accepts.
    """

    path: Path
    annotator: str
    format: str = ""
    dry_run: bool = False
    rows: int = 0
    skipped: int = 0
    changed_passages: int = 0
    unchanged_passages: int = 0
    added: int = 0
    removed: int = 0
    by_measure: dict[str, dict[str, int]] = field(default_factory=dict)
    annotations: int = 0
    confirmed: int = 0
    changes: list[PassageChange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["path"] = str(self.path)
        return d


def read_label_file(path: str | Path, known: Sequence[str]) -> LabelFile:
    """Parse a label file (of any export format, chosen by :func:`~.writers.format_of`) without a store.

    Raises:
        LabelFileError: a problem of the whole file: unreadable, unsupported type, no ``id`` or label column,
            a label column of the wrong type, or missing measure columns (one line naming the file).
    """
    path = Path(path)
    fmt, rows, skipped, errors = _parse(path, known)
    return LabelFile(path, fmt, rows, skipped, [msg for _, msg in sorted(errors)])


def _parse(
    path: Path, known: Sequence[str]
) -> tuple[str, list[LabelRow], int, list[tuple[tuple[int, int], str]]]:
    if not path.exists():
        raise LabelFileError.whole_file(path, "no such file")
    try:
        fmt = format_of(path)
    except ValueError as exc:
        raise LabelFileError.whole_file(path, str(exc)) from None
    rows, skipped, errors = label_rows(fmt.read(path, known), known)
    return fmt.name, rows, skipped, errors


def import_labels(
    store: Store, path: str | Path, annotator: str, *, confirm: bool = False, dry_run: bool = False
) -> ImportReport:
    """Store a label file as human annotations, so each passage's effective labels equal the file's.

    Per row, relative to the current effective labels, a measure the file adds becomes an ``add`` annotation
    and a measure it drops a ``reject``; a passage whose labels already match changes nothing. Where the
    annotator's own view (machine tags with only their annotations) differs from the file, it is recorded too,
    so agreement statistics see this annotator's labels even when another annotator made the same change
    first. With ``confirm``, the kept machine measures are also stored as ``accept`` annotations, which marks
    the passages as reviewed by ``annotator``.

    The whole file is validated first (unknown passage ids or measures, malformed rows, duplicated ids, a row
    whose label columns disagree); any error raises :class:`LabelFileError` and nothing is stored. Otherwise all
    annotations are written in one transaction - or, with ``dry_run``, none.
    """
    path = Path(path)
    if not annotator or not annotator.strip():
        raise ValueError("an annotator name is required")
    known = taxonomy_ids()
    fmt, rows, skipped, errors = _parse(path, known)
    ids = [r.id for r in rows]
    present = set(store.get_passages(ids)) if ids else set()
    errors += [(r.seq, f"{r.where}: unknown passage id {r.id!r}") for r in rows if r.id not in present]
    if errors:
        raise LabelFileError(path, [msg for _, msg in sorted(errors)])
    report = ImportReport(
        path=path, annotator=annotator, format=fmt, dry_run=dry_run, rows=len(rows) + skipped, skipped=skipped
    )
    wanted = {r.id: r.labels for r in rows}
    current = effective_tags(store, list(wanted))
    # The annotator's own view: machine tags with only their annotations applied.
    views = effective_tags(store, list(wanted), annotator)
    machine = {pid: {t.measure for t in tags} for pid, tags in store.tags_for(list(wanted)).items()}
    own = latest_actions(store.annotations(), annotator)
    order = measure_order(known)
    writes: list[tuple[str, str, str]] = []
    for pid, want in wanted.items():
        have, view, mine = current.get(pid, set()), views.get(pid, set()), own.get(pid, {})
        added = sorted(want - have, key=order)
        removed = sorted(have - want, key=order)
        adds = sorted((want - have) | (want - view), key=order)
        rejects = sorted((have - want) | (view - want), key=order)
        confirms = []
        if confirm:
            kept = (want & machine.get(pid, set())) - set(adds)
            confirms = sorted(kept - {m for m in mine if mine[m] != "reject"}, key=order)
        writes += [(pid, m, "add") for m in adds] + [(pid, m, "reject") for m in rejects]
        writes += [(pid, m, "accept") for m in confirms]
        report.confirmed += len(confirms)
        if added or removed:
            report.changed_passages += 1
            report.changes.append(PassageChange(pid, tuple(added), tuple(removed)))
            for m in added:
                report.by_measure.setdefault(m, {"added": 0, "removed": 0})["added"] += 1
            for m in removed:
                report.by_measure.setdefault(m, {"added": 0, "removed": 0})["removed"] += 1
        else:
            report.unchanged_passages += 1
    report.added = sum(len(c.added) for c in report.changes)
    report.removed = sum(len(c.removed) for c in report.changes)
    report.by_measure = {m: report.by_measure[m] for m in sorted(report.by_measure, key=order)}
    report.annotations = len(writes)
    if not dry_run and writes:
        now = time.time()
        store.add_annotations((pid, m, action, annotator, now) for pid, m, action in writes)
    return report
