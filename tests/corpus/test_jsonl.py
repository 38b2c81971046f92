from __future__ import annotations

import codecs
import json

import pytest
from policyscope.corpus.errors import LoadError
from policyscope.corpus.jsonl import iter_jsonl, read_jsonl


def test_every_line_is_parsed_or_carries_its_problem(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        codecs.BOM_UTF8
        + json.dumps({"text": "电池回收"}, ensure_ascii=False).encode()
        + b"\n\n{oops\n[1, 2]\n\xff\xfe\n"
        + json.dumps({"text": "ok"}).encode()
        + b"\n"
    )
    lines = list(iter_jsonl(path))
    assert [(x.lineno, x.obj) for x in lines if x.obj] == [(1, {"text": "电池回收"}), (6, {"text": "ok"})]
    problems = {x.lineno: x.problem for x in lines if x.obj is None}
    assert problems[3].startswith("invalid json")
    assert problems[4] == "expected a json object, got list"
    assert problems[5] == "undecodable bytes (jsonl must be utf-8)"


def test_read_jsonl_stops_at_the_first_bad_line_naming_file_and_line(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"a": 1}\n{"b": 2\n{"c": 3}\n', encoding="utf-8")
    seen = []
    with pytest.raises(LoadError, match=r"q\.jsonl: line 2: invalid json"):
        for lineno, obj in read_jsonl(path):
            seen.append(lineno)
    assert seen == [1]


def test_deep_nesting_is_a_problem_not_a_crash(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    (line,) = iter_jsonl(path)
    assert line.obj is None and line.problem.startswith("invalid json")


def test_a_missing_file_is_one_load_error(tmp_path):
    with pytest.raises(LoadError, match="no such file"):
        list(iter_jsonl(tmp_path / "nope.jsonl"))
