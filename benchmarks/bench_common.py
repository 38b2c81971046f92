"""What every benchmark of ``python benchmarks/bench.py`` shares: the query mix, the CCLW export,
timing summaries, workspaces and tables. Part of the harness, not a script of its own.

Wall-clock figures of whole commands run ``policyscope`` in a subprocess, so they include
Python start-up, imports and model loading exactly as a user sees them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policyscope.corpus.config import Settings
from policyscope.index.evaluate import percentile

if TYPE_CHECKING:
    from policyscope.index.build import BuildReport
    from policyscope.index.pipeline import Progress

CCLW_COLUMNS = "text=text,title=title,id=id,country=country,region=region,date=date,year=year,kind=type"
CCLW_FILE = "cclw-laws-2021-03.jsonl"
REPO = Path(__file__).resolve().parents[1]

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


class BenchError(Exception):
    """A benchmark cannot run (missing data, a failing subprocess); ``bench.py`` prints it as one line."""


def echo(msg: str) -> None:
    """Progress notes on stderr, so ``--json`` output on stdout stays clean."""
    print(msg, file=sys.stderr, flush=True)


def ms(values: Sequence[float]) -> dict[str, float]:
    """p50 / p95 (nearest rank) / mean in milliseconds of durations given in seconds."""
    return {"p50": round(percentile(values, 50) * 1000, 2), "p95": round(percentile(values, 95) * 1000, 2),
            "mean": round(sum(values) / max(1, len(values)) * 1000, 2), "n": len(values)}


def rss_mb() -> float:
    """Current resident set size of this process (Linux /proc; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_cli(home: Path, *args: str, encoder: str | None = None, device: str | None = None) -> tuple[float, Any]:
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
        raise BenchError(f"`{' '.join(cmd)}` failed: {proc.stderr.strip()[-500:]}")
    return seconds, json.loads(proc.stdout)


def bench_settings(home: Path | None, encoder: str | None) -> Settings:
    """The settings of workspace ``home`` (``$POLICYSCOPE_HOME`` or the default when ``None``), encoder replaced."""
    s = Settings.load(home)
    if encoder:
        from dataclasses import replace

        s = replace(s, encoder=encoder)
    return s


def device_note(encoder: Any) -> str:
    """Where the encoder runs, e.g. ``cuda (CUDA available)`` or ``cpu (this encoder does not use torch)``."""
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
    for base in (Path.cwd(), REPO):
        candidates += [base / ".." / "shared" / "sources" / CCLW_FILE, base / "shared" / "sources" / CCLW_FILE]
    for c in candidates:
        if c and c.is_file():
            return c.resolve()
    raise BenchError(f"{CCLW_FILE} not found; pass --cclw PATH or set POLICYSCOPE_CCLW")


def whole_pipeline(settings: Settings, paths: list[Path], progress: Progress | None = None) -> BuildReport | None:
    """Read, segment, tag and index the built-in corpus plus ``paths`` (CCLW exports) in a workspace."""
    from policyscope.corpus.loaders import ColumnMap
    from policyscope.index.pipeline import Pipeline

    pipeline = Pipeline(settings)
    with pipeline.store:
        report = pipeline.run(paths, builtin=True, columns=ColumnMap.parse(CCLW_COLUMNS), progress=progress)
    if any(f.error for f in report.files):
        raise BenchError("; ".join(f.error for f in report.files if f.error))
    return report.index


def default_bench_home(encoder: str) -> Path:
    """Where ``bench query`` keeps its CCLW + seed workspace: ``~/.cache/policyscope/bench-cclw-<encoder>``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "policyscope" / f"bench-cclw-{encoder.replace(':', '_').replace('/', '_')}"


def print_table(title: str, rows: list[tuple[str, ...]], header: tuple[str, ...]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title))
    for col in header:
        table.add_column(escape(col))
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    Console().print(table)
