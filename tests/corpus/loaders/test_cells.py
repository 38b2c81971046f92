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
        (2020.0, "2020"),
        ("December, 2020", "2020-12"),
        ("unknown", ""),
        (None, ""),
        # full dates in words survive as ISO dates (issue #12: "March 5, 2021" became "2021")
        ("March 5, 2021", "2021-03-05"),
        ("5 March 2021", "2021-03-05"),
        ("Sept. 5, 2021", "2021-09-05"),
        ("Mar 2021", "2021-03"),
        ("5 mars 2021", "2021-03-05"),
        # the four languages, numerically and with a Japanese era
        ("2021年3月5日", "2021-03-05"),
        ("2021년 3월 5일", "2021-03-05"),
        ("2021. 3. 5.", "2021-03-05"),
        ("令和3年3月5日", "2021-03-05"),
        ("令和元年5月1日", "2019-05-01"),
        ("平成31年4月1日", "2019-04-01"),
        ("2021-03", "2021-03"),
        # numeric day/month order: decided when one part exceeds 12, else only the year is certain
        ("15.03.2021", "2021-03-15"),
        ("3/15/2021", "2021-03-15"),
        ("05/03/2021", "2021"),
        # impossible parts keep what is certain; relative words and bare numbers are no dates
        ("2021-02-30", "2021-02"),
        ("2021年13月", "2021"),
        ("FY2021", "2021"),
        ("today", ""),
        ("12", ""),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_a_long_cell_is_read_without_filling_the_cache():
    assert parse_date("Enacted by parliament in 2021 after a long consultation " * 5) == "2021"
