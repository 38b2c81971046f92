"""The plumbing every command shares: one-line errors, settings from the global options."""

from __future__ import annotations

import pytest
import typer
from policyscope.corpus.errors import QueryError
from policyscope.ui import console


@pytest.fixture
def options(monkeypatch):
    """Fresh global options for one test (the CLI sets them once per process)."""
    fresh = console.GlobalOptions()
    monkeypatch.setattr(console, "options", fresh)
    return fresh


def test_a_domain_error_becomes_one_line_and_exit_1(options, capsys):
    with pytest.raises(typer.Exit) as exit_info, console.errors():
        raise QueryError("empty query")
    assert exit_info.value.exit_code == 1
    assert capsys.readouterr().err == "error: empty query\n"


def test_extra_error_types_are_one_line_and_a_key_error_is_not_quoted(options, capsys):
    with pytest.raises(typer.Exit), console.errors(*console.BAD_INPUT):
        raise KeyError("unknown measure 'x'; available: a, b")
    assert capsys.readouterr().err == "error: unknown measure 'x'; available: a, b\n"


def test_other_errors_pass_through_and_debug_keeps_the_traceback(options):
    with pytest.raises(ValueError), console.errors():
        raise ValueError("a bug, not bad input")
    options.debug = True
    with pytest.raises(QueryError), console.errors():
        raise QueryError("shown with its traceback")


def test_settings_use_the_global_home_encoder_and_device(options, tmp_path):
    options.home, options.encoder, options.device = tmp_path / "h", "hash", "cpu"
    s = console.settings()
    assert (s.home, s.encoder, s.device) == (tmp_path / "h", "hash", "cpu")
    assert console.settings(tmp_path / "other").home == tmp_path / "other"


def test_open_store_without_a_corpus_says_to_build_first(options, tmp_path, capsys):
    with pytest.raises(typer.Exit):
        console.open_store(console.settings(tmp_path / "empty"))
    assert "run `policyscope build` first" in capsys.readouterr().err
