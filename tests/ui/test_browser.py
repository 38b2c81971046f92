"""End-to-end: the running app driven in headless Chromium (Debian ``chromium`` + Playwright).

One app server per module on a workspace built in a temp dir with the fast ``hash`` encoder
(``POLICYSCOPE_BROWSER_ENCODER=use`` uses the real default one). Screenshots go to
``test-output/screenshots/``; with ``POLICYSCOPE_DOCS_SCREENSHOTS=1`` they are also written to
``docs/screenshots/`` (how the committed ones were made).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian chromium not found at /usr/bin/chromium (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
pytest.importorskip("gradio")

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "test-output" / "screenshots"
DOCS_SHOTS = REPO / "docs" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT = 60_000


def shot(page, name: str, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    if os.environ.get("POLICYSCOPE_DOCS_SCREENSHOTS"):
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_SHOTS / path.name)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from tests.conftest import build_tagged_workspace
    from tests.ui.test_client import start_app

    encoder = os.environ.get("POLICYSCOPE_BROWSER_ENCODER", "hash")
    settings = build_tagged_workspace(tmp_path_factory.mktemp("browser") / "home", encoder=encoder, hostile=False)
    service, demo, url = start_app(settings, max_upload_mb=5)
    yield service, url
    demo.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def page(browser, app):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = ctx.new_page()
    pg.set_default_timeout(TIMEOUT)
    pg.dialogs = []  # type: ignore[attr-defined]
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.goto(app[1])
    pg.wait_for_selector("#ps-query textarea, #ps-query input")
    yield pg
    ctx.close()


def tab(page, name: str) -> None:
    page.get_by_role("tab", name=re.compile(name)).click()


def search(page, text: str) -> None:
    tab(page, "Search")
    box = page.locator("#ps-query textarea, #ps-query input").first
    box.fill(text)
    # Mark what is shown now, then wait for a render that is not marked (the new answer).
    page.evaluate("() => document.querySelectorAll('#ps-results .ps-results, #ps-results .ps-msg')"
                  ".forEach(e => e.setAttribute('data-stale', '1'))")
    page.locator("#ps-search").click()
    page.wait_for_function(
        "() => { const el = document.querySelector('#ps-results .ps-results, #ps-results .ps-msg');"
        " return el && !el.hasAttribute('data-stale'); }"
    )


def pick(page, dropdown_id: str, text: str) -> None:
    """Choose the option of a Gradio dropdown whose label contains ``text``."""
    box = page.locator(f"#{dropdown_id} input").first
    box.click()
    box.fill("")
    box.type(text, delay=20)
    option = page.locator(f"#{dropdown_id} li[role=option]", has_text=text).first
    option.wait_for()
    page.wait_for_timeout(300)  # the list re-renders while it filters
    box.press("Enter")
    page.keyboard.press("Escape")


def test_search_in_chinese_shows_highlighted_cards(page):
    search(page, "动力电池回收利用")
    cards = page.locator("#ps-results .ps-card")
    cards.first.wait_for()
    assert cards.count() >= 3
    assert page.locator("#ps-results mark.term").count() > 0
    shot(page, "search")


def test_search_in_english_with_country_filter(page):
    pick(page, "ps-f-country", "United Kingdom")
    search(page, "critical minerals strategy")
    codes = page.locator("#ps-results .ps-card .ps-country .ps-code").all_inner_texts()
    assert codes and set(codes) == {"GB"}
    names = page.locator("#ps-results .ps-card .ps-country .ps-cname").all_inner_texts()
    assert set(names) == {"United Kingdom"}
    assert page.locator("#ps-results mark.term").count() > 0
    # a fresh page clears the filters for the next tests
    page.reload()
    page.wait_for_selector("#ps-query textarea, #ps-query input")


def test_search_with_a_bloc_filter(page):
    pick(page, "ps-f-region", "G7")
    search(page, "battery supply chain")
    codes = set(page.locator("#ps-results .ps-card .ps-country .ps-code").all_inner_texts())
    assert codes and codes <= {"US", "JP", "GB"}
    page.reload()
    page.wait_for_selector("#ps-query textarea, #ps-query input")


def test_a_policy_text_shows_its_table1_row_and_attribution(page):
    tab(page, "Document")
    pick(page, "ps-doc-pick", "第2022-11号总统决定")
    page.wait_for_selector("#ps-docview .ps-related")
    related = page.locator("#ps-docview .ps-related").first.inner_text()
    assert "Basis of Table 1 row" in related and "国防生产法" in related
    facts = page.locator("#ps-docview table.ps-facts").inner_text()
    assert "brian14708/wh-briefings" in facts and "17 U.S.C." in facts
    # the link opens the Table 1 record, which lists the text back
    page.locator("#ps-docview .ps-related [data-action=open]").first.click()
    page.wait_for_selector("#ps-docview .ps-related:has-text('Full texts that implement it')")


def test_open_a_result_in_the_whole_document(page):
    search(page, "确保电池原材料供应安全")
    card = page.locator("#ps-results .ps-card").first
    pid = card.get_attribute("data-pid")
    card.locator("[data-action=open]").click()
    focus = page.locator("#ps-docview .ps-focus")
    focus.wait_for()
    assert focus.get_attribute("data-pid") == pid
    page.wait_for_timeout(1200)
    assert focus.is_visible()
    box = focus.bounding_box()
    assert box is not None and 0 <= box["y"] <= 1000, box  # scrolled into the viewport
    shot(page, "document")


def test_more_like_this(page):
    search(page, "欧盟新电池法 碳足迹")
    page.locator("#ps-results .ps-card [data-action=more]").first.click()
    page.wait_for_selector("#ps-results .ps-summary:has-text('passages like')")
    assert page.locator("#ps-results .ps-card").count() >= 1


def test_compare_us_blueprint_with_eu_batteries_regulation(page):
    tab(page, "Compare")
    pick(page, "ps-c-items", "National Blueprint for Lithium")
    pick(page, "ps-c-items", "新电池法")
    page.locator("#ps-compare").click()
    page.wait_for_selector("#ps-c-table table.ps-mtable")
    page.wait_for_selector("#ps-c-heat table.ps-heat")
    headers = page.locator("#ps-c-table thead th").all_inner_texts()
    assert any("国家锂电池蓝图" in h for h in headers) and any("新电池法" in h for h in headers)
    assert any("United States" in h for h in headers) and any("European Union" in h for h in headers)
    rows = page.locator("#ps-c-heat tbody th .ps-code").all_inner_texts()
    assert {"US", "EU", "JP", "KR", "GB", "CN"} <= set(rows)
    assert page.locator("#ps-c-table tbody tr").count() >= 15
    assert page.locator("#ps-c-table td.ps-yes").count() >= 2
    assert page.locator("#ps-c-heat td.ps-hcell[data-action=cell]").count() > 5
    assert page.locator("#ps-c-align table.ps-align tr").count() >= 2
    page.locator("#ps-c-table").scroll_into_view_if_needed()
    shot(page, "compare", full_page=True)
    # a heatmap cell opens its evidence
    page.locator("#ps-c-heat td.ps-hcell[data-action=cell]").first.click()
    page.wait_for_selector("#ps-c-evidence .ps-card")
    # an evidence link opens the passage in its document
    page.locator("#ps-c-table td.ps-yes [data-action=open]").first.click()
    page.wait_for_selector("#ps-docview .ps-focus")


# Blank vertical space in the Compare tab: the union of the rectangles of elements that show something
# (own text, table cells, timeline bars, the bounded timeline and heatmap boxes) from the item picker to the
# end of the alignment, and the tallest stretch that none of them covers. Elements inside a scrolling box
# are represented by the box, since what overflows it is not on the page.
BLANK_JS = """() => {
  const top = document.querySelector('#ps-c-items').getBoundingClientRect().top + scrollY;
  const end = document.querySelector('#ps-c-align').getBoundingClientRect().bottom + scrollY;
  const boxes = '.ps-tl-items, .ps-heat-wrap';
  const spans = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (!r.height || !r.width) continue;
    const inside = el.parentElement && el.parentElement.closest(boxes);
    if (inside) continue;
    const shows = el.matches(boxes + ', td, th, .ps-bar, button, input') ||
      [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!shows) continue;
    spans.push([r.top + scrollY, r.bottom + scrollY]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  let reach = top, gap = 0;
  for (const [a, b] of spans) {
    if (b < top || a > end) continue;
    gap = Math.max(gap, a - reach);
    reach = Math.max(reach, b);
  }
  return {gap: Math.max(gap, end - reach), height: end - top, viewport: innerHeight};
}"""

# A heatmap header is clipped when its content overflows the cell or a child's box leaves the cell's box.
CLIPPED_JS = """() => [...document.querySelectorAll('#ps-c-heat th.ps-mhead')].filter(th => {
  const t = th.getBoundingClientRect();
  return th.scrollWidth > th.clientWidth + 1 || th.scrollHeight > th.clientHeight + 1 ||
    [...th.children].some(c => { const r = c.getBoundingClientRect();
      return c.scrollWidth > c.clientWidth + 1 || r.left < t.left - 1 || r.right > t.right + 1 ||
        r.top < t.top - 1 || r.bottom > t.bottom + 1; });
}).map(th => th.innerText)"""


def test_compare_of_two_countries_leaves_no_blank_screen_and_heatmap_headers_are_readable(page, app):
    """Issue #11 at corpus scale: 400 more dated US documents (1947–2025) once made the timeline thousands of
    pixels tall; now it lists only the compared items inside its bounded box."""
    from policyscope.corpus.records import Document

    ws = app[0].workspace
    extra = [Document(id=f"scale-{n:03d}", text=f"Scale record {n} on battery materials.", title=f"Scale record {n}",
                      title_zh=f"规模测试记录{n}", title_en=f"Scale record {n}", country="US", year=1947 + n % 79,
                      lang="en", kind="test", source="scale.txt")
             for n in range(400)]
    with ws.write_lock:
        ws.pipeline.store.add_documents(extra)
    ws.invalidate()
    try:
        page.reload()
        page.wait_for_selector("#ps-query textarea, #ps-query input")
        tab(page, "Compare")
        strip = page.locator("#ps-c-timeline .ps-strip")
        strip.wait_for()
        assert strip.bounding_box()["height"] <= 100  # a summary before any comparison, not every document
        pick(page, "ps-c-items", "Country US")
        pick(page, "ps-c-items", "Country JP")
        page.locator("#ps-compare").click()
        page.wait_for_selector("#ps-c-timeline .ps-tl-items")
        page.wait_for_selector("#ps-c-align table.ps-align")
        lanes = page.locator("#ps-c-timeline .ps-lane").evaluate_all("ls => ls.map(l => l.dataset.item)")
        assert lanes == ["US", "JP"]
        box = page.evaluate("() => { const b = document.querySelector('#ps-c-timeline .ps-tl-items');"
                            " return {h: b.getBoundingClientRect().height, max: parseFloat(getComputedStyle(b).maxHeight),"
                            " scroll: b.scrollHeight}; }")
        assert box["h"] <= box["max"] + 1 and box["scroll"] > box["max"], box  # bounded, with its own scroll
        blank = page.evaluate(BLANK_JS)
        assert blank["gap"] < blank["viewport"], blank
        # heatmap, evidence and timeline together fit in one screen between the table and the alignment
        between = page.evaluate("() => document.querySelector('#ps-c-align').getBoundingClientRect().top"
                                " - document.querySelector('#ps-c-table').getBoundingClientRect().bottom")
        assert between < blank["viewport"], between
        # catalog context on demand: open the first US entry
        first = page.locator("#ps-c-timeline .ps-lane[data-item=US] details.ps-tl-doc").first
        first.locator("summary").click()
        assert first.locator(".ps-tl-ctx table.ps-facts").is_visible()
        # the compared jurisdictions are marked; headers are whole in both languages
        marked = page.locator("#ps-c-heat tr.ps-hmark").evaluate_all("rs => rs.map(r => r.dataset.country)")
        assert set(marked) == {"US", "JP"}
        headers = page.locator("#ps-c-heat th.ps-mhead").all_inner_texts()
        assert len(headers) >= 10 and all(re.search(r"[\u4e00-\u9fff]", h) and re.search("[A-Za-z]", h)
                                          for h in headers)
        assert page.evaluate(CLIPPED_JS) == []
        page.locator("#ps-c-heat").scroll_into_view_if_needed()
        shot(page, "compare-timeline", full_page=True)
    finally:
        with ws.write_lock:
            ws.pipeline.store.remove_documents([d.id for d in extra])
        ws.invalidate()
        page.reload()
        page.wait_for_selector("#ps-query textarea, #ps-query input")


def test_accept_a_tag_in_review_and_find_it_in_the_export(page, app):
    tab(page, "Tag review")
    card = page.locator("#ps-r-card article.ps-review")
    card.wait_for()
    pid = card.get_attribute("data-pid")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("a")  # keyboard shortcut for Accept
    page.wait_for_function(
        f"() => {{ const c = document.querySelector('#ps-r-card article.ps-review');"
        f" return !c || c.getAttribute('data-pid') !== '{pid}'; }}"
    )
    assert "reviewed passages: 1 " in page.locator("#ps-r-card .ps-summary").inner_text()
    assert any(a["action"] == "accept" for a in app[0].workspace.store.annotations(pid))
    shot(page, "review")
    page.locator("#ps-export").click()
    link = page.locator("#ps-r-file a").first
    link.wait_for()
    href = link.get_attribute("href")
    body = page.request.get(href if href.startswith("http") else app[1].rstrip("/") + href).text()
    assert pid in body


def test_upload_a_file_and_find_it_by_search(page, tmp_path):
    tab(page, "Corpus")
    page.wait_for_selector("#ps-corpus table.ps-corpus")
    doc = tmp_path / "quokka-strategy.md"
    doc.write_text("# Quokka Battery Strategy\n\nThe quokkaland government funds a sodium-ion gigafactory and a "
                   "battery recycling programme.\n\n袋鼠岛政府资助钠离子电池超级工厂。\n", encoding="utf-8")
    page.locator("#ps-upload input[type=file]").set_input_files(str(doc))
    page.wait_for_timeout(800)
    page.locator("#ps-upload-btn").click()
    page.wait_for_selector("#ps-upload-out table.ps-upload:has-text('added')")
    assert "1 added" in page.locator("#ps-upload-out").inner_text()
    page.wait_for_selector("#ps-corpus :text('Quokka Battery Strategy')")
    shot(page, "corpus")
    search(page, "quokkaland sodium-ion")
    first = page.locator("#ps-results .ps-card").first
    assert "Quokka Battery Strategy" in first.locator("header").inner_text()


def test_hostile_document_renders_inert_and_fires_no_dialog(page, app):
    from policyscope.corpus.records import Document

    from tests.conftest import HOSTILE_ID, HOSTILE_TEXT

    ws = app[0].workspace
    with ws.write_lock:
        ws.pipeline.store.add_documents([Document(
            id=HOSTILE_ID, text=HOSTILE_TEXT, title="<script>alert('title')</script>",
            title_zh="<img src=x onerror=alert('zh')>", title_en='<a href="javascript:alert(1)">Evil</a>',
            region="US", year=2021, lang="en", kind="test", source="hostile.txt",
        )])
        ws.rebuild()
    search(page, "pwned battery recycling rules")
    card = page.locator("#ps-results .ps-card:has-text('pwned')").first
    card.wait_for()
    assert "<script>" in card.inner_text()  # shown as text
    card.locator("[data-action=open]").click()
    page.wait_for_selector("#ps-docview .ps-doc-title:has-text('onerror')")
    page.wait_for_timeout(1000)
    for area in ("#ps-results", "#ps-docview"):
        assert page.locator(f"{area} img, {area} script, {area} a[href^='javascript']").count() == 0
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_a_measure_picked_for_one_review_card_never_applies_to_the_next(page, app):
    """Pick "Workforce", press D (adds it to this card), then A on the next card: the picker was reset, so
    A accepts only the tags the next card shows (it once recorded "accept workforce" there)."""
    from policyscope.nlp.labels import effective_tags

    store = app[0].workspace.store
    tab(page, "Tag review")
    card = page.locator("#ps-r-card article.ps-review")
    card.wait_for()
    first = card.get_attribute("data-pid")
    picker = page.locator("#ps-r-measure input")
    picker.click()
    page.get_by_role("option", name=re.compile("Workforce")).click()
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("d")
    page.wait_for_function(
        f"() => {{ const c = document.querySelector('#ps-r-card article.ps-review');"
        f" return !c || c.getAttribute('data-pid') !== '{first}'; }}"
    )
    assert [a["measure"] for a in store.annotations(first) if a["action"] == "add"] == ["workforce"]
    assert picker.input_value() == ""  # reset after the action
    second = card.get_attribute("data-pid")
    shown = set(effective_tags(store, [second])[second])
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("a")
    page.wait_for_function(
        f"() => {{ const c = document.querySelector('#ps-r-card article.ps-review');"
        f" return !c || c.getAttribute('data-pid') !== '{second}'; }}"
    )
    accepted = {a["measure"] for a in store.annotations(second) if a["action"] == "accept"}
    assert accepted == shown and ("workforce" in shown or "workforce" not in accepted)
