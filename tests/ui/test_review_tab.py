"""The Tag review tab: the queue, human decisions, the ``tag`` API and dataset export."""

from __future__ import annotations

import pytest
from policyscope.corpus.errors import QueryError
from policyscope.ui.review_tab import ReviewTab


@pytest.fixture(scope="module")
def tab(service) -> ReviewTab:
    return service.review_tab


def test_review_accept_shows_in_counts_and_export(service, tab):
    state, card = tab.review_next(None)
    pid = state.current
    assert pid and "reviewed passages" in card
    done = tab.review_apply(pid, "accept", None, "tester")
    assert done.startswith("accept")
    state, card = tab.review_next(state)
    assert state.current != pid
    assert tab.review_counts()["accept"] >= 1
    path = tab.export(tab.export_formats()[0])
    assert path.exists() and path.is_relative_to(service.workspace.settings.home / "exports")
    content = path.read_bytes()
    if path.suffix == ".zip":
        import zipfile

        with zipfile.ZipFile(path) as z:
            content = b"".join(z.read(n) for n in z.namelist())
    assert pid.encode() in content


def test_review_add_and_reject_change_effective_tags(service, tab):
    pid = service.search_tab.search_json("国家锂电池蓝图", k=1)["hits"][0]["passage_id"]
    out = tab.tag_json(pid, "add", "workforce", "tester")
    assert "workforce" in out["tags"]
    out = tab.tag_json(pid, "reject", "workforce", "tester")
    assert "workforce" not in out["tags"]
    assert "unknown action" in tab.tag_json(pid, "maybe")["error"]
    assert "unknown measure" in tab.tag_json(pid, "add", "teleportation")["error"]
    assert "pick the measure" in tab.tag_json(pid, "add")["error"]


def test_export_offers_every_dataset_format_with_its_file_ending(tab):
    from policyscope.nlp.labels import WRITERS

    assert tab.export_formats() == list(WRITERS) == ["jsonl", "csv", "parquet", "hf", "spacy"]
    assert tab.export("jsonl").name.endswith(".jsonl") and tab.export("parquet").name.endswith(".parquet")


def test_export_in_an_unknown_format_names_the_choices(tab):
    with pytest.raises(QueryError, match="unknown export format 'xml'; available: jsonl, "):
        tab.export("xml")


def test_a_hugging_face_export_is_offered_as_one_zip(service, tab):
    path = tab.export("hf")
    assert path.suffix == ".zip" and path.stem.endswith("-hf")
    assert path.is_relative_to(service.workspace.settings.home / "exports")


def test_accepting_or_rejecting_a_measure_the_card_does_not_show_records_nothing(service, tab):
    from policyscope.nlp.labels import effective_tags

    store = service.workspace.store
    pid = next(p.id for p in store.iter_passages() if effective_tags(store, [p.id])[p.id]
               and "workforce" not in effective_tags(store, [p.id])[p.id])
    before = list(store.annotations(pid))
    for action in ("accept", "reject"):
        with pytest.raises(QueryError, match="workforce is not among this passage's tags; use Add"):
            tab.review_apply(pid, action, "workforce", "tester")
    assert list(store.annotations(pid)) == before
    shown = sorted(effective_tags(store, [pid])[pid])
    assert tab.review_apply(pid, "accept", shown[0], "tester") == f"accept {shown[0]} on {pid}"
