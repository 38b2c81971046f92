"""Metrics for multi-label measure tagging and inter-annotator agreement. Pure Python, no numpy.

Conventions (stated once, used everywhere):

* **micro** P/R/F1 pool true positives, false positives and false negatives over all labels and items.
* **macro** P/R/F1 average the per-label values over the labels that are *active*: a label of ``labels``
  with at least one gold or one predicted occurrence. A label nobody used has no defined precision or
  recall and would otherwise drag the average to 0 or inflate it to 1. Macro-F1 is the mean of per-label
  F1 (not the F1 of macro P and macro R).
* P, R or F1 with a zero denominator is 0.0.
* **exact match** is the share of items whose predicted set equals the gold set (restricted to ``labels``);
  an item with no gold and no predicted tag is an exact match.
* Labels outside ``labels`` are ignored on both sides.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from typing import Any, Literal

__all__ = ["cohen_kappa", "kappa_per_measure", "split_halves", "tag_metrics"]

Half = Literal["dev", "heldout"]


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _metrics(gold: Sequence[set[str]], pred: Sequence[set[str]], labels: Sequence[str]) -> dict[str, Any]:
    label_set = set(labels)
    per: dict[str, dict[str, float]] = {}
    tp_all = fp_all = fn_all = 0
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred) if lab in g and lab in p)
        fp = sum(1 for g, p in zip(gold, pred) if lab not in g and lab in p)
        fn = sum(1 for g, p in zip(gold, pred) if lab in g and lab not in p)
        p_, r_, f_ = _prf(tp, fp, fn)
        per[lab] = {
            "precision": p_,
            "recall": r_,
            "f1": f_,
            "support": tp + fn,
            "predicted": tp + fp,
            "tp": tp,
            "fp": fp,
            "fn": fn,
        }
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
    mp, mr, mf = _prf(tp_all, fp_all, fn_all)
    active = [lab for lab in labels if per[lab]["support"] or per[lab]["predicted"]]
    n_active = len(active)
    exact = sum(1 for g, p in zip(gold, pred) if (g & label_set) == (p & label_set))
    return {
        "n": len(gold),
        "micro": {"precision": mp, "recall": mr, "f1": mf, "tp": tp_all, "fp": fp_all, "fn": fn_all},
        "macro": {
            "precision": sum(per[lab]["precision"] for lab in active) / n_active if n_active else 0.0,
            "recall": sum(per[lab]["recall"] for lab in active) / n_active if n_active else 0.0,
            "f1": sum(per[lab]["f1"] for lab in active) / n_active if n_active else 0.0,
            "labels": active,
        },
        "exact_match": exact / len(gold) if gold else 0.0,
        "per_label": per,
    }


def tag_metrics(
    gold: Sequence[set[str]],
    pred: Sequence[set[str]],
    labels: Sequence[str],
    langs: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Per-label, micro and macro P/R/F1, exact-match ratio, and the same per language.

    Args:
        gold: gold label set per item.
        pred: predicted label set per item, aligned with ``gold``.
        labels: the taxonomy's measure ids (order kept in ``per_label``).
        langs: optional language code per item; adds ``by_lang[code]`` with the same keys.

    Returns:
        ``{"n", "micro": {precision, recall, f1, tp, fp, fn}, "macro": {precision, recall, f1, labels},
        "exact_match", "per_label": {label: {precision, recall, f1, support, predicted, tp, fp, fn}},
        "by_lang": {lang: {...same keys...}}}`` (``by_lang`` empty when ``langs`` is None).

    Example:
        >>> m = tag_metrics([{"a"}, {"b"}], [{"a"}, {"a"}], ["a", "b"])
        >>> round(m["micro"]["f1"], 3), m["exact_match"]
        (0.5, 0.5)
    """
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} items but pred has {len(pred)}")
    if langs is not None and len(langs) != len(gold):
        raise ValueError(f"got {len(langs)} langs for {len(gold)} items")
    if len(set(labels)) != len(labels):
        raise ValueError("labels must be unique")
    gold = [set(g) for g in gold]
    pred = [set(p) for p in pred]
    result = _metrics(gold, pred, labels)
    result["by_lang"] = {}
    if langs is not None:
        for lang in sorted(set(langs)):
            idx = [i for i, x in enumerate(langs) if x == lang]
            result["by_lang"][lang] = _metrics([gold[i] for i in idx], [pred[i] for i in idx], labels)
    return result


def cohen_kappa(a: Sequence[bool], b: Sequence[bool]) -> float:
    """Cohen's kappa of two binary annotations: (po - pe) / (1 - pe).

    When chance agreement is total (pe == 1: both annotators gave one constant answer) kappa is undefined;
    this returns 1.0 if they agree everywhere (they necessarily do) - the convention that identical
    annotations have perfect agreement.
    """
    if len(a) != len(b):
        raise ValueError(f"annotations differ in length: {len(a)} vs {len(b)}")
    n = len(a)
    if n == 0:
        raise ValueError("kappa needs at least one item")
    po = sum(1 for x, y in zip(a, b) if bool(x) == bool(y)) / n
    pa = sum(1 for x in a if x) / n
    pb = sum(1 for y in b if y) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    if pe >= 1.0:
        return 1.0
    return (po - pe) / (1 - pe)


def kappa_per_measure(
    labels_a: Sequence[set[str]], labels_b: Sequence[set[str]], measures: Sequence[str]
) -> dict[str, float]:
    """Cohen's kappa per measure between two annotators' label sets, plus ``"mean"`` over measures."""
    if len(labels_a) != len(labels_b):
        raise ValueError(f"annotators labelled {len(labels_a)} vs {len(labels_b)} items")
    out = {m: cohen_kappa([m in s for s in labels_a], [m in s for s in labels_b]) for m in measures}
    out["mean"] = sum(out[m] for m in measures) / len(measures) if measures else 0.0
    return out


def split_halves(ids: Sequence[str], label_sets: Sequence[set[str]]) -> list[Half]:
    """Deterministic, label-stratified two-way split of a gold set: ``"dev"`` or ``"heldout"`` per item.

    Rules are tuned on the dev half and scored on both, so a number on the held-out half says how well they
    carry to passages nobody looked at while writing them. The split must not depend on any tagger, only on
    the ids and the gold labels:

    1. Each item's stratum is its rarest label in the set (ties by label id); items with no label form one
       stratum, the most common one.
    2. Items are ordered by (stratum frequency, stratum id, sha256 of the id) and dealt alternately to
       dev and held-out, the alternation running on across strata, so the halves differ by at most one
       item and every stratum with two or more items lands in both halves.

    Worked example: labels ``{a}``, ``{a}``, ``{a, b}``, ``{b}``, ``{}``, ``{}`` - ``b`` (2 items) is rarer
    than ``a`` (3), so the two ``b`` items are dealt first (one per half), then the two ``{a}`` items, then
    the two empty ones: each half gets one ``b`` item, one ``a`` item and one empty one.

    Raises:
        ValueError: when the lengths differ or an id repeats (the split would not be a function of the id).
    """
    if len(ids) != len(label_sets):
        raise ValueError(f"got {len(label_sets)} label sets for {len(ids)} ids")
    dupes = sorted({i for i, n in Counter(ids).items() if n > 1})
    if dupes:
        raise ValueError(f"duplicate id(s) in the gold set: {', '.join(dupes[:5])}")
    freq = Counter(lab for labels in label_sets for lab in set(labels))
    # The empty stratum sorts after every label, as if it were the most frequent one.
    none_rank = len(ids) + 1

    def stratum(labels: set[str]) -> tuple[int, str]:
        if not labels:
            return none_rank, ""
        return min((freq[lab], lab) for lab in labels)

    order = sorted(
        range(len(ids)),
        key=lambda i: (*stratum(set(label_sets[i])), hashlib.sha256(ids[i].encode("utf-8")).hexdigest()),
    )
    out: list[Half] = ["dev"] * len(ids)
    for rank, i in enumerate(order):
        out[i] = "dev" if rank % 2 == 0 else "heldout"
    return out
