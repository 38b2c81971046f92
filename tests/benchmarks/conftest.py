"""The benchmark harness is not installed: its modules are imported from benchmarks/, as ``bench.py`` does."""

from __future__ import annotations

import sys

from tests.conftest import REPO

BENCHMARKS = REPO / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))
