"""Effective tags: what the model says, corrected by what humans said.

Human annotations are never overwritten by re-tagging; the latest human word on a
(passage, measure) pair wins: ``accept``/``add`` keep or add the measure, ``reject`` removes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from policyscope.corpus.store import Store

__all__ = ["annotator_labels", "effective_tags", "latest_actions"]


def latest_actions(
    annotations: Iterable[Mapping[str, Any]], annotator: str | None = None
) -> dict[str, dict[str, str]]:
    """``{passage: {measure: latest action}}`` of annotation rows in id order (``Store.annotations()``).

    Args:
        annotator: only this annotator's rows (default: everyone's).
    """
    out: dict[str, dict[str, str]] = {}
    for a in annotations:  # ordered by id: later annotations override earlier ones
        if annotator is None or a["annotator"] == annotator:
            out.setdefault(a["passage_id"], {})[a["measure"]] = a["action"]
    return out


def effective_tags(
    store: Store, passage_ids: Sequence[str], annotator: str | None = None
) -> dict[str, set[str]]:
    """Measures per passage after applying human annotations to the stored machine tags.

    Args:
        annotator: apply only this annotator's annotations - the labels as that person sees them.
    """
    machine = store.tags_for(list(passage_ids))
    latest = latest_actions(store.annotations_for(list(passage_ids)), annotator)
    out: dict[str, set[str]] = {}
    for pid, tags in machine.items():
        labels = {t.measure for t in tags}
        for measure, action in latest.get(pid, {}).items():
            if action == "reject":
                labels.discard(measure)
            else:
                labels.add(measure)
        out[pid] = labels
    return out


def annotator_labels(store: Store, annotator: str) -> dict[str, set[str]]:
    """The label set ``annotator`` gave each passage they annotated: machine tags with *their* annotations
    applied (a measure they did not touch keeps the machine's decision)."""
    ids = list(dict.fromkeys(a["passage_id"] for a in store.annotations() if a["annotator"] == annotator))
    return effective_tags(store, ids, annotator)
