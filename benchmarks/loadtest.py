"""Load test of the web app's ``search`` API endpoint, on this machine only.

Runs ``--clients`` concurrent clients (threads, one ``gradio_client.Client`` each) that call the
``/search`` endpoint in a loop with rotating bilingual queries and modes, for ``--seconds`` or until
``--max-requests`` requests have been sent, whichever comes first. Reports requests, errors,
throughput and latency percentiles (p50/p95/p99/max, in ms).

The target must be a loopback address (127.0.0.0/8, ::1 or localhost): this tool never loads
anybody else's server.

Usage (against a running ``policyscope serve``)::

    policyscope --home /tmp/lt --encoder hash build
    policyscope --home /tmp/lt --encoder hash serve --port 7861 &
    python benchmarks/loadtest.py --url http://127.0.0.1:7861 --clients 50 --seconds 120
    python benchmarks/loadtest.py --url http://127.0.0.1:7861 --clients 5 --seconds 10 --json

Exit code 0 when there were no errors, 1 otherwise, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import os
import socket
import statistics
import sys
import threading
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from typing import Any

from policyscope.index.evaluate import percentile

QUERIES: tuple[tuple[str, str], ...] = (
    ("动力电池回收利用", "hybrid"),
    ("critical minerals stockpile", "hybrid"),
    ("UK critical minerals strategy", "keyword"),
    ("锂 钴 镍 供应链安全", "semantic"),
    ("battery passport due diligence", "hybrid"),
    ("国家锂电池蓝图", "phrase"),
    ("Inflation Reduction Act clean vehicle credit", "keyword"),
    ("欧盟电池法规 碳足迹", "hybrid"),
    ("Japan storage battery industry strategy", "semantic"),
    ("韩国 二次电池 产业 发展战略", "keyword"),
)
MAX_CLIENTS = 200
MAX_SECONDS = 900
DEFAULT_MAX_REQUESTS = 200_000


@dataclass
class Report:
    url: str
    clients: int
    seconds: float
    requests: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    throughput_rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    mean_ms: float = 0.0
    connect_seconds: float = 0.0
    stopped_by: str = "time"

    def text(self) -> str:
        lines = [
            f"load test {self.url}: {self.clients} clients, {self.seconds:.1f} s (stopped by {self.stopped_by})",
            f"  requests {self.requests}, errors {self.errors}, {self.throughput_rps:.1f} req/s",
            (
                f"  latency ms: p50 {self.p50_ms:.0f}  p95 {self.p95_ms:.0f}  p99 {self.p99_ms:.0f}"
                f"  max {self.max_ms:.0f}  mean {self.mean_ms:.0f}"
            ),
        ]
        lines += [f"  error: {e}" for e in self.error_samples]
        return "\n".join(lines)


def check_loopback(url: str) -> str:
    """Return ``url`` if it is http(s) on a loopback address; raise ``ValueError`` otherwise.

    Every address the host name resolves to must be loopback, so a name that points elsewhere
    (or a DNS trick) is refused.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r}: expected http://127.0.0.1:PORT")
    host = parts.hostname
    try:
        addrs = {info[4][0] for info in socket.getaddrinfo(host, parts.port or 80, proto=socket.IPPROTO_TCP)}
    except socket.gaierror as exc:
        raise ValueError(f"{url!r}: cannot resolve {host} ({exc})") from None
    bad = sorted(a for a in addrs if not ipaddress.ip_address(a.split("%", 1)[0]).is_loopback)
    if not addrs or bad:
        raise ValueError(
            f"{url!r}: refusing a non-loopback target ({', '.join(bad) or host}); "
            "this load test only runs against 127.0.0.1"
        )
    return url


class RestClient:
    """The ``GET /api/search`` route (outside Gradio's queue) with ``gradio_client.Client.predict``'s call
    shape, over one keep-alive connection per client."""

    def __init__(self, url: str):
        import http.client

        parts = urllib.parse.urlsplit(url)
        self.prefix = parts.path.rstrip("/")
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=120)

    def predict(self, query: str, mode: str, api_name: str = "/search", k: int = 10) -> Any:
        params = urllib.parse.urlencode({"q": query, "mode": mode, "k": k})
        self.conn.request("GET", f"{self.prefix}/api/search?{params}")
        resp = self.conn.getresponse()
        body = json.loads(resp.read())
        if resp.status != 200:
            raise RuntimeError(f"HTTP {resp.status}: {body.get('error')}")
        return body


def run(
    url: str, clients: int, seconds: float, max_requests: int, k: int = 10, progress: bool = True,
    rest: bool = False, distinct: bool = False,
) -> Report:
    """Run the load and return the report (the server must already be up). ``rest``: call the plain JSON
    route ``/api/search`` instead of the Gradio endpoint. ``distinct``: every request a query no earlier
    request sent (the rotating query plus a serial number), so the server's kept results never serve one."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from gradio_client import Client

    report = Report(url, clients, seconds)
    t0 = time.perf_counter()
    connected: list[Any] = [None] * clients

    def connect(i: int) -> None:
        connected[i] = RestClient(url) if rest else Client(
            url, verbose=False, analytics_enabled=False, download_files=False)

    threads = [threading.Thread(target=connect, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    if any(c is None for c in connected):
        raise RuntimeError(
            f"could not connect {sum(c is None for c in connected)} of {clients} clients to {url}"
        )
    report.connect_seconds = time.perf_counter() - t0

    lock = threading.Lock()
    latencies: list[float] = []
    counter = {"sent": 0, "errors": 0}
    samples: list[str] = []
    start = time.perf_counter()
    deadline = start + seconds

    def client_loop(i: int) -> None:
        client = connected[i]
        n = i
        while True:
            with lock:
                if counter["sent"] >= max_requests:
                    return
                counter["sent"] += 1
            if time.perf_counter() >= deadline:
                with lock:
                    counter["sent"] -= 1
                return
            query, mode = QUERIES[n % len(QUERIES)]
            if distinct:
                query = f"{query} {i}x{n}"
            n += 1
            t = time.perf_counter()
            try:
                out = client.predict(query, mode, api_name="/search", k=k)
                problem = None
                if not isinstance(out, dict):
                    problem = f"unexpected answer {type(out).__name__}"
                elif out.get("error"):
                    problem = f"endpoint error: {out['error']}"
                elif "hits" not in out:
                    problem = "answer without hits"
            except Exception as exc:  # noqa: BLE001 - every failure is counted, the run goes on
                problem = f"{exc.__class__.__name__}: {exc}"
            ms = (time.perf_counter() - t) * 1000
            with lock:
                latencies.append(ms)
                if problem:
                    counter["errors"] += 1
                    if len(samples) < 5:
                        samples.append(problem[:300])

    workers = [threading.Thread(target=client_loop, args=(i,), daemon=True) for i in range(clients)]
    for w in workers:
        w.start()
    last = start
    while any(w.is_alive() for w in workers):
        time.sleep(0.5)
        now = time.perf_counter()
        if progress and now - last >= 10:
            last = now
            with lock:
                done, errs = len(latencies), counter["errors"]
            print(f"  … {now - start:5.0f} s: {done} requests, {errs} errors", file=sys.stderr, flush=True)
        if now > deadline + 120:  # a hung request must not hold the run beyond its budget
            break
    elapsed = time.perf_counter() - start
    with lock:
        done = sorted(latencies)
        report.requests = len(done)
        report.errors = counter["errors"] + sum(w.is_alive() for w in workers)
        report.error_samples = samples
    report.seconds = elapsed
    report.stopped_by = "max-requests" if report.requests >= max_requests else "time"
    report.throughput_rps = report.requests / elapsed if elapsed else 0.0
    if done:  # nearest rank: each figure is a latency that occurred
        report.p50_ms, report.p95_ms, report.p99_ms = (percentile(done, q) for q in (50, 95, 99))
    report.max_ms = done[-1] if done else 0.0
    report.mean_ms = statistics.fmean(done) if done else 0.0
    for c in connected:
        with contextlib.suppress(Exception):  # closing is best effort
            c.close()
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default="http://127.0.0.1:7860", help="app address (loopback only)")
    ap.add_argument("--clients", type=int, default=50, help=f"concurrent clients (1..{MAX_CLIENTS})")
    ap.add_argument("--seconds", type=float, default=120, help=f"duration (1..{MAX_SECONDS})")
    ap.add_argument(
        "--max-requests", type=int, default=DEFAULT_MAX_REQUESTS, help="stop after this many requests"
    )
    ap.add_argument("-k", type=int, default=10, help="results per query")
    ap.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    ap.add_argument("--rest", action="store_true", help="call the plain JSON route /api/search, not Gradio's API")
    ap.add_argument("--distinct", action="store_true",
                    help="never repeat a query (the server's kept results serve none): the engine's own load")
    args = ap.parse_args(argv)
    try:
        url = check_loopback(args.url)
        if not 1 <= args.clients <= MAX_CLIENTS:
            raise ValueError(f"--clients must be 1..{MAX_CLIENTS}, got {args.clients}")
        if not 1 <= args.seconds <= MAX_SECONDS:
            raise ValueError(f"--seconds must be 1..{MAX_SECONDS}, got {args.seconds}")
        if args.max_requests < 1:
            raise ValueError("--max-requests must be at least 1")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = run(url, args.clients, args.seconds, args.max_requests, k=args.k, progress=not args.json,
                 rest=args.rest, distinct=args.distinct)
    if args.json:
        print(json.dumps(asdict(report), ensure_ascii=False, indent=2))
    else:
        print(report.text())
    return 0 if report.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
