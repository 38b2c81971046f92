"""Cell values (policyscope.corpus.loaders.cells): dates as ISO strings."""

from __future__ import annotations

import datetime as dt

import pytest
from policyscope.corpus.loaders import parse_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2020, 12, 28, 0, 0), "2020-12-28"),
        (dt.date(2021, 3, 6), "2021-03-06"),
        ("2020/1/5", "2020-01-05"),
        ("2021-03-06T12:07:15Z", "2021-03-06"),
        ("2021年3月", "2021-03"),
        ("2021年3月6日", "2021-03-06"),
        (2020, "2020"),
        ("December, 2020", "2020"),
        ("unknown", ""),
        (None, ""),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected
