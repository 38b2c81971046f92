"""Benchmark commands (``policyscope bench …``): figures are printed, never asserted in tests."""

from __future__ import annotations

from typing import Any


def register(app: Any) -> None:
    """Add the ``bench`` command group to the main app."""
