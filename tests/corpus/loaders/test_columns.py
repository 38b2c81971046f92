"""ColumnMap (policyscope.corpus.loaders.columns): the CLI form and guessing from a header."""

from __future__ import annotations

import pytest
from policyscope.corpus.loaders import ColumnMap


def test_column_map_parse_and_unknown_key():
    cm = ColumnMap.parse("text=text,title=title,id=id,country=country,date=date")
    assert cm == ColumnMap(text="text", title="title", id="id", country="country", date="date")
    with pytest.raises(ValueError, match="unknown column key 'body'; valid keys: text, title, id"):
        ColumnMap.parse("body=text")
    with pytest.raises(ValueError, match="needs text="):
        ColumnMap.parse("title=title")
    with pytest.raises(ValueError, match="key=column"):
        ColumnMap.parse("text")


def test_column_map_guess_picks_common_names():
    cm = ColumnMap.guess(["ID", "Name", "Summary", "Country", "Date", "Type", "Language", "Link", "Year"])
    assert cm == ColumnMap(
        text="Summary", title="Name", id="ID", country="Country", date="Date",
        year="Year", kind="Type", lang="Language", url="Link",
    )  # fmt: skip
    assert ColumnMap.guess(["body", "title"]).text == "body"
    with pytest.raises(ValueError, match="no text column found among: a, b"):
        ColumnMap.guess(["a", "b"])
