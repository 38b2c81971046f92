"""Effective tags: machine tags corrected by the latest human word, for everyone or one annotator."""

from __future__ import annotations

from policyscope.nlp.labels import annotator_labels, effective_tags, iter_records


def test_human_annotations_survive_a_forced_retag(home, store):
    from policyscope.corpus.config import Settings
    from policyscope.index.pipeline import Pipeline

    rec = next(r for r in iter_records(store) if r.accept)
    pid, dropped = rec.id, rec.accept[0]
    store.add_annotation(pid, dropped, "reject", "alice")
    store.add_annotation(pid, "workforce", "add", "alice")
    expected = (set(rec.accept) - {dropped}) | {"workforce"}
    assert effective_tags(store, [pid])[pid] == expected

    pipe = Pipeline(Settings.load(home, encoder="hash"))
    assert pipe.tag(force=True) == store.count("passages")
    pipe.store.close()
    assert dropped in {t.measure for t in store.tags_for([pid])[pid]}  # the machine still says it …
    assert effective_tags(store, [pid])[pid] == expected  # … but the human word wins
    assert len(store.annotations(pid)) == 2


def test_one_annotators_labels_ignore_the_others(store):
    rec = next(r for r in iter_records(store) if r.accept)
    pid, tagged = rec.id, rec.accept[0]
    store.add_annotation(pid, tagged, "reject", "alice")
    store.add_annotation(pid, "workforce", "add", "bob")
    store.add_annotation(pid, tagged, "accept", "bob")

    assert effective_tags(store, [pid])[pid] == set(rec.accept) | {"workforce"}  # bob spoke last
    assert effective_tags(store, [pid], "alice")[pid] == set(rec.accept) - {tagged}
    assert annotator_labels(store, "alice") == {pid: set(rec.accept) - {tagged}}
    assert annotator_labels(store, "bob") == {pid: set(rec.accept) | {"workforce"}}
    assert annotator_labels(store, "carol") == {}
