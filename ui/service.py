"""The web app's logic as plain methods: search, documents, compare, tag review, uploads, fetch.

``Service`` owns one workspace: settings, a store, one ``Searcher`` (the index is loaded once and
shared read-only by every request; it switches to a new index by itself after a build) and a
``Pipeline`` for writes. Gradio handlers in ``app.py`` are thin wrappers around these methods, so
everything here is unit-tested without a browser. Methods that feed the page return HTML strings
built by ``render`` (every document string escaped); ``*_json`` methods return data for the API.

Concurrency: Gradio runs handlers in a thread pool. Reads go through one SQLite connection per
thread (``ThreadLocalStore``); every write (annotations, uploads, fetch, builds) takes
``write_lock``, so two uploads never interleave their segment → tag → index runs.
Errors never reach the page as a traceback: domain errors become a friendly message, anything
else is logged with its traceback and shown as one line.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policyscope.corpus.config import Settings
from policyscope.corpus.errors import PolicyscopeError, QueryError
from policyscope.corpus.store import Store
from policyscope.ui import render

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int | None], None]
UPLOAD_EXTENSIONS: tuple[str, ...] = (".pdf", ".html", ".htm", ".docx", ".txt", ".md", ".csv", ".jsonl", ".xlsx")
REVIEW_ACTIONS: tuple[str, ...] = ("accept", "reject", "add")
FALLBACK_EXPORT_FORMATS: tuple[str, ...] = ("jsonl",)


class ThreadLocalStore:
    """A ``Store`` look-alike that gives each thread its own SQLite connection (reads only)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()

    def _store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.path)
            self._local.store = store
        return store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store(), name)


@dataclass
class ReviewState:
    """Per-user review position (kept in ``gr.State``; nothing per-user lives on the server)."""

    queue: list[str] = field(default_factory=list)
    pos: int = 0
    current: str | None = None
    done: list[str] = field(default_factory=list)


class Service:
    """Everything the app does, over one workspace.

    Example:
        >>> svc = Service(Settings.load("/tmp/home", encoder="hash"))
        >>> svc.ensure_built()          # builds the built-in corpus the first time
        >>> html = svc.search("电池回收")
    """

    def __init__(self, settings: Settings, max_upload_mb: int = 50):
        self.settings = settings
        self.max_upload_bytes = int(max_upload_mb) * 1024 * 1024
        self.store: Any = ThreadLocalStore(settings.store_path)
        self.write_lock = threading.RLock()
        # Queries are milliseconds; serializing them keeps encoders that are not thread-safe safe.
        self.search_lock = threading.Lock()
        self._searcher: Any = None
        self._pipeline: Any = None
        self._cache: dict[str, tuple[str, Any]] = {}
        self.status = "not built"

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def pipeline(self) -> Any:
        if self._pipeline is None:
            from policyscope.index.pipeline import Pipeline

            self._pipeline = Pipeline(self.settings)
        return self._pipeline

    @property
    def searcher(self) -> Any:
        if self._searcher is None:
            from policyscope.index.search import Searcher

            self._searcher = Searcher(self.settings, store=self.store)
        return self._searcher

    def is_built(self) -> bool:
        from policyscope.index.build import current_index_dir

        return self.settings.store_path.exists() and current_index_dir(self.settings.index_root) is not None

    def ensure_built(self, progress: Progress | None = None) -> str:
        """Build the built-in corpus on first start; return a status line for the app."""
        with self.write_lock:
            if not self.is_built():
                self.status = "building the built-in corpus…"
                started = time.perf_counter()
                report = self.pipeline.run(builtin=True, progress=progress)
                n = report.index.passages if report.index else 0
                self.status = f"built the built-in corpus: {n} passages in {time.perf_counter() - started:.0f}s"
            else:
                self.status = "ready"
        self.searcher.refresh()
        idx = self.searcher.index
        counts = idx.manifest.get("counts", {})
        enc = idx.manifest.get("encoder", {}).get("name", "?")
        self.status = (f"{self.status} · {counts.get('documents', '?')} documents, "
                       f"{counts.get('passages', idx.n)} passages, encoder {enc}")
        return self.status

    def _rebuild(self, progress: Progress | None = None) -> Any:
        """Segment, tag and index what changed (caller holds ``write_lock``)."""
        pipe = self.pipeline
        pipe.segment(progress)
        pipe.tag(progress)
        report = pipe.index(progress=progress)
        self.searcher.refresh()
        self._cache.clear()
        return report

    # -- helpers ---------------------------------------------------------------------------------

    @contextmanager
    def _friendly(self, what: str) -> Iterator[list[str]]:
        """Collect a message instead of raising: domain errors verbatim, bugs as one logged line."""
        box: list[str] = []
        try:
            yield box
        except PolicyscopeError as exc:
            box.append(render.message(str(exc), "error"))
        except Exception as exc:
            log.exception("%s failed", what)
            box.append(render.message(f"{what} failed ({exc.__class__.__name__}); details are in the server log.",
                                      "error"))

    def _cached(self, name: str, compute: Callable[[], Any]) -> Any:
        """Corpus-wide views (heatmap, timeline, choices) recomputed only when the store changes."""
        key = self.store.fingerprint()
        hit = self._cache.get(name)
        if hit is not None and hit[0] == key:
            return hit[1]
        value = compute()
        self._cache[name] = (key, value)
        return value

    def document_choices(self) -> list[tuple[str, str]]:
        """(label, id) for every document, for dropdowns."""
        def compute() -> list[tuple[str, str]]:
            out = []
            for i in self.store.document_infos():
                title = i.title_zh or i.title_en or i.title
                if i.title_zh and i.title_en:
                    title = f"{i.title_zh} / {i.title_en}"
                label = f"{i.region or '?'} {i.year or ''} · {title[:90]}".replace("  ", " ")
                out.append((label, i.id))
            return sorted(out)

        return self._cached("doc_choices", compute)

    def region_choices(self) -> list[str]:
        return self._cached(
            "regions", lambda: sorted({(i.region or "").upper() for i in self.store.document_infos() if i.region})
        )

    def measure_choices(self) -> list[tuple[str, str]]:
        from policyscope.index.compare import measure_ids

        return [(render.measure_label(m), m) for m in measure_ids()]

    def year_bounds(self) -> tuple[int, int]:
        years = [i.year for i in self.store.document_infos() if i.year]
        return (min(years), max(years)) if years else (1990, time.localtime().tm_year)

    # -- search ----------------------------------------------------------------------------------

    def _filters(
        self, regions: Sequence[str] | None, docs: Sequence[str] | None, langs: Sequence[str] | None,
        year_from: Any, year_to: Any, measures: Sequence[str] | None,
    ) -> Any:
        from policyscope.index.search import SearchFilters

        def year(v: Any, name: str) -> int | None:
            if v is None or v == "":
                return None
            try:
                y = int(float(v))
            except (TypeError, ValueError):
                raise QueryError(f"{name} must be a year such as 2021, got {v!r}") from None
            return y if y > 0 else None  # an empty number box arrives as 0

        yf, yt = year(year_from, "year from"), year(year_to, "year to")
        if yf is not None and yt is not None and yf > yt:
            raise QueryError(f"the year range {yf}–{yt} is empty; put the earlier year first")
        return SearchFilters(
            regions=tuple(regions or ()), doc_ids=tuple(docs or ()), langs=tuple(langs or ()),
            year_from=yf, year_to=yt, measures_any=tuple(measures or ()),
        )

    def _evidence_spans(self, hits: Sequence[Any]) -> dict[str, list[tuple[int, int]]]:
        """Measure evidence (machine tag spans of the hit's effective measures) per passage."""
        tags = self.store.tags_for([h.passage_id for h in hits])
        out: dict[str, list[tuple[int, int]]] = {}
        for h in hits:
            keep = set(h.measures)
            out[h.passage_id] = [(s.start, s.end) for t in tags.get(h.passage_id, []) if t.measure in keep
                                 for s in t.spans]
        return out

    def run_search(
        self, query: str, mode: str = "hybrid", regions: Sequence[str] | None = None,
        docs: Sequence[str] | None = None, langs: Sequence[str] | None = None, year_from: Any = None,
        year_to: Any = None, measures: Sequence[str] | None = None, k: int = 10,
    ) -> Any:
        """The raw ``SearchResult`` (raises ``QueryError`` on bad input)."""
        filters = self._filters(regions, docs, langs, year_from, year_to, measures)
        try:
            k = int(k)
        except (TypeError, ValueError):
            raise QueryError(f"k must be a number, got {k!r}") from None
        with self.search_lock:
            return self.searcher.search(query or "", k=k, mode=mode or "hybrid", filters=filters)

    def search(
        self, query: str, mode: str = "hybrid", regions: Sequence[str] | None = None,
        docs: Sequence[str] | None = None, langs: Sequence[str] | None = None, year_from: Any = None,
        year_to: Any = None, measures: Sequence[str] | None = None, k: int = 10,
    ) -> str:
        """Result cards as HTML; empty or failing queries give a friendly message."""
        if not (query or "").strip():
            return render.message("Type a question or some words in Chinese or English, e.g. 电池回收 or"
                                  " critical minerals stockpile.", "empty")
        with self._friendly("search") as box:
            result = self.run_search(query, mode, regions, docs, langs, year_from, year_to, measures, k)
            if not result.hits:
                return render.message(f"No passages match {query!r} with these filters. Try another mode,"
                                      " fewer filters or the other language.", "empty")
            took = result.timings_ms.get("total", 0.0)
            header = f"{len(result.hits)} passages · {result.mode} · {took:.0f} ms"
            return render.result_cards(result.hits, self._evidence_spans(result.hits), header,
                                       result.translations)
        return box[0]

    def search_json(
        self, query: str, mode: str = "hybrid", regions: Sequence[str] | None = None,
        docs: Sequence[str] | None = None, langs: Sequence[str] | None = None, year_from: Any = None,
        year_to: Any = None, measures: Sequence[str] | None = None, k: int = 10,
    ) -> dict[str, Any]:
        """Search results as data (the ``search`` API endpoint); errors as ``{"error": ...}``."""
        try:
            return self.run_search(query, mode, regions, docs, langs, year_from, year_to, measures, k).to_dict()
        except PolicyscopeError as exc:
            return {"error": str(exc), "hits": []}

    def more_like_this(self, passage_id: str, k: int = 10) -> str:
        with self._friendly("more like this") as box:
            with self.search_lock:
                result = self.searcher.more_like_this(passage_id, k=k)
            src = self.store.get_passages([passage_id]).get(passage_id, {})
            excerpt = (src.get("text") or "")[:80]
            if not result.hits:
                return render.message("No similar passages found.", "empty")
            return render.result_cards(result.hits, self._evidence_spans(result.hits),
                                       f"passages like: “{excerpt}…”")
        return box[0]

    # -- documents -------------------------------------------------------------------------------

    def document_view(self, doc_id: str, passage_id: str | None = None, terms: Sequence[str] = ()) -> str:
        """The whole document with ``passage_id`` highlighted (the page scrolls it into view)."""
        from policyscope.nlp.labels import effective_tags

        if not doc_id:
            return render.message("Open a document from a search result, the Compare tab or the Corpus tab.")
        with self._friendly("document view") as box:
            doc = self.store.get_document(doc_id)
            if doc is None:
                raise QueryError(f"unknown document {doc_id!r}")
            passages = list(self.store.iter_passages(doc_id))
            if passage_id and passage_id not in {p.id for p in passages}:
                # A linked passage of another document (a seed-paper table row about this record): show that one.
                row = self.store.get_passages([passage_id]).get(passage_id)
                if row is not None and row["doc_id"] != doc_id:
                    return self.document_view(row["doc_id"], passage_id, terms)
            pids = [p.id for p in passages]
            eff = effective_tags(self.store, pids)
            machine = self.store.tags_for(pids)
            spans = {pid: [(s.start, s.end) for t in ts if t.measure in eff.get(pid, set()) for s in t.spans]
                     for pid, ts in machine.items()}
            html = render.document_view(doc, passages, passage_id, eff, spans, terms)
            full = [i for i in self.store.document_infos() if i.catalog_id == doc_id and i.id != doc_id]
            if doc.status == "catalog" and full:
                links = " ".join(render.action(f"open full text ({i.passages} passages)", "open", doc=i.id)
                                 for i in full)
                html = f'<div class="ps-summary">{links}</div>' + html
            return html
        return box[0]

    # -- compare ---------------------------------------------------------------------------------

    def compare(self, items: Sequence[str] | None, k: int = 2) -> tuple[str, str, str, str]:
        """(measure table, heatmap, timeline, alignment of the first two items) as HTML."""
        from policyscope.index import compare as cmp

        heat = self.heatmap()
        tl = self.timeline()
        items = [i for i in (items or []) if i]
        if len(items) < 2:
            msg = render.message("Pick 2–4 documents or regions to compare.", "empty")
            return msg, heat, tl, msg
        with self._friendly("compare") as box:
            table = cmp.measure_table(self.store, items)
            a, b = table.items[0], table.items[1]
            with self.search_lock:
                aligned = cmp.align_passages(self.searcher, a.key, b.key, k=k, max_passages=60)
            label = lambda it: it.key if it.kind == "region" else (it.label_zh or it.label_en)
            return render.measure_table(table), heat, tl, render.alignment(aligned, label(a), label(b))
        return box[0], heat, tl, box[0]

    def compare_json(self, items: Sequence[str] | None, k: int = 2) -> dict[str, Any]:
        """The measure table and the alignment of the first two items as data (the ``compare`` API)."""
        from policyscope.index import compare as cmp

        try:
            table = cmp.measure_table(self.store, list(items or []))
            out = table.to_dict()
            if len(table.items) >= 2:
                with self.search_lock:
                    aligned = cmp.align_passages(self.searcher, table.items[0].key, table.items[1].key, k=k,
                                                 max_passages=60)
                out["alignment"] = [
                    {"passage_id": a.passage["id"], "text": a.passage["text"],
                     "matches": [{"passage_id": m["id"], "doc_id": m["doc_id"], "score": s} for m, s in a.matches]}
                    for a in aligned
                ]
            return out
        except PolicyscopeError as exc:
            return {"error": str(exc), "rows": []}

    def heatmap(self) -> str:
        from policyscope.index.compare import region_measure_matrix

        with self._friendly("heatmap") as box:
            return self._cached("heatmap", lambda: render.heatmap(region_measure_matrix(self.store)))
        return box[0]

    def timeline(self) -> str:
        from policyscope.index.compare import timeline

        with self._friendly("timeline") as box:
            return self._cached("timeline", lambda: render.timeline(timeline(self.store)))
        return box[0]

    def cell_evidence(self, region: str, measure: str, limit: int = 20) -> str:
        """Passages behind one heatmap cell, strongest first."""
        from policyscope.index.compare import cell_passages

        with self._friendly("evidence") as box:
            rows = cell_passages(self.store, region, measure, limit=limit)
            if not rows:
                return render.message(f"No passage of {region} carries {render.measure_label(measure)}.", "empty")
            return render.result_cards(rows, {r["passage_id"]: r["spans"] for r in rows},
                                       f"{region} · {render.measure_label(measure)}: {len(rows)} passages")
        return box[0]

    # -- tag review ------------------------------------------------------------------------------

    def review_queue(self, limit: int = 200) -> list[str]:
        """Passage ids to review: ``index.datasets.review_queue`` when present, else uncertain tags first."""
        try:
            from policyscope.nlp.labels import review_queue
        except ImportError:
            review_queue = None
        if review_queue is not None:
            return [r["passage_id"] if isinstance(r, dict) else str(r) for r in review_queue(self.store, limit)]
        reviewed = {a["passage_id"] for a in self.store.annotations()}
        pids = [r["id"] for r in self.store.passage_rows() if r["id"] not in reviewed]
        tags = self.store.tags_for(pids)
        scored = [(max(t.score for t in ts), pid) for pid, ts in tags.items() if ts]
        return [pid for _, pid in sorted(scored)][:limit]

    def review_counts(self, queue_left: int = 0) -> dict[str, int]:
        anns = self.store.annotations()
        counts = Counter(a["action"] for a in anns)
        return {"reviewed": len({a["passage_id"] for a in anns}), "accept": counts["accept"],
                "reject": counts["reject"], "add": counts["add"], "queue": queue_left}

    def review_card(self, passage_id: str | None, queue_left: int = 0) -> str:
        from policyscope.nlp.labels import effective_tags

        counts = self.review_counts(queue_left)
        if not passage_id:
            return render.review_card(None, [], (), [], counts)
        row = self.store.get_passages([passage_id]).get(passage_id)
        if row is None:
            return render.message(f"unknown passage {passage_id!r}", "error")
        machine = self.store.tags_for([passage_id])[passage_id]
        eff = effective_tags(self.store, [passage_id])[passage_id]
        return render.review_card(row, machine, eff, self.store.annotations(passage_id), counts)

    def review_next(self, state: ReviewState | dict[str, Any] | None) -> tuple[ReviewState, str]:
        """Advance to the next unreviewed passage of this user's queue (refilled when exhausted)."""
        st = state if isinstance(state, ReviewState) else ReviewState(**(state or {}))
        reviewed = {a["passage_id"] for a in self.store.annotations()}
        for _ in range(2):
            while st.pos < len(st.queue) and (st.queue[st.pos] in reviewed or st.queue[st.pos] in st.done):
                st.pos += 1
            if st.pos < len(st.queue):
                break
            st.queue, st.pos = [p for p in self.review_queue() if p not in st.done], 0
        st.current = st.queue[st.pos] if st.pos < len(st.queue) else None
        left = max(0, len(st.queue) - st.pos)
        return st, self.review_card(st.current, left)

    def review_apply(self, passage_id: str | None, action: str, measure: str | None = None,
                     annotator: str = "") -> str:
        """Record a human decision. ``accept``/``reject`` without a measure apply to every shown tag."""
        from policyscope.nlp.labels import effective_tags

        if not passage_id:
            raise QueryError("no passage selected")
        if action not in REVIEW_ACTIONS:
            raise QueryError(f"unknown action {action!r}; available: {', '.join(REVIEW_ACTIONS)}")
        annotator = (annotator or "").strip()[:80] or "anonymous"
        row = self.store.get_passages([passage_id]).get(passage_id)
        if row is None:
            raise QueryError(f"unknown passage {passage_id!r}")
        from policyscope.index.compare import measure_ids

        known = set(measure_ids())
        if measure:
            if known and measure not in known:
                raise QueryError(f"unknown measure {measure!r}; available: {', '.join(sorted(known))}")
            targets = [measure]
        elif action == "add":
            raise QueryError("pick the measure to add")
        else:
            eff = effective_tags(self.store, [passage_id])[passage_id]
            targets = sorted(eff)
            if not targets:
                raise QueryError("this passage has no tags to accept or reject; add a measure instead")
        with self.write_lock:
            wstore = self.pipeline.store
            for m in targets:
                wstore.add_annotation(passage_id, m, action, annotator)
        self._cache.clear()
        return f"{action} {', '.join(targets)} on {passage_id}"

    def export_formats(self) -> list[str]:
        try:
            from policyscope.nlp import labels as datasets
        except ImportError:
            return list(FALLBACK_EXPORT_FORMATS)
        return list(getattr(datasets, "FORMATS", None) or getattr(datasets, "EXPORT_FORMATS", ("jsonl",)))

    def export(self, fmt: str) -> Path:
        """Write the tag dataset in ``fmt`` under ``<home>/exports/`` and return the file."""
        formats = self.export_formats()
        if fmt not in formats:
            raise QueryError(f"unknown export format {fmt!r}; available: {', '.join(formats)}")
        out_dir = self.settings.home / "exports"
        out_dir.mkdir(parents=True, exist_ok=True)
        suffix = {"jsonl": ".jsonl", "csv": ".csv", "json": ".json", "conll": ".conll", "spacy": ".spacy",
                  "hf": "", "huggingface": ""}.get(fmt, "." + re.sub(r"\W", "", fmt))
        path = out_dir / f"policyscope-tags-{time.strftime('%Y%m%d-%H%M%S')}{suffix or '-' + fmt}"
        try:
            from policyscope.nlp.labels import export_dataset
        except ImportError:
            export_dataset = None
        with self.write_lock:
            if export_dataset is not None:
                result = export_dataset(self.pipeline.store, fmt, path)
                written = getattr(result, "path", result)
                if isinstance(written, (str, Path)) and Path(written).exists():
                    path = Path(written)
            else:
                self._export_jsonl(path)
        if path.is_dir():  # a dataset directory (e.g. Hugging Face) is offered as one zip file
            path = Path(shutil.make_archive(str(path), "zip", root_dir=path))
        return path

    def _export_jsonl(self, path: Path) -> None:
        """Minimal export used while ``index.datasets`` is absent: reviewed passages with effective tags."""
        from policyscope.nlp.labels import effective_tags

        anns = self.store.annotations()
        pids = list(dict.fromkeys(a["passage_id"] for a in anns))
        eff = effective_tags(self.store, pids)
        rows = self.store.get_passages(pids)
        with path.open("w", encoding="utf-8") as fh:
            for pid in pids:
                if pid in rows:
                    r = rows[pid]
                    fh.write(json.dumps({"id": pid, "doc_id": r["doc_id"], "text": r["text"], "lang": r["lang"],
                                         "tags": sorted(eff.get(pid, ())), "source": "human-reviewed"},
                                        ensure_ascii=False) + "\n")

    def tag_json(self, passage_id: str, action: str, measure: str = "", annotator: str = "api") -> dict[str, Any]:
        """Record a review decision (the ``tag`` API endpoint) and return the passage's effective tags."""
        from policyscope.nlp.labels import effective_tags

        try:
            done = self.review_apply(passage_id, action, measure or None, annotator)
        except PolicyscopeError as exc:
            return {"error": str(exc)}
        return {"ok": True, "done": done, "passage_id": passage_id,
                "tags": sorted(effective_tags(self.store, [passage_id])[passage_id])}

    # -- corpus ----------------------------------------------------------------------------------

    def corpus_table(self) -> str:
        with self._friendly("corpus list") as box:
            return render.corpus_table(self.store.document_infos())
        return box[0]

    def _check_upload(self, path: Path) -> str | None:
        if path.suffix.lower() not in UPLOAD_EXTENSIONS:
            return f"{path.name}: unsupported file type; upload {', '.join(UPLOAD_EXTENSIONS)}"
        try:
            size = path.stat().st_size
        except OSError as exc:
            return f"{path.name}: cannot read the upload ({exc.__class__.__name__})"
        if size > self.max_upload_bytes:
            mib = 1024 * 1024
            return f"{path.name}: {size / mib:.1f} MB is over the {self.max_upload_bytes // mib} MB limit"
        if size == 0:
            return f"{path.name}: the file is empty"
        return None

    def upload(self, files: Sequence[Any], progress: Callable[[float, str], None] | None = None) -> list[dict[str, Any]]:
        """Ingest uploaded files (copied into ``<home>/uploads/``), then segment, tag and index.

        Returns one result per file: name, added, unchanged, error, and the documents it produced.
        """
        results: list[dict[str, Any]] = []
        accepted: list[tuple[dict[str, Any], Path]] = []
        dest_dir = self.settings.home / "uploads"
        files = [f for f in (files or []) if f]
        for i, f in enumerate(files):
            # Gradio passes path strings or file objects (with .name = the temp path); a Path is a path.
            src = Path(f) if isinstance(f, (str, os.PathLike)) else Path(getattr(f, "name", None) or str(f))
            name = _safe_name(getattr(f, "orig_name", None) or src.name)
            row: dict[str, Any] = {"name": name, "added": 0, "unchanged": 0, "error": None, "documents": []}
            results.append(row)
            problem = self._check_upload(src)
            if problem:
                row["error"] = problem.replace(src.name, name)
                continue
            dest_dir.mkdir(parents=True, exist_ok=True)
            dest = _unique(dest_dir / name, src)
            if not dest.exists():
                shutil.copyfile(src, dest)
            accepted.append((row, dest))
        if not accepted:
            return results
        with self.write_lock:
            for n, (row, dest) in enumerate(accepted, start=1):
                if progress:
                    progress((n - 1) / (len(accepted) + 1), f"reading {row['name']}")
                report = self.pipeline.ingest_paths([dest])[0]
                row.update(added=report.added, unchanged=report.unchanged,
                           error=report.error.replace(str(dest), row["name"]) if report.error else None)
            if progress:
                progress(len(accepted) / (len(accepted) + 1), "segmenting, tagging and indexing")
            if any(r["added"] for r, _ in accepted):
                self._rebuild()
            infos = self.store.document_infos()
            for row, dest in accepted:
                row["documents"] = [{"id": i.id, "title": i.title_zh or i.title_en or i.title}
                                    for i in infos if i.source == str(dest)]
        return results

    def upload_html(self, files: Sequence[Any], progress: Callable[[float, str], None] | None = None) -> str:
        with self._friendly("upload") as box:
            return render.upload_results(self.upload(files, progress))
        return box[0]

    def fetch(self, ids: Sequence[str] = (), progress: Callable[[float, str], None] | None = None) -> str:
        """Download catalog texts from their official addresses, ingest, link and index them."""
        from policyscope.corpus.catalog import load_catalog
        from policyscope.corpus.fetch import fetch_entries

        with self._friendly("fetch") as box:
            entries = [e for e in load_catalog() if not ids or e.id in ids]
            if progress:
                progress(0.0, f"downloading {len(entries)} catalog texts")
            outcomes = fetch_entries(entries, self.settings.downloads, timeout=self.settings.fetch_timeout,
                                     max_bytes=self.settings.fetch_max_bytes, retries=self.settings.fetch_retries)
            rows = []
            with self.write_lock:
                for o in outcomes:
                    row: dict[str, Any] = {"name": o.entry_id, "added": 0, "unchanged": 0, "error": o.error,
                                           "documents": []}
                    if o.result is not None:
                        rep = self.pipeline.ingest_paths([o.result.path], catalog_id=o.entry_id)[0]
                        row.update(added=rep.added, unchanged=rep.unchanged, error=rep.error)
                        row["documents"] = [{"id": o.entry_id, "title": o.entry_id}]
                    rows.append(row)
                if progress:
                    progress(0.8, "segmenting, tagging and indexing")
                if any(r["added"] for r in rows):
                    self._rebuild()
            ok = sum(1 for r in rows if not r["error"])
            return (f'<div class="ps-summary">fetched {ok} of {len(rows)} catalog texts</div>'
                    + render.upload_results(rows))
        return box[0]


def _safe_name(name: str) -> str:
    """A file name without directories or odd characters (keeps CJK letters)."""
    base = Path(str(name).replace("\\", "/")).name
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = re.sub(r"[^\w\-. ]+", "_", stem, flags=re.UNICODE).strip(" .") or "upload"
    ext = re.sub(r"[^\w]+", "", ext)
    return f"{stem[:120]}.{ext}" if ext else stem[:120]


def _unique(dest: Path, src: Path) -> Path:
    """``dest``, or ``name-2.ext``… when a different file already has that name (same bytes: reuse)."""
    n = 1
    candidate = dest
    while candidate.exists():
        try:
            if candidate.read_bytes() == src.read_bytes():
                return candidate
        except OSError:
            pass
        n += 1
        candidate = dest.with_name(f"{dest.stem}-{n}{dest.suffix}")
    return candidate
