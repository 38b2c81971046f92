"""fetch_url / fetch_entries against a real HTTP server on 127.0.0.1 (no outside network)."""

from __future__ import annotations

import email.utils
import hashlib
import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from policyscope.corpus.errors import FetchError
from policyscope.corpus.fetch import (
    DOCX_TYPE,
    FetchResult,
    NetworkUnreachableError,
    fetch_entries,
    fetch_url,
    load_manifest,
    part_path,
    safe_filename,
)

FAST = {"backoff": 0.01}


@dataclass
class Route:
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    fail_first: int = 0  # answer fail_status this many times before succeeding
    fail_status: int = 500
    fail_headers: dict[str, str] = field(default_factory=dict)
    send_length: bool = True
    truncate_at: int | None = None  # first answer stops after this many body bytes
    location: str | None = None
    ranges: bool = True


class Handler(BaseHTTPRequestHandler):
    server: LocalServer

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        self.server.requests.append((path, {k.lower(): v for k, v in self.headers.items()}))
        route = self.server.routes.get(path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        if route.delay and self.server.stopping.wait(route.delay):
            return
        if route.fail_first > 0:
            route.fail_first -= 1
            self.send_response(route.fail_status)
            for key, value in route.fail_headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if route.location is not None:
            self.send_response(route.status if route.status in (301, 302, 303, 307, 308) else 302)
            self.send_header("Location", route.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body, status, extra = route.body, route.status, dict(route.headers)
        wanted = self.headers.get("Range")
        if wanted and route.ranges:
            start = int(wanted.removeprefix("bytes=").split("-")[0])
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
            extra["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
            body = body[start:]
        self.send_response(status)
        if route.content_type is not None:
            self.send_header("Content-Type", route.content_type)
        if route.send_length:
            self.send_header("Content-Length", str(len(body)))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        if route.truncate_at is not None:
            cut, route.truncate_at = route.truncate_at, None
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.stopping = threading.Event()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def hits(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.requests if p == path]


@pytest.fixture
def server():
    srv = LocalServer()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.stopping.set()
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    for page in range(3):
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        for line in range(30):
            pdf.cell(
                0,
                8,
                f"National Blueprint for Lithium Batteries, page {page}, line {line}",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    data = bytes(pdf.output())
    assert data.startswith(b"%PDF-") and len(data) > 2000
    return data


HTML = "<html><head><title>储能</title></head><body><h1>锂电池蓝图</h1><p>Battery supply chain.</p></body></html>"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def files_in(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir()) if path.exists() else []


# ------------------------------------------------------------------------------------------ basics


def test_pdf_is_downloaded_verified_and_renamed_from_part(server, pdf_bytes, tmp_path):
    server.routes["/files/blueprint.pdf"] = Route(pdf_bytes, "application/pdf")
    seen: list[tuple[int, int | None]] = []
    result = fetch_url(
        server.url("/files/blueprint.pdf"), tmp_path, progress=lambda d, t: seen.append((d, t))
    )
    assert isinstance(result, FetchResult)
    assert result.path == (tmp_path / "blueprint.pdf").resolve()
    assert result.path.read_bytes() == pdf_bytes
    assert result.sha256 == sha(pdf_bytes)
    assert result.bytes == len(pdf_bytes)
    assert result.content_type == "application/pdf"
    assert not result.resumed and not result.reused
    assert files_in(tmp_path) == ["blueprint.pdf"]
    assert seen[-1] == (len(pdf_bytes), len(pdf_bytes))
    headers = server.hits("/files/blueprint.pdf")[0]
    assert headers["user-agent"] == "policyscope/0.1"
    assert "range" not in headers


def test_html_page_without_extension_gets_html_suffix(server, tmp_path):
    server.routes["/eere/long-duration-storage-shot"] = Route(
        HTML.encode("utf-8"), "text/html; charset=utf-8"
    )
    result = fetch_url(server.url("/eere/long-duration-storage-shot"), tmp_path)
    assert result.path.name == "long-duration-storage-shot.html"
    assert result.content_type == "text/html"
    assert result.path.read_text(encoding="utf-8") == HTML


def test_content_disposition_names_the_file_and_octet_stream_pdf_is_accepted(server, pdf_bytes, tmp_path):
    server.routes["/download.aspx"] = Route(
        pdf_bytes,
        "application/octet-stream",
        headers={"Content-Disposition": "attachment; filename*=UTF-8''%E8%93%84%E9%9B%BB%E6%B1%A0.pdf"},
    )
    result = fetch_url(server.url("/download.aspx?id=7"), tmp_path)
    assert result.path.name == "蓄電池.pdf"
    assert result.sha256 == sha(pdf_bytes)


def test_docx_type_is_accepted(server, tmp_path):
    body = b"PK\x03\x04" + b"\0" * 100
    server.routes["/plan"] = Route(body, DOCX_TYPE)
    assert fetch_url(server.url("/plan"), tmp_path).path.name == "plan.docx"


def test_non_http_address_is_refused(tmp_path):
    with pytest.raises(FetchError, match="not an http"):
        fetch_url("file:///etc/passwd", tmp_path)


# ------------------------------------------------------------------------------------------ resume


def test_truncated_part_is_resumed_with_a_range_request(server, pdf_bytes, tmp_path):
    url = server.url("/r/report.pdf")
    server.routes["/r/report.pdf"] = Route(pdf_bytes, "application/pdf")
    part = part_path(url, tmp_path)
    assert part == tmp_path / "report.pdf.part"
    part.write_bytes(pdf_bytes[:1000])
    result = fetch_url(url, tmp_path)
    assert server.hits("/r/report.pdf")[0]["range"] == "bytes=1000-"
    assert result.resumed
    assert result.sha256 == sha(pdf_bytes)
    assert result.path.read_bytes() == pdf_bytes
    assert not part.exists()


def test_broken_connection_is_resumed_on_the_next_try(server, pdf_bytes, tmp_path):
    server.routes["/cut.pdf"] = Route(pdf_bytes, "application/pdf", truncate_at=700)
    result = fetch_url(server.url("/cut.pdf"), tmp_path, retries=1, **FAST)
    hits = server.hits("/cut.pdf")
    assert len(hits) == 2 and "range" not in hits[0]
    assert hits[1]["range"] == "bytes=700-"
    assert result.resumed and result.sha256 == sha(pdf_bytes)


def test_part_is_restarted_when_server_ignores_range(server, pdf_bytes, tmp_path):
    url = server.url("/norange.pdf")
    server.routes["/norange.pdf"] = Route(pdf_bytes, "application/pdf", ranges=False)
    part_path(url, tmp_path).write_bytes(b"stale bytes from elsewhere")
    result = fetch_url(url, tmp_path)
    assert not result.resumed
    assert result.path.read_bytes() == pdf_bytes


def test_complete_part_answered_with_416_is_downloaded_again(server, pdf_bytes, tmp_path):
    url = server.url("/done.pdf")
    server.routes["/done.pdf"] = Route(pdf_bytes, "application/pdf")
    part_path(url, tmp_path).write_bytes(pdf_bytes + b"extra")
    result = fetch_url(url, tmp_path, retries=0)
    assert result.sha256 == sha(pdf_bytes)


# ------------------------------------------------------------------------------------------ limits


def test_content_length_over_the_cap_is_refused_before_writing(server, pdf_bytes, tmp_path):
    server.routes["/big.pdf"] = Route(pdf_bytes, "application/pdf")
    dest = tmp_path / "dl"
    with pytest.raises(FetchError, match="over the limit of 1000"):
        fetch_url(server.url("/big.pdf"), dest, max_bytes=1000)
    assert files_in(dest) == []


def test_stream_without_length_is_cut_at_the_cap_and_part_removed(server, pdf_bytes, tmp_path):
    server.routes["/stream.pdf"] = Route(pdf_bytes, "application/pdf", send_length=False)
    with pytest.raises(FetchError, match="exceeded the limit of 1000"):
        fetch_url(server.url("/stream.pdf"), tmp_path, max_bytes=1000)
    assert files_in(tmp_path) == []


def test_slow_server_times_out_quickly(server, tmp_path):
    server.routes["/slow"] = Route(HTML.encode(), delay=3.0)
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        fetch_url(server.url("/slow"), tmp_path, timeout=0.5, retries=1, **FAST)
    assert time.monotonic() - started < 2.0
    assert len(server.hits("/slow")) == 2


def test_server_errors_are_retried_until_success(server, pdf_bytes, tmp_path):
    server.routes["/flaky.pdf"] = Route(pdf_bytes, "application/pdf", fail_first=2)
    result = fetch_url(server.url("/flaky.pdf"), tmp_path, retries=2, **FAST)
    assert result.sha256 == sha(pdf_bytes)
    assert len(server.hits("/flaky.pdf")) == 3


def test_server_errors_beyond_retries_fail_with_the_status(server, tmp_path):
    server.routes["/down"] = Route(HTML.encode(), fail_first=5)
    with pytest.raises(FetchError, match=r"HTTP 500.*after 2 tries"):
        fetch_url(server.url("/down"), tmp_path, retries=1, **FAST)


def test_retry_after_in_seconds_is_honoured(server, pdf_bytes, tmp_path):
    server.routes["/busy.pdf"] = Route(
        pdf_bytes, "application/pdf", fail_first=1, fail_status=429, fail_headers={"Retry-After": "1"}
    )
    started = time.monotonic()
    result = fetch_url(server.url("/busy.pdf"), tmp_path, retries=2, **FAST)
    assert time.monotonic() - started >= 0.9
    assert result.sha256 == sha(pdf_bytes)
    assert len(server.hits("/busy.pdf")) == 2


def test_retry_after_as_an_http_date_is_honoured(server, pdf_bytes, tmp_path):
    # Until urllib3's Retry read it, only the seconds form was understood: a date meant no wait.
    when = email.utils.formatdate(time.time() + 2.5, usegmt=True)  # whole seconds: waits 1.5-2.5 s
    server.routes["/maint.pdf"] = Route(
        pdf_bytes, "application/pdf", fail_first=1, fail_status=503, fail_headers={"Retry-After": when}
    )
    started = time.monotonic()
    result = fetch_url(server.url("/maint.pdf"), tmp_path, retries=1, **FAST)
    assert time.monotonic() - started >= 1.4
    assert result.sha256 == sha(pdf_bytes)


def test_a_retry_after_far_away_is_capped_and_an_unreadable_one_ignored(monkeypatch):
    from policyscope.corpus.fetch.download import MAX_BACKOFF, _retry_after, retry_policy

    policy = retry_policy(3, 0.5)
    assert _retry_after(policy, "86400") == MAX_BACKOFF
    assert _retry_after(policy, email.utils.formatdate(time.time() + 86400, usegmt=True)) == MAX_BACKOFF
    assert _retry_after(policy, "soon") is None
    assert _retry_after(policy, None) is None


def test_backoff_follows_the_retry_schedule():
    from policyscope.corpus.fetch.download import retry_policy

    policy, waits = retry_policy(4, 0.5), []
    for _ in range(4):
        policy = policy.increment("GET", "http://x", error=OSError("boom"))
        waits.append(policy.get_backoff_time())
    assert waits == [0, 1.0, 2.0, 4.0]


def test_not_found_fails_at_once_without_retry(server, tmp_path):
    url = server.url("/moved.pdf")
    with pytest.raises(FetchError, match="HTTP 404") as info:
        fetch_url(url, tmp_path, retries=3, backoff=5.0)
    assert str(info.value).startswith(url)
    assert len(server.hits("/moved.pdf")) == 1


# ------------------------------------------------------------------------------------------ safety


def test_redirect_to_file_scheme_is_refused(server, tmp_path):
    server.routes["/evil"] = Route(location="file:///etc/passwd")
    dest = tmp_path / "dl"
    with pytest.raises(FetchError, match="redirect to 'file:///etc/passwd' refused"):
        fetch_url(server.url("/evil"), dest)
    assert not dest.exists()


def test_relative_redirects_are_followed(server, pdf_bytes, tmp_path):
    server.routes["/old/a.pdf"] = Route(location="/new/a.pdf", status=301)
    server.routes["/new/a.pdf"] = Route(pdf_bytes, "application/pdf")
    result = fetch_url(server.url("/old/a.pdf"), tmp_path)
    assert result.url == server.url("/new/a.pdf")
    assert result.path.name == "a.pdf"


def test_redirect_loop_stops_after_five_hops(server, tmp_path):
    server.routes["/loop"] = Route(location="/loop")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch_url(server.url("/loop"), tmp_path)
    assert len(server.hits("/loop")) == 6


def test_unsupported_content_type_is_refused(server, tmp_path):
    url = server.url("/chart")
    server.routes["/chart"] = Route(b"\x89PNG\r\n", "image/png")
    with pytest.raises(FetchError) as info:
        fetch_url(url, tmp_path)
    assert str(info.value) == f"{url}: unsupported content type 'image/png'"
    assert files_in(tmp_path) == []


def test_octet_stream_needs_a_document_address_and_matching_bytes(server, tmp_path):
    server.routes["/blob"] = Route(b"%PDF-1.4 ...", "application/octet-stream")
    server.routes["/fake.pdf"] = Route(b"<html>not a pdf</html>", "application/octet-stream")
    with pytest.raises(FetchError, match="unsupported content type 'application/octet-stream'"):
        fetch_url(server.url("/blob"), tmp_path)
    with pytest.raises(FetchError, match="not a .pdf file"):
        fetch_url(server.url("/fake.pdf"), tmp_path)
    assert files_in(tmp_path) == []


def test_checksum_mismatch_removes_the_file(server, pdf_bytes, tmp_path):
    server.routes["/sum.pdf"] = Route(pdf_bytes, "application/pdf")
    with pytest.raises(FetchError, match="checksum mismatch"):
        fetch_url(server.url("/sum.pdf"), tmp_path, expected_sha256="0" * 64)
    assert files_in(tmp_path) == []
    ok = fetch_url(server.url("/sum.pdf"), tmp_path, expected_sha256=sha(pdf_bytes).upper())
    assert ok.sha256 == sha(pdf_bytes)


@pytest.mark.parametrize(
    ("path", "disposition"),
    [
        ("/x", 'attachment; filename="../../evil.pdf"'),
        ("/x", 'attachment; filename="..\\\\..\\\\evil.pdf"'),
        ("/%2E%2E%2F%2E%2E%2Fevil.pdf", None),
    ],
)
def test_hostile_file_names_stay_inside_dest_dir(server, pdf_bytes, tmp_path, path, disposition):
    headers = {"Content-Disposition": disposition} if disposition else {}
    server.routes[urllib.parse.unquote(path)] = Route(pdf_bytes, "application/pdf", headers=headers)
    server.routes[path] = server.routes[urllib.parse.unquote(path)]
    dest = tmp_path / "a" / "b"
    result = fetch_url(server.url(path), dest)
    assert result.path.parent == dest.resolve()
    assert result.path.name == "evil.pdf"
    assert not (tmp_path / "evil.pdf").exists()


def test_safe_filename_keeps_chinese_and_drops_separators():
    assert safe_filename("国家锂电池蓝图.pdf") == "国家锂电池蓝图.pdf"
    assert safe_filename("../../evil.pdf") == "evil.pdf"
    assert safe_filename("a\x00b/..") == "download"
    assert safe_filename("..") == "download"
    assert len(safe_filename("长" * 300 + ".pdf").encode()) <= 200


# ------------------------------------------------------------------------------------------ offline


def test_closed_port_is_reported_as_network_unreachable(tmp_path):
    dest = tmp_path / "dl"
    with pytest.raises(NetworkUnreachableError) as info:
        fetch_url(f"http://127.0.0.1:{closed_port()}/a.pdf", dest, retries=1, **FAST)
    message = str(info.value)
    assert message.startswith("network unreachable:") and "\n" not in message
    assert isinstance(info.value, FetchError)
    assert not dest.exists()


# ------------------------------------------------------------------------------------------ entries


@dataclass(frozen=True)
class Entry:
    id: str
    urls: tuple[str, ...] = ()


def test_fetch_entries_tries_addresses_in_order_and_writes_a_manifest(server, pdf_bytes, tmp_path):
    server.routes["/fcab.pdf"] = Route(pdf_bytes, "application/pdf")
    server.routes["/shot"] = Route(HTML.encode("utf-8"))
    entries = [
        Entry("us-li-blueprint-2021", (server.url("/gone.pdf"), server.url("/fcab.pdf"))),
        Entry("kr-k-battery-2030"),
        Entry("us-ldes-shot-2021", (server.url("/shot"),)),
        Entry("jp-broken", ("not confirmed", server.url("/gone2.pdf"))),
    ]
    outcomes = fetch_entries(entries, tmp_path, retries=0)
    by_id = {o.entry_id: o for o in outcomes}
    assert [o.entry_id for o in outcomes] == [e.id for e in entries]
    blueprint = by_id["us-li-blueprint-2021"]
    assert blueprint.ok and blueprint.result.url == server.url("/fcab.pdf")
    assert blueprint.result.path == (tmp_path / "us-li-blueprint-2021" / "fcab.pdf").resolve()
    assert by_id["kr-k-battery-2030"].error == "no official address known"
    assert by_id["us-ldes-shot-2021"].result.path.name == "shot.html"
    broken = by_id["jp-broken"].error
    assert "not an http" in broken and "HTTP 404" in broken and "\n" not in broken

    manifest = json.loads((tmp_path / "fetch.json").read_text(encoding="utf-8"))
    assert manifest == load_manifest(tmp_path)
    assert set(manifest) == {"us-li-blueprint-2021", "us-ldes-shot-2021"}
    record = manifest["us-li-blueprint-2021"]
    assert record["file"] == "us-li-blueprint-2021/fcab.pdf"
    assert record["sha256"] == sha(pdf_bytes) and record["bytes"] == len(pdf_bytes)
    assert record["url"] == server.url("/fcab.pdf") and record["fetched_at"]

    before = len(server.requests)
    again = fetch_entries(entries[:1] + entries[2:3], tmp_path, retries=0)
    assert all(o.ok and o.result.reused and not o.result.resumed for o in again)
    assert len(server.requests) == before

    # A recorded file that was damaged on disk is downloaded again.
    blueprint.result.path.write_bytes(b"damaged")
    third = fetch_entries(entries[:1], tmp_path, retries=0)
    assert not third[0].result.reused and third[0].result.sha256 == sha(pdf_bytes)


def test_fetch_entries_checks_an_entry_sha256(server, pdf_bytes, tmp_path):
    @dataclass(frozen=True)
    class Pinned:
        id: str
        urls: tuple[str, ...]
        sha256: str

    server.routes["/p.pdf"] = Route(pdf_bytes, "application/pdf")
    [outcome] = fetch_entries([Pinned("p", (server.url("/p.pdf"),), "f" * 64)], tmp_path, retries=0)
    assert not outcome.ok and "checksum mismatch" in outcome.error
    assert load_manifest(tmp_path) == {}


def test_fetch_entries_without_network_stops_at_once_and_changes_nothing(tmp_path):
    port = closed_port()
    entries = [
        Entry("a", (f"http://127.0.0.1:{port}/a.pdf",)),
        Entry("b", (f"http://127.0.0.1:{port}/b.pdf",)),
    ]
    dest = tmp_path / "downloads"
    with pytest.raises(NetworkUnreachableError, match="^network unreachable: "):
        fetch_entries(entries, dest, retries=1, **FAST)
    assert not dest.exists()


def test_fetch_entries_rejects_unknown_options(tmp_path):
    with pytest.raises(TypeError, match="available"):
        fetch_entries([Entry("a", ("http://127.0.0.1/a",))], tmp_path, timout=3)
