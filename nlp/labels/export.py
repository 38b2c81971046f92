"""Export the label records of a store as a dataset file in one of the :data:`~.writers.WRITERS` formats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from policyscope.corpus.atomic import staged
from policyscope.corpus.store import Store
from policyscope.nlp.labels.records import iter_records, taxonomy_ids
from policyscope.nlp.labels.writers import get_writer

__all__ = ["ExportReport", "default_export_path", "export_dataset"]


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
    return Path(directory) / get_writer(fmt).file_name("policyscope-tags")


def export_dataset(
    store: Store,
    fmt: str,
    path: str | Path,
    measures: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    *,
    langs: Sequence[str] | None = None,
) -> ExportReport:
    """Write the passages (filtered as in :func:`~.records.iter_records`) to ``path`` in format ``fmt``.

    The file (or, for ``hf``, the directory) is written beside ``path`` and renamed into place, so a failed
    export never leaves a half-written file behind.

    Raises:
        ValueError: unknown format, measure or source.
    """
    writer = get_writer(fmt)
    path = Path(path)
    known = taxonomy_ids()
    records = list(iter_records(store, measures=measures, sources=sources, langs=langs))
    report = ExportReport(format=fmt, path=path, passages=len(records))
    report.labelled = sum(1 for r in records if r.accept)
    report.tags = sum(len(r.tags) for r in records)
    report.by_measure = {m: sum(1 for r in records if m in r.accept) for m in known}
    with staged(path) as target:
        writer.write(records, target, known)
    return report
