"""The app's shared workspace: first start, status, choices, cached views."""

from __future__ import annotations

from policyscope.corpus.config import Settings


def test_first_start_builds_the_builtin_corpus_and_reports_it(tmp_path):
    from policyscope.ui.search_tab import SearchTab
    from policyscope.ui.workspace import Workspace

    ws = Workspace(Settings.load(tmp_path / "fresh", encoder="hash"))
    assert not ws.is_built()
    stages = []
    status = ws.ensure_built(lambda stage, done, total: stages.append(stage))
    assert ws.is_built()
    assert "built the built-in corpus" in status and "passages" in status
    assert "embed" in stages
    assert "ps-card" in SearchTab(ws).search("National Blueprint for Lithium Batteries")


def test_choices_list_every_document_country_region_and_measure(service):
    ws = service.workspace
    docs = {doc_id: label for label, doc_id in ws.document_choices()}
    assert "us-li-blueprint-2021" in docs and docs["us-li-blueprint-2021"].startswith("US 2021 · ")
    countries = {code: label for label, code in ws.country_choices()}
    assert {"US", "EU", "CN", "JP", "KR", "GB", "INT"} == set(countries)
    assert countries["GB"] == "GB · United Kingdom 英国"
    regions = {key for _, key in ws.region_choices()}
    assert {"EU27", "G7", "G20", "OECD", "030", "154", "021"} <= regions
    compare = [value for _, value in ws.compare_choices()]
    assert compare.index("US") < compare.index("G7") < compare.index("us-li-blueprint-2021")
    assert len(ws.measure_choices()) >= 15
    lo, hi = ws.year_bounds()
    assert lo <= 2021 <= hi


def test_cached_views_are_recomputed_only_when_the_store_changes(service):
    ws = service.workspace
    calls = []
    first = ws.cached("probe", lambda: calls.append(1) or len(calls))
    assert ws.cached("probe", lambda: calls.append(1) or len(calls)) == first and calls == [1]
    ws.invalidate()
    assert ws.cached("probe", lambda: calls.append(1) or len(calls)) == 2


def test_an_unexpected_error_is_logged_and_shown_as_one_line(service, caplog):
    with service.workspace.friendly("probe") as box:
        raise RuntimeError("disk on fire")
    assert "probe failed (RuntimeError)" in box[0] and "disk on fire" not in box[0]
    assert "disk on fire" in caplog.text


def test_warm_up_loads_the_dictionaries_and_analyzers_a_first_search_needs(tmp_path, built_hash_home):
    import shutil

    from policyscope.ui.workspace import Workspace

    home = tmp_path / "home"
    shutil.copytree(built_hash_home, home)
    ws = Workspace(Settings.load(home, encoder="hash"))
    assert ws.wait_warm(0)  # nothing started: nothing to wait for
    ws.warm_up()
    assert ws.wait_warm(120)
    translator = ws._searcher.translator if ws._searcher else None
    assert translator is not None
    loaded = vars(translator)  # functools.cached_property stores what it has computed in the instance
    assert {"_index", "_jmdict", "_cedict"} <= set(loaded)
    assert not ws.search_lock.locked()
