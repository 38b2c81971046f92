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


def test_undo_of_an_add_on_a_passage_without_labels_leaves_it_without_labels(service, tab):
    from policyscope.nlp.labels import effective_tags

    store = service.workspace.store
    annotated = {a["passage_id"] for a in store.annotations()}
    pid = next(p.id for p in store.iter_passages() if p.id not in annotated and not effective_tags(store, [p.id])[p.id])
    state = tab.set_filters(None)
    state.current = pid
    state, note = tab.review_step(state, "add", "workforce", "tester")
    assert note.startswith("✓ add workforce") and effective_tags(store, [pid])[pid] == {"workforce"}
    state, note = tab.review_undo(state)
    assert note.startswith("↶ undone: add workforce")
    assert store.annotations(pid) == [] and effective_tags(store, [pid])[pid] == set()
    assert state.current == pid and pid not in state.done
    assert tab.review_undo(state)[1] == "nothing to undo"


def test_undo_of_accept_all_removes_every_row_it_added_and_brings_the_card_back(service, tab):
    from policyscope.nlp.labels import effective_tags

    store = service.workspace.store
    state, _ = tab.review_next(tab.set_filters(None))
    pid = state.current
    before_labels, before_rows = effective_tags(store, [pid])[pid], store.annotations(pid)
    state, _ = tab.review_step(state, "accept", None, "tester")
    assert len(store.annotations(pid)) == len(before_rows) + len(before_labels)
    state, _ = tab.review_next(state)
    assert state.current != pid
    shown_next = state.current
    state, _ = tab.review_undo(state)
    assert state.current == pid and store.annotations(pid) == before_rows
    assert effective_tags(store, [pid])[pid] == before_labels
    state, _ = tab.review_step(state, "skip")  # skipping it again shows the card that followed
    state, _ = tab.review_next(state)
    assert state.current == shown_next


def test_queue_filters_keep_only_passages_of_that_measure_country_and_document(service, tab):
    from policyscope.nlp.labels import effective_tags

    store = service.workspace.store
    queue = tab.review_queue(measure="recycling")
    assert queue
    tags = store.tags_for(queue)
    eff = effective_tags(store, queue)
    assert all("recycling" in eff[p] | {t.measure for t in tags[p]} for p in queue)
    jp = tab.review_queue(country="日本")
    assert jp and {v.country for v in store.get_passages(jp).values()} == {"JP"}
    seed = tab.review_queue(doc="seed-battery-supply-chain")
    assert seed and {v.doc_id for v in store.get_passages(seed).values()} == {"seed-battery-supply-chain"}
    with pytest.raises(QueryError, match="unknown country 'Narnia'"):
        tab.review_queue(country="Narnia")
    state = tab.set_filters(None, "recycling", "JP", "")
    state, _ = tab.review_next(state)
    if state.current:
        view = store.get_passages([state.current])[state.current]
        assert view.country == "JP"
    assert tab.set_filters(state, "recycling", "JP", "").queue == state.queue  # unchanged filters keep the queue
    assert tab.set_filters(state, "", "JP", "").queue == []
