"""Inter-annotator agreement: Cohen's kappa per measure between two annotators, or one and the model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from policyscope.corpus.store import Store
from policyscope.nlp.labels.effective import annotator_labels
from policyscope.nlp.labels.records import taxonomy_ids
from policyscope.nlp.tagmetrics import kappa_per_measure

__all__ = ["agreement"]


def agreement(store: Store, a: str, b: str, measures: Sequence[str] | None = None) -> dict[str, Any]:
    """Cohen's kappa per measure between annotators ``a`` and ``b`` (``b="model"``: the machine tags).

    Items are the passages both annotated (with ``model``: every passage ``a`` annotated).
    """
    known = taxonomy_ids(measures)
    la = annotator_labels(store, a)
    if not la:
        raise ValueError(f"annotator {a!r} has no annotations")
    if b == "model":
        ids = sorted(la)
        machine = store.tags_for(ids)
        lb = {pid: {t.measure for t in machine.get(pid, [])} for pid in ids}
    else:
        lb = annotator_labels(store, b)
        if not lb:
            raise ValueError(f"annotator {b!r} has no annotations")
        ids = sorted(set(la) & set(lb))
    if not ids:
        raise ValueError(f"annotators {a!r} and {b!r} share no annotated passage")
    kappa = kappa_per_measure([la[i] for i in ids], [lb[i] for i in ids], known)
    support = {
        m: {"a": sum(1 for i in ids if m in la[i]), "b": sum(1 for i in ids if m in lb[i])} for m in known
    }
    agree = {m: sum(1 for i in ids if (m in la[i]) == (m in lb[i])) / len(ids) for m in known}
    return {
        "a": a,
        "b": b,
        "n": len(ids),
        "kappa": {m: kappa[m] for m in known},
        "mean_kappa": kappa["mean"],
        "observed_agreement": agree,
        "positives": support,
        "exact_match": sum(1 for i in ids if la[i] & set(known) == lb[i] & set(known)) / len(ids),
        "passages": ids,
    }
