"""Effective tags: what the model says, corrected by what humans said.

Human annotations are never overwritten by re-tagging; the latest human word on a
(passage, measure) pair wins: ``accept``/``add`` keep or add the measure, ``reject`` removes it.
"""

from __future__ import annotations

from collections.abc import Sequence

from policyscope.corpus.store import Store


def effective_tags(store: Store, passage_ids: Sequence[str]) -> dict[str, set[str]]:
    """Measures per passage after applying human annotations to the stored machine tags."""
    machine = store.tags_for(list(passage_ids))
    out: dict[str, set[str]] = {pid: {t.measure for t in tags} for pid, tags in machine.items()}
    wanted = set(passage_ids)
    for ann in store.annotations():  # ordered by id: later annotations override earlier ones
        pid = ann["passage_id"]
        if pid not in wanted:
            continue
        if ann["action"] == "reject":
            out.setdefault(pid, set()).discard(ann["measure"])
        else:
            out.setdefault(pid, set()).add(ann["measure"])
    return out
