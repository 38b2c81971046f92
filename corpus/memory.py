"""Giving freed memory back to the system between the stages of a large ``add``.

Cutting a 200 MB text makes and frees millions of small objects (lines, passages, sentences). CPython
hands what it frees to the C allocator, and glibc keeps free pages inside its heaps for reuse: the
process stayed ~500 MB above what it held while it tagged and indexed, so each later stage started
from a higher floor. ``malloc_trim(0)`` returns those free pages (the documented glibc call; other C
libraries have no such call and are left alone).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import sys

log = logging.getLogger(__name__)


@functools.cache
def _malloc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # musl and others have no malloc_trim
        return None


def release_free_memory() -> bool:
    """Return the C heap's free pages to the system; ``True`` when glibc released some."""
    trim = _malloc_trim()
    if trim is None:
        return False
    released = bool(trim(0))
    log.debug("malloc_trim: %s", "released memory" if released else "nothing to release")
    return released
