"""``bench serve``: seconds from starting ``policyscope serve`` to its first answered search, the size of
the page config (``GET /config``) and the page's time to interactive in headless Chromium.

Time to interactive: from navigation in a fresh browser context until the query box takes input and the
page's load handler has answered (the header shows the index's document count, the Search tab's filter
pickers are filled; the other tabs fill their pickers and views when opened). It needs Debian's
``chromium`` and Playwright, as the browser tests do; without them it is skipped.
Part of ``python benchmarks/bench.py``; see docs/performance.md for the figures.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench_common import BenchError, bench_settings, echo, print_table, run_cli


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_serve(home: Path, encoder_spec: str | None, timeout: float, loads: int = 3) -> dict[str, Any]:
    from policyscope.index.build import current_index_dir

    settings = bench_settings(home, encoder_spec)
    if current_index_dir(settings.index_root) is None:
        echo(f"no index in {home}; building the built-in corpus first …")
        run_cli(home, "build", encoder=encoder_spec)
    from gradio_client import Client

    port = free_port()
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
                raise BenchError(f"serve exited with {proc.returncode}: {proc.stderr.read()[-500:]}")
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
            raise BenchError(f"no search answer within {timeout} s")
        t = time.perf_counter()
        client.predict("电池回收", "hybrid", api_name="/search")
        second_s = time.perf_counter() - t
        config_bytes = len(urllib.request.urlopen(url + "config", timeout=60).read())
        page = page_timings(url, loads)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    hits = len(answer.get("hits", [])) if isinstance(answer, dict) else None
    return {"workspace": str(home), "first_search_s": round(first_s, 2),
            "app_up_s": round(up_s, 2) if up_s else None, "next_search_s": round(second_s, 3), "hits": hits,
            "config_kb": round(config_bytes / 1024, 1), **page}


CHROMIUM = Path("/usr/bin/chromium")
# Interactive: the query box takes input and the page-load handler has answered (it fills the Search tab's
# pickers and writes the header with data-loaded).
READY_JS = """() => {
  const box = document.querySelector('#ps-query textarea, #ps-query input');
  return !!box && !box.disabled && !!document.querySelector('#ps-status[data-loaded]');
}"""


def page_timings(url: str, runs: int = 3) -> dict[str, Any]:
    """Time to interactive of ``url`` in headless Chromium: the first load, the median (nearest rank) of
    ``runs`` loads in fresh contexts (no cache) and every load, in seconds; ``{}`` when Chromium or
    Playwright is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        echo("playwright not installed: no time to interactive")
        return {}
    if not CHROMIUM.exists():
        echo(f"{CHROMIUM} not found: no time to interactive")
        return {}
    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox",
                                                                         "--disable-gpu"])
        try:
            for _ in range(runs):
                ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = ctx.new_page()
                t = time.perf_counter()
                page.goto(url, wait_until="commit")
                page.wait_for_function(READY_JS, timeout=60_000, polling=20)
                times.append(time.perf_counter() - t)
                ctx.close()
        finally:
            browser.close()
    from policyscope.index.evaluate import percentile

    return {"interactive_first_s": round(times[0], 2), "interactive_s": round(percentile(times, 50), 2),
            "interactive_loads": [round(t, 2) for t in times]}


def print_serve(r: dict[str, Any]) -> None:
    print_table("bench serve", [("first search answered after start", f"{r['first_search_s']} s",
                                 f"app reachable at {r['app_up_s']} s; {r['hits']} hits"),
                                ("next search", f"{r['next_search_s']} s", ""),
                                ("page config (GET /config)", f"{r['config_kb']} KB", ""),
                                ("page interactive", f"{r.get('interactive_s', '?')} s",
                                 (f"median of {len(r.get('interactive_loads', []))} fresh loads; "
                                  f"first {r.get('interactive_first_s', '?')} s"))],
                ("measure", "value", "detail"))
