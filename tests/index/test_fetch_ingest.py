"""fetch → ingest → link, against a local HTTP server serving files this test generates."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from policyscope.corpus.config import Settings
from policyscope.corpus.store import Store
from policyscope.index.pipeline import Pipeline
from policyscope.index.search import Searcher

PAGE = """<!doctype html><html><head><title>Critical Minerals Strategy</title></head><body>
<nav><a href="/">Home</a> | <a href="/news">News</a></nav>
<main><h1>Resilience for the Future: The UK's Critical Minerals Strategy</h1>
<p>The UK will accelerate the growth of domestic capabilities in critical minerals, collaborate with
international partners to diversify supply, and enhance international markets.</p>
<p>The Critical Minerals Intelligence Centre will monitor supply risks and publish a criticality assessment.</p>
<p>We will also promote recycling of lithium-ion batteries and the recovery of cobalt and nickel.</p>
</main><footer>Crown copyright</footer></body></html>"""


def _pdf_bytes() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, "National Blueprint for Lithium Batteries 2021-2030. Secure access to raw and refined "
                         "materials and discover alternatives for critical minerals for commercial and defense applications.")
    pdf.add_page()
    pdf.multi_cell(0, 8, "Support the growth of a U.S. materials-processing base able to meet domestic battery demand.")
    return bytes(pdf.output())


@pytest.fixture
def server():
    files = {"/uk.html": (PAGE.encode(), "text/html; charset=utf-8"), "/blueprint.pdf": (_pdf_bytes(), "application/pdf")}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body, ctype = files.get(self.path, (b"not found", "text/plain"))
            self.send_response(200 if self.path in files else 404)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@dataclass(frozen=True)
class Entry:
    id: str
    urls: tuple[str, ...]


def test_fetched_texts_are_ingested_linked_and_searchable(home, server):
    workspace = Settings.load(home, encoder="hash")
    pipe = Pipeline(workspace)
    entries = [
        Entry("uk-critical-minerals-strategy-2022", (f"{server}/uk.html",)),
        Entry("us-li-blueprint-2021", (f"{server}/missing.pdf", f"{server}/blueprint.pdf")),
        Entry("kr-k-battery-2030", ()),
    ]
    results = {r["id"]: r for r in pipe.fetch(entries)}
    assert results["uk-critical-minerals-strategy-2022"]["added"] == 1
    assert results["us-li-blueprint-2021"]["added"] == 1
    assert results["kr-k-battery-2030"]["error"]
    store = Store(workspace.store_path)
    full = {d.catalog_id: d for d in store.iter_documents() if d.status == "full" and d.catalog_id}
    uk = full["uk-critical-minerals-strategy-2022"]
    assert (uk.country, uk.region) == ("GB", "Northern Europe")  # the catalog entry's country
    assert "Crown copyright" not in full["uk-critical-minerals-strategy-2022"].text
    assert full["us-li-blueprint-2021"].title_zh == "国家锂电池蓝图2021-2030"
    pages = {p.page for p in store.iter_passages(full["us-li-blueprint-2021"].id)}
    assert pages == {1, 2}
    infos = {i.id: i for i in store.document_infos()}
    assert infos["uk-critical-minerals-strategy-2022"].has_full_text
    assert not infos["kr-k-battery-2030"].has_full_text
    hits = Searcher(workspace).search("monitor supply risks and publish a criticality assessment", k=3,
                                      mode="keyword").hits
    assert hits[0].doc_id == full["uk-critical-minerals-strategy-2022"].id
    # fetching again downloads nothing new and adds nothing
    again = {r["id"]: r for r in pipe.fetch(entries[:2])}
    assert all(r["added"] == 0 and not r["error"] for r in again.values())
