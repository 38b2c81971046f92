"""Comparison views over the built-in corpus (fast test encoder, lexicon tags)."""

from __future__ import annotations

import numpy as np
import pytest
from policyscope.corpus.errors import QueryError
from policyscope.corpus.store import Store
from policyscope.index import compare, timeline


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    from tests.conftest import build_tagged_workspace

    return build_tagged_workspace(tmp_path_factory.mktemp("cmp") / "home", hostile=False)


@pytest.fixture(scope="module")
def store(settings):
    s = Store(settings.store_path)
    yield s
    s.close()


@pytest.fixture(scope="module")
def searcher(settings, store):
    from policyscope.index.search import Searcher

    return Searcher(settings, store=store)


def test_catalog_item_includes_the_seed_papers_table_row_about_it(store):
    (item,) = compare.resolve_items(store, ["us-li-blueprint-2021"])
    docs = {r.doc_id for r in store.get_passages(list(item.passage_ids)).values()}
    assert docs == {"us-li-blueprint-2021", "seed-battery-supply-chain"}
    assert item.label_zh == "国家锂电池蓝图2021-2030"


def test_country_item_counts_linked_table_rows_for_the_policy_country(store):
    (us,) = compare.resolve_items(store, ["us"])
    assert (us.kind, us.key, us.country, us.label_en, us.label_zh) == ("country", "US", "US", "United States", "美国")
    rows = store.get_passages(list(us.passage_ids))
    assert any(r.doc_id == "seed-battery-supply-chain" for r in rows.values())
    assert all(r.country == "US" for r in rows.values() if r.doc_id != "seed-battery-supply-chain")
    assert any(r.catalog_id == "us-pd-2022-11" for r in rows.values())  # the built-in full texts count


@pytest.mark.parametrize("alias", ["美国", "米国", "미국", "United States", "USA"])
def test_a_country_is_named_by_any_alias(store, alias):
    (us,) = compare.resolve_items(store, ["US"])
    assert compare.resolve_items(store, [alias]) == [us]


def test_a_bloc_item_holds_the_passages_of_its_member_countries(store):
    (g7,) = compare.resolve_items(store, ["G7"])
    assert g7.kind == "region" and g7.country == ""
    countries = {r.country for r in store.get_passages(list(g7.passage_ids)).values()
                 if r.doc_id != "seed-battery-supply-chain"}
    assert countries == {"US", "JP", "GB"}


def test_a_built_in_text_is_compared_by_its_catalog_id(store):
    pd, dpa = compare.resolve_items(store, ["us-pd-2022-11", "us-dpa-2022"])
    assert pd.kind == "document" and pd.country == "US" and pd.year == 2022
    assert {r.catalog_id for r in store.get_passages(list(pd.passage_ids)).values()} == {"us-pd-2022-11"}
    assert dpa.label_zh == "国防生产法"


def test_unknown_or_too_many_items_are_refused(store):
    with pytest.raises(QueryError, match="unknown document or country 'mars'"):
        compare.resolve_items(store, ["US", "mars"])
    with pytest.raises(QueryError, match="at most 4"):
        compare.resolve_items(store, ["US", "EU", "JP", "KR", "GB"])
    with pytest.raises(QueryError):
        compare.resolve_items(store, [])


def test_measure_table_marks_presence_evidence_shared_and_unique(store):
    table = compare.measure_table(store, ["us-li-blueprint-2021", "eu-batteries-regulation"])
    assert len(table.rows) >= 15
    by = {r.measure: r for r in table.rows}
    # The blueprint is about a domestic supply chain, the regulation about carbon footprint and recycling.
    assert by["localization"].present == (True, False) and by["localization"].unique_to == 0
    assert by["carbon_footprint"].present == (False, True) and by["carbon_footprint"].unique_to == 1
    for row in table.rows:
        for item, cell in zip(table.items, row.cells):
            if cell is not None:
                assert cell.passage_id in item.passage_ids
                assert all(0 <= s < e <= len(cell.text) for s, e in cell.spans)
    assert table.to_dict()["rows"][0]["measure"] == table.rows[0].measure


def test_measure_table_prefers_human_accepted_evidence_and_drops_rejected(store, settings):
    from policyscope.corpus.store import Store as S

    w = S(settings.store_path)
    table = compare.measure_table(store, ["US", "EU"])
    row = next(r for r in table.rows if r.cells[0] is not None and r.cells[0].passages > 1)
    best = row.cells[0]
    (us,) = compare.resolve_items(store, ["US"])
    tags = store.tags_for(list(us.passage_ids))
    other = next(p for p, ts in tags.items() if p != best.passage_id and any(t.measure == row.measure for t in ts))
    w.add_annotation(other, row.measure, "accept", "t")
    again = compare.measure_table(store, ["US", "EU"], [row.measure]).rows[0]
    assert again.cells[0].passage_id == other and again.cells[0].score == compare.HUMAN_SCORE
    w.add_annotation(other, row.measure, "reject", "t")
    again = compare.measure_table(store, ["US", "EU"], [row.measure]).rows[0]
    assert again.cells[0] is None or again.cells[0].passage_id != other
    w.close()


def test_country_measure_matrix_counts_documents_and_passages(store):
    m = compare.country_measure_matrix(store)
    assert set(m.countries) == {"US", "EU", "JP", "KR", "GB", "CN", "INT"}
    assert m.documents.shape == m.passages.shape == (len(m.countries), len(m.measures))
    assert (m.documents <= m.passages).all()
    for i, total in enumerate(m.country_documents):
        assert (m.documents[i] <= total).all()
    jp = m.countries.index("JP")
    assert m.documents[jp].sum() > 0 and m.country_documents[jp] == 4 + 6  # 4 catalog records, 6 laws


def test_cell_passages_agree_with_the_matrix(store):
    m = compare.country_measure_matrix(store)
    i, j = np.unravel_index(np.argmax(m.passages), m.passages.shape)
    rows = compare.cell_passages(store, m.countries[i], m.measures[j], limit=1000)
    assert len(rows) == m.passages[i, j]
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)


def test_timeline_is_sorted_by_year_and_names_each_country(store):
    rows = timeline.timeline(store)
    assert len(rows) >= 40
    assert [r["year"] for r in rows] == sorted(r["year"] for r in rows)
    assert {r["country"] for r in rows} == {"US", "EU", "JP", "KR", "GB", "CN", "INT"}


def test_alignment_uses_index_vectors_and_matches_brute_force(searcher, store):
    aligned = compare.align_passages(searcher, "seed-battery-supply-chain", "eu-crm-resilience-2020", k=2)
    assert len(aligned) == len(list(store.iter_passages("seed-battery-supply-chain")))
    (b,) = compare.resolve_items(store, ["eu-crm-resilience-2020"])
    vb = compare.passage_vectors(searcher, list(b.passage_ids))
    for a in aligned[:10]:
        va = compare.passage_vectors(searcher, [a.passage.id])[0]
        oracle = sorted(((float(va @ vb[j]), pid) for j, pid in enumerate(b.passage_ids)), reverse=True)[:2]
        assert [m.id for m, _ in a.matches] == [pid for _, pid in oracle]
        assert [s for _, s in a.matches] == sorted((s for _, s in a.matches), reverse=True)


def test_passage_vectors_encode_passages_missing_from_the_index(searcher, store):
    pid = next(iter(searcher.index.row_of))
    stored = compare.passage_vectors(searcher, [pid])[0]
    assert np.isclose(np.linalg.norm(stored), 1.0, atol=1e-3)
