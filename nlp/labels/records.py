"""The label record: one passage with its document metadata, tags per source and human decisions.

:func:`iter_records` reads them from a store; every export writer and the review queue start from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from policyscope.corpus.records import Tag
from policyscope.corpus.store import Store
from policyscope.nlp.labels.effective import effective_tags, latest_actions

__all__ = [
    "META_FIELDS",
    "SOURCES",
    "Annotation",
    "LabelRecord",
    "PassageMeta",
    "iter_records",
    "measure_order",
    "tag_dict",
    "tag_order",
    "taxonomy_ids",
    "taxonomy_names",
]

SOURCES: tuple[str, ...] = ("rule", "model", "classifier", "ensemble", "human")
_HUMAN_SCORE = 1.0


@dataclass(frozen=True)
class PassageMeta:
    """Where a passage comes from: its document's metadata and its place in the document."""

    doc_id: str
    title: str | None
    title_zh: str | None
    title_en: str | None
    region: str | None
    country: str | None
    year: int | None
    date: str | None
    doc_kind: str | None
    lang: str | None
    page: int | None
    heading: str | None
    kind: str | None


META_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(PassageMeta))
INT_META = frozenset({"year", "page"})
"""The integer fields of :class:`PassageMeta` (typed columns in parquet)."""


@dataclass(frozen=True)
class Annotation:
    """One human decision on a passage: ``accept``/``add`` keep or add ``measure``, ``reject`` removes it."""

    measure: str
    action: str
    annotator: str
    created_at: float


@dataclass(frozen=True)
class LabelRecord:
    """One exported passage, the same in every format (:meth:`to_dict` is the JSONL line).

    ``tags`` lists what each source said: the stored machine tags (``rule``/``model``/``classifier``/
    ``ensemble``, with evidence spans into ``text``) in taxonomy order, then a ``human`` tag (score 1.0, no
    spans) per measure a person accepted or added. ``accept`` is the *effective* label set - machine tags
    corrected by humans (see :mod:`~policyscope.nlp.labels.effective`) - in taxonomy order.
    ``options``/``accept``/``answer`` is Prodigy's ``textcat_multilabel`` shape: ``options`` holds
    ``(measure id, "English name / Chinese name")`` for every measure of the taxonomy.
    """

    id: str
    text: str
    meta: PassageMeta
    tags: tuple[Tag, ...]
    annotations: tuple[Annotation, ...]
    options: tuple[tuple[str, str], ...]
    accept: tuple[str, ...]
    answer: str = "accept"

    def to_dict(self) -> dict[str, Any]:
        """The JSON record: ``{"id", "text", "meta", "tags", "annotations", "options", "accept", "answer"}``."""
        return {
            "id": self.id,
            "text": self.text,
            "meta": asdict(self.meta),
            "tags": [tag_dict(t) for t in self.tags],
            "annotations": [asdict(a) for a in self.annotations],
            "options": [{"id": mid, "text": name} for mid, name in self.options],
            "accept": list(self.accept),
            "answer": self.answer,
        }


def tag_dict(t: Tag) -> dict[str, Any]:
    """A tag as JSON: ``{"measure", "score", "source", "spans": [{"start", "end", "text"}]}``."""
    return {
        "measure": t.measure,
        "score": float(t.score),
        "source": t.source,
        "spans": [{"start": s.start, "end": s.end, "text": s.text} for s in t.spans],
    }


def taxonomy_ids(measures: Sequence[str] | None = None) -> tuple[str, ...]:
    """``measures``, or every measure id of the packaged taxonomy in its order."""
    from policyscope.nlp.measures import load_taxonomy

    return load_taxonomy().ids if measures is None else tuple(measures)


def taxonomy_names() -> dict[str, str]:
    """``{measure id: "English name / Chinese name"}`` of the packaged taxonomy."""
    from policyscope.nlp.measures import load_taxonomy

    return {m.id: f"{m.name_en} / {m.name_zh}" for m in load_taxonomy()}


def measure_order(known: Sequence[str]) -> Callable[[str], tuple[int, str]]:
    """Sort key: taxonomy order, then measures outside the taxonomy by id."""
    pos = {m: i for i, m in enumerate(known)}
    return lambda m: (pos.get(m, len(pos)), m)


def tag_order(known: Sequence[str]) -> Callable[[Tag], tuple[int, str, str]]:
    """Sort key of tags: :func:`measure_order`, then source."""
    order = measure_order(known)
    return lambda t: (*order(t.measure), t.source)


def iter_records(
    store: Store,
    measures: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    langs: Sequence[str] | None = None,
) -> Iterator[LabelRecord]:
    """Passages as label records, in store order.

    Args:
        measures: keep passages whose effective tags include *any* of these measures.
        sources: keep passages with a tag from any of these sources (``human`` = a person accepted or added a
            measure), and list only those sources' tags.
        langs: keep passages in these languages (``zh``, ``en``, …).

    Raises:
        ValueError: an unknown measure or source, listing the valid ones.
    """
    known = taxonomy_ids()
    bad = sorted(set(measures or ()) - set(known))
    if bad:
        raise ValueError(f"unknown measure(s) {', '.join(bad)}; available: {', '.join(known)}")
    bad = sorted(set(sources or ()) - set(SOURCES))
    if bad:
        raise ValueError(f"unknown source(s) {', '.join(bad)}; available: {', '.join(SOURCES)}")
    options = tuple(taxonomy_names().items())
    rows = list(store.passage_rows())
    ids = [r.id for r in rows]
    machine = store.tags_for(ids)
    effective = effective_tags(store, ids)
    all_annotations = store.annotations()
    latest = latest_actions(all_annotations)
    by_passage: dict[str, list[dict[str, Any]]] = {}
    for a in all_annotations:
        by_passage.setdefault(a["passage_id"], []).append(a)
    wanted_measures = set(measures or ())
    wanted_sources = set(sources or ())
    wanted_langs = {x.lower() for x in langs or ()}
    for r in rows:
        pid = r.id
        if wanted_langs and (r.lang or "").lower() not in wanted_langs:
            continue
        accept = [m for m in known if m in effective.get(pid, set())]
        # Measures outside the taxonomy (an older taxonomy's tags) are kept at the end, not dropped.
        accept += sorted(effective.get(pid, set()) - set(known))
        if wanted_measures and not wanted_measures & set(accept):
            continue
        anns = by_passage.get(pid, [])
        tags = sorted(machine.get(pid, []), key=tag_order(known))
        state = latest.get(pid, {})
        tags += [
            Tag(m, _HUMAN_SCORE, "human")
            for m in sorted(state, key=measure_order(known))
            if state[m] in ("accept", "add")
        ]
        if wanted_sources:
            tags = [t for t in tags if t.source in wanted_sources]
            if not tags:
                continue
        yield LabelRecord(
            id=pid,
            text=r.text,
            meta=PassageMeta(**{k: getattr(r, k) for k in META_FIELDS}),
            tags=tuple(tags),
            annotations=tuple(
                Annotation(a["measure"], a["action"], a["annotator"], a["created_at"]) for a in anns
            ),
            options=options,
            accept=tuple(accept),
        )
