"""The running app's named API endpoints, called the way a script would: with gradio_client."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

import pytest

pytest.importorskip("gradio")
pytest.importorskip("gradio_client")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(settings, auth=None, max_upload_mb: int = 5):
    """Launch the app in this process on a free local port; returns (service, demo, url)."""
    from policyscope.ui.serve import QUEUE, create, launch_kwargs

    service, demo = create(settings, max_upload_mb=max_upload_mb)
    port = free_port()
    demo.queue(**QUEUE).launch(
        prevent_thread_lock=True,
        **launch_kwargs(settings, "127.0.0.1", port, auth, max_upload_mb, service=service),
    )
    return service, demo, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from tests.conftest import build_tagged_workspace

    settings = build_tagged_workspace(tmp_path_factory.mktemp("client") / "home")
    service, demo, url = start_app(settings)
    yield service, url
    demo.close()


@pytest.fixture(scope="module")
def client(app):
    from gradio_client import Client

    return Client(app[1], verbose=False)


def test_the_api_lists_exactly_the_named_endpoints(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(endpoints) == {"/search", "/compare", "/tag", "/tag_text"}


def test_every_endpoint_documents_its_return_type(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    returns = {name: ep["returns"][0]["python_type"]["type"] for name, ep in endpoints.items()}
    assert all("Any" not in t and t.startswith("dict(") for t in returns.values()), returns
    assert "hits: list[dict(rank: int, score: float, passage_id: str" in returns["/search"]
    assert "rows: list[dict(measure: str, shared: bool" in returns["/compare"]
    assert returns["/tag"] == "dict(ok: bool, done: str, passage_id: str, tags: list[str])"
    assert "measures: list[dict(measure: str, score: float" in returns["/tag_text"]


def test_search_endpoint_answers_in_chinese_and_english(client):
    zh = client.predict("锂电池供应链", api_name="/search")
    assert zh["hits"] and zh["query"] == "锂电池供应链"
    en = client.predict("critical minerals", "keyword", ["UK"], None, None, None, None, None, 3, api_name="/search")
    assert en["hits"] and {h["country"] for h in en["hits"]} == {"GB"}  # "UK" as a region filter: the country
    jp = client.predict("蓄電池", "keyword", None, None, None, None, None, None, 3, ["日本"], api_name="/search")
    assert jp["hits"] and {h["country"] for h in jp["hits"]} == {"JP"}
    with pytest.raises(Exception, match="empty query"):  # gr.Error reaches the client as an exception
        client.predict("", api_name="/search")


def test_search_endpoint_takes_every_cli_filter(client):
    laws = client.predict("supply chain", kinds=["law"], measures_all=["raw_materials", "stockpiling"], k=5,
                          api_name="/search")
    assert laws["hits"] and all(h["doc_kind"] == "law" for h in laws["hits"])
    assert all({"raw_materials", "stockpiling"} <= set(h["measures"]) for h in laws["hits"])
    with pytest.raises(Exception, match="year_from: expected a year between 0 and 9999"):
        client.predict("battery", year_from="1e400", api_name="/search")


def test_compare_endpoint_returns_the_measure_table_and_alignment(client):
    out = client.predict(["us-li-blueprint-2021", "eu-batteries-regulation"], api_name="/compare")
    assert [i["key"] for i in out["items"]] == ["us-li-blueprint-2021", "eu-batteries-regulation"]
    assert len(out["rows"]) >= 15 and out["alignment"]
    with pytest.raises(Exception, match="nowhere"):
        client.predict(["US", "nowhere"], api_name="/compare")
    with pytest.raises(Exception, match="compare needs 2 to 4 items, got 1"):
        client.predict(["US"], api_name="/compare")


def test_tag_text_endpoint_tags_any_text_without_storing_it(client, app):
    before = app[0].workspace.store.count("passages")
    out = client.predict("国家建立战略性矿产资源储备制度，并对本土电池制造提供税收抵免。", api_name="/tag_text")
    found = {m["measure"]: m for m in out["measures"]}
    assert {"stockpiling", "funding_incentives"} <= set(found) and found["stockpiling"]["evidence"]
    assert app[0].workspace.store.count("passages") == before
    with pytest.raises(Exception, match="empty text"):
        client.predict("  ", api_name="/tag_text")


def test_tag_endpoint_records_a_review_decision(client, app):
    hit = client.predict("国家锂电池蓝图", api_name="/search")["hits"][0]
    out = client.predict(hit["passage_id"], "add", "workforce", "api-test", api_name="/tag")
    assert out["ok"] and "workforce" in out["tags"]
    assert any(a["annotator"] == "api-test" for a in app[0].workspace.store.annotations(hit["passage_id"]))


def test_no_file_outside_the_exports_folder_is_served(app):
    service, url = app
    settings = service.workspace.settings
    for path in ("/etc/passwd", str(settings.store_path), str(settings.home / "uploads")):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{url}gradio_api/file={path}")
        assert err.value.code in (403, 404)


def test_health_says_ok_with_the_index_counts_and_503_when_the_index_is_gone(app):
    import json
    import shutil

    service, url = app
    with urllib.request.urlopen(f"{url}health") as resp:
        body = json.loads(resp.read())
    index = service.workspace.searcher.index
    assert body == {"status": "ok", "documents": index.manifest["counts"]["documents"], "passages": index.n,
                    "encoder": "hash"}
    # a workspace whose index disappeared (a fresh searcher must load it) is reported, not crashed on
    ws = service.workspace
    saved, ws._searcher = ws._searcher, None
    moved = ws.settings.index_root.with_name("indexes-moved")
    shutil.move(ws.settings.index_root, moved)
    try:
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{url}health")
        assert err.value.code == 503
        detail = json.loads(err.value.read())
        assert detail["status"] == "unavailable" and "run `policyscope build` first" in detail["detail"]
    finally:
        shutil.move(moved, ws.settings.index_root)
        ws._searcher = saved


def _get_json(url: str, headers: dict | None = None) -> tuple[int, dict]:
    import json

    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_plain_json_search_route_answers_with_the_filters_outside_the_queue(app):
    from urllib.parse import urlencode

    service, url = app
    query = urlencode([("q", "蓄電池"), ("mode", "keyword"), ("country", "日本"), ("k", "3")])
    status, body = _get_json(f"{url}api/search?{query}")
    assert status == 200 and body["hits"] and {h["country"] for h in body["hits"]} == {"JP"}
    assert len(body["hits"]) <= 3 and body["hits"][0]["text"]
    same = service.search_tab.search_json("蓄電池", "keyword", countries=["日本"], k=3)["hits"]
    assert [h["passage_id"] for h in body["hits"]] == [h["passage_id"] for h in same]
    status, body = _get_json(f"{url}api/search?q=battery&year_from=1e400")
    assert status == 400 and body["error"].startswith("year_from: expected a year")
    status, body = _get_json(f"{url}api/search?q=battery&regions=EU")
    assert status == 400 and body["error"] == "unknown parameter(s) regions"


def test_login_is_required_when_auth_is_set(tmp_path):
    from gradio_client import Client

    from tests.conftest import build_tagged_workspace

    settings = build_tagged_workspace(tmp_path / "home", hostile=False)
    _, demo, url = start_app(settings, auth=("ana", "s3cret"))
    try:
        with pytest.raises(Exception, match=r"(?i)auth|login|401|403|credentials|could not"):
            Client(url, verbose=False).predict("battery", api_name="/search")
        ok = Client(url, auth=("ana", "s3cret"), verbose=False).predict("battery", api_name="/search")
        assert ok["hits"]
        # the plain JSON route asks for the same login; /health needs none
        import base64

        status, body = _get_json(f"{url}api/search?q=battery")
        assert status == 401 and body == {"error": "login required"}
        wrong = {"Authorization": "Basic " + base64.b64encode(b"ana:guess").decode()}
        assert _get_json(f"{url}api/search?q=battery", wrong)[0] == 401
        right = {"Authorization": "Basic " + base64.b64encode(b"ana:s3cret").decode()}
        status, body = _get_json(f"{url}api/search?q=battery", right)
        assert status == 200 and body["hits"]
        assert _get_json(f"{url}health")[0] == 200
    finally:
        demo.close()


def test_server_binds_localhost_by_default():
    import inspect

    from policyscope.ui.serve import launch_kwargs, run_server

    assert inspect.signature(run_server).parameters["host"].default == "127.0.0.1"
    assert inspect.signature(launch_kwargs).parameters["host"].default == "127.0.0.1"


def test_the_load_tool_drives_the_plain_json_route(app):
    import importlib.util
    import sys
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "policyscope_loadtest_rest", Path(__file__).resolve().parents[2] / "benchmarks" / "loadtest.py")
    loadtest = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = loadtest  # its dataclasses look their module up there
    spec.loader.exec_module(loadtest)
    report = loadtest.run(app[1], clients=2, seconds=2, max_requests=20, progress=False, rest=True)
    assert report.errors == 0 and report.requests >= 2, report.error_samples
