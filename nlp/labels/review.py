"""The review queue: the passages most worth a human look, most uncertain first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policyscope.corpus.store import Store
from policyscope.nlp.labels.effective import effective_tags
from policyscope.nlp.labels.records import measure_order, tag_dict, tag_order, taxonomy_ids

__all__ = ["review_queue"]

# How far from 0.5 a machine score may be and still count as "near the threshold" in the review queue. Every
# backend maps its decision threshold to 0.5 (the lexicon's weakest single match scores 0.55, the embedding
# tagger's threshold is 0.5 by construction, the classifier's default threshold is 0.5).
_THRESHOLD = 0.5


def _closeness(score: float) -> float:
    """1.0 at the decision threshold (score 0.5), falling linearly to 0.0 at scores 0 and 1."""
    return max(0.0, 1.0 - abs(float(score) - _THRESHOLD) / _THRESHOLD)


def review_queue(
    store: Store,
    limit: int = 20,
    annotator: str | None = None,
    *,
    scores: Mapping[str, Mapping[str, float]] | None = None,
) -> list[dict[str, Any]]:
    """Passages most worth a human look, most uncertain first.

    A passage is skipped once a human annotated it (once ``annotator`` did, when given). The rest are ranked
    by, in order:

    1. **disagreement** - the number of measures on which the stored sources disagree (e.g. the lexicon
       tagged ``recycling`` but a stored embedding or classifier tag set does not, or vice versa);
    2. **closeness to the threshold** - the largest ``1 - |score - 0.5| / 0.5`` over the passage's machine
       scores, and over ``scores`` (optional extra per-passage measure scores, e.g. an embedding tagger's
       scores for passages the lexicon left untagged);
    3. the sum of those closenesses (several weak tags before one), then the passage id, so the order is
       deterministic.

    Worked example: a passage whose only tag is ``recycling`` from one short lexicon term (score 0.55) has
    closeness 0.9 and comes before one tagged by two five-character terms (score 0.98, closeness 0.04);
    a passage the lexicon and the embedding tagger disagree on comes before both.

    Returns dicts with ``passage_id``, ``text``, ``lang``, ``doc_id``, ``title``, ``heading``, ``tags``
    (as in exports), ``effective`` (measures), ``priority``, ``disagreement``, ``closeness`` and ``reasons``.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    reviewed = {
        a["passage_id"] for a in store.annotations() if annotator is None or a["annotator"] == annotator
    }
    rows = {r.id: r for r in store.passage_rows() if r.id not in reviewed}
    ids = list(rows)
    machine = store.tags_for(ids)
    known = taxonomy_ids()
    ranked: list[tuple[float, float, float, str, dict[str, Any]]] = []
    for pid in ids:
        tags = machine.get(pid, [])
        by_source: dict[str, dict[str, float]] = {}
        for t in tags:
            by_source.setdefault(t.source, {})[t.measure] = float(t.score)
        reasons: list[str] = []
        disagree: set[str] = set()
        sources = sorted(by_source)
        if len(sources) > 1:
            union = set().union(*(set(v) for v in by_source.values()))
            for m in sorted(union, key=measure_order(known)):
                voters = [s for s in sources if m in by_source[s]]
                if len(voters) != len(sources):
                    disagree.add(m)
                    reasons.append(f"{m}: only {', '.join(voters)} of {', '.join(sources)}")
        best, best_reason, total = 0.0, "", 0.0
        for t in tags:
            c = _closeness(t.score)
            total += c
            if c > best:
                best, best_reason = c, f"{t.measure}: {t.source} score {t.score:.2f} near threshold"
        for m, s in (scores or {}).get(pid, {}).items():
            c = _closeness(s)
            total += c
            if c > best:
                best, best_reason = c, f"{m}: extra score {s:.2f} near threshold"
        if best_reason:
            reasons.append(best_reason)
        if not disagree and best == 0.0:
            continue  # nothing uncertain about an untagged passage no scorer looked at
        ranked.append((-float(len(disagree)), -round(best, 6), -round(total, 6), pid, {"reasons": reasons}))
    ranked.sort(key=lambda x: x[:4])
    chosen = ranked[:limit]
    effective = effective_tags(store, [pid for *_, pid, _ in chosen])
    out = []
    for neg_dis, neg_best, _, pid, extra in chosen:
        r = rows[pid]
        out.append(
            {
                "passage_id": pid,
                "text": r.text,
                "lang": r.lang,
                "doc_id": r.doc_id,
                "title": r.title_zh or r.title_en or r.title,
                "heading": r.heading,
                "tags": [tag_dict(t) for t in sorted(machine.get(pid, []), key=tag_order(known))],
                "effective": [m for m in known if m in effective.get(pid, set())],
                "disagreement": int(-neg_dis),
                "closeness": round(-neg_best, 4),
                "priority": round(-neg_dis + -neg_best, 4),
                "reasons": extra["reasons"],
            }
        )
    return out
