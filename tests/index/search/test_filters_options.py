"""SearchFilters.from_options: the one parser of the CLI's, the app's and the Python API's filter options."""

from __future__ import annotations

import pytest
from policyscope.corpus.errors import QueryError
from policyscope.index.search import SearchFilters


def test_single_values_and_lists_fill_the_same_fields():
    one = SearchFilters.from_options(country="US", region="G7", lang="ja", measure="alliance", doc="d1")
    many = SearchFilters.from_options(country=["US"], region=("G7",), lang=["ja"], measure=["alliance"], doc=["d1"])
    assert one == many
    assert one.countries == ("US",) and one.measures_any == ("alliance",) and one.doc_ids == ("d1",)


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2021, (2021, 2021)), ("2019-2022", (2019, 2022)), ("2019-", (2019, None)), ("-2020", (None, 2020)),
     ((2018, 2020), (2018, 2020)), ((None, 2020), (None, 2020)), (None, (None, None))],
)
def test_year_forms(year, expected):
    f = SearchFilters.from_options(year=year)
    assert (f.year_from, f.year_to) == expected


def test_year_from_and_to_override_the_range_ends():
    f = SearchFilters.from_options(year="2010-2020", year_to=2015)
    assert (f.year_from, f.year_to) == (2010, 2015)


@pytest.mark.parametrize("bad", ["1e400", float("inf"), "last year", -5, 20000, "2021.5", True])
def test_a_bad_year_is_a_query_error_naming_the_option(bad):
    with pytest.raises(QueryError, match=r"year_from: expected a year between 0 and 9999"):
        SearchFilters.from_options(year_from=bad)


def test_a_whole_float_from_a_number_box_is_a_year():
    assert SearchFilters.from_options(year_from=2021.0).year_from == 2021


def test_a_reversed_range_is_refused():
    with pytest.raises(QueryError, match="start is after the end"):
        SearchFilters.from_options(year_from=2022, year_to=2019)


def test_an_unknown_option_is_a_type_error_listing_the_valid_ones():
    with pytest.raises(TypeError, match=r"unknown filter\(s\) regions; available: country, region"):
        SearchFilters.from_options(regions=["EU"])


def test_empty_values_mean_no_restriction():
    assert SearchFilters.from_options(country=[], region=None, lang=["", " "], year="").is_empty()
