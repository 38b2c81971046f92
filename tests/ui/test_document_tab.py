"""The Document tab: a whole document with the passage a click came from in focus."""

from __future__ import annotations

from tests.conftest import HOSTILE_ID


def test_document_view_shows_whole_document_with_focus_passage(service):
    hit = service.search_tab.search_json("确保电池原材料供应安全", k=1)["hits"][0]
    html = service.document_tab.document_view(hit["doc_id"], hit["passage_id"])
    assert 'class="ps-passage ps-focus"' in html
    assert f'id="ps-p-{hit["passage_id"]}"' in html
    assert service.document_tab.document_view("no-such-doc").count("unknown document") == 1


def test_catalog_record_view_offers_a_linked_table_row(service):
    # Opening a seed-paper table row from the blueprint's compare cell shows it in the paper.
    table = service.compare_tab.compare_json(["us-li-blueprint-2021", "eu-batteries-regulation"])
    cell = next(c for r in table["rows"] for c in r["cells"] if c and c["doc_id"] == "seed-battery-supply-chain")
    html = service.document_tab.document_view("us-li-blueprint-2021", cell["passage_id"])
    assert "ps-focus" in html and "全球电池供应链竞争态势" in html


def test_hostile_document_renders_inert(service):
    from tests.ui.test_render import assert_inert

    html = service.document_tab.document_view(HOSTILE_ID)
    assert "alert" in html  # the text is there, escaped
    assert_inert(html)


def test_a_policy_text_shows_the_table1_row_it_is_the_basis_of_and_its_attribution(service):
    html = service.document_tab.document_view("us-pd-2022-11")  # the catalog id opens the full text
    assert "Basis of Table 1 row" in html
    basis = html.split("Basis of Table 1 row", 1)[1].split("</div>", 1)[0]
    assert "国防生产法" in basis and 'data-doc="us-dpa-2022"' in basis and "is instrument of (primary)" in basis
    assert "<code>brian14708/wh-briefings</code>" in html and "5c9137a248" in html
    assert "17 U.S.C." in html and "Presidential Determination Pursuant to Section 303" in html
    assert '<b class="ps-code">US</b> <span class="ps-cname">United States</span>' in html
    url = "https://bidenwhitehouse.archives.gov/briefing-room/presidential-actions/2022/03/31/"
    assert f'<span class="ps-url">{url}' in html and "href=" not in html  # shown, never linked


def test_a_table1_record_lists_the_full_texts_that_implement_it(service):
    html = service.document_tab.document_view("us-100day-review-2021")
    texts = html.split("Full texts that implement it", 1)[1].split("</div>", 1)[0]
    assert texts.count("<li>") == 6 and texts.count("(primary)") == 2
    assert "America&#x27;s Supply Chains" in texts


def test_the_seed_papers_table_row_links_to_the_full_text_of_its_policy(service):
    store = service.workspace.store
    row = next(p for p in store.iter_passages("seed-battery-supply-chain") if p.text.startswith("美国 | 国防生产法"))
    pd = next(i for i in store.document_infos() if i.catalog_id == "us-pd-2022-11")
    html = service.document_tab.document_view("seed-battery-supply-chain", row.id)
    passage = html.split(f'id="ps-p-{row.id}"', 1)[1].split('<div class="ps-passage', 1)[0]
    assert 'class="ps-plinks"' in passage and f'data-doc="{pd.id}"' in passage


def test_japanese_and_korean_texts_show_titles_in_every_language(service):
    html = service.document_tab.document_view("kr-supply-chain-framework-decree-2024")
    assert "경제안보를 위한 공급망 안정화 지원 기본법 시행령" in html and "Enforcement Decree" in html
    assert "대한민국" in html and "<code>legalize-kr/legalize-kr</code>" in html
    html = service.document_tab.document_view("jp-jogmec-act-2002")
    assert "独立行政法人エネルギー・金属鉱物資源機構法" in html and '<b class="ps-code">JP</b>' in html
