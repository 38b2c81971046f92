"""``bench build``: fresh build, no-change re-build, overhead over the encoder, one document added.

Part of ``python benchmarks/bench.py``; see docs/performance.md for the figures.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from bench_common import (
    CCLW_COLUMNS,
    BenchError,
    bench_settings,
    device_note,
    echo,
    find_cclw,
    print_table,
    run_cli,
    whole_pipeline,
)
from policyscope.corpus.config import Settings

if TYPE_CHECKING:
    from policyscope.index.encoders import Encoder

NEW_DOCUMENT = """Battery passport pilot {marker}

The ministry will pilot a digital battery passport for electric-vehicle batteries from {marker}. Each
battery carries its carbon footprint, recycled content and the origin of its lithium, cobalt and nickel.

Producers report recycled content every year; the share of recycled lithium must reach ten percent.

工业和信息化部将试点动力电池数字护照（{marker}），记录碳足迹、再生材料含量和关键矿产来源。

生产企业每年报告再生材料比例，再生锂的比例须达到百分之十。
"""


def cclw_subset(dst: Path, cclw: Path, passages: int, max_chars: int, min_chars: int) -> tuple[Path, int]:
    """The first CCLW records that, with the built-in corpus, make about ``passages`` passages.

    Written to ``dst`` as the export's own JSON lines, so every round reads a real file.
    Returns the file and the number of records in it.
    """
    from policyscope.corpus.builtin import builtin_documents
    from policyscope.corpus.loaders import ColumnMap, load_path
    from policyscope.nlp.segment import segment_document

    total = sum(len(segment_document(d, max_chars, min_chars)) for d in builtin_documents())
    records = 0
    for doc in load_path(cclw, columns=ColumnMap.parse(CCLW_COLUMNS)):
        if total >= passages:
            break
        total += len(segment_document(doc, max_chars, min_chars))
        records += 1
    with cclw.open(encoding="utf-8") as src, dst.open("w", encoding="utf-8") as out:
        lines = (line for line in src if line.strip())
        for _, line in zip(range(records), lines):
            out.write(line)
    return dst, records


class EncoderClock:
    """Adds up the seconds spent in ``encoder.encode_passages`` while installed (instance attribute)."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder, self.seconds = encoder, 0.0

    def __enter__(self) -> Self:
        inner = self.encoder.encode_passages

        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t

        self.encoder.encode_passages = timed
        return self

    def __exit__(self, *exc: object) -> None:
        del self.encoder.encode_passages


def overhead(scratch: Path, settings: Settings, encoder: Encoder, label: str, paths: list[Path],
             repeat: int) -> dict[str, Any]:
    """Encoder alone vs the index step vs the whole pipeline, on the same passages.

    The whole pipeline reads the files, segments, tags and indexes them (``policyscope build``
    without Python start-up and model loading, which the load figures give). The index step
    is ``build_index`` on a copy of that store with an empty embedding cache: everything
    indexing does (cache, tokenizing, BM25, faiss, columns, files). Rounds interleave the
    three and the best of ``repeat`` is kept. Because the encoder's own speed
    varies by several per cent between runs on a shared machine, the seconds spent outside
    the encoder during each step are also timed directly: that share is the overhead with
    the encoder's noise taken out.
    """
    from dataclasses import replace

    from policyscope.corpus.store import Store
    from policyscope.index.build import build_index, embedding_text

    texts: list[str] = []
    enc_t: list[float] = []
    idx_t: list[tuple[float, float]] = []
    whole_t: list[tuple[float, float]] = []
    for i in range(repeat):
        echo(f"{label}: whole pipeline, encoder alone, index step — round {i + 1}/{repeat} …")
        whole = replace(settings, home=scratch / f"whole-{i}")
        with EncoderClock(encoder) as clock:
            t = time.perf_counter()
            report = whole_pipeline(whole, paths)
            whole_t.append((time.perf_counter() - t, clock.seconds))
        if not texts:  # the passages every step of every round embeds
            with Store(whole.store_path) as store:
                texts = [embedding_text(r) for r in store.passage_rows()]
        assert report.embedded == len(set(texts)) and report.passages == len(texts), \
            "the whole pipeline must embed every passage"

        t = time.perf_counter()
        encoder.encode_passages(texts, batch_size=settings.batch_size)
        enc_t.append(time.perf_counter() - t)

        # The index step re-indexes that round's segmented and tagged store with an empty cache.
        indexed = replace(settings, home=scratch / f"index-{i}")
        indexed.home.mkdir()
        shutil.copy(whole.store_path, indexed.store_path)
        with Store(indexed.store_path) as store, EncoderClock(encoder) as clock:
            t = time.perf_counter()
            report = build_index(store, indexed)
            idx_t.append((time.perf_counter() - t, clock.seconds))
        assert report.embedded == len(set(texts)), "the index step must embed every passage"
    enc_s = min(enc_t)
    idx_s, whole_s = min(t for t, _ in idx_t), min(t for t, _ in whole_t)
    # Outside-the-encoder share: (step - encoder inside it) / encoder inside it, best round.
    idx_out = min((t - e) / e for t, e in idx_t)
    whole_out = min((t - e) / e for t, e in whole_t)
    n = len(texts)
    return {
        "texts": label,
        "passages": n,
        "encoder_alone_s": round(enc_s, 3),
        "encoder_alone_passages_per_s": round(n / enc_s, 1),
        "index_step_s": round(idx_s, 3),
        "index_step_passages_per_s": round(n / idx_s, 1),
        "index_overhead_pct": round((idx_s / enc_s - 1) * 100, 1),
        "index_outside_encoder_pct": round(idx_out * 100, 1),
        "whole_pipeline_s": round(whole_s, 3),
        "whole_pipeline_passages_per_s": round(n / whole_s, 1),
        "whole_overhead_pct": round((whole_s / enc_s - 1) * 100, 1),
        "whole_outside_encoder_pct": round(whole_out * 100, 1),
        "rounds": [
            {"encoder_alone_s": round(e, 3), "index_step_s": round(i, 3), "index_encoder_s": round(ie, 3),
             "whole_pipeline_s": round(w, 3), "whole_encoder_s": round(we, 3)}
            for e, (i, ie), (w, we) in zip(enc_t, idx_t, whole_t, strict=True)
        ],
    }


def bench_build(home: Path | None, encoder_spec: str | None, repeat: int, sample: int = 3000,
                cclw: Path | None = None) -> dict[str, Any]:
    """The build figures; ``home`` is a scratch parent directory (default: a temp dir).

    The overhead over the encoder is measured on the 151 built-in passages and, when the CCLW
    export is found and ``sample`` > 0, on the built-in corpus plus the first CCLW records
    that make about ``sample`` passages: at 151 passages the encoder runs for half a second,
    so fixed per-build costs weigh more than any per-passage work.
    """
    from policyscope.corpus.store import Store
    from policyscope.index.encoders import get_encoder
    from policyscope.nlp.taggers import default_tagger
    from policyscope.nlp.tokens import jieba_tokenizer

    if home is not None:
        home.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="policyscope-bench-", dir=home))
    try:
        ws = scratch / "workspace"
        echo(f"fresh build in {ws} …")
        fresh_s, fresh = run_cli(ws, "build", encoder=encoder_spec)
        echo("no-change re-build …")
        noop_s, noop = run_cli(ws, "build", encoder=encoder_spec)

        settings = bench_settings(ws, encoder_spec)
        # Models and dictionaries load once per process; their load times are reported apart.
        t = time.perf_counter()
        encoder = get_encoder(settings.encoder, device=settings.device)
        encoder.encode_passages(["warm-up"])
        load_s = time.perf_counter() - t
        t = time.perf_counter()
        jieba_tokenizer()
        jieba_s = time.perf_counter() - t
        t = time.perf_counter()
        default_tagger()
        tagger_s = time.perf_counter() - t

        sets: list[tuple[str, list[Path]]] = [("built-in", [])]
        note = ""
        if sample > 0:
            try:
                path = find_cclw(cclw)
            except BenchError as exc:
                note = f"CCLW + seed set skipped: {exc}"
                echo(note)
            else:
                subset, records = cclw_subset(scratch / "cclw-sample.jsonl", path, sample,
                                              settings.max_passage_chars, settings.min_passage_chars)
                sets.append((f"built-in + {records} CCLW records", [subset]))
        overheads = [overhead(scratch / f"set-{j}", settings, encoder, label, paths, repeat)
                     for j, (label, paths) in enumerate(sets)]

        # One new document: only its passages are embedded (the cache miss count says so).
        new_file = scratch / "new-document.txt"
        new_file.write_text(NEW_DOCUMENT.format(marker=f"BENCH-{os.getpid()}-{time.time_ns()}"), encoding="utf-8")
        with Store(settings.store_path) as store:
            before = store.count("passages")
        echo("one new document added …")
        add_s, added = run_cli(ws, "add", str(new_file), encoder=encoder_spec)
        with Store(settings.store_path) as s2:
            new_passages = s2.count("passages") - before

        main = overheads[-1]
        return {
            "encoder": settings.encoder,
            "device": device_note(encoder),
            "cores": os.cpu_count(),
            "passages": fresh["index"]["passages"],
            "fresh_build_s": round(fresh_s, 2),
            "fresh_build_index_step_s": fresh["index"]["seconds"],
            "noop_rebuild_s": round(noop_s, 2),
            "noop_skipped": noop["index"]["skipped"],
            "encoder_load_s": round(load_s, 2),
            "jieba_dictionary_load_s": round(jieba_s, 2),
            "tagger_load_s": round(tagger_s, 2),
            "index_overhead_pct": main["index_overhead_pct"],
            "index_outside_encoder_pct": main["index_outside_encoder_pct"],
            "whole_overhead_pct": main["whole_overhead_pct"],
            "whole_outside_encoder_pct": main["whole_outside_encoder_pct"],
            "overhead_texts": main["texts"],
            "overhead": overheads,
            "repeat": repeat,
            "note": note,
            "add_one_document_s": round(add_s, 2),
            "add_new_passages": new_passages,
            "add_embedded": added["index"]["embedded"],
        }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def print_build(r: dict[str, Any]) -> None:
    rows = [
        ("fresh build (policyscope build, new workspace)", f"{r['fresh_build_s']} s",
         f"{r['passages']} passages; index step {r['fresh_build_index_step_s']} s"),
        ("re-build, nothing changed", f"{r['noop_rebuild_s']} s", f"skipped={r['noop_skipped']}"),
        ("loads, once per process", f"{r['encoder_load_s']} s",
         f"encoder; jieba dictionary {r['jieba_dictionary_load_s']} s; tagger {r['tagger_load_s']} s"),
    ]
    for o in r["overhead"]:
        rows += [
            (f"[{o['texts']}] encoder alone", f"{o['encoder_alone_passages_per_s']} passages/s",
             f"{o['passages']} passages in {o['encoder_alone_s']} s"),
            (f"[{o['texts']}] index step, empty cache", f"{o['index_step_passages_per_s']} passages/s",
             (f"{o['index_step_s']} s; overhead over the encoder {o['index_overhead_pct']} % "
             f"(time outside the encoder {o['index_outside_encoder_pct']} %)")),
            (f"[{o['texts']}] whole pipeline (read, segment, tag, index)",
             f"{o['whole_pipeline_passages_per_s']} passages/s",
             (f"{o['whole_pipeline_s']} s; overhead over the encoder {o['whole_overhead_pct']} % "
             f"(time outside the encoder {o['whole_outside_encoder_pct']} %)")),
        ]
    rows.append(("one new document added (policyscope add)", f"{r['add_one_document_s']} s",
                 f"{r['add_new_passages']} new passages, {r['add_embedded']} embedded"))
    title = (f"bench build — encoder {r['encoder']}, device {r['device']}, {r['cores']} cores, "
             f"best of {r['repeat']} rounds")
    print_table(title, rows, ("measure", "value", "detail"))
    if r["note"]:
        echo(r["note"])
