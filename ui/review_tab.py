"""The Tag review tab: one passage at a time from the review queue, human decisions, dataset export."""

from __future__ import annotations

import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policyscope.corpus.errors import PolicyscopeError, QueryError
from policyscope.ui import render
from policyscope.ui.workspace import Workspace

if TYPE_CHECKING:
    from policyscope.nlp.taggers import Tagger

REVIEW_ACTIONS: tuple[str, ...] = ("accept", "reject", "add")
#: The ``tag_text`` endpoint tags a passage-sized text, not a document (that is what adding it is for).
MAX_TAG_TEXT = 20_000


@dataclass
class ReviewState:
    """Per-user review position (kept in ``gr.State``; nothing per-user lives on the server)."""

    queue: list[str] = field(default_factory=list)
    pos: int = 0
    current: str | None = None
    done: list[str] = field(default_factory=list)


class ReviewTab:
    """Review decisions are written through the workspace's pipeline store under ``write_lock``."""

    def __init__(self, workspace: Workspace):
        self.ws = workspace
        self._tagger: Tagger | None = None

    def review_queue(self, limit: int = 200) -> list[str]:
        """Passage ids to review, most worth a human look first (``nlp.labels.review_queue``)."""
        from policyscope.nlp.labels import review_queue

        return [r["passage_id"] for r in review_queue(self.ws.store, limit)]

    def review_counts(self, queue_left: int = 0) -> dict[str, int]:
        anns = self.ws.store.annotations()
        counts = Counter(a["action"] for a in anns)
        return {"reviewed": len({a["passage_id"] for a in anns}), "accept": counts["accept"],
                "reject": counts["reject"], "add": counts["add"], "queue": queue_left}

    def review_card(self, passage_id: str | None, queue_left: int = 0) -> str:
        from policyscope.nlp.labels import effective_tags

        store = self.ws.store
        counts = self.review_counts(queue_left)
        if not passage_id:
            return render.review_card(None, [], (), [], counts)
        row = store.get_passages([passage_id]).get(passage_id)
        if row is None:
            return render.message(f"unknown passage {passage_id!r}", "error")
        machine = store.tags_for([passage_id])[passage_id]
        eff = effective_tags(store, [passage_id])[passage_id]
        return render.review_card(row, machine, eff, store.annotations(passage_id), counts)

    def review_next(self, state: ReviewState | dict[str, Any] | None) -> tuple[ReviewState, str]:
        """Advance to the next unreviewed passage of this user's queue (refilled when exhausted)."""
        st = state if isinstance(state, ReviewState) else ReviewState(**(state or {}))
        reviewed = {a["passage_id"] for a in self.ws.store.annotations()}
        for _ in range(2):
            while st.pos < len(st.queue) and (st.queue[st.pos] in reviewed or st.queue[st.pos] in st.done):
                st.pos += 1
            if st.pos < len(st.queue):
                break
            st.queue, st.pos = [p for p in self.review_queue() if p not in st.done], 0
        st.current = st.queue[st.pos] if st.pos < len(st.queue) else None
        left = max(0, len(st.queue) - st.pos)
        return st, self.review_card(st.current, left)

    def review_apply(self, passage_id: str | None, action: str, measure: str | None = None,
                     annotator: str = "") -> str:
        """Record a human decision. ``accept``/``reject`` without a measure apply to every shown tag."""
        from policyscope.index.compare import measure_ids
        from policyscope.nlp.labels import effective_tags

        if not passage_id:
            raise QueryError("no passage selected")
        if action not in REVIEW_ACTIONS:
            raise QueryError(f"unknown action {action!r}; available: {', '.join(REVIEW_ACTIONS)}")
        annotator = (annotator or "").strip()[:80] or "anonymous"
        row = self.ws.store.get_passages([passage_id]).get(passage_id)
        if row is None:
            raise QueryError(f"unknown passage {passage_id!r}")
        known = set(measure_ids())
        shown = effective_tags(self.ws.store, [passage_id])[passage_id]
        if measure:
            if known and measure not in known:
                raise QueryError(f"unknown measure {measure!r}; available: {', '.join(sorted(known))}")
            if action != "add" and measure not in shown:
                # Accepting a measure the card does not show would record a label nobody gave.
                raise QueryError(f"{measure} is not among this passage's tags; use Add (D) to add it")
            targets = [measure]
        elif action == "add":
            raise QueryError("pick the measure to add")
        else:
            targets = sorted(shown)
            if not targets:
                raise QueryError("this passage has no tags to accept or reject; add a measure instead")
        with self.ws.write_lock:
            wstore = self.ws.pipeline.store
            for m in targets:
                wstore.add_annotation(passage_id, m, action, annotator)
        self.ws.invalidate()
        return f"{action} {', '.join(targets)} on {passage_id}"

    def tag_json(self, passage_id: str, action: str, measure: str = "", annotator: str = "api") -> dict[str, Any]:
        """Record a review decision (the ``tag`` API endpoint) and return the passage's effective tags."""
        from policyscope.nlp.labels import effective_tags

        try:
            done = self.review_apply(passage_id, action, measure or None, annotator)
        except PolicyscopeError as exc:
            return {"error": str(exc)}
        return {"ok": True, "done": done, "passage_id": passage_id,
                "tags": sorted(effective_tags(self.ws.store, [passage_id])[passage_id])}

    def tag_text_json(self, text: str, lang: str | None = None) -> dict[str, Any]:
        """The default tagger's measures in any text, not stored (the ``tag_text`` API endpoint)."""
        from policyscope.nlp.taggers import default_tagger

        text = (text or "").strip()
        if not text:
            return {"error": "empty text; pass the text to tag"}
        if len(text) > MAX_TAG_TEXT:
            return {"error": f"text of {len(text)} characters; the limit is {MAX_TAG_TEXT} (add it as a document)"}
        if lang and lang not in ("zh", "en", "ja", "ko"):
            return {"error": f"unknown language {lang!r}; available: zh, en, ja, ko (or empty to detect it)"}
        if self._tagger is None:
            self._tagger = default_tagger()
        tags = self._tagger.tag([text], [lang] if lang else None)[0]
        return {"measures": [{"measure": t.measure, "score": round(t.score, 4), "source": str(t.source),
                              "evidence": [text[s.start:s.end] for s in t.spans]} for t in tags]}

    # -- export ----------------------------------------------------------------------------------

    def export_formats(self) -> list[str]:
        """The dataset writers' formats (``nlp.labels.WRITERS``), in their order."""
        from policyscope.nlp.labels import WRITERS

        return list(WRITERS)

    def export(self, fmt: str) -> Path:
        """Write the tag dataset in ``fmt`` under ``<home>/exports/`` and return the file.

        A dataset directory (Hugging Face) is offered as one zip file.
        """
        from policyscope.nlp.labels import export_dataset, get_writer

        try:
            writer = get_writer(fmt)
        except ValueError as exc:
            raise QueryError(str(exc)) from None
        out_dir = self.ws.settings.home / "exports"
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / writer.file_name(f"policyscope-tags-{time.strftime('%Y%m%d-%H%M%S')}")
        with self.ws.write_lock:
            path = Path(export_dataset(self.ws.pipeline.store, fmt, path).path)
        if path.is_dir():
            path = Path(shutil.make_archive(str(path), "zip", root_dir=path))
        return path
