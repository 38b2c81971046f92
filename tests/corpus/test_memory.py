"""Freed memory goes back to the system between the stages of a large add (glibc's malloc_trim)."""

from __future__ import annotations

import sys

import pytest
from policyscope.corpus.memory import release_free_memory


def _rss_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_the_pages_freed_passages_leave_are_returned():
    # Passage-sized strings (over 512 bytes go to the C allocator), one in a thousand kept: the heap
    # cannot shrink from its top, so the process keeps the freed pages until they are trimmed.
    texts = [("蓄電池の回収 battery recycling " + str(i)) * 40 for i in range(200_000)]
    survivors = texts[::1000]
    del texts
    before = _rss_mb()
    assert release_free_memory()
    assert _rss_mb() < before - 150, "malloc_trim gave nothing back"
    assert len(survivors) == 200
