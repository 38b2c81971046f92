"""Download official texts from catalog addresses, robustly, with the standard library only.

``fetch_url`` (:mod:`.download`) streams one address into ``<dest>/<name>.part`` and renames it
into place once complete and verified; ``fetch_entries`` (:mod:`.manifest`) walks catalog entries,
tries each entry's addresses in order and records what it got in ``<dest>/fetch.json`` so a second
run skips finished files. :mod:`.names` keeps every file name safe (``safe_filename``).

Every failure is a ``FetchError`` whose message is one line naming the address, e.g.
``https://example.org/a.png: unsupported content type 'image/png'``. When no address can be
reached at all (DNS failure, connection refused, network unreachable on every try) the error is
``NetworkUnreachableError("network unreachable: ...")`` and nothing on disk has changed.
"""

from __future__ import annotations

from policyscope.corpus.fetch.download import (
    ALLOWED_TYPES,
    DOCX_TYPE,
    FetchResult,
    NetworkUnreachableError,
    fetch_url,
)
from policyscope.corpus.fetch.manifest import MANIFEST_NAME, FetchOutcome, fetch_entries, load_manifest
from policyscope.corpus.fetch.names import check_url, part_path, safe_filename

__all__ = [
    "ALLOWED_TYPES",
    "DOCX_TYPE",
    "MANIFEST_NAME",
    "FetchOutcome",
    "FetchResult",
    "NetworkUnreachableError",
    "check_url",
    "fetch_entries",
    "fetch_url",
    "load_manifest",
    "part_path",
    "safe_filename",
]
