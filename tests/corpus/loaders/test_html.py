"""HTML pages (policyscope.corpus.loaders.html): main content, headings, tables, no script text."""

from __future__ import annotations

from policyscope.corpus.loaders import html_to_text

from tests.corpus.loaders.common import load_one

HOSTILE_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>Battery Policy Page</title>
<script>var leaked = "SCRIPT_SECRET";</script><style>.x { content: "STYLE_SECRET"; }</style></head>
<body onload="steal()">
<nav><a href="/">Home</a> <a href="javascript:alert('NAV_JS')">NAVLINK menu</a></nav>
<main><article>
<h1>National Battery Strategy</h1>
<p>The government will secure supply of critical raw materials such as lithium and cobalt for the
battery industry over the next decade.</p>
<img src="x.png" onerror="alert('IMG_ONERROR')">
<h2>1. Recycling</h2>
<p onclick="evil()">Recycling targets are set for 2030 and manufacturers must take back used batteries.</p>
<script>document.write("INLINE_SCRIPT_TEXT")</script>
<p>国家将加强动力电池回收利用体系建设，推动梯次利用和再生利用。</p>
<table><tr><th>Year</th><th>Target</th></tr><tr><td>2025</td><td>50%</td></tr></table>
</article></main>
<footer>FOOTER_TEXT copyright notice</footer>
</body></html>
"""


def test_html_keeps_main_text_and_headings_and_drops_scripts(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(HOSTILE_HTML, encoding="utf-8")
    doc = load_one(path)
    for secret in (
        "SCRIPT_SECRET",
        "STYLE_SECRET",
        "INLINE_SCRIPT_TEXT",
        "IMG_ONERROR",
        "NAV_JS",
        "steal",
        "evil",
    ):
        assert secret not in doc.text
    assert "FOOTER_TEXT" not in doc.text
    assert "secure supply of critical raw materials" in doc.text
    assert "国家将加强动力电池回收利用体系建设" in doc.text
    headings = [(doc.text[b.start : b.end], b.level) for b in doc.blocks if b.kind == "heading"]
    assert ("National Battery Strategy", 1) in headings
    assert ("1. Recycling", 2) in headings
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert [doc.text[b.start : b.end] for b in rows] == ["2025 | 50%"]
    assert rows[0].context == "Year | Target"
    assert doc.title in ("National Battery Strategy", "Battery Policy Page")
    assert doc.meta["encoding"] == "utf-8"


def test_html_declared_charset_is_used(tmp_path):
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<title>电池政策</title></head><body><article><h1>电池回收</h1>"
        f"<p>{'推动动力电池回收利用体系建设，提升资源保障能力。' * 8}</p></article></body></html>"
    )
    path = tmp_path / "gb.html"
    path.write_bytes(page.encode("gb2312"))
    doc = load_one(path)
    assert "推动动力电池回收利用体系建设" in doc.text
    assert doc.meta["encoding"] == "gb18030"


def test_tiny_html_page_falls_back_to_visible_text(tmp_path):
    path = tmp_path / "tiny.htm"
    path.write_text(
        "<html><head><title>Tiny</title><script>alert('X')</script></head>"
        "<body><p>Short note.</p><a href='javascript:void(0)' onclick='x()'>Click</a></body></html>",
        encoding="utf-8",
    )
    doc = load_one(path)
    assert "Short note." in doc.text
    assert "alert" not in doc.text
    assert "x()" not in doc.text
    assert doc.title == "Tiny"


def test_html_to_text_drops_tags_and_decodes_entities():
    markup = "<div>This&nbsp;law<strong> </strong>sets&amp;targets.<br><br>Second<script>x()</script></div>"
    assert html_to_text(markup) == "This law sets&targets.\n\nSecond"
