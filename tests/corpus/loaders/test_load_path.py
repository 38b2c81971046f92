"""load_path and the registry (policyscope.corpus.loaders): path errors, unsupported and blank files."""

from __future__ import annotations

import os

import pytest
from policyscope.corpus.errors import LoadError
from policyscope.corpus.loaders import SUPPORTED_EXTENSIONS, load_path

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
