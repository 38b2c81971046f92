"""Export the label records of a store as a dataset file in one of the :data:`~.writers.WRITERS` formats."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from policyscope.corpus.atomic import staged
from policyscope.corpus.store import Store
from policyscope.nlp.labels.records import iter_records, taxonomy_ids
from policyscope.nlp.labels.splits import SPLIT_NAMES, DocumentSplit
from policyscope.nlp.labels.writers import WRITERS, ExportContext, Provenance, Writer, get_writer

__all__ = ["ExportReport", "default_export_path", "export_dataset"]


@dataclass
class ExportReport:
    """What an export wrote. ``splits`` (formats with splits only): documents, passages and labelled passages
    per split, and the split settings."""

    format: str
    path: Path
    passages: int = 0
    labelled: int = 0
    tags: int = 0
    by_measure: dict[str, int] = field(default_factory=dict)
    splits: dict[str, dict[str, int]] = field(default_factory=dict)
    split: dict[str, Any] = field(default_factory=dict)

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
    split: DocumentSplit | None = None,
) -> ExportReport:
    """Write the passages (filtered as in :func:`~.records.iter_records`) to ``path`` in format ``fmt``.

    The file (or, for ``hf``, the directory) is written beside ``path`` and renamed into place, so a failed
    export never leaves a half-written file behind, and a re-export replaces the old one whole.

    Args:
        split: train/validation/test ratios and seed of a format with splits (``hf``); default
            :class:`~.splits.DocumentSplit` ``()`` (0.8/0.1/0.1, seed 13).

    Raises:
        ValueError: unknown format, measure or source; a ``split`` for a format without splits; a ``path``
            that is a directory (for a file format), or a directory that is not an earlier export.
    """
    writer = get_writer(fmt)
    if split is not None and not writer.splits:
        with_splits = ", ".join(n for n, w in WRITERS.items() if w.splits)
        raise ValueError(
            f"a train/validation/test split applies to the {with_splits} format only, not {fmt!r}"
        )
    split = split or DocumentSplit()
    path = Path(path)
    known = taxonomy_ids()
    records = list(iter_records(store, measures=measures, sources=sources, langs=langs))
    report = ExportReport(format=fmt, path=path, passages=len(records))
    report.labelled = sum(1 for r in records if r.accept)
    report.tags = sum(len(r.tags) for r in records)
    report.by_measure = {m: sum(1 for r in records if m in r.accept) for m in known}
    sizes = Counter(r.meta.doc_id for r in records)
    doc_split = split.assign(sizes) if writer.splits else {}
    if writer.splits:
        report.split = split.to_dict()
        for name in SPLIT_NAMES:
            rs = [r for r in records if doc_split[r.meta.doc_id] == name]
            report.splits[name] = {
                "documents": sum(1 for d in doc_split.values() if d == name),
                "passages": len(rs),
                "labelled": sum(1 for r in rs if r.accept),
            }
    ctx = ExportContext(
        measures=known,
        split=split,
        doc_split=doc_split,
        provenance=_provenance(store, set(sizes), measures=measures, sources=sources, langs=langs),
    )
    _check_target(path, writer)
    with staged(path) as target:
        writer.write(records, target, ctx)
    return report


# What marks a directory as an earlier hf export: datasets' DatasetDict.save_to_disk writes the first; the
# exports before the DatasetDict layout wrote the second.
_EXPORT_DIR_MARKERS = ("dataset_dict.json", "measures.json")


def _check_target(path: Path, writer: Writer) -> None:
    """Refuse a target that is not an earlier export: ``staged`` swaps the whole target out, so ``-o ~/data``
    would otherwise replace a folder of unrelated files with the dataset."""
    if not path.exists():
        return
    if writer.suffix:
        if path.is_dir():
            raise ValueError(f"{path} is a directory; give a file name (ending in {writer.suffix})")
        return
    if not path.is_dir():
        raise ValueError(f"{path} is a file; the {writer.name} format writes a directory")
    if any(path.iterdir()) and not any((path / m).is_file() for m in _EXPORT_DIR_MARKERS):
        raise ValueError(
            f"{path} is a directory that is not an earlier {writer.name} export, and an export replaces the "
            "whole directory; give a new or empty one"
        )


def _provenance(
    store: Store,
    doc_ids: set[str],
    *,
    measures: Sequence[str] | None,
    sources: Sequence[str] | None,
    langs: Sequence[str] | None,
) -> Provenance:
    from policyscope.nlp.analyzers import package_version
    from policyscope.nlp.measures import load_taxonomy

    return Provenance(
        workspace=str(store.path.parent),
        policyscope_version=package_version("policyscope"),
        taxonomy_version=load_taxonomy().version,
        exported_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        filters={
            "measures": tuple(measures or ()),
            "sources": tuple(sources or ()),
            "langs": tuple(langs or ()),
        },
        documents={d.id: d for d in store.document_infos() if d.id in doc_ids},
    )
