"""The web app's shared state: one workspace's settings, store, searcher, pipeline, locks and caches.

Every tab (``search_tab``, ``document_tab``, ``compare_tab``, ``review_tab``, ``corpus_tab``) holds
the same :class:`Workspace`. The index is loaded once by its ``Searcher`` and shared read-only by
every request; the searcher switches to a new index by itself after a build.

Concurrency: Gradio runs handlers in a thread pool. Reads go through one SQLite connection per
thread (:class:`ThreadLocalStore`); every write (annotations, uploads, fetch, builds) takes
``write_lock``, so two uploads never interleave their segment → tag → index runs.
Errors never reach the page as a traceback: :meth:`Workspace.friendly` turns domain errors into
a message and logs anything else with its traceback, showing one line.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from policyscope.corpus.config import Settings
from policyscope.corpus.errors import PolicyscopeError
from policyscope.corpus.store import Store
from policyscope.corpus.store_schema import store_file_stamp
from policyscope.ui import render

if TYPE_CHECKING:
    from policyscope.index.build import BuildReport
    from policyscope.index.pipeline import Pipeline, Progress
    from policyscope.index.search import Searcher

log = logging.getLogger(__name__)

T = TypeVar("T")


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


class Workspace:
    """One workspace as the app sees it.

    Example:
        >>> ws = Workspace(Settings.load("/tmp/home", encoder="hash"))
        >>> ws.ensure_built()          # builds the built-in corpus the first time
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        # Typed as the Store it stands in for: every Store method works on it, one connection per thread.
        self.store: Store = cast(Store, ThreadLocalStore(settings.store_path))
        self.write_lock = threading.RLock()
        # Queries are milliseconds; serializing them keeps encoders that are not thread-safe safe.
        self.search_lock = threading.Lock()
        self._searcher: Searcher | None = None
        self._pipeline: Pipeline | None = None
        self._cache: dict[str, tuple[str, Any, tuple[tuple[int, int], ...]]] = {}
        self._warming: threading.Thread | None = None
        self.status = "not built"

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def pipeline(self) -> Pipeline:
        """The pipeline for writes (its own store connection; use under ``write_lock``)."""
        if self._pipeline is None:
            from policyscope.index.pipeline import Pipeline

            self._pipeline = Pipeline(self.settings)
        return self._pipeline

    @property
    def searcher(self) -> Searcher:
        if self._searcher is None:
            from policyscope.index.search import Searcher

            self._searcher = Searcher(self.settings, store=self.store)
        return self._searcher

    # One query per analyzer and dictionary a first search may need (encoder, jieba, CC-CEDICT, Sudachi,
    # JMdict, MeCab-ko), so the first user's search does not pay for loading them.
    WARM_QUERIES = ("battery supply chain", "电池回收", "蓄電池の備蓄", "배터리 공급망")

    def warm_up(self) -> threading.Thread:
        """Load the searcher's models and dictionaries on a background thread; returns the thread.

        It holds ``search_lock`` while it runs, so a search that comes early waits for it instead
        of loading the same models a second time. A failure is logged, never raised: the first
        search then loads (and reports) it itself.
        """

        def run() -> None:
            try:
                with self.search_lock:
                    for query in self.WARM_QUERIES:
                        self.searcher.search(query, k=1)
            except Exception:  # warming is best effort; the real search reports errors
                log.warning("warming the searcher failed", exc_info=True)

        thread = threading.Thread(target=run, name="policyscope-warm-up", daemon=True)
        thread.start()
        self._warming = thread
        return thread

    def wait_warm(self, timeout: float | None = None) -> bool:
        """Wait for :meth:`warm_up` (if started) to finish; True when no warm-up is still running."""
        if self._warming is not None:
            self._warming.join(timeout)
            if self._warming.is_alive():
                return False
        return True

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
                self.status = (f"built the built-in corpus: {render.count_noun(n, 'passage')} in "
                               f"{time.perf_counter() - started:.0f}s")
            else:
                self.status = "ready"
        self.searcher.refresh()
        idx = self.searcher.index
        counts = idx.manifest.get("counts", {})
        enc = idx.manifest.get("encoder", {}).get("name", "?")
        docs, passages = counts.get("documents"), counts.get("passages", idx.n)
        self.status = (f"{self.status} · {'? documents' if docs is None else render.count_noun(docs, 'document')}, "
                       f"{render.count_noun(passages, 'passage')}, encoder {enc}")
        return self.status

    def rebuild(self, progress: Progress | None = None) -> BuildReport:
        """Segment, tag and index what changed (caller holds ``write_lock``)."""
        pipe = self.pipeline
        pipe.segment(progress)
        pipe.tag(progress)
        report = pipe.index(progress=progress)
        self.searcher.refresh()
        self.invalidate()
        return report

    # -- helpers ---------------------------------------------------------------------------------

    @contextmanager
    def friendly(self, what: str) -> Iterator[list[str]]:
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

    def cached(self, name: str, compute: Callable[[], T]) -> T:
        """Corpus-wide views (heatmap, timeline, choices) recomputed only when the store changes.

        The store's fingerprint decides; it is only queried when the store's files changed since the view
        was computed (with 10,000 documents the fingerprint query takes ~0.1 s, the file check ~20 µs,
        and a page load asks for six views).
        """
        files = store_file_stamp(self.settings.store_path)
        hit = self._cache.get(name)
        if hit is not None and hit[2] == files:
            return cast(T, hit[1])
        key = self.store.fingerprint()
        if hit is not None and hit[0] == key:
            self._cache[name] = (key, hit[1], files)
            return cast(T, hit[1])
        value = compute()
        self._cache[name] = (key, value, files)
        return value

    def invalidate(self) -> None:
        """Forget the cached views (after a write)."""
        self._cache.clear()

    # -- choices for the page's dropdowns --------------------------------------------------------

    def document_choices(self) -> list[tuple[str, str]]:
        """(label, id) for every document, for dropdowns."""
        def compute() -> list[tuple[str, str]]:
            out = []
            for i in self.store.document_infos():
                title = i.title_zh or i.title_en or i.title
                if i.title_zh and i.title_en:
                    title = f"{i.title_zh} / {i.title_en}"
                label = f"{i.country or '?'} {i.year or ''} · {title[:90]}".replace("  ", " ")
                out.append((label, i.id))
            return sorted(out)

        return self.cached("doc_choices", compute)

    def country_codes(self) -> list[str]:
        """The jurisdiction codes of the corpus's documents, sorted."""
        return self.cached(
            "countries", lambda: sorted({(i.country or "").upper() for i in self.store.document_infos() if i.country})
        )

    def country_choices(self) -> list[tuple[str, str]]:
        """(``"US · United States 美国"``, ``"US"``) for every country of the corpus."""
        from policyscope.corpus.jurisdictions import country_label, country_names

        out = []
        for code in self.country_codes():
            try:
                zh = country_names(code)["zh"]
            except ValueError:
                zh = ""
            out.append((f"{country_label(code)} {zh}".strip(), code))
        return out

    def region_choices(self) -> list[tuple[str, str]]:
        """(label, key) of the blocs and UN M49 regions that hold at least one country of the corpus."""
        from policyscope.corpus.jurisdictions import groupings

        present = set(self.country_codes())
        out = []
        for g in groupings():
            found = sorted(g.codes & present)
            if found:
                zh = (g.names.get("zh") or ("",))[0]
                kind = "bloc" if g.kind == "bloc" else "region"
                out.append((f"{g.name} {zh} ({kind}: {', '.join(found)})".replace("  ", " "), g.key))
        return sorted(out, key=lambda x: (not x[0].split()[0].isupper(), x[0]))

    def compare_choices(self) -> list[tuple[str, str]]:
        """Countries, then regions and blocs, then documents: what the Compare tab offers."""
        return ([(f"Country {label}", code) for label, code in self.country_choices()]
                + [(f"Region {label}", key) for label, key in self.region_choices()]
                + self.document_choices())

    def measure_choices(self) -> list[tuple[str, str]]:
        from policyscope.index.compare import measure_ids

        return [(render.measure_label(m), m) for m in measure_ids()]

    def year_bounds(self) -> tuple[int, int]:
        def compute() -> tuple[int, int]:
            years = [i.year for i in self.store.document_infos() if i.year]
            return (min(years), max(years)) if years else (1990, time.localtime().tm_year)

        return self.cached("year_bounds", compute)
