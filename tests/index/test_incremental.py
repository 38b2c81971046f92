"""Incremental builds: only new passages are embedded, a no-change build is skipped (behaviour, not timing)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from policyscope.corpus.config import Settings
from policyscope.corpus.store import Store
from policyscope.index.build import embedding_text, read_manifest
from policyscope.index.encoders import HashEncoder
from policyscope.index.pipeline import Pipeline

NEW_DOC = """Battery passport pilot

The ministry pilots a digital battery passport recording carbon footprint and recycled content.

工业和信息化部将试点动力电池数字护照，记录碳足迹和再生材料含量。
"""


class CountingEncoder(HashEncoder):
    """The `hash` encoder (same name, so the same cache key) counting the texts it encodes."""

    def __init__(self) -> None:
        super().__init__()
        self.encoded: list[str] = []

    def encode_passages(self, texts: Any, batch_size: int = 32, progress: Any = None) -> Any:
        self.encoded.extend(texts)
        return super().encode_passages(texts, batch_size=batch_size, progress=progress)


@pytest.fixture
def counting():
    return CountingEncoder()


def test_adding_one_document_embeds_only_its_passages(home, tmp_path, counting):
    settings = Settings.load(home, encoder="hash")
    path = tmp_path / "passport.txt"
    path.write_text(NEW_DOC, encoding="utf-8")
    pipe = Pipeline(settings, encoder=counting)
    before = pipe.store.count("passages")

    report = pipe.run([path])

    new = pipe.store.count("passages") - before
    assert new > 0
    assert report.index is not None and not report.index.skipped
    assert report.index.embedded == new
    assert len(counting.encoded) == new
    assert all(("passport" in t.lower()) or ("护照" in t) or ("再生" in t) or ("pilot" in t.lower())
               for t in counting.encoded)
    assert report.index.passages == before + new


def test_a_rebuild_with_nothing_changed_is_skipped_without_loading_the_tagger(home, counting, monkeypatch):
    settings = Settings.load(home, encoder="hash")
    first = Pipeline(settings, encoder=counting).run(builtin=True)

    from policyscope.nlp import taggers

    def no_tagger() -> Any:
        raise AssertionError("the tagger must not be built when every passage is tagged")

    monkeypatch.setattr(taggers, "default_tagger", no_tagger)
    again = Pipeline(settings, encoder=counting).run(builtin=True)

    assert again.index is not None and first.index is not None
    assert again.index.skipped
    assert again.index.index_dir == first.index.index_dir
    assert again.tagged == 0
    assert counting.encoded == []


def test_changing_the_encoder_setting_triggers_a_rebuild(home):
    settings = Settings.load(home, encoder="hash")
    first = Pipeline(settings).run(builtin=True)

    other = Pipeline(replace(settings, encoder="hash:64")).run(builtin=True)

    assert other.index is not None and first.index is not None
    assert not other.index.skipped
    assert other.index.index_dir != first.index.index_dir
    store = Store(settings.store_path)
    distinct = {embedding_text(r) for r in store.passage_rows()}  # identical texts are embedded once
    store.close()
    assert other.index.embedded == len(distinct) < other.index.passages  # nothing cached for the new encoder
    assert read_manifest(other.index.index_dir)["encoder"]["name"] == "hash:64"


def test_re_adding_an_edited_file_embeds_only_its_changed_passages(home, tmp_path, counting):
    settings = Settings.load(home, encoder="hash")
    path = tmp_path / "passport.txt"
    path.write_text(NEW_DOC, encoding="utf-8")
    Pipeline(settings, encoder=counting).run([path])
    edited = NEW_DOC.replace("记录碳足迹和再生材料含量", "记录碳足迹、再生材料含量和回收责任主体")
    path.write_text(edited, encoding="utf-8")
    counting.encoded.clear()

    report = Pipeline(settings, encoder=counting).run([path])

    assert report.files[0].replaced == 1 and report.files[0].added == 1 and report.segmented == 1
    assert counting.encoded == ["工业和信息化部将试点动力电池数字护照，记录碳足迹、再生材料含量和回收责任主体。"]
    store = Store(settings.store_path)
    ours = [i for i in store.document_infos() if i.source == str(path)]
    assert [(i.version, i.passages) for i in ours] == [(2, 3)]
    store.close()
