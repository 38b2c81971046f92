"""Build the search index from the store: embeddings (cached), FAISS vectors, BM25, filter columns.

An index is a directory ``<home>/indexes/idx-<time>-<id>/`` holding ``manifest.json``,
``vectors/``, ``bm25/`` and ``columns.npz``. It is written under a temporary name and
renamed when complete; the file ``indexes/CURRENT`` then names it (replaced atomically).
A crash at any point leaves the previous index in place and searchable.

Memory stays bounded at any corpus size: the passages are read from the store :data:`BUILD_BATCH`
at a time (:func:`collect_passages`); each batch is embedded through the cache into a temporary
vector file, its BM25 tokens kept as ids (:class:`~policyscope.index.keywords.TokenRows`) and its
filter columns as codes (:class:`~policyscope.index.columns.ColumnParts`). The columns are written,
then BM25 is built and written, then the vector index is built from the file (IVF-PQ above
``ann_threshold`` rows, trained on a sample) — never two of them in memory at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from policyscope.corpus.atomic import write_text_atomic
from policyscope.corpus.config import Settings
from policyscope.corpus.errors import IndexMismatchError, IndexMissingError
from policyscope.corpus.records import PassageView
from policyscope.corpus.store import Store
from policyscope.index.columns import ColumnParts, passage_columns, save_columns

if TYPE_CHECKING:
    from policyscope.index.encoders import Encoder
    from policyscope.index.keywords import TokenRows
    from policyscope.index.vectors import VectorFile

log = logging.getLogger(__name__)

MANIFEST_SCHEMA = 2  # 2: columns country_code and catalog_id; region is the derived M49 region
POINTER = "CURRENT"
# Passages per batch of a build: embedded, tokenized and laid into columns together.
BUILD_BATCH = 2048
T = TypeVar("T")

Progress = Callable[[str, int, int | None], None]
EmbeddingText = Callable[[PassageView], str]
"""What a passage (with its document's metadata) is embedded as; :func:`embedding_text` by default."""


@dataclass(frozen=True)
class BuildReport:
    """What a build did."""

    index_dir: Path
    passages: int
    embedded: int
    skipped: bool
    seconds: float


def _title_prefix(row: PassageView) -> str:
    """A one-record document (a spreadsheet row) is found by its title, which is not in its text."""
    title = row.title or ""
    if row.kind == "record" and title and title not in row.text:
        return title + "\n"
    return ""


def embedding_text(row: PassageView) -> str:
    """The text a passage is embedded with: context helps a table row or a record stand alone."""
    text = _title_prefix(row) + row.text
    if row.kind == "table_row" and row.context:
        return f"{row.context}\n{text}"
    return text


def keyword_text(row: PassageView) -> str:
    """The text BM25 indexes: the passage plus its table header (and a record's title) and the title
    of the section it is in: the items of 제4조 (위원회의 구성) list ministers without saying
    "committee", and a search for the committee's members must find them."""
    text = _title_prefix(row) + row.text
    section = row.heading.rpartition(" > ")[2] if row.kind not in ("heading", "caption") else ""
    if section and section not in text:
        text = f"{section} {text}"
    if row.context:
        return f"{row.context} {text}"
    return text


def current_index_dir(root: Path) -> Path | None:
    """The directory named by ``root/CURRENT``, or None when no complete index exists."""
    pointer = root / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = root / name
    return path if (path / "manifest.json").is_file() else None


def read_manifest(index_dir: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise IndexMismatchError(f"{index_dir}: unreadable manifest ({exc})") from exc
    if manifest.get("schema") != MANIFEST_SCHEMA:
        raise IndexMismatchError(
            f"{index_dir}: index schema {manifest.get('schema')} but this policyscope reads {MANIFEST_SCHEMA};"
            " run `policyscope build --force`"
        )
    return manifest


def file_checksums(index_dir: Path) -> dict[str, dict[str, Any]]:
    """Size and sha256 of every file of an index directory but its manifest, by relative path."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in index_dir.rglob("*") if p.is_file() and p.name != "manifest.json"):
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        out[path.relative_to(index_dir).as_posix()] = {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}
    return out


def verify_index_files(index_dir: Path, manifest: dict[str, Any]) -> str:
    """What is wrong with the index's files against its manifest ("" when nothing is).

    Checks that every file the manifest lists is there with its size and sha256 (a manifest written
    before checksums were recorded: that the vectors, BM25 and columns load).
    """
    listed = manifest.get("files")
    if not listed:  # an index from before checksums: it is sound if its three parts load
        from policyscope.index.keywords import KeywordIndex
        from policyscope.index.vectors import VectorIndex

        try:
            VectorIndex.load(index_dir / "vectors")
            KeywordIndex.load(index_dir / "bm25")
            with np.load(index_dir / "columns.npz", allow_pickle=False) as cols:
                cols["ids"]
        except (OSError, RuntimeError, ValueError, KeyError, EOFError) as exc:
            return f"unreadable ({type(exc).__name__}: {exc})"
        return ""
    actual = file_checksums(index_dir)
    missing = sorted(set(listed) - set(actual))
    if missing:
        return f"missing {', '.join(missing)}"
    changed = sorted(name for name, want in listed.items() if actual[name] != want)
    return f"damaged {', '.join(changed)} (checksum differs from the manifest)" if changed else ""


def require_index(settings: Settings) -> Path:
    path = current_index_dir(settings.index_root)
    if path is None:
        raise IndexMissingError(settings.home)
    return path


def build_index(
    store: Store,
    settings: Settings,
    *,
    force: bool = False,
    progress: Progress | None = None,
    encoder: Encoder | None = None,
    embedding_text: EmbeddingText = embedding_text,
) -> BuildReport:
    """Index every passage of the store; skip when nothing changed since the current index.

    Args:
        store: the passages to index.
        settings: the workspace (where the index goes) and the index settings.
        force: build even when the store, encoder and tokenizer are those of the current index.
        progress: called with ``(stage, done, total)`` while embedding and indexing.
        encoder: the encoder that ``settings.encoder`` names, when the caller holds it already
            (a benchmark timing it, a test counting its calls); loaded by name otherwise.
        embedding_text: what each passage is embedded as (the search ablation tries others). The
            fingerprint does not record it: build another one with ``force``.
    """
    from policyscope.index.encoders import get_encoder, package_version
    from policyscope.index.keywords import KeywordIndex, TokenRows
    from policyscope.index.vectors import VectorFile, VectorIndex
    from policyscope.nlp.tokens import BilingualTokenizer

    if settings.backend != "faiss":
        from policyscope.index.backends import get_backend

        return get_backend(settings.backend).build(
            store, settings, force=force, progress=progress, encoder=encoder, embedding_text=embedding_text
        )
    started = time.perf_counter()
    root = settings.index_root
    root.mkdir(parents=True, exist_ok=True)
    tokenizer = BilingualTokenizer()
    fingerprint = build_fingerprint(store, settings, tokenizer)
    current = current_index_dir(root)
    if current is not None and not force:
        try:
            manifest = read_manifest(current)
            if manifest.get("fingerprint") == fingerprint:
                damage = verify_index_files(current, manifest)
                if not damage:
                    n = manifest["counts"]["passages"]
                    return BuildReport(current, n, 0, True, time.perf_counter() - started)
                log.warning("%s: %s; rebuilding it", current, damage)
        except IndexMismatchError:
            pass

    if encoder is None:
        encoder = get_encoder(settings.encoder, device=settings.device)
    # Bounded memory at any corpus size: one pass over the passages in batches embeds them (vectors
    # spilled to a temporary file), keeps their BM25 tokens as ids and their filter columns as
    # arrays; then BM25 and the vector index are built and written one after the other.
    with VectorFile(int(encoder.dim), directory=root) as spill:
        collected = collect_passages(store, settings, encoder, tokenizer, spill, embedding_text, progress)
        columns = collected.columns
        n = len(columns["ids"])
        manifest = base_manifest(fingerprint, columns, collected.embedded, tokenizer, encoder.info())
        manifest["versions"] = {p: package_version(p) for p in ("faiss-cpu", "bm25s", "jieba", "numpy")}

        def write(tmp: Path) -> None:
            columns.clear()  # columns.npz is written: its arrays need not wait through the two builds
            if progress:
                progress("keywords", 0, n)
            keywords = KeywordIndex.build(collected.tokens)
            collected.tokens = TokenRows()
            keywords.save(tmp / "bm25")
            manifest["keywords"] = keywords.info()
            del keywords
            if progress:
                progress("keywords", n, n)
                progress("vectors", 0, n)
            vindex = VectorIndex.build(spill, ann_threshold=settings.ann_threshold)
            vindex.save(tmp / "vectors")
            manifest["vectors"] = vindex.info()
            if progress:
                progress("vectors", n, n)

        final = write_index_dir(root, columns, manifest, write)
    point_to(root, final, current)
    return BuildReport(final, n, collected.embedded, False, time.perf_counter() - started)


def build_fingerprint(store: Store, settings: Settings, tokenizer: Any, **extra: Any) -> str:
    """What an index was built from: a build whose fingerprint matches the current index's is skipped."""
    return json.dumps(
        {"store": store.fingerprint(), "encoder": settings.encoder, "tokenizer": tokenizer.settings(),
         "ann_threshold": settings.ann_threshold, "schema": MANIFEST_SCHEMA, **extra},
        sort_keys=True, ensure_ascii=False,
    )


@dataclass
class Collected:
    """What :func:`collect_passages` gathered: the filter columns, BM25 token ids, vectors encoded now."""

    columns: ColumnParts
    tokens: TokenRows
    embedded: int


def collect_passages(
    store: Store, settings: Settings, encoder: Encoder, tokenizer: Any, spill: VectorFile,
    embedding_text: EmbeddingText = embedding_text, progress: Progress | None = None,
    batch: int | None = None,
) -> Collected:
    """Read the store's passages ``batch`` at a time: embed each batch through the cache into
    ``spill``, keep its BM25 tokens as ids and its filter columns as arrays. Memory holds one batch of
    rows, not the corpus (``batch``, default :data:`BUILD_BATCH`); ``embed`` progress counts passages."""
    from policyscope.index.cache import EmbeddingCache
    from policyscope.index.keywords import TokenRows

    total = store.count("passages")
    tokens = TokenRows()
    columns = ColumnParts()
    embedded = done = 0
    with EmbeddingCache(settings.cache_path) as cache:
        for rows in in_batches(store.passage_rows(), batch or BUILD_BATCH):
            planned: list[int] = []
            spill.append(cache.embed(
                encoder, [embedding_text(r) for r in rows], batch_size=settings.batch_size, planned=planned.append,
                progress=(lambda k, before=done: progress("embed", before + k, total)) if progress else None,
            ))
            embedded += planned[0]
            tokens.extend(keyword_tokens(tokenizer, rows))
            columns.add(passage_columns(store, rows))
            done += len(rows)
            if progress:
                progress("embed", done, max(total, done))
    if not done:
        columns.add(passage_columns(store, []))
    return Collected(columns, tokens, embedded)


def in_batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def keyword_tokens(tokenizer: Any, rows: list[PassageView]) -> list[list[str]]:
    """The BM25 tokens of each passage: each read by its own language's analyzer (Sudachi for Japanese,
    MeCab-ko for Korean)."""
    return tokenizer.tokenize_many([keyword_text(r) for r in rows], [r.lang for r in rows])


def base_manifest(
    fingerprint: str, columns: Mapping[str, np.ndarray], embedded: int, tokenizer: Any, encoder: dict[str, Any],
) -> dict[str, Any]:
    """The manifest entries every backend writes; the backend adds its own parts."""
    from policyscope.index.encoders import package_version

    matrix = columns["measure_matrix"]
    return {
        "schema": MANIFEST_SCHEMA,
        "policyscope": package_version("policyscope"),
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "fingerprint": fingerprint,
        "encoder": encoder,
        "tokenizer": tokenizer.settings(),
        "counts": {
            "passages": len(columns["ids"]),
            "documents": len(np.unique(columns["doc_id"])),
            "embedded_now": embedded,
            "tagged_passages": int(matrix.any(axis=1).sum()) if matrix.size else 0,
        },
    }


def write_index_dir(
    root: Path, columns: Mapping[str, np.ndarray], manifest: dict[str, Any], write: Callable[[Path], None]
) -> Path:
    """Write an index directory under a temporary name (``write`` adds the backend's files), checksum it
    into its manifest and rename it into place; the caller then points ``CURRENT`` at it."""
    tmp = root / f".tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        save_columns(tmp / "columns.npz", columns)  # first: ``write`` may then free them
        write(tmp)
        manifest["files"] = file_checksums(tmp)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        final = root / f"idx-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _point_to(root: Path, final: Path) -> None:
    write_text_atomic(root / POINTER, final.name)


def point_to(root: Path, final: Path, previous: Path | None) -> None:
    """Make ``final`` the current index and prune older ones (keeping ``previous``)."""
    _point_to(root, final)
    _prune(root, keep={final.name, previous.name if previous else ""})


def _prune(root: Path, keep: set[str]) -> None:
    """Remove old indexes and abandoned temp dirs; keep the current and the previous one."""
    for path in root.iterdir():
        if path.name in keep or path.name == POINTER:
            continue
        if path.is_dir() and (path.name.startswith("idx-") or path.name.startswith(".tmp-")):
            # A temp dir younger than an hour may belong to a concurrent build.
            if path.name.startswith(".tmp-") and time.time() - path.stat().st_mtime < 3600:
                continue
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith(f".{POINTER}."):
            path.unlink(missing_ok=True)
