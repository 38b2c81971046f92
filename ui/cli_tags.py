"""Tagging and dataset commands: ``tag``, ``export``, ``import-labels``, ``review``, ``eval tags``."""

from __future__ import annotations

from typing import Any


def register(app: Any, eval_app: Any) -> None:
    """Add the tagging commands to the main ``app`` and ``eval_app``."""
