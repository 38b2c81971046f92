"""Fixtures of the label tests: a private store of the built `hash` workspace."""

from __future__ import annotations

import pytest
from policyscope.corpus.store import Store


@pytest.fixture
def store(home):
    s = Store(home / "policyscope.sqlite")
    yield s
    s.close()
