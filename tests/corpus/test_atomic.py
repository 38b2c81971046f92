"""Crash-safe writes and the versioned JSON read (policyscope.corpus.atomic)."""

from __future__ import annotations

import json
import os
import threading

import pytest
from policyscope.corpus import atomic
from policyscope.corpus.atomic import read_versioned_json, write_json_atomic, write_text_atomic
from policyscope.corpus.errors import IndexMismatchError


def _names(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_creates_then_replaces_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "settings.json"
    write_text_atomic(target, "old\n")
    write_text_atomic(target, "新的内容\n")
    assert target.read_text(encoding="utf-8") == "新的内容\n"
    assert _names(tmp_path) == ["settings.json"]


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_failure_mid_write_keeps_the_old_file_and_removes_the_temporary(tmp_path, monkeypatch, step):
    target = tmp_path / "manifest.json"
    target.write_text("old", encoding="utf-8")
    seen: list[str] = []

    def boom(*args):
        seen.extend(str(a) for a in args)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, step, boom)
    with pytest.raises(OSError, match="No space left"):
        write_text_atomic(target, "new " * 10_000)
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "old"
    assert _names(tmp_path) == ["manifest.json"]
    if step == "replace":
        # The temporary file sits beside the target: a rename within one directory is atomic.
        assert os.path.dirname(seen[0]) == str(tmp_path)


def test_interrupt_during_write_also_cleans_up(tmp_path, monkeypatch):
    target = tmp_path / "index.json"

    def interrupt(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_text_atomic(target, "x")
    assert _names(tmp_path) == []


def test_a_reader_sees_the_old_or_the_new_content_never_a_mix(tmp_path):
    target = tmp_path / "big.txt"
    versions = ("a" * 200_000, "b" * 300_000)
    write_text_atomic(target, versions[0])
    done = threading.Event()
    seen: set[str] = set()

    def writer():
        for i in range(40):
            write_text_atomic(target, versions[i % 2])
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    while not done.is_set():
        text = target.read_text(encoding="utf-8")
        assert text in versions, f"torn read: {len(text)} characters"
        seen.add(text[0])
    thread.join()
    assert seen  # the reader did read while the writer ran
    assert _names(tmp_path) == ["big.txt"]


def test_json_is_indented_utf8_with_chinese_readable(tmp_path):
    target = tmp_path / "labels.json"
    write_json_atomic(target, {"b": "碳排放", "a": 1}, sort_keys=True)
    text = target.read_text(encoding="utf-8")
    assert text == '{\n  "a": 1,\n  "b": "碳排放"\n}\n'


def test_unserialisable_json_leaves_the_old_file(tmp_path):
    target = tmp_path / "labels.json"
    write_json_atomic(target, {"ok": True})
    with pytest.raises(TypeError):
        write_json_atomic(target, {"bad": object()})
    assert json.loads(target.read_text(encoding="utf-8")) == {"ok": True}
    assert _names(tmp_path) == ["labels.json"]


def test_versioned_json_of_the_right_format_is_returned(tmp_path):
    path = tmp_path / "keywords.json"
    write_json_atomic(path, {"format": 3, "k1": 1.2})
    assert read_versioned_json(path, "keyword index settings", 3) == {"format": 3, "k1": 1.2}


def test_versioned_json_missing_file_names_it(tmp_path):
    path = tmp_path / "vectors.json"
    with pytest.raises(FileNotFoundError) as info:
        read_versioned_json(path, "vector index settings", 2)
    assert str(info.value) == f"{path}: vector index settings file missing"


@pytest.mark.parametrize(("written", "shown"), [({"format": 1}, "1"), ({}, "None"), ({"format": "2"}, "'2'")])
def test_versioned_json_of_another_format_asks_for_a_rebuild(tmp_path, written, shown):
    path = tmp_path / "vectors.json"
    write_json_atomic(path, written)
    with pytest.raises(IndexMismatchError) as info:
        read_versioned_json(path, "vector index settings", 2)
    assert str(info.value) == (
        f"{path}: vector index settings format {shown}, this version reads 2; rebuild the index"
    )


def test_staged_directory_replaces_the_old_one_only_on_success(tmp_path):
    from policyscope.corpus.atomic import staged

    target = tmp_path / "model"
    target.mkdir()
    (target / "old.txt").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), staged(target) as new:
        new.mkdir()
        (new / "half.txt").write_text("half", encoding="utf-8")
        raise RuntimeError("crash mid-save")
    assert [p.name for p in target.iterdir()] == ["old.txt"]
    with staged(target) as new:
        new.mkdir()
        (new / "new.txt").write_text("new", encoding="utf-8")
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no staging leftovers


def test_staged_file_replaces_a_file(tmp_path):
    from policyscope.corpus.atomic import staged

    target = tmp_path / "out.jsonl"
    target.write_text("old", encoding="utf-8")
    with staged(target) as new:
        new.write_text("new", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "new" and len(list(tmp_path.iterdir())) == 1
