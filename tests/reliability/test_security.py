"""Security: hostile document text never acts in the browser; uploads and paths stay in the workspace;
the app binds to loopback; secrets are not logged; downloads are capped, typed and never follow a
redirect to a non-HTTP(S) scheme.
"""

from __future__ import annotations

import http.server
import logging
import threading
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
from policyscope.corpus.errors import FetchError

from . import files as F

# -- HTML escaping ----------------------------------------------------------------------------------


class _Audit(HTMLParser):
    """Collects everything in a fragment that could run code in a browser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "svg", "img", "base", "meta", "link", "form"):
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            v = (value or "").strip().lower().replace("\t", "").replace("\n", "")
            if name.startswith("on"):
                self.problems.append(f"{name}= handler on <{tag}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and (
                v.startswith(("javascript:", "data:", "vbscript:"))
            ):
                self.problems.append(f"{name}={value!r} on <{tag}>")
            if name == "style" and ("url(" in v or "expression(" in v):
                self.problems.append(f"style={value!r} on <{tag}>")

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _audit(html: str) -> tuple[list[str], str]:
    parser = _Audit()
    parser.feed(html)
    parser.close()
    return parser.problems, "".join(parser.text)


@pytest.fixture
def hostile_service(home, inputs):
    """The app's service over a workspace holding hostile documents (HTML page, JSONL records, text)."""
    from policyscope.index.pipeline import Pipeline
    from policyscope.ui.service import Service

    text = inputs / "hostile-plain.txt"
    text.write_text('<b onmouseover="alert(5)">Hostile Title</b>\n' + F.HOSTILE_TEXT, encoding="utf-8")
    pipe = Pipeline(home)
    report = pipe.run([F.hostile_html(inputs), F.hostile_csv(inputs), text])
    assert not report.errors, report.errors
    pipe.store.close()
    svc = Service(home)
    svc.workspace.ensure_built()
    return svc


def _hostile_docs(svc) -> list:
    return [i for i in svc.workspace.store.document_infos() if "hostile" in i.source]


def test_every_app_view_escapes_hostile_document_text_and_titles(hostile_service):
    svc = hostile_service
    docs = _hostile_docs(svc)
    assert len(docs) == 4
    views: dict[str, str] = {}
    for q in (
        "lithium stockpile",
        "alert",
        '<script>alert("doc")</script>',
        "javascript:alert(4)",
        "电池回收",
    ):
        for mode in ("hybrid", "keyword", "phrase", "semantic"):
            views[f"search {q} {mode}"] = svc.search_tab.search(q, mode)
    for d in docs:
        views[f"document {d.id}"] = svc.document_tab.document_view(d.id)
        first = next(iter(svc.workspace.store.iter_passages(d.id)))
        views[f"document {d.id} focus"] = svc.document_tab.document_view(d.id, first.id, ["<script>", "alert"])
        views[f"more like {first.id}"] = svc.search_tab.more_like_this(first.id)
        views[f"review {first.id}"] = svc.review_tab.review_card(first.id)
    ids = [d.id for d in docs]
    views["compare"] = "".join(svc.compare_tab.compare(ids[:2]))
    views["compare 4"] = "".join(svc.compare_tab.compare(ids[:4]))
    views["heatmap"] = svc.compare_tab.heatmap()
    views["timeline"] = svc.compare_tab.timeline()
    views["corpus"] = svc.corpus_tab.corpus_table()
    for region in svc.workspace.region_choices():
        for measure in [m for _, m in svc.workspace.measure_choices()][:3]:
            views[f"evidence {region} {measure}"] = svc.compare_tab.cell_evidence(region, measure)
    shown = ""
    for name, html in views.items():
        problems, text = _audit(html)
        assert problems == [], f"{name}: {problems}"
        shown += text
    # The hostile strings are displayed as text, not dropped: escaping, not filtering.
    assert '<script>alert("doc")</script>' in shown
    assert "Cobalt & Nickel" in shown or "cobalt nickel supply" in shown
    assert "<script>alert('escaped')</script> is shown as text." in shown


def test_search_api_returns_text_as_data(hostile_service):
    out = hostile_service.search_tab.search_json('<script>alert("doc")</script> lithium stockpile', "keyword")
    assert any('<script>alert("doc")</script>' in h["text"] for h in out["hits"])  # JSON, never HTML


def test_hostile_upload_file_names_are_escaped_and_kept_inside_the_workspace(home, tmp_path):
    from policyscope.ui.service import Service

    svc = Service(home)
    svc.workspace.ensure_built()
    outside = tmp_path / "outside"
    outside.mkdir()
    src = outside / "payload.txt"
    src.write_text("Lithium stockpile note for the upload test.", encoding="utf-8")

    class Upload:  # what Gradio hands over: a temp path plus the browser's file name
        def __init__(self, name: str, orig_name: str):
            self.name, self.orig_name = name, orig_name

    names = [
        "../../../../etc/cron.d/<img src=x onerror=alert(1)>.txt",
        "..\\..\\evil<script>.txt",
        "/etc/passwd.txt",
        "C:\\Windows\\win.ini.txt",
    ]
    rows = svc.corpus_tab.upload([Upload(str(src), n) for n in names])
    html = svc.corpus_tab.upload_html([Upload(str(src), names[0])])
    problems, _ = _audit(html)
    assert problems == []
    uploads = (home.home / "uploads").resolve()
    for p in (home.home / "uploads").rglob("*"):
        assert p.resolve().is_relative_to(uploads)
    assert not any(Path(r["name"]).is_absolute() or "/" in r["name"] or "\\" in r["name"] for r in rows)
    assert not (Path("/etc/cron.d") / "<img src=x onerror=alert(1)>.txt").exists()


def test_uploads_are_limited_by_size_and_type(home, tmp_path):
    from policyscope.ui.service import Service

    svc = Service(home, max_upload_mb=1)
    big = tmp_path / "big.txt"
    big.write_bytes(b"lithium " * (200 * 1024))  # 1.6 MB (1,638,400 bytes)
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ\x90\x00")
    svg = tmp_path / "chart.svg"
    svg.write_text("<svg onload=alert(1)></svg>", encoding="utf-8")
    rows = svc.corpus_tab.upload([str(big), str(exe), str(svg)])
    errors = [r["error"] for r in rows]
    assert errors[0] == "big.txt: 1.6 MB is over the 1 MB limit"
    assert errors[1].startswith("tool.exe: unsupported file type")
    assert errors[2].startswith("chart.svg: unsupported file type")
    assert not (home.home / "uploads").exists() or not any((home.home / "uploads").iterdir())


def test_document_and_passage_ids_in_requests_cannot_reach_files(hostile_service, home):
    svc = hostile_service
    for bad in ("../../../../etc/passwd", "/etc/passwd", str(home.store_path), "..", "%2e%2e%2fetc"):
        for html in (svc.document_tab.document_view(bad), svc.search_tab.more_like_this(bad), svc.review_tab.review_card(bad)):
            problems, text = _audit(html)
            assert problems == []
            assert "root:x:0:0" not in text
        assert isinstance(svc.compare_tab.compare_json([bad, "US"]), dict)  # an error message, never a file


def test_app_serves_no_path_outside_the_workspace(home):
    from policyscope.ui.serve import launch_kwargs

    kwargs = launch_kwargs(home)
    assert kwargs["server_name"] == "127.0.0.1"
    assert kwargs["share"] is False
    for allowed in kwargs["allowed_paths"]:
        assert Path(allowed).resolve().is_relative_to(home.home.resolve())


def test_cli_serve_binds_to_loopback_by_default():
    import inspect

    from policyscope.ui import cli, serve

    assert inspect.signature(cli.serve).parameters["host"].default == "127.0.0.1"
    assert inspect.signature(serve.run_server).parameters["host"].default == "127.0.0.1"
    assert inspect.signature(serve.launch_kwargs).parameters["host"].default == "127.0.0.1"


def test_login_secret_is_never_logged(home, caplog, capsys, monkeypatch):
    """`serve --auth user:pw` passes the password to Gradio only; no log line or output holds it."""
    from policyscope.ui import serve
    from policyscope.ui.cli import app
    from typer.testing import CliRunner

    seen = {}

    def fake_run_server(settings, host="127.0.0.1", port=7860, auth=None, max_upload_mb=50):
        logging.getLogger("policyscope.ui.serve").info("starting on %s:%s", host, port)
        seen.update(host=host, auth=auth)

    monkeypatch.setattr(serve, "run_server", fake_run_server)
    caplog.set_level(logging.DEBUG)
    secret = "Hunter2-very-secret"
    result = CliRunner().invoke(
        app, ["--home", str(home.home), "--encoder", "hash", "--debug", "serve", "--auth", f"alice:{secret}"]
    )
    assert result.exit_code == 0, result.output
    assert seen == {"host": "127.0.0.1", "auth": ("alice", secret)}
    assert secret not in result.output
    assert secret not in caplog.text
    captured = capsys.readouterr()
    assert secret not in captured.out + captured.err


# -- fetch ------------------------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, dict[str, str], bytes]]] = {}

    def do_GET(self) -> None:
        status, headers, body = self.routes.get(self.path, (404, {}, b"missing"))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", headers.get("Content-Length", str(len(body))))
        self.end_headers()
        try:
            self.wfile.write(body)
            if self.path == "/slow":
                import time

                time.sleep(3)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    _Handler.routes = {
        "/file.txt": (200, {"Content-Type": "text/plain"}, b"lithium " * 100),
        "/big.txt": (200, {"Content-Type": "text/plain"}, b"x" * 5000),
        "/nolength.txt": (200, {"Content-Type": "text/plain", "Content-Length": ""}, b"x" * 5000),
        "/image.png": (200, {"Content-Type": "image/png"}, b"\x89PNG"),
        "/script.js": (200, {"Content-Type": "application/javascript"}, b"alert(1)"),
        "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
        "/to-js": (302, {"Location": "javascript:alert(1)"}, b""),
        "/to-ftp": (301, {"Location": "ftp://example.org/x.pdf"}, b""),
        "/to-ok": (302, {"Location": "/file.txt"}, b""),
        "/slow": (200, {"Content-Type": "text/plain", "Content-Length": "100000"}, b"x" * 10),
    }
    yield base
    httpd.shutdown()
    httpd.server_close()


def _fetch(url: str, dest: Path, **kw):
    from policyscope.corpus.fetch import fetch_url

    return fetch_url(url, dest, retries=0, backoff=0, **kw)


@pytest.mark.parametrize(
    ("route", "target"),
    [
        ("/to-file", "file:///etc/passwd"),
        ("/to-js", "javascript:alert(1)"),
        ("/to-ftp", "ftp://example.org/x.pdf"),
    ],
)
def test_fetch_refuses_a_redirect_to_a_non_http_scheme(server, tmp_path, route, target):
    with pytest.raises(FetchError) as info:
        _fetch(server + route, tmp_path / "dl")
    assert str(info.value) == f"{server}{route}: redirect to {target!r} refused (only http and https)"
    assert not (tmp_path / "dl").exists()


def test_fetch_follows_an_http_redirect(server, tmp_path):
    result = _fetch(server + "/to-ok", tmp_path / "dl")
    assert result.path.read_bytes() == b"lithium " * 100
    assert result.path.parent == (tmp_path / "dl").resolve()


def test_fetch_enforces_the_size_cap_by_header_and_while_streaming(server, tmp_path):
    with pytest.raises(FetchError, match=r"file is 5000 bytes, over the limit of 1000$"):
        _fetch(server + "/big.txt", tmp_path / "dl", max_bytes=1000)
    with pytest.raises(FetchError, match=r"download exceeded the limit of 1000 bytes$"):
        _fetch(server + "/nolength.txt", tmp_path / "dl", max_bytes=1000)
    assert not any((tmp_path / "dl").glob("*")) if (tmp_path / "dl").exists() else True


@pytest.mark.parametrize(
    ("route", "ctype"), [("/image.png", "image/png"), ("/script.js", "application/javascript")]
)
def test_fetch_checks_the_content_type(server, tmp_path, route, ctype):
    with pytest.raises(FetchError) as info:
        _fetch(server + route, tmp_path / "dl")
    assert str(info.value) == f"{server}{route}: unsupported content type {ctype!r}"


def test_fetch_times_out(server, tmp_path):
    import time

    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        _fetch(server + "/slow", tmp_path / "dl", timeout=0.5)
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "ftp://x/y.pdf", "//x/y", ""])
def test_fetch_refuses_non_http_addresses(tmp_path, url):
    with pytest.raises(FetchError, match="not an http\\(s\\) address"):
        _fetch(url, tmp_path / "dl")


def test_fetched_file_names_stay_in_the_download_folder():
    from policyscope.corpus.fetch import safe_filename

    for hostile in (
        "../../etc/passwd",
        "..\\..\\boot.ini",
        "/abs/path.pdf",
        "a/../../b.pdf",
        "\x00evil.pdf",
        "..",
    ):
        name = safe_filename(hostile)
        assert "/" not in name and "\\" not in name and name not in (".", "..") and "\x00" not in name


# -- the load test tool -----------------------------------------------------------------------------


def _loadtest():
    import importlib.util
    import sys

    if "policyscope_loadtest" in sys.modules:
        return sys.modules["policyscope_loadtest"]
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "loadtest.py"
    spec = importlib.util.spec_from_file_location("policyscope_loadtest", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1:7860",
        "http://8.8.8.8",
        "http://[2001:db8::1]:7860",
        "ftp://127.0.0.1/",
        "127.0.0.1:7860",
        "http://0.0.0.0:7860",
    ],
)
def test_load_test_refuses_targets_other_than_loopback(url, capsys):
    assert _loadtest().main(["--url", url, "--seconds", "1"]) == 2
    assert capsys.readouterr().err.startswith("error: ")


@pytest.mark.parametrize("url", ["http://127.0.0.1:7860", "http://localhost:7861", "http://[::1]:7860"])
def test_load_test_accepts_loopback_targets(url):
    try:
        assert _loadtest().check_loopback(url) == url
    except ValueError as exc:  # a machine without IPv6 loopback cannot resolve ::1
        assert "::1" in url and "resolve" in str(exc)


@pytest.mark.parametrize(
    "args",
    [
        ["--clients", "0"],
        ["--clients", "1000"],
        ["--seconds", "0"],
        ["--seconds", "100000"],
        ["--max-requests", "0"],
    ],
)
def test_load_test_is_bounded_in_clients_time_and_count(args):
    assert _loadtest().main(["--url", "http://127.0.0.1:9", *args]) == 2
