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
#: How many queued passages a filtered queue looks through (an unfiltered one takes the first 200).
QUEUE_SCAN = 5000
#: How many actions one reviewer can undo, newest first.
UNDO_DEPTH = 20


@dataclass
class ReviewState:
    """Per-user review position (kept in ``gr.State``; nothing per-user lives on the server).

    ``measure``, ``country`` and ``doc`` filter the queue (empty: any). ``history`` holds this reviewer's
    last actions, newest last, each with the ids of the annotation rows it added, so undo removes exactly
    those rows.
    """

    queue: list[str] = field(default_factory=list)
    pos: int = 0
    current: str | None = None
    done: list[str] = field(default_factory=list)
    measure: str = ""
    country: str = ""
    doc: str = ""
    history: list[dict[str, Any]] = field(default_factory=list)


class ReviewTab:
    """Review decisions are written through the workspace's pipeline store under ``write_lock``."""

    def __init__(self, workspace: Workspace):
        self.ws = workspace
        self._tagger: Tagger | None = None

    def review_queue(self, limit: int = 200, measure: str = "", country: str = "", doc: str = "") -> list[str]:
        """Passage ids to review, most worth a human look first (``nlp.labels.review_queue``).

        Filters (empty: any): ``measure``, a measure among the passage's machine or effective tags;
        ``country``, a code or a name in en/zh/ja/ko; ``doc``, a document id or a catalog id.
        """
        from policyscope.nlp.labels import review_queue

        store = self.ws.store
        if not (measure or country or doc):
            return [r["passage_id"] for r in review_queue(store, limit)]
        code = ""
        if country:
            from policyscope.corpus.jurisdictions import resolve_country

            code = resolve_country(country) or ""
            if not code:
                raise QueryError(f"unknown country {country!r}; use a code (US) or a name (美国, 米国)")
        docs: set[str] = set()
        if doc:
            exact, linked = store.find_documents(doc)
            docs = set(exact) | set(linked)
            if not docs:
                raise QueryError(f"unknown document {doc!r}; use a document id or a catalog id")
        rows = review_queue(store, QUEUE_SCAN)
        views = store.get_passages([r["passage_id"] for r in rows]) if (code or docs) else {}
        out = []
        for r in rows:
            v = views.get(r["passage_id"])
            if measure and measure not in set(r["effective"]) | {t["measure"] for t in r["tags"]}:
                continue
            if (code and (v is None or v.country != code)) or (docs and r["doc_id"] not in docs):
                continue
            out.append(r["passage_id"])
            if len(out) >= limit:
                break
        return out

    def set_filters(self, state: ReviewState | dict[str, Any] | None, measure: str | None = "",
                    country: str | None = "", doc: str | None = "") -> ReviewState:
        """The state with these queue filters; a change empties the queue, so the next card obeys them."""
        st = state if isinstance(state, ReviewState) else ReviewState(**(state or {}))
        wanted = ((measure or "").strip(), (country or "").strip(), (doc or "").strip())
        if wanted != (st.measure, st.country, st.doc):
            st.measure, st.country, st.doc = wanted
            st.queue, st.pos, st.current = [], 0, None
        return st

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
            queue = self.review_queue(measure=st.measure, country=st.country, doc=st.doc)
            st.queue, st.pos = [p for p in queue if p not in st.done], 0
        st.current = st.queue[st.pos] if st.pos < len(st.queue) else None
        left = max(0, len(st.queue) - st.pos)
        return st, self.review_card(st.current, left)

    def review_apply(self, passage_id: str | None, action: str, measure: str | None = None,
                     annotator: str = "") -> str:
        """Record a human decision. ``accept``/``reject`` without a measure apply to every shown tag."""
        return self.review_record(passage_id, action, measure, annotator)[0]

    def review_record(self, passage_id: str | None, action: str, measure: str | None = None,
                      annotator: str = "") -> tuple[str, list[int]]:
        """:meth:`review_apply`, also returning the ids of the annotation rows it added (what undo removes)."""
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
            ids = [wstore.add_annotation(passage_id, m, action, annotator) for m in targets]
        self.ws.invalidate()
        return f"{action} {', '.join(targets)} on {passage_id}", ids

    def review_step(self, state: ReviewState | dict[str, Any] | None, action: str | None,
                    measure: str | None = None, annotator: str = "") -> tuple[ReviewState, str]:
        """One reviewer action on the card shown (accept, reject, add, skip, or None to show the next card);
        returns the new state and a note. Raises ``QueryError`` when the action cannot apply (the card stays).

        An action applies to ``state.current`` only, with the measure the reviewer picked for it (or every
        tag the card shows); it is pushed on the undo history.
        """
        st = state if isinstance(state, ReviewState) else ReviewState(**(state or {}))
        note = ""
        if action == "skip":
            if st.current:
                st.done.append(st.current)
                st.history = [*st.history, {"passage_id": st.current, "action": "skip", "ids": []}][-UNDO_DEPTH:]
        elif action in REVIEW_ACTIONS:
            done, ids = self.review_record(st.current, action, measure or None, annotator)
            note = "✓ " + done
            st.done.append(st.current or "")
            st.history = [*st.history, {"passage_id": st.current, "action": done, "ids": ids}][-UNDO_DEPTH:]
        elif action is not None:
            raise QueryError(f"unknown action {action!r}; available: {', '.join((*REVIEW_ACTIONS, 'skip'))}")
        return st, note

    def review_undo(self, state: ReviewState | dict[str, Any] | None) -> tuple[ReviewState, str]:
        """Undo this reviewer's last action: remove exactly the annotation rows it added (so the passage's
        labels are what they were, none if it had none) and show its card again."""
        st = state if isinstance(state, ReviewState) else ReviewState(**(state or {}))
        if not st.history:
            return st, "nothing to undo"
        last = st.history[-1]
        st.history = st.history[:-1]
        pid = str(last["passage_id"])
        if last["ids"]:
            with self.ws.write_lock:
                self.ws.pipeline.store.remove_annotations(last["ids"])
            self.ws.invalidate()
        if pid in st.done:
            st.done.reverse()
            st.done.remove(pid)  # its last occurrence
            st.done.reverse()
        # Back in the queue at the current position: the card shown now follows it again.
        st.queue.insert(min(st.pos, len(st.queue)), pid)
        st.current = pid
        return st, f"↶ undone: {last['action']}"

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
