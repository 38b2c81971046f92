"""The results of a search in headless Chromium: paging past 50, sort by date, grouping by document, export
download, copy citation, the official-source link, and an emoji that renders as a glyph; and the Tag review
tab's undo and queue filters."""

from __future__ import annotations

import re

import pytest

# Importing test_browser skips this module too where Chromium or Playwright is missing; ``app`` is its
# module-scoped server fixture (a server of this module's own).
from tests.ui.test_browser import ARGS, CHROMIUM, TIMEOUT, pick, search, shot, sync_api, tab
from tests.ui.test_browser import app as app  # noqa: PLC0414

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(app):
    """A page whose context may read and write the clipboard (for "Copy citation")."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True,
                                  permissions=["clipboard-read", "clipboard-write"])
        pg = ctx.new_page()
        pg.set_default_timeout(TIMEOUT)
        pg.goto(app[1])
        pg.wait_for_selector("#ps-query textarea, #ps-query input")
        yield pg
        ctx.close()
        browser.close()


def summary(page) -> str:
    return page.locator("#ps-results .ps-summary").first.inner_text()


def wait_summary(page, pattern: str) -> str:
    page.wait_for_function(
        "(p) => { const s = document.querySelector('#ps-results .ps-summary');"
        " return s && new RegExp(p).test(s.innerText); }", arg=pattern)
    return summary(page)


def years(page) -> list[int]:
    metas = page.locator("#ps-results .ps-card .ps-meta").all_inner_texts()
    return [int(m.group(0)) for t in metas if (m := re.search(r"\b(1[89]|20)\d\d\b", t))]


def test_pages_go_past_fifty_results(page):
    search(page, "battery")
    assert re.search(r"^1–20 of 100 passages · page 1 of 5", summary(page))
    first = page.locator("#ps-results .ps-card .ps-rank").first.inner_text()
    for expected in ("21–40", "41–60", "61–80"):
        page.locator("#ps-next").click()
        wait_summary(page, f"^{expected} of 100 passages")
    assert page.locator("#ps-results .ps-card .ps-rank").first.inner_text() == "61" != first
    page.locator("#ps-prev").click()
    wait_summary(page, "^41–60 of 100")
    assert page.locator("#ps-results .ps-card").count() == 20


def test_sort_newest_first_orders_the_cards_by_year(page):
    search(page, "battery recycling")
    page.locator("#ps-sort label", has_text="Newest first").click()
    wait_summary(page, "sorted newest first")
    got = years(page)
    assert len(got) >= 10 and got == sorted(got, reverse=True)
    page.locator("#ps-sort label", has_text="Oldest first").click()
    wait_summary(page, "sorted oldest first")
    got = years(page)
    assert got == sorted(got)
    page.locator("#ps-sort label", has_text="Relevance").click()
    wait_summary(page, "^1–20 of")


def test_group_by_document_shows_a_header_with_its_count(page):
    search(page, "battery supply chain")
    page.locator("#ps-group input").check()
    wait_summary(page, "grouped by document")
    heads = page.locator("#ps-results .ps-dochead")
    assert heads.count() >= 2
    counts = page.locator("#ps-results .ps-dochead-n").all_inner_texts()
    assert all(re.fullmatch(r"(1 passage|\d+ passages) in these results", c) for c in counts), counts
    first_group = page.locator("#ps-results .ps-docgroup").first
    n = int(re.match(r"\d+", counts[0]).group(0))
    assert first_group.locator(".ps-card").count() == min(n, 20)
    shot(page, "search-grouped")
    page.locator("#ps-group input").uncheck()
    wait_summary(page, "^1–20 of")


def test_export_downloads_the_whole_result_set(page):
    import pandas as pd

    search(page, "critical minerals")
    button = page.locator("#ps-x-download")
    page.wait_for_function("() => !document.querySelector('#ps-x-download').disabled")
    assert "100 results (csv)" in button.inner_text()
    with page.expect_download() as info:
        button.click()
    path = info.value.path()
    df = pd.read_csv(path, keep_default_na=False, dtype=str)
    assert len(df) == 100
    assert list(df["rank"][:3]) == ["1", "2", "3"]
    assert df["url"].str.startswith("http").any()
    assert set(df["query"]) == {"critical minerals"}


def test_copy_citation_puts_title_offsets_and_url_on_the_clipboard(page):
    search(page, "Executive Order critical minerals")
    card = page.locator("#ps-results .ps-card", has=page.locator("a.ps-official")).first
    title_en = card.locator("header .ps-title-en").inner_text()
    card.locator(".ps-copy").click()
    page.wait_for_function("() => document.querySelector('.ps-copy.ps-copied') !== null")
    text = page.evaluate("() => navigator.clipboard.readText()")
    assert re.search(r"Passage [0-9a-f]+, characters \d+–\d+\.", text)
    assert "https://" in text and "(US)" in text
    assert title_en in text


def test_official_source_link_opens_in_a_new_tab_without_an_opener(page):
    search(page, "Executive Order critical minerals")
    link = page.locator("#ps-results a.ps-official").first
    assert link.get_attribute("href").startswith(("https://", "http://"))
    assert link.get_attribute("target") == "_blank"
    assert set(link.get_attribute("rel").split()) == {"noopener", "noreferrer"}


def test_an_emoji_renders_as_a_colour_glyph_not_an_empty_box(page):
    # The same box with the emoji font stack the results use: a missing font draws a hollow rectangle of
    # one colour; Noto Color Emoji draws the battery in several.
    colours = page.evaluate("""() => {
        const c = document.createElement('canvas'); c.width = 40; c.height = 40;
        const g = c.getContext('2d');
        const font = getComputedStyle(document.querySelector('#ps-results .ps-results, #ps-results .ps-msg'))
            .fontFamily;
        g.font = '32px ' + font; g.textBaseline = 'top'; g.fillText('🔋', 2, 2);
        const d = g.getImageData(0, 0, 40, 40).data; const seen = new Set();
        for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200) seen.add(d[i] >> 5 << 10 | d[i + 1] >> 5 << 5 | d[i + 2] >> 5);
        return seen.size;
    }""")
    assert colours >= 3


def card_pid(page) -> str:
    card = page.locator("#ps-r-card article.ps-review")
    card.wait_for()
    return card.get_attribute("data-pid")


def wait_card_not(page, pid: str) -> None:
    page.wait_for_function(
        "(pid) => { const c = document.querySelector('#ps-r-card article.ps-review');"
        " return !c || c.getAttribute('data-pid') !== pid; }", arg=pid)


def test_undo_restores_the_labels_of_the_last_card_exactly(page, app):
    from policyscope.nlp.labels import effective_tags

    store = app[0].workspace.store
    tab(page, "Tag review")
    first = card_pid(page)
    rows, labels = store.annotations(first), effective_tags(store, [first])[first]
    picker = page.locator("#ps-r-measure input")
    picker.click()
    page.get_by_role("option", name=re.compile("Workforce")).click()
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("d")
    wait_card_not(page, first)
    assert "workforce" in effective_tags(store, [first])[first]
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("u")
    page.wait_for_function(
        "(pid) => { const c = document.querySelector('#ps-r-card article.ps-review');"
        " return c && c.getAttribute('data-pid') === pid; }", arg=first)
    assert "undone: add workforce" in page.locator("#ps-r-note").inner_text()
    assert store.annotations(first) == rows and effective_tags(store, [first])[first] == labels
    page.locator("#ps-undo").click()  # the history is empty now: nothing changes
    page.wait_for_function("() => document.querySelector('#ps-r-note').innerText.includes('nothing to undo')")
    assert store.annotations(first) == rows


def test_the_review_queue_filtered_by_country_shows_only_its_passages(page, app):
    store = app[0].workspace.store
    tab(page, "Tag review")
    before = card_pid(page)
    # A country the card shown is not of, so the filtered queue's first card is certainly another one.
    name, code = ("Japan", "JP") if store.get_passages([before])[before].country != "JP" else ("China", "CN")
    pick(page, "ps-q-country", name)
    wait_card_not(page, before)
    seen = set()
    for _ in range(3):
        pid = card_pid(page)
        seen.add(store.get_passages([pid])[pid].country)
        page.locator("#ps-skip").click()
        wait_card_not(page, pid)
    assert seen == {code}
