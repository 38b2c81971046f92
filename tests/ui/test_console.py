"""The plumbing every command shares: one-line errors, settings from the global options."""

from __future__ import annotations

import re

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


def test_without_a_terminal_each_stage_is_named_once(options, capsys, monkeypatch):
    monkeypatch.delenv("HF_HUB_DISABLE_PROGRESS_BARS", raising=False)
    with console.progress_bars() as progress:
        for done in range(3):
            progress("segment", done, 3)
        progress("read big.csv", 100, None)
    assert capsys.readouterr().err.splitlines() == ["segment…", "read big.csv…"]
    # Hugging Face bars (sentence-transformers' "Loading weights") would leak into the log: off
    import os

    assert os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] == "1"


def test_quiet_prints_no_progress(options, capsys):
    options.quiet = True
    with console.progress_bars() as progress:
        progress("segment", 1, 1)
    assert capsys.readouterr().err == ""


def test_a_stage_without_a_total_ends_complete_at_its_count(options, capsys, monkeypatch):
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich draws bars as on a terminal
    monkeypatch.setenv("COLUMNS", "100")
    with console.progress_bars() as progress:
        progress("read rows.csv", 100, None)
        progress("read rows.csv", 250, None)
        progress("segment", 2, 2)
    final = capsys.readouterr().err.split("\r")[-1]
    assert "250/250" in final and "2/2" in final


def test_a_stage_with_a_total_shows_the_time_left(options, capsys, monkeypatch):
    import time

    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("COLUMNS", "120")
    with console.progress_bars() as progress:
        for done in range(0, 1001, 100):
            progress("embed", done, 10_000)
            time.sleep(0.05)
    final = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", capsys.readouterr().err.split("\r")[-1])
    # 1,000 of 10,000 in ~0.5 s: rich estimates a few seconds left, drawn as h:mm:ss after "eta".
    assert re.search(r"1000/10000 .* eta 0:00:(0[1-9]|[1-5]\d)", final), final


def test_the_keywords_stage_reports_its_end(home):
    from policyscope.corpus.config import Settings
    from policyscope.index.pipeline import Pipeline

    calls: list[tuple[str, int, int | None]] = []
    pipe = Pipeline(Settings.load(home, encoder="hash"))
    pipe.index(force=True, progress=lambda stage, done, total: calls.append((stage, done, total)))
    keywords = [c for c in calls if c[0] == "keywords"]
    assert keywords[0][1] == 0 and keywords[-1][1] == keywords[-1][2] == pipe.store.count("passages")
