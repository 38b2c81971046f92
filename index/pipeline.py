"""The whole job: files in → store → passages → measure tags → index.

Each file is ingested in its own transaction, its documents together with their passages: a bad
file (unreadable, a document over ``max_document_chars``, one that cannot be cut into passages) is
reported as one line, nothing of it is stored, and the others still go in. A file added again
after an edit replaces its earlier version (``keep_old`` keeps both). Tagging only touches
passages that are new; the index build reuses cached embeddings. ``remove`` takes documents out
of the store and the index.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from policyscope.corpus.config import Settings
from policyscope.corpus.errors import LoadError, QueryError
from policyscope.corpus.lock import WorkspaceLock
from policyscope.corpus.memory import release_free_memory
from policyscope.corpus.records import Document, Passage
from policyscope.corpus.store import LabelPolicy, PassageMaker, Store
from policyscope.corpus.store_passages import PASSAGE_BATCH
from policyscope.index.build import BuildReport, build_index

if TYPE_CHECKING:
    from policyscope.index.encoders import Encoder

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int | None], None]
MACHINE_SOURCES = ("rule", "model", "classifier", "ensemble")
_SEGMENT_BATCH = 200  # documents per store transaction while segmenting
_PROGRESS_EVERY = 100  # documents between two progress calls while segmenting during ingest
_TAG_BATCH = 256  # passages read from the store, tagged and written back at a time


@dataclass
class FileReport:
    """The outcome of ingesting one path."""

    path: str
    added: int = 0
    unchanged: int = 0
    error: str | None = None
    updated: int = 0
    removed: int = 0
    replaced: int = 0  # earlier versions of the file (or of its catalog id) removed
    segmented: int = 0  # documents cut into passages while the file was ingested

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "added": self.added, "unchanged": self.unchanged, "updated": self.updated,
                "removed": self.removed, "replaced": self.replaced, "segmented": self.segmented,
                "error": self.error}


@dataclass
class PipelineReport:
    files: list[FileReport] = field(default_factory=list)
    segmented: int = 0  # documents cut into passages, while ingesting and in the segment stage
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


@dataclass
class RemoveReport:
    """What :meth:`Pipeline.remove` did: the removed documents (id, title, source), the human
    annotations kept in the store or dropped, the file they were exported to, and the index build."""

    removed: list[dict[str, str]]
    labels: LabelPolicy
    annotated_passages: int = 0
    exported: Path | None = None
    index: BuildReport | None = None

    def to_dict(self) -> dict[str, Any]:
        idx = self.index
        return {
            "removed": self.removed,
            "labels": self.labels,
            "annotated_passages": self.annotated_passages,
            "exported": None if self.exported is None else str(self.exported),
            "index": None if idx is None else {"path": str(idx.index_dir), "passages": idx.passages,
                                               "seconds": round(idx.seconds, 3)},
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


T = TypeVar("T")


def _writes(method: Callable[..., T]) -> Callable[..., T]:
    """Run a pipeline step holding the workspace's write lock (re-entrant: ``run`` holds it for its steps)."""

    @functools.wraps(method)
    def locked(self: Pipeline, *args: Any, **kwargs: Any) -> T:
        with self.lock.hold():
            return method(self, *args, **kwargs)

    return locked


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
        # Every writing step holds the workspace's write lock (corpus/lock.py): a second process's
        # add waits for this one instead of embedding this one's passages a second time.
        self.lock = WorkspaceLock.of(settings.home)

    # -- ingest ----------------------------------------------------------------------------

    def ingest_documents(
        self, docs: Iterable[Document], label: str, *, keep_old: bool | None = None,
        progress: Progress | None = None,
    ) -> FileReport:
        """Store ``docs`` with their passages in one transaction (see ``Store.add_documents``).

        Args:
            label: what the report names (the path as given).
            keep_old: ``False``: earlier versions of the same file or catalog id are replaced;
                ``True``: kept beside the new one; ``None`` (built-in documents): no version handling.

        Raises:
            LoadError: a document could not be cut into passages; nothing of ``docs`` was stored.
        """
        result = self.store.add_documents(
            docs, passages=self._passage_maker(label, progress), settings_key=segment_settings_key(self.settings),
            old_versions=None if keep_old is None else ("keep" if keep_old else "replace"),
        )
        return FileReport(label, added=len(result.added), unchanged=len(result.unchanged),
                          updated=len(result.updated), replaced=len(result.replaced), segmented=result.segmented)

    def _passage_maker(self, label: str, progress: Progress | None = None) -> PassageMaker:
        """``segment_stream`` with the workspace's settings; a failure names the file and the document.

        The store writes the passages as they are cut, so a failure can come half-way through a
        document: the store's transaction then takes back what was written of the file.
        """
        from policyscope.nlp.segment import segment_stream

        s = self.settings
        done = 0

        def cut(doc: Document) -> Iterator[Passage]:
            nonlocal done
            try:
                yield from segment_stream(doc, max_chars=s.max_passage_chars, min_chars=s.min_passage_chars)
            except Exception as exc:  # MemoryError, a segmenter bug: refuse this file, not the workspace
                raise LoadError(label, f"{_what(doc)} could not be cut into passages ({_one_line(exc)});"
                                       " nothing from this file was stored") from exc
            done += 1
            if progress and (done == 1 or done % _PROGRESS_EVERY == 0):
                progress("segment", done, None)

        return cut

    def ingest_builtin(self, progress: Progress | None = None) -> FileReport:
        """Add the built-in corpus; update built-in documents whose metadata changed; remove built-in
        documents this version no longer ships (a text whose content id changed, a dropped entry)."""
        from policyscope.corpus.builtin import builtin_documents

        docs = builtin_documents()
        report = self.ingest_documents(docs, "builtin", progress=progress)
        keep = {d.id for d in docs}
        for info in self.store.document_infos():
            if info.id not in keep and (info.source.startswith("builtin:") or info.source == "catalog"):
                report.removed += self.store.delete_document(info.id)
        return report

    @_writes
    def ingest_paths(
        self, paths: Sequence[str | Path], columns: Any = None, progress: Progress | None = None,
        catalog_id: str = "", strict: bool = False, *, keep_old: bool = False,
    ) -> list[FileReport]:
        """Load each path (a directory is walked for supported files); errors become reports.

        ``strict``: a tabular file with a bad row is refused instead of loaded without that row.
        A file added before and changed since replaces the documents it gave then (matched by its
        absolute path, or for a fetched text by its catalog id), unless ``keep_old``.
        """
        from policyscope.corpus.loaders import SUPPORTED_EXTENSIONS, load_path

        reports = []
        for path in _expand(paths, SUPPORTED_EXTENSIONS):
            try:
                # Streamed into one transaction: a million-row CSV never sits in memory, and a
                # load error half-way rolls the whole file back.
                docs = load_path(path, columns=columns, strict=strict,
                                 progress=(lambda n, p=path: progress(f"read {Path(p).name}", n, None))
                                 if progress else None)
                docs = _checked(docs, path, self.settings.max_document_chars)
                if catalog_id:
                    link = _catalog_linker(catalog_id)
                    docs = (link(d) for d in docs)
                report = self.ingest_documents(docs, str(path), keep_old=keep_old, progress=progress)
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

    @_writes
    def segment(self, progress: Progress | None = None, failures: list[FileReport] | None = None) -> int:
        """Cut the documents not yet segmented under the current settings (new documents are cut as they
        are ingested; this catches a settings change and stores written by older versions).

        A document that cannot be read or cut is removed from the store instead of stopping the build
        (a store never keeps a document without passages; its file can be added again): it is logged
        and, when ``failures`` is given, appended to it as a report naming its source.
        Returns the number of documents it tried.
        """
        from policyscope.nlp.segment import segment_stream

        key = segment_settings_key(self.settings)
        todo = self.store.unsegmented(key)
        batch: list[tuple[str, list[Passage]]] = []
        for i, doc_id in enumerate(todo, start=1):
            try:
                doc = self.store.get_document(doc_id)
                if doc is None:  # removed since the list was read
                    continue
                stream = segment_stream(
                    doc, max_chars=self.settings.max_passage_chars, min_chars=self.settings.min_passage_chars
                )
                head = list(itertools.islice(stream, PASSAGE_BATCH))
            except sqlite3.Error:  # the store's problem (locked, damaged), not this document's: never drop it
                raise
            except Exception as exc:  # noqa: BLE001 - one bad stored document must not stop every later build
                self._drop_unsegmentable(doc_id, exc, failures)
                continue
            if len(head) < PASSAGE_BATCH:
                batch.append((doc_id, head))
            else:
                # A long document (a 200 MB text is 10^6 passages) is written on its own, as it is cut, in
                # its own transaction: a failure half-way takes back its passages and drops only it.
                if batch:
                    self.store.replace_passages_many(batch, key)
                    batch.clear()
                try:
                    self.store.replace_passages(doc_id, _guarded(itertools.chain(head, stream)), key)
                except _CutFailed as failed:
                    self._drop_unsegmentable(doc_id, failed.error, failures)
                    continue
            # One transaction per batch of documents: a commit per small record cost more than cutting it.
            if len(batch) >= _SEGMENT_BATCH:
                self.store.replace_passages_many(batch, key)
                batch.clear()
            if progress:
                progress("segment", i, len(todo))
        if batch:
            self.store.replace_passages_many(batch, key)
        return len(todo)

    def _drop_unsegmentable(self, doc_id: str, exc: Exception, failures: list[FileReport] | None) -> None:
        row = next((i for i in self.store.document_infos() if i.id == doc_id), None)
        source = (row.source if row else "") or doc_id
        what = f"document {doc_id}" + (f" ({row.title[:60]})" if row and row.title else "")
        message = (f"{source}: {what} could not be cut into passages ({_one_line(exc)}); removed from the"
                   " store, add the file again to retry")
        log.warning("%s", message, exc_info=log.isEnabledFor(logging.DEBUG))
        self.store.remove_documents([doc_id])
        if failures is not None:
            failures.append(FileReport(source, error=message, removed=1))

    @_writes
    def tag(self, progress: Progress | None = None, force: bool = False) -> int:
        """Tag passages that have no machine tags yet with the default tagger."""
        try:
            from policyscope.nlp import taggers
        except ImportError:
            return 0
        # Building the lexicon tagger loads spaCy and jieba (~3-9 s); a re-build with nothing
        # new must not pay that, so look for untagged passages under the key it would use first.
        key = taggers.default_tagger_key()
        wanted = None if force else key
        total = self.store.count_untagged(wanted)
        if not total:
            return 0
        tagger = taggers.default_tagger()
        done = 0
        # Page by page from the store (keyset paging): the untagged passages of a 200 MB file are 10^6,
        # ~1 GB as one list. The store is written between two pages, with no read open.
        for chunk in self.store.untagged_pages(wanted, _TAG_BATCH):
            tags = tagger.tag([p.text for p in chunk], [p.lang for p in chunk])
            self.store.replace_tags(
                {p.id: t for p, t in zip(chunk, tags)}, sources=MACHINE_SOURCES, tagger_key=key
            )
            done += len(chunk)
            if progress:
                progress("tag", done, max(total, done))
        return done

    @_writes
    def index(self, force: bool = False, progress: Progress | None = None) -> BuildReport:
        return build_index(self.store, self.settings, force=force, progress=progress, encoder=self.encoder)

    @_writes
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

    @_writes
    def run(
        self, paths: Sequence[str | Path] = (), *, builtin: bool = False, columns: Any = None,
        force: bool = False, progress: Progress | None = None, strict: bool = False, keep_old: bool = False,
    ) -> PipelineReport:
        report = PipelineReport()
        if builtin:
            report.files.append(self.ingest_builtin(progress))
        if paths:
            report.files.extend(self.ingest_paths(paths, columns=columns, progress=progress, strict=strict,
                                                  keep_old=keep_old))
        # Documents are cut while their file is ingested; the segment stage cuts what a settings change
        # or an older version left.
        report.segmented = sum(f.segmented for f in report.files) + self.segment(progress, failures=report.files)
        release_free_memory()  # what cutting a long text freed: the next stages start from a lower floor
        report.tagged = self.tag(progress, force=force)
        release_free_memory()
        report.index = self.index(force=force, progress=progress)
        return report

    @_writes
    def remove(
        self, keys: Sequence[str], *, labels: LabelPolicy = "keep", export_labels: str | Path | None = None,
        progress: Progress | None = None,
    ) -> RemoveReport:
        """Remove documents (by id, or a full text's catalog id) from the store, then rebuild the index.

        Every key is checked first: an unknown or ambiguous one raises and nothing is removed.
        ``export_labels`` writes the records of the removed passages that carry human annotations,
        in the ``policyscope export`` JSONL format (``import-labels`` reads it back after the file is
        added again), before anything is removed.

        Raises:
            QueryError: an unknown or ambiguous key.
        """
        ids = self.resolve_documents(keys)
        wanted = set(ids)
        infos = {i.id: i for i in self.store.document_infos() if i.id in wanted}
        annotated = self.store.annotated_passages(ids)
        exported = None
        if export_labels is not None:
            exported = _export_labels(self.store, annotated, Path(export_labels))
        removed = self.store.remove_documents(ids, labels=labels)
        report = RemoveReport(
            removed=[{"id": i, "title": infos[i].title, "source": infos[i].source} for i in removed if i in infos],
            labels=labels, annotated_passages=len(annotated), exported=exported,
        )
        report.index = self.index(progress=progress)
        return report

    def resolve_documents(self, keys: Sequence[str]) -> list[str]:
        """Document ids for ``keys``: a document id, or the catalog id ``policyscope docs`` shows for a
        built-in or fetched full text.

        Raises:
            QueryError: a key that names no document, or both a catalog record and full texts of it.
        """
        ids: list[str] = []
        for key in keys:
            exact, linked = self.store.find_documents(key)
            if exact and linked:
                raise QueryError(
                    f"{key!r} is the catalog record {key} and the catalog id of the full text(s)"
                    f" {', '.join(linked)}; give the document id (see `policyscope docs --json`)"
                )
            if not exact and not linked:
                raise QueryError(f"unknown document {key!r}; see `policyscope docs` for the ids")
            ids.extend(exact or linked)
        return list(dict.fromkeys(ids))


class _CutFailed(Exception):
    """The segmenter failed while the store was writing a document's passages (see :func:`_guarded`)."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


def _guarded(passages: Iterable[Passage]) -> Iterator[Passage]:
    """``passages``, a failure of the segmenter raised as ``_CutFailed``: told apart from the store's own
    errors (``sqlite3.Error``: locked, damaged) when it comes out of the store's write."""
    try:
        yield from passages
    except Exception as exc:  # the caller drops the document, as for a failure before writing
        raise _CutFailed(exc) from exc


def _what(doc: Document) -> str:
    """How a one-line message names a document of a file: ``row 12`` of a table, else ``the text``."""
    row = doc.meta.get("row") if isinstance(doc.meta, dict) else None
    return f"row {row}" if row is not None else "the text"


def _one_line(exc: BaseException) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{exc.__class__.__name__}: {first[:200]}" if first else exc.__class__.__name__


def _checked(docs: Iterable[Document], path: Path, limit: int) -> Iterable[Document]:
    """``docs`` with their source as an absolute path (so a re-added file is found whatever the working
    directory); a document over ``limit`` characters refuses the whole file."""
    given, absolute = str(path), str(Path(path).absolute())
    for doc in docs:
        if len(doc.text) > limit:
            raise LoadError(path, f"{_what(doc)} has {len(doc.text):,} characters, over the limit of {limit:,}"
                                  " (setting max_document_chars); nothing from this file was stored")
        yield replace(doc, source=absolute) if doc.source == given and given != absolute else doc


def _export_labels(store: Store, passage_ids: Sequence[str], path: Path) -> Path:
    """The label records of these passages as ``policyscope export`` JSONL (written atomically)."""
    from policyscope.corpus.atomic import staged
    from policyscope.nlp.labels.records import iter_records, taxonomy_ids
    from policyscope.nlp.labels.writers import get_writer

    wanted = set(passage_ids)
    records = [r for r in iter_records(store) if r.id in wanted]
    with staged(path) as target:
        get_writer("jsonl").write(records, target, taxonomy_ids())
    return path


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
