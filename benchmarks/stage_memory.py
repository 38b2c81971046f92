"""Peak memory of each stage of ``policyscope add`` (or of the index build alone): docs/reliability.md,
"Big inputs in bounded memory".

    python benchmarks/stage_memory.py add FILE --home H [--max-document-chars N] [--columns MAP] [--json]
    python benchmarks/stage_memory.py index --home H [--json]       # Pipeline.index(force=True) alone
    python benchmarks/stage_memory.py index --home H --backend milvus --milvus-uri H/milvus.db
    python benchmarks/stage_memory.py store FILE --home H [--json]  # load the file, then store it unsegmented

Runs the pipeline in this process with the ``hash`` encoder (``--encoder`` to change it) and samples the
process's resident memory every 50 ms; a stage starts at its first progress report (``read`` until
then). Prints per-stage peak RSS and start times, the overall peak (``ru_maxrss``) and the time.
For the figure a user sees, run the CLI under ``/usr/bin/time -v`` instead; this tells where it goes.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import threading
import time
from pathlib import Path

from bench_common import rss_mb


class StageMemory:
    """Peak RSS per stage, from a sampling thread; ``progress`` is a pipeline progress callback."""

    def __init__(self, first: str) -> None:
        self.stage, self.peaks, self.starts = first, {first: int(rss_mb())}, {first: 0.0}
        self.t0 = time.perf_counter()
        self._done = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while not self._done.is_set():
            stage = self.stage
            self.peaks[stage] = max(self.peaks.get(stage, 0), int(rss_mb()))
            time.sleep(0.05)

    def progress(self, stage: str, done: int, total: int | None) -> None:
        stage = stage.split()[0]  # "read rows.csv" -> "read"
        if stage != self.stage:
            self.starts[stage] = round(time.perf_counter() - self.t0, 1)
            # Sampled now too: a stage shorter than the 50 ms between samples must still be reported.
            self.peaks[stage] = max(self.peaks.get(stage, 0), int(rss_mb()))
            self.stage = stage
            print(f"{self.starts[stage]:8.1f} s  {stage:<9} rss {rss_mb():.0f} MB", file=sys.stderr, flush=True)

    def report(self, **extra: object) -> dict[str, object]:
        time.sleep(0.1)
        self._done.set()
        return {"peaks_mb": self.peaks, "starts_s": self.starts, "seconds": round(time.perf_counter() - self.t0, 1),
                "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, **extra}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["add", "index", "store"])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--encoder", default="hash")
    parser.add_argument("--backend", help="index backend (faiss, milvus; default: the workspace's)")
    parser.add_argument("--milvus-uri", help="Milvus URI or Milvus Lite file for --backend milvus")
    parser.add_argument("--max-document-chars", type=int)
    parser.add_argument("--columns")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.what != "index" and not args.paths:
        parser.error(f"{args.what} needs the files to add")

    from policyscope.corpus.config import Settings
    from policyscope.corpus.loaders import ColumnMap
    from policyscope.index.pipeline import Pipeline

    overrides: dict[str, object] = {"encoder": args.encoder}
    for key in ("max_document_chars", "backend", "milvus_uri"):
        if getattr(args, key):
            overrides[key] = getattr(args, key)
    pipeline = Pipeline(Settings.load(args.home, **overrides))
    watch = StageMemory("index" if args.what == "index" else "read")
    columns = ColumnMap.parse(args.columns) if args.columns else None
    if args.what == "store":  # the store's write of whole documents, apart from cutting them
        from policyscope.corpus.loaders import load_path

        docs = [doc for path in args.paths for doc in load_path(path, columns)]
        watch.progress("store", 0, None)
        added = pipeline.store.add_documents(docs).added
        report = watch.report(passages=0, documents=len(added))
    elif args.what == "add":
        result = pipeline.run(args.paths, columns=columns, progress=watch.progress)
        errors = [f.error for f in result.files if f.error]
        report = watch.report(passages=result.index.passages, errors=errors)
    else:
        report = watch.report(passages=pipeline.index(force=True, progress=watch.progress).passages)
    if args.json:
        print(json.dumps(report))
    else:
        for stage, peak in report["peaks_mb"].items():
            print(f"{stage:<10} from {report['starts_s'].get(stage, 0):8.1f} s   peak {peak:6d} MB")
        print(f"{report['passages']:,} passages, {report['seconds']} s, max RSS {report['max_rss_mb']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
