"""CC-CEDICT: the real bundled file, its parse cache (fresh, stale, damaged) and both directions."""

from __future__ import annotations

import shutil

import pytest
from policyscope.nlp.translate import dictionary
from policyscope.nlp.translate.dictionary import Cedict, cedict_path
from policyscope.nlp.translate.english import fold_word


@pytest.fixture()
def cedict_copy(tmp_path, monkeypatch):
    """A private copy of the bundled CC-CEDICT and an empty cache directory."""
    monkeypatch.setenv("POLICYSCOPE_CACHE_DIR", str(tmp_path / "cache"))
    copy = tmp_path / "cedict.txt"
    shutil.copyfile(cedict_path(), copy)
    return copy


@pytest.fixture()
def cedict_part(tmp_path, monkeypatch):
    """The bundled CC-CEDICT's first 20,000 lines (a quick parse) and an empty cache directory."""
    monkeypatch.setenv("POLICYSCOPE_CACHE_DIR", str(tmp_path / "cache"))
    with cedict_path().open(encoding="utf-8") as fh:
        lines = [line for _, line in zip(range(20_000), fh)]
    part = tmp_path / "cedict-part.txt"
    part.write_text("".join(lines), encoding="utf-8")
    return part


def _same(a: Cedict, b: Cedict) -> bool:
    return (a.definitions, a._exact, a._first) == (b.definitions, b._exact, b._first)


def test_the_cached_parse_equals_a_fresh_parse(cedict_copy, tmp_path):
    fresh = Cedict(cedict_copy, {})  # parses and writes the cache
    assert len(list((tmp_path / "cache").glob("cedict-*.marshal"))) == 1
    cached = Cedict(cedict_copy, {})
    assert _same(fresh, cached)
    assert "电池" in cached.english_to_zh(("battery",))
    assert "battery" in cached.zh_to_english("电池")


def test_a_changed_dictionary_is_parsed_again_not_read_from_the_old_cache(cedict_part):
    cedict_copy = cedict_part
    Cedict(cedict_copy, {})
    with cedict_copy.open("a", encoding="utf-8") as fh:
        fh.write("\n測試詞 测试词 [ce4 shi4 ci2] /zorbatron/\n")
    assert Cedict(cedict_copy, {}).english_to_zh((fold_word("zorbatron"),)) == ["测试词"]


def test_a_damaged_cache_is_ignored_and_rewritten(cedict_part, tmp_path):
    cedict_copy = cedict_part
    Cedict(cedict_copy, {})
    (cache,) = (tmp_path / "cache").glob("cedict-*.marshal")
    cache.write_bytes(b"\x00garbage")
    assert _same(Cedict(cedict_copy, {}), Cedict(cedict_copy, {}, cache=False))
    assert dictionary._load_parsed(cedict_copy) is not None  # rewritten


def test_an_unwritable_cache_directory_still_gives_a_working_dictionary(cedict_part, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("POLICYSCOPE_CACHE_DIR", str(blocker / "cache"))
    d = Cedict(cedict_part, {})
    assert d.definitions and d._exact
