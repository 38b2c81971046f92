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
