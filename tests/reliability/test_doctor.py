"""A damaged workspace: each kind of damage gives one line naming `policyscope doctor --repair`, and that
command (or a plain `build`, for the index) ends in a working workspace."""

from __future__ import annotations

import json
import os

import pytest

from .conftest import error_lines, run_cli

REPAIR = "run `policyscope doctor --repair`"


def _searchable(home) -> None:
    result = run_cli(home, "search", "电池回收", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["hits"], "no hits after the repair"


def _current(home):
    return home.index_root / (home.index_root / "CURRENT").read_text(encoding="utf-8").strip()


def _one_error_naming_doctor(result) -> str:
    assert result.exit_code == 1, result.output
    lines = error_lines(result)
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert lines[0].endswith(REPAIR)
    return lines[0]


def test_a_truncated_store_is_moved_aside_and_the_builtin_corpus_rebuilt(home, inputs):
    note = inputs / "note.md"
    note.write_text("# Lithium note\n\nA user's own note on lithium refining subsidies in Chile.\n", encoding="utf-8")
    assert run_cli(home, "add", str(note)).exit_code == 0
    size = home.store_path.stat().st_size
    with home.store_path.open("r+b") as fh:
        fh.truncate(size // 3)

    for command in (["search", "battery"], ["docs"]):
        line = _one_error_naming_doctor(run_cli(home, *command))
        assert str(home.store_path) in line and "damaged store" in line

    check = run_cli(home, "doctor", "--json")
    assert check.exit_code == 1 and not json.loads(check.stdout)["healthy"]
    repaired = run_cli(home, "doctor", "--repair", "--json")
    assert repaired.exit_code == 0, repaired.output
    report = json.loads(repaired.stdout)
    store = report["findings"][0]
    assert store["part"] == "store" and "moved to policyscope.sqlite.damaged-" in store["action"]
    assert report["lost_documents"] == 1  # the user's note: said, not hidden
    assert list(home.home.glob("policyscope.sqlite.damaged-*"))  # kept for forensic recovery
    _searchable(home)
    assert run_cli(home, "doctor").exit_code == 0


def test_a_deleted_index_file_is_found_by_search_and_rebuilt_by_plain_build(home):
    (_current(home) / "vectors" / "vectors.faiss").unlink()
    line = _one_error_naming_doctor(run_cli(home, "search", "battery"))
    assert "damaged index" in line and "vectors.faiss" in line
    built = run_cli(home, "build")
    assert built.exit_code == 0 and "unchanged (nothing new)" not in built.stdout, built.output
    _searchable(home)


def test_a_changed_index_file_fails_its_checksum_and_doctor_rebuilds_it(home):
    bm25 = next((_current(home) / "bm25").glob("*.npy"))
    with bm25.open("ab") as fh:
        fh.write(b"garbage")
    check = run_cli(home, "doctor")
    assert check.exit_code == 1 and f"damaged bm25/{bm25.name} (checksum differs" in check.stdout
    repaired = run_cli(home, "doctor", "--repair")
    assert repaired.exit_code == 0 and "rebuilt the index from the store" in repaired.stdout, repaired.output
    assert run_cli(home, "doctor").exit_code == 0
    _searchable(home)


def test_an_index_from_before_checksums_is_verified_by_loading_it(home):
    current = _current(home)
    manifest = json.loads((current / "manifest.json").read_text(encoding="utf-8"))
    del manifest["files"]
    (current / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert "unchanged (nothing new)" in run_cli(home, "build").stdout  # sound: nothing to do
    (current / "columns.npz").write_bytes(b"not a zip")
    built = run_cli(home, "build")
    assert built.exit_code == 0 and "unchanged (nothing new)" not in built.stdout
    _searchable(home)


def test_a_garbage_embedding_cache_is_moved_aside_and_build_force_succeeds(home):
    home.cache_path.write_bytes(os.urandom(50_000))
    check = run_cli(home, "doctor")
    assert check.exit_code == 1 and "cache: damaged" in check.stdout
    built = run_cli(home, "build", "--force")
    assert built.exit_code == 0, built.output
    assert list(home.cache_path.parent.glob("embeddings.sqlite.damaged-*"))
    assert run_cli(home, "doctor").exit_code == 0
    _searchable(home)


def test_an_emptied_store_is_not_an_empty_answer(home):
    home.store_path.write_bytes(b"")
    for suffix in ("-wal", "-shm"):
        home.store_path.with_name(home.store_path.name + suffix).unlink(missing_ok=True)
    line = _one_error_naming_doctor(run_cli(home, "search", "battery"))
    assert "the store holds no documents but the index has" in line
    assert run_cli(home, "doctor", "--repair").exit_code == 0
    _searchable(home)


@pytest.mark.parametrize("damage", ["store", "cache"])
def test_doctor_without_repair_changes_nothing(home, damage):
    target = home.store_path if damage == "store" else home.cache_path
    target.write_bytes(b"garbage" * 100)

    def files() -> dict:
        # SQLite's own -wal/-shm companions may appear when a WAL database is read; they hold no content.
        return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(home.home.rglob("*"))
                if p.is_file() and not p.name.endswith(("-wal", "-shm"))}

    before = files()
    assert run_cli(home, "doctor").exit_code == 1
    assert files() == before
