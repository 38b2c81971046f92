"""load_path and the registry (policyscope.corpus.loaders): path errors, unsupported and blank files."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from policyscope.corpus.errors import LoadError
from policyscope.corpus.loaders import LOADERS, SUPPORTED_EXTENSIONS, load_path
from policyscope.corpus.loaders.base import MAX_READ_BYTES, read_bytes

from tests.corpus.loaders.common import load_error


def test_unknown_extension_lists_supported_types(tmp_path):
    path = tmp_path / "notes.rtf"
    path.write_text("hello")
    message = load_error(path)
    assert "unsupported file type '.rtf'" in message
    assert all(ext in message for ext in SUPPORTED_EXTENSIONS)


def test_path_errors_are_raised_at_call_time(tmp_path):
    with pytest.raises(LoadError, match="no such file"):
        load_path(tmp_path / "missing.txt")
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(LoadError, match="is a directory"):
        load_path(folder)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file_is_reported(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("x")
    path.chmod(0)
    try:
        assert "cannot read file" in load_error(path)
    finally:
        path.chmod(0o600)


@pytest.mark.parametrize(("content", "problem"), [(b"", "empty file"), (b" \n\t\r\n ", "only whitespace")])
@pytest.mark.parametrize("ext", [".txt", ".md", ".csv", ".jsonl", ".html", ".pdf", ".docx", ".xlsx"])
def test_empty_or_whitespace_files_are_reported(tmp_path, content, problem, ext):
    path = tmp_path / f"blank{ext}"
    path.write_bytes(content)
    assert problem in load_error(path)


# -- file types: checked with stat before anything is opened ----------------------------------------


def _returns_quickly(path, problem: str) -> None:
    start = time.monotonic()
    message = load_error(path)
    assert time.monotonic() - start < 1.0
    assert problem in message


@pytest.mark.timeout(30)
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_named_txt_is_refused_without_blocking(tmp_path):
    path = tmp_path / "x.txt"
    os.mkfifo(path)  # opening it for reading would wait for a writer forever
    _returns_quickly(path, "not a regular file (named pipe (FIFO)); only regular files are read")


@pytest.mark.timeout(30)
@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_txt_symlinked_to_dev_zero_is_refused_without_reading(tmp_path):
    path = tmp_path / "zero.txt"
    path.symlink_to("/dev/zero")  # reading it never ends
    _returns_quickly(path, "not a regular file (symlink to a character device, /dev/zero)")


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_a_device_path_is_refused_by_its_type():
    assert "not a regular file (character device)" in load_error(Path("/dev/null"))


def test_a_broken_symlink_is_a_missing_file(tmp_path):
    path = tmp_path / "gone.txt"
    path.symlink_to(tmp_path / "nowhere.txt")
    with pytest.raises(LoadError, match=r"no such file \(broken symlink\)"):
        load_path(path)


def test_a_symlink_to_a_regular_file_is_read(tmp_path):
    target = tmp_path / "real.txt"
    target.write_text("Battery plan\nRecycle lithium.\n", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    (doc,) = load_path(link)
    assert doc.text == "Battery plan\nRecycle lithium."


def test_a_file_over_the_byte_cap_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:  # sparse: no disk space and nothing to read
        fh.truncate(MAX_READ_BYTES + 1)
    start = time.monotonic()
    message = load_error(path)
    assert time.monotonic() - start < 1.0
    assert "file is 512 MB, over the 512 MB limit for one document" in message


def test_read_bytes_stops_at_the_limit(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 100)
    assert read_bytes(path, limit=100) == b"x" * 100
    with pytest.raises(LoadError, match="over the 0 MB limit"):
        read_bytes(path, limit=99)


# -- a parser's unforeseen exception is still one line naming the file ------------------------------


@pytest.mark.parametrize(
    ("error", "problem"),
    [
        (RecursionError("maximum recursion depth exceeded"), "data nested too deeply to read"),
        (KeyError("xl/sharedStrings.xml"), "unreadable file (KeyError: 'xl/sharedStrings.xml')"),
        (MemoryError(), "unreadable file (MemoryError)"),
    ],
)
def test_an_unforeseen_parser_exception_becomes_one_load_error(tmp_path, monkeypatch, error, problem):
    def exploding(path, columns, progress, *, strict=False):
        yield from ()
        raise error

    monkeypatch.setitem(LOADERS, ".boom", exploding)
    path = tmp_path / "x.boom"
    path.write_text("anything")
    assert load_error(path) == f"{path}: {problem}"
