"""The backend registry and the Milvus filter expressions: pure, no Milvus needed (runs without the extra)."""

from __future__ import annotations

import sys

import pytest
from policyscope.corpus.config import INDEX_BACKENDS
from policyscope.corpus.errors import ConfigError
from policyscope.index.backends import _BACKENDS, get_backend
from policyscope.index.backends.milvus import filter_expression, index_type
from policyscope.index.search.filters import SearchFilters
from policyscope.ui.cli import app
from typer.testing import CliRunner


def test_the_settings_list_the_registry_s_backends():
    assert tuple(_BACKENDS) == INDEX_BACKENDS


def test_an_unknown_backend_lists_the_available_ones():
    with pytest.raises(ConfigError, match="unknown index backend 'elastic'; available: faiss, milvus"):
        get_backend("elastic")


def test_milvus_without_its_extra_is_a_one_line_error_with_the_install_hint(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pymilvus", None)  # as if installed without [milvus]
    result = CliRunner().invoke(app, ["--home", str(tmp_path), "--backend", "milvus", "build"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: the milvus backend needs pymilvus and milvus-lite: pip install 'policyscope[milvus]'"
    )


@pytest.mark.parametrize(
    ("filters", "expression"),
    [
        (SearchFilters(), ""),
        (SearchFilters(countries=("US", "日本")), 'country in ["JP", "US"]'),
        (SearchFilters(doc_ids=("cclw-9746",)), '(doc_id in ["cclw-9746"] or catalog_id in ["cclw-9746"])'),
        (SearchFilters(langs=("ZH",), kinds=("Law",)), 'lang in ["zh"] and kind in ["law"]'),
        (SearchFilters(year_from=2019, year_to=2022), "year >= 2019 and (year <= 2022 and year >= 0)"),
        (SearchFilters(measures_any=("recycling",), measures_all=("alliance", "workforce")),
         'array_contains_any(measures, ["recycling"]) and array_contains_all(measures, ["alliance", "workforce"])'),
        (SearchFilters(doc_ids=('a"b',)), '(doc_id in ["a\\"b"] or catalog_id in ["a\\"b"])'),
    ],
)
def test_filters_become_milvus_expressions(filters, expression):
    assert filter_expression(filters) == expression


def test_auto_index_type_is_flat_on_lite_and_hnsw_on_a_server_and_lite_refuses_hnsw():
    assert index_type("auto", "/data/milvus.db") == "FLAT"
    assert index_type("auto", "http://milvus:19530") == "HNSW"
    assert index_type("IVF_PQ", "http://milvus:19530") == "IVF_PQ"
    with pytest.raises(ConfigError, match="Milvus Lite builds only FLAT, IVF_FLAT, AUTOINDEX"):
        index_type("HNSW", "/data/milvus.db")
