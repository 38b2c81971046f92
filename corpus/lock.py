"""One writer per workspace across processes: an exclusive ``flock`` on ``<home>/.write.lock``.

Two ``policyscope add`` runs on one workspace used to interleave: each ingested its files, then
each built the index over both, so each embedded the other's passages (the embedding cache was not
yet filled by the other). With the lock, the second run waits for the first to finish and then
embeds only its own passages. Readers (search, the app's queries) never take it: SQLite's WAL and
the index's atomic switch keep them consistent while a writer works.

The lock is re-entrant within one :class:`WorkspaceLock` (a pipeline's ``run`` holds it while its
steps take it again) and serializes the threads of one process too. Where ``fcntl`` does not exist
(Windows) only the threads of one process are serialized.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

LOCK_NAME = ".write.lock"
_REGISTRY: dict[Path, WorkspaceLock] = {}
_REGISTRY_MUTEX = threading.Lock()


class WorkspaceLock:
    """The write lock of the workspace in ``home``.

    Example:
        >>> lock = WorkspaceLock.of(home)
        >>> with lock.hold():      # a second process blocks here until the first leaves
        ...     pipeline.run(paths)
    """

    @classmethod
    def of(cls, home: str | Path) -> WorkspaceLock:
        """The one lock object of ``home`` in this process, so two pipelines on one workspace in one
        thread share its re-entrancy instead of waiting for each other forever."""
        key = Path(home).resolve()
        with _REGISTRY_MUTEX:
            if key not in _REGISTRY:
                _REGISTRY[key] = cls(key)
            return _REGISTRY[key]

    def __init__(self, home: str | Path, on_wait: Callable[[], None] | None = None):
        self.path = Path(home) / LOCK_NAME
        self.on_wait = on_wait or (lambda: log.warning(
            "another policyscope process is writing to %s; waiting for it to finish", self.path.parent))
        self._mutex = threading.RLock()
        self._depth = 0
        self._fh: IO[str] | None = None

    @contextmanager
    def hold(self) -> Iterator[None]:
        with self._mutex:
            if self._depth == 0:
                self._acquire()
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._release()

    def _acquire(self) -> None:
        if fcntl is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.on_wait()
            fcntl.flock(fh, fcntl.LOCK_EX)
        except BaseException:
            fh.close()
            raise
        self._fh = fh

    def _release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
