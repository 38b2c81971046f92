"""Benchmark commands (``policyscope bench …``): figures are printed, never asserted in tests.

Each command measures one target of docs/performance.md and prints a table (or ``--json``):

* ``bench build``  fresh-workspace build, no-change re-build, encoder-alone vs index-step
  throughput on the same texts, and one new document added (cache misses = passages embedded).
* ``bench query``  hybrid / semantic / keyword latency on the CCLW + seed workspace.
* ``bench scale``  1M passages: flat vs HNSW vs IVF-PQ (build, memory, recall@10, latency),
  BM25 at the same size and a hybrid (vector + BM25 + fusion) latency.
* ``bench serve``  seconds from starting ``policyscope serve`` to its first answered search.

Wall-clock figures of whole commands run ``policyscope`` in a subprocess, so they include
Python start-up, imports and model loading exactly as a user sees them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, Self

import typer

CCLW_COLUMNS = "text=text,title=title,id=id,country=country,region=region,date=date,year=year,kind=type"
CCLW_FILE = "cclw-laws-2021-03.jsonl"

# A fixed bilingual query mix (seed-paper topics and CCLW topics, both languages, short and long).
QUERIES: tuple[str, ...] = (
    "UK critical minerals strategy",
    "mandatory battery recycling standards",
    "wave of retired EV batteries",
    "US list of 50 critical minerals",
    "Japan updated its battery industry strategy to catch up with China and Korea",
    "Korea lists battery technology as a national strategic technology alongside semiconductors",
    "EU battery regulation carbon footprint declaration",
    "lithium iron phosphate and all-solid-state batteries",
    "carbon tax per tonne",
    "feed-in tariff for renewable electricity",
    "electric vehicle purchase subsidy",
    "national adaptation plan for climate change",
    "energy efficiency standards for buildings",
    "emissions trading scheme allowances",
    "deforestation reduction target",
    "net zero by 2050",
    "关键矿产战略",
    "电池回收",
    "动力电池产业链",
    "欧盟电池法规 碳足迹",
    "美国 通胀削减法案 电动汽车 税收抵免",
    "日本 蓄电池产业战略",
    "韩国 二次电池 国家战略技术",
    "新加坡碳税每吨5美元",
    "德国购买电动汽车补贴",
    "印度尼西亚 电动汽车 本地零部件",
    "可再生能源上网电价",
    "建筑节能标准",
    "碳排放交易",
    "森林砍伐",
)

HomeOpt = Annotated[Path | None, typer.Option("--home", help="Workspace directory (see each command).")]
EncoderOpt = Annotated[str | None, typer.Option("--encoder", help="Encoder (default: the configured one).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]


# -- helpers --------------------------------------------------------------------------------------


def _echo(msg: str) -> None:
    typer.echo(msg, err=True)


def _pct(values: Sequence[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else float("nan")


def _ms(values: Sequence[float]) -> dict[str, float]:
    """p50 / p95 / mean in milliseconds of durations given in seconds."""
    return {"p50": round(_pct(values, 50) * 1000, 2), "p95": round(_pct(values, 95) * 1000, 2),
            "mean": round(sum(values) / max(1, len(values)) * 1000, 2), "n": len(values)}


def _rss_mb() -> float:
    """Current resident set size of this process (Linux /proc; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cli(home: Path, *args: str, encoder: str | None = None, device: str | None = None) -> tuple[float, Any]:
    """Run ``policyscope --home HOME ARGS --json`` in a subprocess: (wall seconds, parsed JSON)."""
    cmd = [sys.executable, "-m", "policyscope.ui.cli", "--home", str(home)]
    if encoder:
        cmd += ["--encoder", encoder]
    if device:
        cmd += ["--device", device]
    cmd += [*args, "--json"]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise typer.BadParameter(f"`{' '.join(cmd)}` failed: {proc.stderr.strip()[-500:]}")
    return seconds, json.loads(proc.stdout)


def _settings(home: Path | None, encoder: str | None) -> Any:
    from policyscope.ui import cli

    s = cli.settings(home)
    if encoder:
        from dataclasses import replace

        s = replace(s, encoder=encoder)
    return s


def _device_note(encoder: Any) -> str:
    dev = getattr(encoder, "device", None)
    if dev is None:
        return "cpu (this encoder does not use torch)"
    try:
        import torch

        gpu = "available" if torch.cuda.is_available() else "not available"
    except ImportError:
        gpu = "not available (no torch)"
    return f"{dev} (CUDA {gpu})"


def find_cclw(explicit: Path | None = None) -> Path:
    """The CCLW export: ``--cclw``, ``$POLICYSCOPE_CCLW`` or ``../shared/sources/`` near the repo/cwd."""
    candidates = [explicit] if explicit else []
    if os.environ.get("POLICYSCOPE_CCLW"):
        candidates.append(Path(os.environ["POLICYSCOPE_CCLW"]))
    repo = Path(__file__).resolve().parents[1]
    for base in (Path.cwd(), repo):
        candidates += [base / ".." / "shared" / "sources" / CCLW_FILE, base / "shared" / "sources" / CCLW_FILE]
    for c in candidates:
        if c and c.is_file():
            return c.resolve()
    raise typer.BadParameter(f"{CCLW_FILE} not found; pass --cclw PATH or set POLICYSCOPE_CCLW")


def _print_table(title: str, rows: list[tuple[str, ...]], header: tuple[str, ...]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title))
    for col in header:
        table.add_column(escape(col))
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    Console().print(table)


# -- bench build ----------------------------------------------------------------------------------

NEW_DOCUMENT = """Battery passport pilot {marker}

The ministry will pilot a digital battery passport for electric-vehicle batteries from {marker}. Each
battery carries its carbon footprint, recycled content and the origin of its lithium, cobalt and nickel.

Producers report recycled content every year; the share of recycled lithium must reach ten percent.

工业和信息化部将试点动力电池数字护照（{marker}），记录碳足迹、再生材料含量和关键矿产来源。

生产企业每年报告再生材料比例，再生锂的比例须达到百分之十。
"""


def _cclw_subset(dst: Path, cclw: Path, passages: int, max_chars: int, min_chars: int) -> tuple[Path, int]:
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


def _whole_pipeline(settings: Any, paths: list[Path], progress: Any = None) -> Any:
    """Read, segment, tag and index the built-in corpus plus ``paths`` (CCLW exports) in a workspace."""
    from policyscope.corpus.loaders import ColumnMap
    from policyscope.index.pipeline import Pipeline

    pipeline = Pipeline(settings)
    with pipeline.store:
        report = pipeline.run(paths, builtin=True, columns=ColumnMap.parse(CCLW_COLUMNS), progress=progress)
    if any(f.error for f in report.files):
        raise typer.BadParameter("; ".join(f.error for f in report.files if f.error))
    return report.index


class _EncoderClock:
    """Adds up the seconds spent in ``encoder.encode_passages`` while installed (instance attribute)."""

    def __init__(self, encoder: Any) -> None:
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


def _overhead(scratch: Path, settings: Any, encoder: Any, label: str, paths: list[Path],
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
        _echo(f"{label}: whole pipeline, encoder alone, index step — round {i + 1}/{repeat} …")
        whole = replace(settings, home=scratch / f"whole-{i}")
        with _EncoderClock(encoder) as clock:
            t = time.perf_counter()
            report = _whole_pipeline(whole, paths)
            whole_t.append((time.perf_counter() - t, clock.seconds))
        if not texts:  # the passages every step of every round embeds
            with Store(whole.store_path) as store:
                texts = [embedding_text(dict(r)) for r in store.passage_rows()]
        assert report.embedded == len(set(texts)) and report.passages == len(texts), \
            "the whole pipeline must embed every passage"

        t = time.perf_counter()
        encoder.encode_passages(texts, batch_size=settings.batch_size)
        enc_t.append(time.perf_counter() - t)

        # The index step re-indexes that round's segmented and tagged store with an empty cache.
        indexed = replace(settings, home=scratch / f"index-{i}")
        indexed.home.mkdir()
        shutil.copy(whole.store_path, indexed.store_path)
        with Store(indexed.store_path) as store, _EncoderClock(encoder) as clock:
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
        _echo(f"fresh build in {ws} …")
        fresh_s, fresh = _cli(ws, "build", encoder=encoder_spec)
        _echo("no-change re-build …")
        noop_s, noop = _cli(ws, "build", encoder=encoder_spec)

        settings = _settings(ws, encoder_spec)
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
            except typer.BadParameter as exc:
                note = f"CCLW + seed set skipped: {exc}"
                _echo(note)
            else:
                subset, records = _cclw_subset(scratch / "cclw-sample.jsonl", path, sample,
                                               settings.max_passage_chars, settings.min_passage_chars)
                sets.append((f"built-in + {records} CCLW records", [subset]))
        overhead = [_overhead(scratch / f"set-{j}", settings, encoder, label, paths, repeat)
                    for j, (label, paths) in enumerate(sets)]

        # One new document: only its passages are embedded (the cache miss count says so).
        new_file = scratch / "new-document.txt"
        new_file.write_text(NEW_DOCUMENT.format(marker=f"BENCH-{os.getpid()}-{time.time_ns()}"), encoding="utf-8")
        with Store(settings.store_path) as store:
            before = store.count("passages")
        _echo("one new document added …")
        add_s, added = _cli(ws, "add", str(new_file), encoder=encoder_spec)
        with Store(settings.store_path) as s2:
            new_passages = s2.count("passages") - before

        main = overhead[-1]
        return {
            "encoder": settings.encoder,
            "device": _device_note(encoder),
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
            "overhead": overhead,
            "repeat": repeat,
            "note": note,
            "add_one_document_s": round(add_s, 2),
            "add_new_passages": new_passages,
            "add_embedded": added["index"]["embedded"],
        }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _print_build(r: dict[str, Any]) -> None:
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
    _print_table(title, rows, ("measure", "value", "detail"))
    if r["note"]:
        _echo(r["note"])


# -- bench query ----------------------------------------------------------------------------------


def ensure_cclw_workspace(home: Path, encoder_spec: str | None, cclw: Path | None) -> Path:
    """Bring the CCLW + seed workspace in ``home`` up to date (incremental: a second run embeds nothing).

    Without the CCLW export, an existing workspace whose index holds the CCLW records is reused.
    """
    from policyscope.index.build import current_index_dir, read_manifest
    from policyscope.ui.cli import progress_bars

    settings = _settings(home, encoder_spec)
    try:
        path = find_cclw(cclw)
    except typer.BadParameter:
        current = current_index_dir(settings.index_root)
        if current is not None and read_manifest(current)["counts"]["passages"] > 1000:
            return home
        raise
    _echo(f"CCLW + seed workspace in {home} (the first run embeds ~7,000 passages) …")
    with progress_bars() as progress:
        _whole_pipeline(settings, [path], progress)
    return home


def _default_bench_home(encoder: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "policyscope" / f"bench-cclw-{encoder.replace(':', '_').replace('/', '_')}"


def bench_query(home: Path | None, encoder_spec: str | None, cclw: Path | None, rounds: int,
                modes: Sequence[str]) -> dict[str, Any]:
    from policyscope.index.search import Searcher

    enc = _settings(None, encoder_spec).encoder
    home = home or _default_bench_home(enc)
    ensure_cclw_workspace(home, encoder_spec, cclw)
    settings = _settings(home, encoder_spec)
    t = time.perf_counter()
    searcher = Searcher(settings)
    for m in modes:
        searcher.search(QUERIES[0], k=10, mode=m)  # load the model, translator and index first
    warm_s = time.perf_counter() - t
    out: dict[str, Any] = {"encoder": settings.encoder, "workspace": str(home), "passages": searcher.index.n,
                           "queries": len(QUERIES), "rounds": rounds, "first_query_s": round(warm_s, 2),
                           "device": _device_note(searcher.encoder), "modes": {}}
    for m in modes:
        times: list[float] = []
        stages: dict[str, list[float]] = {}
        for _ in range(rounds):
            for q in QUERIES:
                t = time.perf_counter()
                res = searcher.search(q, k=10, mode=m)
                times.append(time.perf_counter() - t)
                for name, ms in res.timings_ms.items():
                    stages.setdefault(name, []).append(ms / 1000)
        out["modes"][m] = {**_ms(times), "stages_p50_ms": {k: _ms(v)["p50"] for k, v in stages.items()}}
    enc_times = []
    for q in QUERIES:
        t = time.perf_counter()
        searcher.encoder.encode_queries([q])
        enc_times.append(time.perf_counter() - t)
    out["query_encoding"] = _ms(enc_times)
    return out


def _print_query(r: dict[str, Any]) -> None:
    rows = [(m, str(v["p50"]), str(v["p95"]), str(v["mean"]),
             ", ".join(f"{k} {x}" for k, x in v["stages_p50_ms"].items()))
            for m, v in r["modes"].items()]
    e = r["query_encoding"]
    rows.append(("(query encoding alone)", str(e["p50"]), str(e["p95"]), str(e["mean"]), ""))
    _print_table(f"bench query — {r['passages']} passages, {r['queries']} queries x {r['rounds']} rounds, "
                 f"encoder {r['encoder']} on {r['device']}; first query after load {r['first_query_s']} s",
                 rows, ("mode", "p50 ms", "p95 ms", "mean ms", "stage p50 ms"))


# -- bench scale ----------------------------------------------------------------------------------


def _real_passages(home: Path | None, encoder_spec: str | None, cclw: Path | None) -> list[str]:
    """Real passage texts: from the CCLW bench workspace when built, else CCLW + seed segmented here."""
    from policyscope.index.build import keyword_text

    enc = _settings(None, encoder_spec).encoder
    ws = home or _default_bench_home(enc)
    store_path = _settings(ws, encoder_spec).store_path
    if store_path.is_file():
        from policyscope.corpus.store import Store

        with Store(store_path, readonly=True) as store:
            texts = [keyword_text(dict(r)) for r in store.passage_rows()]
        if texts:
            return texts
    from policyscope.corpus.builtin import builtin_documents
    from policyscope.corpus.loaders import ColumnMap, load_path
    from policyscope.nlp.segment import segment_document

    docs = [*builtin_documents(), *load_path(find_cclw(cclw), columns=ColumnMap.parse(CCLW_COLUMNS))]
    return [p.text for d in docs for p in segment_document(d)]


def synthetic_vectors(n: int, dim: int, seed: int, clusters: int = 1000, latent: int = 32) -> Any:
    """Unit vectors shaped like sentence embeddings: topics (cluster centres) plus a low-rank spread.

    ``x = normalise(c + 0.5 * U z / sqrt(latent) + 0.1 * e / sqrt(dim))`` with ``c`` one of
    ``clusters`` random unit centres (fixed by the seed's base), ``U`` a shared random
    ``latent``-dim orthonormal basis, ``z`` and ``e`` standard normal. A query's nearest
    neighbour then has cosine ~0.89 and its 10th ~0.86, like real passage embeddings of
    one topic; pure isotropic noise would make every neighbour equidistant.
    """
    import numpy as np

    base = np.random.default_rng(12345)
    centres = base.standard_normal((clusters, dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    basis = np.linalg.qr(base.standard_normal((dim, latent)))[0].T.astype(np.float32)
    rng = np.random.default_rng(seed)
    out = np.empty((n, dim), dtype=np.float32)
    step = 100_000
    for s in range(0, n, step):
        m = min(step, n - s)
        x = centres[rng.integers(0, clusters, m)]
        x += (rng.standard_normal((m, latent), dtype=np.float32) @ basis) * np.float32(0.5 / np.sqrt(latent))
        x += rng.standard_normal((m, dim), dtype=np.float32) * np.float32(0.1 / np.sqrt(dim))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        out[s : s + m] = x
    return out


def _faiss_bytes(index: Any) -> int:
    """Serialized size of a faiss index: what it holds in memory, within a few percent."""
    import faiss

    return int(faiss.serialize_index(index).nbytes)


def bench_scale(n: int, dim: int, n_queries: int, kinds: Sequence[str], hnsw_max: int, home: Path | None,
                encoder_spec: str | None, cclw: Path | None, seed: int) -> dict[str, Any]:
    import numpy as np
    from policyscope.index.fusion import reciprocal_rank_fusion
    from policyscope.index.keywords import KeywordIndex
    from policyscope.index.vectors import VectorIndex
    from policyscope.nlp.tokens import BilingualTokenizer

    out: dict[str, Any] = {"n": n, "dim": dim, "queries": n_queries, "cores": os.cpu_count(), "vectors": {},
                           "rss_start_mb": round(_rss_mb())}
    t = time.perf_counter()
    xb = synthetic_vectors(n, dim, seed)
    xq = synthetic_vectors(n_queries, dim, seed + 1)
    _echo(f"{n:,} x {dim} synthetic vectors in {time.perf_counter() - t:.1f} s")

    import faiss

    exact = faiss.IndexFlatIP(dim)
    exact.add(xb)
    t = time.perf_counter()
    _, truth = exact.search(xq, 10)
    _echo(f"exact top-10 of {n_queries} queries (batched) in {time.perf_counter() - t:.1f} s")
    del exact

    def measure(label: str, build: Callable[[], Any], ntotal: int) -> Any:
        rss0 = _rss_mb()
        t0 = time.perf_counter()
        idx = build()
        build_s = time.perf_counter() - t0
        ids, times = [], []
        for i in range(n_queries):
            t1 = time.perf_counter()
            _, got = idx.search(xq[i : i + 1], 10)
            times.append(time.perf_counter() - t1)
            ids.append(got[0])
        got_ids = np.asarray(ids)
        sub_truth = truth if ntotal == n else None
        if sub_truth is None:  # a subsample: its own exact answer
            sub = faiss.IndexFlatIP(dim)
            sub.add(xb[:ntotal])
            _, sub_truth = sub.search(xq, 10)
        recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got_ids, sub_truth)]))
        row = {"rows": ntotal, "build_s": round(build_s, 1), "index_mb": round(_faiss_bytes(idx._index) / 2**20),
               "rss_growth_mb": round(_rss_mb() - rss0), "recall_at_10": round(recall, 4),
               "latency_ms": _ms(times), "params": idx.params}
        if ntotal != n:
            row["build_s_extrapolated_to_n"] = round(build_s * n / ntotal)
        out["vectors"][label] = row
        _echo(f"{label}: {json.dumps(row, default=str)}")
        return idx

    chosen = None
    for kind in kinds:
        if kind == "hnsw":
            rows = min(n, hnsw_max)
            _echo(f"hnsw on {rows:,} rows (M=32, efConstruction=64) …")
            measure("hnsw", lambda r=rows: VectorIndex.build(xb[:r], kind="hnsw", ef_construction=64), rows)
        elif kind == "flat":
            _echo("flat (exact) …")
            measure("flat", lambda: VectorIndex.build(xb, kind="flat"), n)
        elif kind.startswith("ivfpq"):
            refine = kind.partition("-")[2] or "sq8"
            _echo(f"ivfpq (refine {refine}) …")
            idx = measure(kind, lambda r=refine: VectorIndex.build(xb, kind="ivfpq", refine=r), n)
            if refine == "sq8":
                chosen = idx
        else:
            raise typer.BadParameter(f"unknown kind {kind!r}; available: flat, hnsw, ivfpq, ivfpq-flat")
    if chosen is None:
        chosen = VectorIndex.build(xb, kind="auto")

    # BM25 at the same size: real passages repeated (each unique text tokenized once).
    texts = _real_passages(home, encoder_spec, cclw)
    tokenizer = BilingualTokenizer()
    t = time.perf_counter()
    unique_tokens = tokenizer.tokenize_many(texts)
    tok_s = time.perf_counter() - t
    order = np.random.default_rng(seed).integers(0, len(unique_tokens), n)
    token_lists = [unique_tokens[i] for i in order]
    rss0 = _rss_mb()
    t = time.perf_counter()
    keywords = KeywordIndex.build(token_lists)
    bm25_build = time.perf_counter() - t
    del token_lists
    model = keywords._model
    bm25_bytes = sum(int(a.nbytes) for a in model.scores.values() if hasattr(a, "nbytes"))
    _echo(f"BM25 over {n:,} passages ({len(texts):,} unique real texts) in {bm25_build:.1f} s")
    queries = [QUERIES[i % len(QUERIES)] for i in range(n_queries)]
    q_tokens = [tokenizer.tokenize(q) for q in queries]
    kw_times, hy_times = [], []
    for i, toks in enumerate(q_tokens):
        t1 = time.perf_counter()
        keywords.search(toks, k=100, normalize=True)
        kw_times.append(time.perf_counter() - t1)
        # Hybrid as the Searcher does it: vector top-100 and BM25 top-100, fused by RRF.
        t1 = time.perf_counter()
        _, vid = chosen.search(xq[i : i + 1], 100)
        _, kid = keywords.search(toks, k=100, normalize=True)
        reciprocal_rank_fusion([vid[0][vid[0] >= 0].tolist(), kid.tolist()], [0.3, 1.0], k=10, limit=10)
        hy_times.append(time.perf_counter() - t1)
    out["bm25"] = {"rows": n, "unique_texts": len(texts), "tokenize_unique_s": round(tok_s, 1),
                   "build_s": round(bm25_build, 1), "arrays_mb": round(bm25_bytes / 2**20),
                   "rss_growth_mb": round(_rss_mb() - rss0), "vocab": keywords.vocab_size,
                   "latency_ms": _ms(kw_times)}
    out["hybrid"] = {"vector_kind": chosen.kind, "vector_params": chosen.params, "latency_ms": _ms(hy_times)}
    out["rss_end_mb"] = round(_rss_mb())
    return out


def _print_scale(r: dict[str, Any]) -> None:
    rows = []
    for label, v in r["vectors"].items():
        rows_note = "" if v["rows"] == r["n"] else f" (on {v['rows']:,} rows; ~{v['build_s_extrapolated_to_n']} s at n)"
        rows.append((label, f"{v['build_s']}{rows_note}", str(v["index_mb"]), str(v["rss_growth_mb"]),
                     f"{v['recall_at_10']:.3f}", str(v["latency_ms"]["p50"]), str(v["latency_ms"]["p95"])))
    b = r["bm25"]
    rows.append(("bm25", f"{b['build_s']} (+{b['tokenize_unique_s']} tokenize {b['unique_texts']:,} texts)",
                 str(b["arrays_mb"]), str(b["rss_growth_mb"]), "—", str(b["latency_ms"]["p50"]),
                 str(b["latency_ms"]["p95"])))
    h = r["hybrid"]
    rows.append((f"hybrid ({h['vector_kind']} + bm25 + RRF)", "—", "—", "—", "—", str(h["latency_ms"]["p50"]),
                 str(h["latency_ms"]["p95"])))
    _print_table(f"bench scale — {r['n']:,} passages, {r['dim']}-d, {r['queries']} queries, {r['cores']} cores, "
                 f"process RSS {r['rss_end_mb']} MB at the end",
                 rows, ("index", "build s", "index MB", "RSS +MB", "recall@10", "p50 ms", "p95 ms"))


# -- bench serve ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_serve(home: Path, encoder_spec: str | None, timeout: float) -> dict[str, Any]:
    from policyscope.index.build import current_index_dir

    settings = _settings(home, encoder_spec)
    if current_index_dir(settings.index_root) is None:
        _echo(f"no index in {home}; building the built-in corpus first …")
        _cli(home, "build", encoder=encoder_spec)
    from gradio_client import Client

    port = _free_port()
    cmd = [sys.executable, "-m", "policyscope.ui.cli", "--home", str(home)]
    if encoder_spec:
        cmd += ["--encoder", encoder_spec]
    cmd += ["serve", "--port", str(port)]
    url = f"http://127.0.0.1:{port}/"
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    client = None
    answer: Any = None
    up_s = None
    try:
        while time.perf_counter() - started < timeout:
            if proc.poll() is not None:
                raise typer.BadParameter(f"serve exited with {proc.returncode}: {proc.stderr.read()[-500:]}")
            try:
                if client is None:
                    client = Client(url, verbose=False)
                    up_s = time.perf_counter() - started
                answer = client.predict("battery recycling", "hybrid", api_name="/search")
                break
            except Exception:  # noqa: BLE001 - not up yet: connection refused, 502, …
                time.sleep(0.1)
        first_s = time.perf_counter() - started
        if answer is None:
            raise typer.BadParameter(f"no search answer within {timeout} s")
        t = time.perf_counter()
        client.predict("电池回收", "hybrid", api_name="/search")
        second_s = time.perf_counter() - t
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    hits = len(answer.get("hits", [])) if isinstance(answer, dict) else None
    return {"workspace": str(home), "first_search_s": round(first_s, 2),
            "app_up_s": round(up_s, 2) if up_s else None, "next_search_s": round(second_s, 3), "hits": hits}


# -- registration ---------------------------------------------------------------------------------


def register(app: Any) -> None:
    """Add the ``bench`` command group to the main app."""
    bench = typer.Typer(help="Benchmarks: build, query, scale and serve figures (see docs/performance.md).",
                        no_args_is_help=True)
    app.add_typer(bench, name="bench")

    def emit(obj: Any, as_json: bool, printer: Callable[[Any], None]) -> None:
        if as_json:
            typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))
        else:
            printer(obj)

    @bench.command("build")
    def build_cmd(
        home: Annotated[Path | None, typer.Option("--home", help="Parent for scratch workspaces (default: temp dir).")] = None,
        encoder: EncoderOpt = None,
        repeat: Annotated[int, typer.Option(help="Rounds of encoder alone / index step / whole pipeline (best is kept).")] = 3,
        sample: Annotated[int, typer.Option(help="Also measure the overhead on ~N CCLW + seed passages (0: only the built-in corpus).")] = 3000,
        cclw: Annotated[Path | None, typer.Option("--cclw", help=f"Path to {CCLW_FILE}.")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Fresh build, no-change re-build, overhead over the encoder (index step, whole pipeline), one document added."""
        emit(bench_build(home, encoder, max(1, repeat), max(0, sample), cclw), as_json, _print_build)

    @bench.command("query")
    def query_cmd(
        home: Annotated[Path | None, typer.Option("--home", help="CCLW + seed workspace (default: ~/.cache/policyscope/bench-cclw-ENCODER; built once).")] = None,
        encoder: EncoderOpt = None,
        cclw: Annotated[Path | None, typer.Option("--cclw", help=f"Path to {CCLW_FILE}.")] = None,
        rounds: Annotated[int, typer.Option(help="Passes over the query mix.")] = 3,
        modes: Annotated[str, typer.Option(help="Comma-separated modes.")] = "hybrid,semantic,keyword",
        as_json: JsonOpt = False,
    ) -> None:
        """Query latency p50/p95 per mode on the CCLW + seed workspace (model loaded)."""
        emit(bench_query(home, encoder, cclw, max(1, rounds), [m.strip() for m in modes.split(",") if m.strip()]),
             as_json, _print_query)

    @bench.command("scale")
    def scale_cmd(
        n: Annotated[int, typer.Option("--n", help="Passages.")] = 1_000_000,
        dim: Annotated[int, typer.Option(help="Vector dimension (384: e5-small; 512: use).")] = 384,
        queries: Annotated[int, typer.Option(help="Queries for recall and latency.")] = 200,
        kinds: Annotated[str, typer.Option(help="Vector indexes to compare: flat, hnsw, ivfpq (sq8 refine), ivfpq-flat, ivfpq-none.")] = "flat,hnsw,ivfpq",
        hnsw_max: Annotated[int, typer.Option("--hnsw-max", help="HNSW is built on at most this many rows (its build is slow) and extrapolated.")] = 50_000,
        home: Annotated[Path | None, typer.Option("--home", help="CCLW workspace to take real texts from (default: the bench query one, if built).")] = None,
        encoder: EncoderOpt = None,
        cclw: Annotated[Path | None, typer.Option("--cclw", help=f"Path to {CCLW_FILE}.")] = None,
        seed: int = 0,
        as_json: JsonOpt = False,
    ) -> None:
        """ANN and BM25 at 1M passages: build time, memory, recall@10 vs exact, latency; hybrid p95."""
        emit(bench_scale(n, dim, queries, [k.strip() for k in kinds.split(",") if k.strip()], hnsw_max, home,
                         encoder, cclw, seed), as_json, _print_scale)

    @bench.command("serve")
    def serve_cmd(
        home: Annotated[Path | None, typer.Option("--home", help="Workspace with an index (built first if missing; default: a temp dir).")] = None,
        encoder: EncoderOpt = None,
        timeout: Annotated[float, typer.Option(help="Give up after this many seconds.")] = 120.0,
        as_json: JsonOpt = False,
    ) -> None:
        """Seconds from starting `policyscope serve` on an existing index to its first answered search."""
        tmp = None
        if home is None:
            tmp = Path(tempfile.mkdtemp(prefix="policyscope-bench-serve-"))
            home = tmp
        try:
            r = bench_serve(home, encoder, timeout)
        finally:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
        emit(r, as_json, lambda r: _print_table(
            "bench serve", [("first search answered after start", f"{r['first_search_s']} s",
                             f"app reachable at {r['app_up_s']} s; {r['hits']} hits"),
                            ("next search", f"{r['next_search_s']} s", "")],
            ("measure", "value", "detail")))
