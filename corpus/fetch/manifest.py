"""Fetching catalog entries, with a manifest of what was fetched.

Each entry's addresses are tried in order; every success is recorded in ``<dest>/fetch.json``, so a
second run reuses finished files (still present, same checksum) instead of downloading them again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from policyscope.corpus.atomic import write_json_atomic
from policyscope.corpus.errors import FetchError
from policyscope.corpus.fetch.download import FetchResult, NetworkUnreachableError, fetch_url, file_sha256
from policyscope.corpus.fetch.names import check_url, safe_filename

log = logging.getLogger(__name__)

MANIFEST_NAME = "fetch.json"
# The keyword arguments of fetch_url that fetch_entries passes on.
_FETCH_OPTIONS = frozenset({"timeout", "max_bytes", "retries", "progress", "user_agent", "backoff"})


@dataclass(frozen=True)
class FetchOutcome:
    """What happened to one catalog entry: a result, or a one-line error joining every address tried."""

    entry_id: str
    result: FetchResult | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.result is not None


def load_manifest(dest_dir: Path) -> dict[str, dict[str, Any]]:
    """``dest_dir/fetch.json``: entry id -> {url, file, sha256, bytes, content_type, fetched_at}.

    ``file`` is relative to ``dest_dir`` (posix separators). A missing or unreadable manifest is empty.
    """
    path = Path(dest_dir) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable %s: %s", path, exc)
        return {}
    return data if isinstance(data, dict) else {}


def _save_manifest(dest_dir: Path, manifest: dict[str, dict[str, Any]]) -> None:
    # A crash leaves the previous manifest intact.
    write_json_atomic(Path(dest_dir) / MANIFEST_NAME, manifest, sort_keys=True)


def _reuse(dest_dir: Path, record: dict[str, Any] | None, urls: Sequence[str]) -> FetchResult | None:
    """The file a previous run recorded for one of ``urls``, if it is still there and intact."""
    if not record or not ({record.get("url"), record.get("source_url")} & set(urls)):
        return None
    root = Path(dest_dir).resolve()
    path = (root / str(record.get("file", ""))).resolve()
    if not path.is_relative_to(root) or not path.is_file() or file_sha256(path) != record.get("sha256"):
        return None
    return FetchResult(
        str(record["url"]),
        path,
        str(record["sha256"]),
        str(record.get("content_type", "")),
        path.stat().st_size,
        resumed=False,
        reused=True,
    )


def fetch_entries(
    entries: Sequence[Any],
    dest_dir: Path,
    *,
    force: bool = False,
    **kwargs: Any,
) -> list[FetchOutcome]:
    """Fetch every entry (anything with ``.id`` and ``.urls``) into ``dest_dir/<entry id>/``.

    Each entry's addresses are tried in order until one works; an optional ``.sha256`` attribute is
    checked. Files recorded in ``dest_dir/fetch.json`` that are still present with the recorded
    checksum are returned with ``reused=True`` and not downloaded again (unless ``force``). The
    manifest is rewritten atomically after every success.

    If the very first network attempt finds no network, the ``NetworkUnreachableError`` is raised
    at once: nothing has been written. Later failures become per-entry errors.

    Args:
        entries: catalog entries.
        dest_dir: downloads directory (``Settings.downloads``).
        force: download again even when the manifest has the file.
        **kwargs: passed to ``fetch_url``: timeout, max_bytes, retries, progress, user_agent, backoff.
    """
    unknown = sorted(set(kwargs) - _FETCH_OPTIONS)
    if unknown:
        raise TypeError(f"unknown fetch option(s) {unknown}; available: {sorted(_FETCH_OPTIONS)}")
    dest_dir = Path(dest_dir)
    manifest = load_manifest(dest_dir)
    outcomes: list[FetchOutcome] = []
    first_network_attempt = True
    for entry in entries:
        entry_id = str(entry.id)
        urls = tuple(u for u in (getattr(entry, "urls", None) or ()) if u and str(u).strip())
        if not urls:
            outcomes.append(FetchOutcome(entry_id, None, "no official address known"))
            continue
        reused = None if force else _reuse(dest_dir, manifest.get(entry_id), urls)
        if reused is not None:
            outcomes.append(FetchOutcome(entry_id, reused, None))
            continue
        errors: list[str] = []
        result: FetchResult | None = None
        for url in urls:
            try:
                url = check_url(url)
            except FetchError as exc:
                errors.append(str(exc))
                continue
            try:
                result = fetch_url(
                    url,
                    dest_dir / safe_filename(entry_id, default="entry"),
                    expected_sha256=getattr(entry, "sha256", None) or None,
                    **kwargs,
                )
            except NetworkUnreachableError as exc:
                if first_network_attempt:
                    raise
                errors.append(str(exc))
            except FetchError as exc:
                errors.append(str(exc))
            first_network_attempt = False
            if result is not None:
                break
        if result is None:
            outcomes.append(FetchOutcome(entry_id, None, "; ".join(errors)))
            continue
        manifest[entry_id] = {
            "url": result.url,
            "source_url": url,
            "file": result.path.relative_to(dest_dir.resolve()).as_posix(),
            "sha256": result.sha256,
            "bytes": result.bytes,
            "content_type": result.content_type,
            "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        _save_manifest(dest_dir, manifest)
        outcomes.append(FetchOutcome(entry_id, result, None))
    return outcomes
