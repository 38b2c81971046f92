"""Domain errors. Each carries the bad value so the CLI can print one clear line."""

from __future__ import annotations

from pathlib import Path


class PolicyscopeError(Exception):
    """Base class for every error the CLI reports as a one-line message."""


class LoadError(PolicyscopeError):
    """A file could not be turned into documents.

    The message always names the file: ``corrupt.pdf: not a PDF file (bad header)``.
    """

    def __init__(self, path: str | Path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")

    @classmethod
    def cannot_read(cls, path: str | Path, exc: OSError) -> LoadError:
        """``secret.txt: cannot read file (permission denied)`` from the ``OSError`` of an open or read."""
        return cls(path, f"cannot read file ({(exc.strerror or type(exc).__name__).lower()})")


class ConfigError(PolicyscopeError, ValueError):
    """Bad settings, catalog file or column mapping (a ``ValueError`` too: a bad value given)."""


class IndexMissingError(PolicyscopeError):
    """No index has been built in the workspace yet."""

    def __init__(self, home: str | Path):
        self.home = str(home)
        super().__init__(f"no index in {self.home}; run `policyscope build` first")


class IndexMismatchError(PolicyscopeError):
    """The saved index was built with settings this code cannot use."""


class WorkspaceDamagedError(PolicyscopeError):
    """A workspace file (store, index) that cannot be read; the message names the command that repairs it.

    ``policyscope.sqlite: damaged store (database disk image is malformed); run `policyscope doctor --repair```
    """

    REPAIR = "run `policyscope doctor --repair`"

    def __init__(self, path: str | Path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}; {self.REPAIR}")


class QueryError(PolicyscopeError):
    """A search request that cannot be answered (bad mode, empty query, bad filter)."""


class FetchError(PolicyscopeError):
    """A download failed (network, size cap, content type, checksum)."""


class MetadataError(PolicyscopeError, ValueError):
    """A metadata edit that cannot be stored (unknown field or document, bad country, year or address)."""

    def __init__(self, field: str, value: object, problem: str):
        self.field = field
        self.value = value
        super().__init__(f"{field} {value!r}: {problem}")
