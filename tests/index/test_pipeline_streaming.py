"""Big inputs in bounded memory (issue #14): passages stream from the segmenter into the store, tagging
reads the store page by page, and a failure half-way through a document still leaves nothing of it."""

from __future__ import annotations

import itertools

import pytest
from policyscope.corpus.config import Settings
from policyscope.corpus.records import Document, Passage, Tag
from policyscope.corpus.store_passages import PASSAGE_BATCH
from policyscope.index import pipeline as pipeline_module
from policyscope.index.pipeline import Pipeline, segment_settings_key
from policyscope.nlp import segment, taggers

LINES = PASSAGE_BATCH + 300  # one passage per line: more than one batch


def _text(n: int, word: str = "Article") -> str:
    return "\n".join(f"{word} {i}: the operator shall report its emissions every year." for i in range(n))


@pytest.fixture
def pipe(tmp_path):
    return Pipeline(Settings.load(tmp_path / "ws", encoder="hash"))


def _failing_after(n: int, only: str = ""):
    """``segment_stream`` that fails after ``n`` passages of a document containing ``only``."""
    real = segment.segment_stream

    def stream(doc: Document, *args, **kwargs):
        passages = real(doc, *args, **kwargs)
        if only not in doc.text:
            return passages

        def fail() -> object:
            yield from itertools.islice(passages, n)
            raise MemoryError("the segmenter ran out of memory")

        return fail()

    return stream


def test_a_file_whose_segmentation_fails_half_way_is_refused_and_nothing_of_it_is_stored(pipe, tmp_path, monkeypatch):
    good = tmp_path / "good.txt"
    good.write_text(_text(5, "Section"), encoding="utf-8")
    assert not pipe.ingest_paths([good])[0].error
    before = pipe.store.fingerprint()
    big = tmp_path / "big.txt"
    big.write_text(_text(LINES), encoding="utf-8")
    monkeypatch.setattr(segment, "segment_stream", _failing_after(PASSAGE_BATCH + 5))

    report = pipe.ingest_paths([big])[0]

    assert "could not be cut into passages (MemoryError" in report.error
    assert "nothing from this file was stored" in report.error
    assert pipe.store.fingerprint() == before  # its first batch of passages was rolled back with it
    assert [d.source for d in pipe.store.iter_documents()] == [str(good.absolute())]


def test_the_segment_stage_writes_a_long_document_as_it_is_cut_and_drops_it_alone_when_cutting_fails(
    pipe, monkeypatch
):
    key = segment_settings_key(pipe.settings)
    small = Document(id="small", text=_text(3, "Section"), title="small")
    long_ok = Document(id="long-ok", text=_text(LINES), title="long")
    long_bad = Document(id="long-bad", text=_text(LINES, "Clause"), title="bad")
    pipe.store.add_documents([small, long_ok, long_bad])  # stored without passages, as after a settings change
    monkeypatch.setattr(segment, "segment_stream", _failing_after(PASSAGE_BATCH + 5, only="Clause"))
    failures: list = []

    assert pipe.segment(failures=failures) == 3

    assert [f.removed for f in failures] == [1] and "long-bad" in failures[0].error
    assert {d.id for d in pipe.store.iter_documents()} == {"small", "long-ok"}
    assert len(list(pipe.store.iter_passages("long-ok"))) == LINES
    assert len(list(pipe.store.iter_passages("small"))) == 3
    assert pipe.store.unsegmented(key) == [] and pipe.store.integrity_check() == "ok"


class _CountingTagger:
    """Tags nothing; records how many passages each call was given."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def tag(self, texts: list[str], langs: list[str]) -> list[list[Tag]]:
        self.calls.append(len(texts))
        return [[] for _ in texts]


def test_tagging_reads_and_writes_the_store_in_batches_of_bounded_size(pipe, tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    big.write_text(_text(LINES), encoding="utf-8")
    assert not pipe.ingest_paths([big])[0].error
    tagger = _CountingTagger()
    monkeypatch.setattr(taggers, "default_tagger", lambda: tagger)
    progress: list[tuple[int, int | None]] = []

    assert pipe.tag(lambda stage, done, total: progress.append((done, total))) == LINES

    assert max(tagger.calls) == pipeline_module._TAG_BATCH and sum(tagger.calls) == LINES
    assert len(tagger.calls) == -(-LINES // pipeline_module._TAG_BATCH)
    assert progress[-1] == (LINES, LINES) and len(progress) == len(tagger.calls)
    assert pipe.store.count_untagged(taggers.default_tagger_key()) == 0
    assert pipe.tag() == 0 and len(tagger.calls) == len(progress)  # nothing new: the tagger is not asked
    assert pipe.tag(force=True) == LINES and sum(tagger.calls) == 2 * LINES


def test_segment_stream_gives_the_passages_of_segment_document_and_checks_its_arguments_at_once():
    doc = Document(id="d", text=_text(50), title="t")
    stream = segment.segment_stream(doc, max_chars=80, min_chars=10)
    first: Passage = next(stream)
    assert first == segment.segment_document(doc, max_chars=80, min_chars=10)[0]
    assert [first, *stream] == segment.segment_document(doc, max_chars=80, min_chars=10)
    with pytest.raises(ValueError, match="max_chars"):
        segment.segment_stream(doc, max_chars=0)  # checked when called, not when first read
