"""Annotation rows: removed only by id, so an undo takes back exactly what one action added."""

from __future__ import annotations

from policyscope.corpus.records import Document, Passage
from policyscope.corpus.store import Store


def test_removing_annotations_by_id_leaves_everyone_elses(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    doc = Document(id="d1", text="电池回收利用。", title="t", lang="zh")
    store.add_documents([doc])
    store.replace_passages(doc.id, [Passage(id="p1", doc_id="d1", seq=0, start=0, end=len(doc.text),
                                            text=doc.text, lang="zh")], "k1")
    alice = store.add_annotation("p1", "recycling", "accept", "alice")
    mine = [store.add_annotation("p1", m, "add", "bob") for m in ("workforce", "stockpiling")]
    assert store.remove_annotations(mine) == 2
    assert [a["id"] for a in store.annotations("p1")] == [alice]
    assert store.remove_annotations(mine) == 0 and store.remove_annotations([]) == 0
