"""The whole job: files in → store → passages → measure tags → index.

Each file is ingested in its own transaction: a bad file is reported as one line and the
others still go in. Segmentation and tagging only touch documents that are new or whose
settings changed; the index build reuses cached embeddings.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policyscope.corpus.config import Settings
from policyscope.corpus.errors import LoadError
from policyscope.corpus.records import Document, Passage
from policyscope.corpus.store import Store
from policyscope.index.build import BuildReport, build_index

if TYPE_CHECKING:
    from policyscope.index.encoders import Encoder

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int | None], None]
MACHINE_SOURCES = ("rule", "model", "classifier", "ensemble")
_SEGMENT_BATCH = 200  # documents per store transaction while segmenting


@dataclass
class FileReport:
    """The outcome of ingesting one path."""

    path: str
    added: int = 0
    unchanged: int = 0
    error: str | None = None
    updated: int = 0
    removed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "added": self.added, "unchanged": self.unchanged, "updated": self.updated,
                "removed": self.removed, "error": self.error}


@dataclass
class PipelineReport:
    files: list[FileReport] = field(default_factory=list)
    segmented: int = 0
    tagged: int = 0
    index: BuildReport | None = None

    @property
    def errors(self) -> list[FileReport]:
        return [f for f in self.files if f.error]

    def to_dict(self) -> dict[str, Any]:
        idx = self.index
        return {
            "files": [f.to_dict() for f in self.files],
            "segmented_documents": self.segmented,
            "tagged_passages": self.tagged,
            "index": None if idx is None else {
                "path": str(idx.index_dir), "passages": idx.passages, "embedded": idx.embedded,
                "skipped": idx.skipped, "seconds": round(idx.seconds, 3),
            },
        }


def segment_settings_key(settings: Settings) -> str:
    """Passages are recut when this changes (segmentation parameters or code version)."""
    from policyscope.nlp import segment

    raw = json.dumps(
        {"max": settings.max_passage_chars, "min": settings.min_passage_chars,
         "version": getattr(segment, "SEGMENTER_VERSION", 1)},
        sort_keys=True,
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


class Pipeline:
    """Orchestrates ingest, segmentation, tagging and indexing on one workspace.

    Args:
        settings: the workspace and its settings.
        store: the workspace's store, opened here when not given.
        encoder: the index encoder (the one ``settings.encoder`` names), when the caller holds it
            already; the index step loads it by name otherwise.
    """

    def __init__(self, settings: Settings, store: Store | None = None, encoder: Encoder | None = None):
        self.settings = settings
        self.store = store or Store(settings.store_path)
        self.encoder = encoder

    # -- ingest ----------------------------------------------------------------------------

    def ingest_documents(self, docs: Iterable[Document], label: str) -> FileReport:
        result = self.store.add_documents(docs)
        return FileReport(label, added=len(result.added), unchanged=len(result.unchanged),
                          updated=len(result.updated))

    def ingest_builtin(self) -> FileReport:
        """Add the built-in corpus; update built-in documents whose metadata changed; remove built-in
        documents this version no longer ships (a text whose content id changed, a dropped entry)."""
        from policyscope.corpus.builtin import builtin_documents

        docs = builtin_documents()
        report = self.ingest_documents(docs, "builtin")
        keep = {d.id for d in docs}
        for info in self.store.document_infos():
            if info.id not in keep and (info.source.startswith("builtin:") or info.source == "catalog"):
                report.removed += self.store.delete_document(info.id)
        return report

    def ingest_paths(
        self, paths: Sequence[str | Path], columns: Any = None, progress: Progress | None = None,
        catalog_id: str = "", strict: bool = False,
    ) -> list[FileReport]:
        """Load each path (a directory is walked for supported files); errors become reports.

        ``strict``: a tabular file with a bad row is refused instead of loaded without that row."""
        from policyscope.corpus.loaders import SUPPORTED_EXTENSIONS, load_path

        reports = []
        for path in _expand(paths, SUPPORTED_EXTENSIONS):
            try:
                # Streamed into one transaction: a million-row CSV never sits in memory, and a
                # load error half-way rolls the whole file back.
                docs = load_path(path, columns=columns, strict=strict,
                                 progress=(lambda n, p=path: progress(f"read {Path(p).name}", n, None))
                                 if progress else None)
                if catalog_id:
                    link = _catalog_linker(catalog_id)
                    docs = (link(d) for d in docs)
                report = self.ingest_documents(docs, str(path))
                if not report.added and not report.unchanged:
                    raise LoadError(path, "no documents found")
            except LoadError as exc:
                report = FileReport(str(path), error=str(exc))
            except (OSError, ValueError, UnicodeError) as exc:  # a loader bug must not stop the batch
                report = FileReport(str(path), error=f"{path}: {exc.__class__.__name__}: {exc}")
            reports.append(report)
            if report.error:  # the caller reports it (one line); keep the log for --debug
                log.debug("%s", report.error)
        return reports

    def ingest_records(self, records: Iterable[Mapping[str, Any]], name: str, columns: Any = None) -> FileReport:
        """Store in-memory records (dicts, a DataFrame's rows), one document per record; errors become the report."""
        from policyscope.corpus.loaders import load_records

        try:
            report = self.ingest_documents(load_records(records, name, columns), name)
            if not report.added and not report.unchanged:
                raise LoadError(Path(name), "no documents found (every record lacks text and title)")
        except LoadError as exc:
            report = FileReport(name, error=str(exc))
        return report

    # -- derive ----------------------------------------------------------------------------

    def segment(self, progress: Progress | None = None) -> int:
        from policyscope.nlp.segment import segment_document

        key = segment_settings_key(self.settings)
        todo = self.store.unsegmented(key)
        batch: list[tuple[str, list[Passage]]] = []
        for i, doc in enumerate(self.store.iter_documents(todo), start=1):
            passages = segment_document(
                doc, max_chars=self.settings.max_passage_chars, min_chars=self.settings.min_passage_chars
            )
            batch.append((doc.id, passages))
            # One transaction per batch of documents: a commit per small record cost more than cutting it.
            if len(batch) >= _SEGMENT_BATCH:
                self.store.replace_passages_many(batch, key)
                batch.clear()
            if progress:
                progress("segment", i, len(todo))
        if batch:
            self.store.replace_passages_many(batch, key)
        return len(todo)

    def tag(self, progress: Progress | None = None, force: bool = False) -> int:
        """Tag passages that have no machine tags yet with the default tagger."""
        try:
            from policyscope.nlp import taggers
        except ImportError:
            return 0
        # Building the lexicon tagger loads spaCy and jieba (~3-9 s); a re-build with nothing
        # new must not pay that, so look for untagged passages under the key it would use first.
        key = taggers.default_tagger_key()
        todo = list(self.store.iter_passages()) if force else self.store.untagged(key)
        if not todo:
            return 0
        tagger = taggers.default_tagger()
        batch = 256
        for start in range(0, len(todo), batch):
            chunk = todo[start : start + batch]
            tags = tagger.tag([p.text for p in chunk], [p.lang for p in chunk])
            self.store.replace_tags(
                {p.id: t for p, t in zip(chunk, tags)}, sources=MACHINE_SOURCES, tagger_key=key
            )
            if progress:
                progress("tag", min(start + batch, len(todo)), len(todo))
        return len(todo)

    def index(self, force: bool = False, progress: Progress | None = None) -> BuildReport:
        return build_index(self.store, self.settings, force=force, progress=progress, encoder=self.encoder)

    def fetch(self, entries: Sequence[Any], progress: Progress | None = None) -> list[dict[str, Any]]:
        """Download catalog entries' official texts, ingest each as a full text linked to its entry.

        Raises FetchError (one line, nothing changed) when the network is unreachable.
        """
        from policyscope.corpus.fetch import fetch_entries

        s = self.settings
        outcomes = fetch_entries(
            entries, s.downloads, timeout=s.fetch_timeout, max_bytes=s.fetch_max_bytes, retries=s.fetch_retries
        )
        results = []
        for o in outcomes:
            row: dict[str, Any] = {"id": o.entry_id, "error": o.error, "file": None, "added": 0}
            if o.result is not None:
                report = self.ingest_paths([o.result.path], catalog_id=o.entry_id)[0]
                row.update(file=str(o.result.path), added=report.added, error=report.error)
            results.append(row)
        if any(r["added"] for r in results):
            self.segment(progress)
            self.tag(progress)
            self.index(progress=progress)
        return results

    # -- whole jobs ------------------------------------------------------------------------

    def run(
        self, paths: Sequence[str | Path] = (), *, builtin: bool = False, columns: Any = None,
        force: bool = False, progress: Progress | None = None, strict: bool = False,
    ) -> PipelineReport:
        report = PipelineReport()
        if builtin:
            report.files.append(self.ingest_builtin())
        if paths:
            report.files.extend(self.ingest_paths(paths, columns=columns, progress=progress, strict=strict))
        report.segmented = self.segment(progress)
        report.tagged = self.tag(progress, force=force)
        report.index = self.index(force=force, progress=progress)
        return report


def _expand(paths: Sequence[str | Path], extensions: Sequence[str]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in extensions)
            out.extend(found or [path])  # an empty directory is reported by the loader
        else:
            out.append(path)
    return out


def _catalog_linker(catalog_id: str) -> Callable[[Document], Document]:
    """Gives a fetched full text its catalog entry's metadata and link (the catalog is read once)."""
    from dataclasses import replace

    from policyscope.corpus.catalog import load_catalog

    entry = next((e for e in load_catalog() if e.id == catalog_id), None)

    def link(doc: Document) -> Document:
        if entry is None:
            return replace(doc, catalog_id=catalog_id)
        return replace(
            doc, catalog_id=catalog_id, title=entry.title_en, title_zh=entry.title_zh, title_en=entry.title_en,
            region=entry.region, year=entry.year, date=entry.date, kind=entry.kind, country=entry.country,
        )

    return link
