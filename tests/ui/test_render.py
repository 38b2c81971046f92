"""HTML rendering: everything from a document is escaped; highlighting only wraps escaped text."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st
from policyscope.corpus.records import Document, Passage
from policyscope.ui import render

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "\"><svg onload=alert(1)>",
    "' onmouseover='alert(1)",
    "${alert(1)} {{constructor.constructor('alert(1)')()}}",
]

SAFE_TAGS = {"div", "span", "mark", "small", "article", "header", "button", "b", "br", "code", "table", "thead",
             "tbody", "tfoot", "tr", "th", "td", "h3", "ul", "li", "a", "i", "details", "summary", "section"}
SAFE_ATTRS = {"class", "title", "style", "id", "role", "type"}
LINK_ATTRS = {("target", "_blank"), ("rel", "noopener noreferrer")}


class _Audit(HTMLParser):
    """Collects every tag and attribute the browser would build from the markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((k, v or "") for k, v in attrs)


def audit(markup: str) -> _Audit:
    a = _Audit()
    a.feed(markup)
    a.close()
    return a


def assert_inert(markup: str) -> None:
    """No tag or attribute that runs code; the only links are official sources: http(s), new tab, no opener."""
    a = audit(markup)
    assert set(a.tags) <= SAFE_TAGS, set(a.tags) - SAFE_TAGS
    links = 0
    for name, value in a.attrs:
        if name == "href":
            assert value.startswith(("https://", "http://")), value
            links += 1
            continue
        assert name in SAFE_ATTRS or name.startswith("data-") or (name, value) in LINK_ATTRS, name
        assert not name.startswith("on")
        assert "javascript:" not in value.lower() or name.startswith("data-") or name == "title"
    assert links == markup.count('rel="noopener noreferrer"') == markup.count('target="_blank"')
    assert not re.search(r"<(script|img|svg|iframe)", markup, re.IGNORECASE)


def hostile_hit(text: str) -> dict:
    return {
        "rank": 1, "score": 0.5, "passage_id": '"><img src=x onerror=alert(1)>', "doc_id": "<script>x</script>",
        "text": text, "title": text, "title_zh": text, "title_en": text, "region": "<b>US</b>", "year": 2021,
        "page": 3, "lang": "en", "heading": text, "context": text, "matched_terms": ("alert", "script"),
        "measures": ("recycling",), "semantic_rank": 1, "keyword_rank": 2,
    }


def test_highlight_wraps_escaped_segments_only():
    out = render.highlight("<b>电池</b> recycling", ["电池"])
    assert out == "&lt;b&gt;<mark class=\"term\">电池</mark>&lt;/b&gt; recycling"


def test_highlight_matches_latin_terms_on_word_boundaries_and_ignores_case():
    out = render.highlight("The UK and bulk Recycling", ["uk", "recycling"])
    assert out.count("<mark") == 2
    assert "b<mark" not in out


def test_highlight_marks_evidence_spans_and_their_overlap_with_terms():
    out = render.highlight("建设本土电池供应链", ["电池"], [(2, 9)])
    assert '<mark class="evidence">本土</mark>' in out
    assert '<mark class="term evidence">电池</mark>' in out


@given(st.lists(st.sampled_from(list("<>&\"' ab电池=/x:;") + ["script", "onerror"]), max_size=30).map("".join),
       st.lists(st.text(alphabet="ab电池<>", min_size=1, max_size=4), max_size=3))
def test_highlight_never_emits_markup_from_text(text, terms):
    out = render.highlight(text, terms, [(0, len(text) // 2)] if len(text) > 1 else [])
    stripped = re.sub(r'</?mark( class="[a-z ]+")?>', "", out)
    assert "<" not in stripped and ">" not in stripped
    import html

    assert html.unescape(stripped) == text


def hostile_view(**fields):
    """A stored passage view whose text fields are all hostile unless given."""
    from dataclasses import fields as dc_fields

    from policyscope.corpus.records import PassageView

    values = {f.name: HOSTILE[i % len(HOSTILE)] for i, f in enumerate(dc_fields(PassageView))}
    values.update(seq=0, start=0, end=1, page=None, year=None)
    values.update(fields)
    return PassageView(**values)


def test_result_card_of_a_hostile_document_is_inert():
    for text in HOSTILE:
        assert_inert(render.result_cards([hostile_hit(text)], {}, header=text, translations=[text]))


def test_a_result_card_links_only_an_http_official_source_and_carries_its_citation():
    from dataclasses import replace

    from policyscope.index.search.export import CitedHit

    cite = CitedHit(rank=1, score=0.5, passage_id="p1", doc_id="d", catalog_id="", title=HOSTILE[2], title_en="",
                    title_zh="", issuer=HOSTILE[0], date="2021", year=2021, country="US",
                    country_name="United States", region="", kind="law", lang="en", start=3, end=9, text="t",
                    url='https://example.gov/a?b=1&c="><script>')
    row = dict(hostile_hit("text"), passage_id="p1", doc_id="d")
    html = render.result_cards([row], cites={"p1": cite})
    assert_inert(html)
    assert 'href="https://example.gov/a?b=1&amp;c=&quot;&gt;&lt;script&gt;"' in html
    assert 'data-copy="' in html and "characters 3–9" in html
    for bad in ("javascript:alert(1)", "data:text/html,x", "//evil.example/x", "ftp://x/y", ""):
        html = render.result_cards([row], cites={"p1": replace(cite, url=bad)})
        assert "href" not in {k for k, _ in audit(html).attrs} and "ps-official" not in html


def test_counts_say_1_passage_and_2_passages():
    assert render.count_noun(1, "passage") == "1 passage"
    assert render.count_noun(2, "passage") == "2 passages"
    assert render.count_noun(1204, "document") == "1,204 documents"


def test_document_view_of_a_hostile_document_is_inert():
    text = " ".join(HOSTILE)
    doc = Document(id="evil<script>", text=text, title=HOSTILE[0], title_zh=HOSTILE[1], title_en=HOSTILE[2],
                   region="<i>XX</i>", year=2020, kind=HOSTILE[3], date=HOSTILE[4], lang="en")
    p = Passage(id='p"1', doc_id=doc.id, seq=0, start=0, end=len(text), text=text, heading=HOSTILE[1])
    assert_inert(render.document_view(doc, [p], focus='p"1', measures={'p"1': ["<b>m</b>"]}, spans={'p"1': [(0, 5)]},
                                      terms=["script"]))


def test_tables_and_lists_of_hostile_documents_are_inert():
    info = SimpleNamespace(id=HOSTILE[1], title=HOSTILE[0], title_zh=HOSTILE[1], title_en=HOSTILE[2],
                           country=HOSTILE[3], region=HOSTILE[3], year=2021, kind=HOSTILE[4], lang="en",
                           status="catalog", catalog_id=HOSTILE[5], has_full_text=False, passages=1)
    assert_inert(render.corpus_table([info]))
    assert_inert(render.timeline([hostile_lane()]))
    assert_inert(render.upload_results([{"name": HOSTILE[1], "error": HOSTILE[0]},
                                        {"name": HOSTILE[2], "added": 1, "documents": [{"id": HOSTILE[3],
                                                                                        "title": HOSTILE[4]}]}]))
    row = hostile_view(id=HOSTILE[1], doc_id=HOSTILE[0], text=HOSTILE[2], lang=HOSTILE[3])
    assert_inert(render.alignment([SimpleNamespace(passage=row, matches=((row, 0.5),))], HOSTILE[4], HOSTILE[5]))
    assert_inert(render.message(HOSTILE[1], "error"))


def hostile_lane(entries: int = 1, **item):
    from policyscope.index.compare import Item
    from policyscope.index.timeline import TimelineEntry, TimelineLane

    fields = {"key": HOSTILE[0], "kind": "document", "label_zh": HOSTILE[1], "label_en": HOSTILE[2],
              "country": HOSTILE[3], "year": 2021, "passage_ids": (), **item}
    rows = tuple(
        TimelineEntry(doc_id=HOSTILE[(n + 1) % 6], year=1947 + n, country=HOSTILE[0], title_zh=HOSTILE[2],
                      title_en=HOSTILE[3], title=HOSTILE[4], kind=HOSTILE[5], status="catalog", issuer=HOSTILE[1],
                      catalog_list="strategy", linked=((HOSTILE[4], HOSTILE[5], HOSTILE[0]),))
        for n in range(entries)
    )
    return TimelineLane(Item(**fields), rows, undated=2, more=3)


def test_timeline_lanes_show_each_entry_with_its_catalog_context_escaped():
    html = render.timeline([hostile_lane(entries=2), hostile_lane(key="JP", kind="country", country="JP")])
    assert_inert(html)
    assert html.count('<section class="ps-lane"') == 2 and html.count("<details") == 3
    entry = html.split("</details>", 1)[0]
    assert "&lt;img src=x onerror=alert(1)&gt;" in entry  # the issuer, as text
    assert "Issuer" in entry and "Table 1 row" in entry and "1947" in entry
    assert entry.count('data-action="open"') == 2  # the linked document and the entry itself
    assert "3 more dated documents not listed; 2 undated" in html


def test_the_timeline_box_is_bounded_however_many_documents_a_lane_holds():
    html = render.timeline([hostile_lane(entries=500)])
    assert html.startswith('<div class="ps-timeline ps-tl-items">')
    rule = render.asset("app.css").split(".ps-tl-items{", 1)[1].split("}", 1)[0]
    assert "max-height:360px" in rule and "overflow:auto" in rule


def test_the_corpus_strip_has_one_bar_per_year_scaled_to_the_busiest():
    from policyscope.index.timeline import YearCounts

    html = render.year_strip(YearCounts((1947, 1948, 1949), (1, 0, 4), undated=7))
    heights = re.findall(r'style="height:(\d+)%" title="(\d+): (\d+) documents?"', html)
    assert heights == [("25", "1947", "1"), ("0", "1948", "0"), ("100", "1949", "4")]
    assert "5 dated documents, 1947–1949, 7 undated" in html
    assert "No dated documents" in render.year_strip(YearCounts((), ()))


def test_the_heatmap_marks_the_compared_countries_and_keeps_headers_horizontal():
    import numpy as np
    from policyscope.index.compare import MeasureMatrix

    m = MeasureMatrix(("CN", "JP", "US"), ("recycling", "stockpile"), np.array([[1, 0], [2, 1], [0, 3]]),
                      np.array([[1, 0], [2, 1], [0, 3]]), (2, 3, 4))
    html = render.heatmap(m, marked={"us", "CN"})
    assert re.findall(r'<tr class="ps-hmark" data-country="(\w+)">', html) == ["CN", "US"]
    assert re.findall(r'<tr[^>]* data-country="(\w+)">', html) == ["CN", "US", "JP"]  # compared rows first
    assert "ps-rot" not in html and html.count('class="ps-mhead"') == 2
    assert re.search(r'<span class="ps-mh-zh">[^<]+</span><span class="ps-mh-en">[^<]+</span>', html)


def test_review_card_of_a_hostile_passage_is_inert():
    from policyscope.corpus.records import Span, Tag

    row = hostile_view(id=HOSTILE[1], text=HOSTILE[0] + HOSTILE[2], title_zh=HOSTILE[1], title_en=HOSTILE[3],
                       region="US", year=2020, context=HOSTILE[4], lang="en")
    tags = [Tag("recycling", 0.7, "rule", (Span(0, 5),))]
    history = [{"action": "accept", "measure": "<b>", "annotator": HOSTILE[1]}]
    assert_inert(render.review_card(row, tags, {"recycling", "<script>"}, history, {"reviewed": 1}))


def test_measure_names_come_from_the_taxonomy_in_both_languages():
    zh, en = render.measure_names("recycling")
    assert en.startswith("Recycling")
    assert "回收" in zh
    assert render.measure_names("no_such_measure") == ("no_such_measure", "no_such_measure")


def test_the_browser_assets_ship_with_the_package():
    css = render.asset("app.css")
    used = set(re.findall(r'class="([\w-]+)', render.result_cards([], header="h") + render.message("m", "error")))
    assert used and all(f".{cls}" in css for cls in used)
    assert "trigger('click'" in render.asset("on_load.js")
    assert "keydown" in render.asset("keys.js") and "scrollIntoView" in render.asset("scroll.js")
