"""Downloading one address: streamed to ``<dest>/<name>.part``, resumed, retried, verified, renamed.

Retries follow urllib3's ``Retry`` policy (:func:`retry_policy`); the transport stays urllib's, so
redirects, byte ranges and size limits are checked here on every hop and every chunk.

Every failure is a ``FetchError`` whose message is one line naming the address, e.g.
``https://example.org/a.png: unsupported content type 'image/png'``. When every try failed before
a connection was made (DNS failure, connection refused, network unreachable) the error is
``NetworkUnreachableError("network unreachable: ...")``.
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import json
import logging
import os
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policyscope.corpus.errors import FetchError
from policyscope.corpus.fetch.names import check_url, inside, part_path, safe_filename, url_name
from urllib3.exceptions import InvalidHeader, MaxRetryError
from urllib3.util.retry import Retry

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Content type -> extensions a file of that type may already carry; the first is added when missing.
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "application/x-pdf": (".pdf",),
    "text/html": (".html", ".htm", ".xhtml"),
    "application/xhtml+xml": (".xhtml", ".html", ".htm"),
    "text/plain": (".txt", ".text"),
    DOCX_TYPE: (".docx",),
}
# Generic binary types some servers (S3, ASP.NET download handlers) send for documents: accepted only
# when the address or Content-Disposition names a .pdf/.docx, and the first bytes must agree.
GENERIC_BINARY_TYPES = frozenset(
    {"application/octet-stream", "binary/octet-stream", "application/force-download"}
)
BINARY_SUFFIXES = (".pdf", ".docx")

# 5xx, and 408 and 429: client-side codes but transient by definition; every other 4xx is final
# (except 413 with a Retry-After, which urllib3's Retry counts as transient too).
RETRY_STATUSES = frozenset({408, 429, *range(500, 600)})
#: No wait between tries, backoff or Retry-After, is longer than this many seconds.
MAX_BACKOFF = 30.0
CHUNK = 64 * 1024
_UNREACHABLE_ERRNOS = frozenset(
    {errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN}
)


class NetworkUnreachableError(FetchError):
    """No network: every try failed before a connection was made (DNS, refused, unreachable)."""


@dataclass(frozen=True)
class FetchResult:
    """A downloaded, verified file. ``reused`` is True when a previous run's file was kept."""

    url: str
    path: Path
    sha256: str
    content_type: str
    bytes: int
    resumed: bool
    reused: bool = False


class _Retry(Exception):
    """A transient failure of one attempt; ``unreachable`` marks failures before any connection."""

    def __init__(self, message: str, *, unreachable: bool = False, delay: float | None = None):
        super().__init__(message)
        self.unreachable = unreachable
        self.delay = delay


class _RangeRefused(Exception):
    """The server will not serve the rest of our ``.part`` (HTTP 416): start over without it."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand every 3xx back to ``_open`` so the scheme check and the hop limit live in one place."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[override]
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _final_name(url: str, final_url: str, disposition_name: str | None, content_type: str) -> str:
    """The Content-Disposition name, else the last path segment; the type's extension added if missing."""
    name = safe_filename(disposition_name) if disposition_name else url_name(final_url)
    if name == "download" and not disposition_name:
        name = url_name(url)
    wanted = ALLOWED_TYPES.get(content_type)
    if wanted and not name.lower().endswith(wanted):
        name += wanted[0]
    return name


def fetch_url(
    url: str,
    dest_dir: Path,
    *,
    timeout: float = 30.0,
    max_bytes: int = 50 * 1024 * 1024,
    retries: int = 3,
    expected_sha256: str | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    user_agent: str = "policyscope/0.1",
    backoff: float = 0.5,
) -> FetchResult:
    """Download ``url`` into ``dest_dir`` and return the verified file.

    Transient failures (connection errors, timeouts, 5xx, 408, 429) are retried ``retries`` times on
    the schedule of urllib3's ``Retry``: the second try at once, then ``backoff * 2**n`` seconds,
    at most 30 s; a ``Retry-After`` header, in seconds or as an HTTP date, is honoured up to 30 s.
    A partial ``.part`` left by a failed try is resumed with ``Range: bytes=N-``. Other 4xx, a
    refused redirect, an unsupported content type, the size cap and a checksum mismatch fail at once.

    Args:
        url: an http or https address.
        dest_dir: directory for the file; created only once a server has answered with content.
        timeout: seconds for connecting and for each read.
        max_bytes: refuse larger files, by ``Content-Length`` or while streaming.
        retries: extra tries after the first.
        expected_sha256: hex digest the file must have; on mismatch the file is removed.
        progress: called as ``progress(bytes_so_far, total_or_None)``.
        user_agent: the ``User-Agent`` header.
        backoff: base delay in seconds between tries.

    Raises:
        NetworkUnreachableError: every try failed before connecting.
        FetchError: anything else; the message names the address.
    """
    url = check_url(url)
    if timeout <= 0 or max_bytes <= 0 or retries < 0 or backoff < 0:
        raise ValueError("timeout and max_bytes must be > 0, retries and backoff >= 0")
    if expected_sha256 is not None:
        expected_sha256 = expected_sha256.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{64}", expected_sha256):
            raise ValueError(f"expected_sha256 {expected_sha256!r} is not a sha256 hex digest")
    dest_dir = Path(dest_dir)
    policy = retry_policy(retries, backoff)
    options = _Options(timeout, max_bytes, expected_sha256, progress, user_agent, policy)
    failures: list[_Retry] = []
    while True:
        try:
            return _attempt(url, dest_dir, options)
        except _Retry as exc:
            failures.append(exc)
            log.info("fetch %s: try %d of %d failed: %s", url, len(failures), retries + 1, exc)
            try:
                policy = policy.increment("GET", url, error=exc)
            except MaxRetryError:
                break
            delay = policy.get_backoff_time()
            if exc.delay is not None:
                delay = max(delay, exc.delay)
            time.sleep(delay)
    last = failures[-1]
    if all(f.unreachable for f in failures):
        raise NetworkUnreachableError(f"network unreachable: {last}")
    tries = f"{len(failures)} tries" if len(failures) > 1 else "1 try"
    raise FetchError(f"{url}: {last} (after {tries})")


def retry_policy(retries: int, backoff: float) -> Retry:
    """urllib3's ``Retry`` as ``fetch_url`` uses it: ``retries`` tries after the first, for GET only.

    It counts the tries, gives the wait before the next one (``get_backoff_time``: 0, then
    ``backoff * 2**n`` up to ``MAX_BACKOFF``), says which statuses are worth another try
    (``is_retry``: 408, 429, 5xx) and reads ``Retry-After`` in both its forms (``parse_retry_after``:
    ``"120"`` or ``"Wed, 21 Oct 2026 07:28:00 GMT"``). Redirects are not its business: ``_open``
    follows them by hand to check every target's scheme.
    """
    return Retry(
        total=retries,
        redirect=False,
        allowed_methods=frozenset({"GET"}),
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff,
        backoff_max=MAX_BACKOFF,
        raise_on_status=False,
        respect_retry_after_header=True,
    )


@dataclass(frozen=True)
class _Options:
    timeout: float
    max_bytes: int
    expected_sha256: str | None
    progress: Callable[[int, int | None], None] | None
    user_agent: str
    retry: Retry


def _attempt(url: str, dest_dir: Path, opt: _Options) -> FetchResult:
    part = part_path(url, dest_dir)
    meta_path = part.with_name(part.name + ".meta")
    offset, validator = _resume_point(part, meta_path, url)
    headers = {
        "User-Agent": opt.user_agent,
        "Accept": f"application/pdf, text/html, application/xhtml+xml, text/plain, {DOCX_TYPE}, */*;q=0.1",
        # Byte ranges and sizes must refer to the bytes on disk, not to a compressed stream.
        "Accept-Encoding": "identity",
    }
    if offset:
        headers["Range"] = f"bytes={offset}-"
        if validator:
            headers["If-Range"] = validator
    try:
        resp, final_url = _open(url, headers, opt.timeout, opt.retry)
    except _RangeRefused:
        if not offset:
            raise _Retry("HTTP 416 without a Range request") from None
        remove_files(part, meta_path)
        return _attempt(url, dest_dir, opt)
    with resp:
        if resp.status == 206 and offset and _range_start(resp.headers.get("Content-Range")) == offset:
            resumed = True
        elif resp.status == 206:
            # A range we did not ask for cannot be appended; drop the part and start clean next try.
            remove_files(part, meta_path)
            raise _Retry(f"server answered an unexpected range {resp.headers.get('Content-Range')!r}")
        else:
            resumed, offset = False, 0
        content_type = _content_type(resp.headers.get("Content-Type"))
        disposition = resp.headers.get_filename()
        _check_type(url, final_url, disposition, content_type)
        length = _int(resp.headers.get("Content-Length"))
        total = offset + length if length is not None else None
        if total is not None and total > opt.max_bytes:
            remove_files(part, meta_path)
            raise FetchError(f"{url}: file is {total} bytes, over the limit of {opt.max_bytes}")
        dest_dir.mkdir(parents=True, exist_ok=True)
        _write_meta(meta_path, url, resp.headers)
        done = _stream(resp, part, offset, total, url, opt, meta_path)
    if length is not None and done < total:  # type: ignore[operator]
        raise _Retry(f"connection closed after {done} of {total} bytes")
    name = _final_name(url, final_url, disposition, content_type)
    final = inside(dest_dir, name)
    if content_type not in ALLOWED_TYPES:
        _check_magic(url, part, final.suffix.lower(), meta_path)
    digest = file_sha256(part)
    if opt.expected_sha256 and digest != opt.expected_sha256:
        remove_files(part, meta_path)
        raise FetchError(f"{url}: checksum mismatch: got sha256 {digest}, expected {opt.expected_sha256}")
    os.replace(part, final)
    remove_files(meta_path)
    return FetchResult(final_url, final, digest, content_type, final.stat().st_size, resumed)


def _open(
    url: str, headers: dict[str, str], timeout: float, policy: Retry
) -> tuple[http.client.HTTPResponse, str]:
    """Open ``url`` following at most ``MAX_REDIRECTS`` http(s) redirects; map errors to our kinds."""
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        request = urllib.request.Request(current, headers=headers)
        try:
            return _OPENER.open(request, timeout=timeout), current
        except urllib.error.HTTPError as exc:
            status, location, retry_after = (
                exc.code,
                exc.headers.get("Location"),
                exc.headers.get("Retry-After"),
            )
            exc.close()
            if status in (301, 302, 303, 307, 308) and location:
                target = urllib.parse.urljoin(current, location.strip())
                if urllib.parse.urlsplit(target).scheme.lower() not in ("http", "https"):
                    raise FetchError(f"{url}: redirect to {target!r} refused (only http and https)") from None
                current = target
                continue
            if status == 416:
                raise _RangeRefused(f"HTTP 416 {exc.reason}") from None
            message = f"HTTP {status} {exc.reason}".strip()
            if policy.is_retry("GET", status, has_retry_after=retry_after is not None):
                raise _Retry(message, delay=_retry_after(policy, retry_after)) from None
            raise FetchError(f"{url}: {message}") from None
        except urllib.error.URLError as exc:
            raise _classify(current, exc.reason) from None
        except (OSError, http.client.HTTPException) as exc:
            raise _classify(current, exc) from None
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _classify(url: str, reason: object) -> Exception:
    host = urllib.parse.urlsplit(url).netloc
    if isinstance(reason, ssl.SSLError | ssl.CertificateError):
        return FetchError(f"{url}: TLS error: {reason}")
    if isinstance(reason, TimeoutError):
        return _Retry("timed out")
    if isinstance(reason, socket.gaierror):
        return _Retry(f"cannot resolve {host} ({reason})", unreachable=True)
    if isinstance(reason, OSError) and reason.errno in _UNREACHABLE_ERRNOS:
        return _Retry(f"cannot connect to {host} ({reason})", unreachable=True)
    return _Retry(f"connection error: {reason}")


def _stream(
    resp: http.client.HTTPResponse,
    part: Path,
    offset: int,
    total: int | None,
    url: str,
    opt: _Options,
    meta_path: Path,
) -> int:
    done = offset
    if opt.progress:
        opt.progress(done, total)
    with open(part, "ab" if offset else "wb") as out:
        while True:
            try:
                chunk = resp.read(CHUNK)
            except TimeoutError:
                raise _Retry(f"timed out after {done} bytes") from None
            except (OSError, http.client.HTTPException) as exc:
                raise _Retry(f"connection broken after {done} bytes: {exc!r}") from None
            if not chunk:
                break
            done += len(chunk)
            if done > opt.max_bytes:
                out.close()
                remove_files(part, meta_path)
                raise FetchError(f"{url}: download exceeded the limit of {opt.max_bytes} bytes")
            out.write(chunk)
            if opt.progress:
                opt.progress(done, total)
    return done


def _resume_point(part: Path, meta_path: Path, url: str) -> tuple[int, str | None]:
    """Bytes already on disk for ``url`` and the validator for ``If-Range``.

    A ``.part`` written for another address with the same file name is discarded rather than
    appended to; a ``.part`` without metadata (copied in by hand) is trusted.
    """
    if not part.is_file():
        return 0, None
    meta: dict[str, Any] = {}
    if meta_path.is_file():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        if meta.get("url") != url:
            remove_files(part, meta_path)
            return 0, None
    etag = meta.get("etag") or ""
    validator = etag if etag and not etag.startswith("W/") else meta.get("last_modified")
    return part.stat().st_size, validator or None


def _write_meta(meta_path: Path, url: str, headers: Any) -> None:
    meta = {"url": url, "etag": headers.get("ETag"), "last_modified": headers.get("Last-Modified")}
    meta_path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def _check_type(url: str, final_url: str, disposition: str | None, content_type: str) -> None:
    if content_type in ALLOWED_TYPES:
        return
    if content_type in GENERIC_BINARY_TYPES or not content_type:
        names = [urllib.parse.urlsplit(u).path.lower() for u in (url, final_url)]
        names.append((disposition or "").lower())
        if any(n.endswith(BINARY_SUFFIXES) for n in names):
            return
    raise FetchError(f"{url}: unsupported content type {content_type or '(none)'!r}")


def _check_magic(url: str, part: Path, suffix: str, meta_path: Path) -> None:
    """A generic binary answer must really be the PDF or DOCX its name promises."""
    with open(part, "rb") as fh:
        head = fh.read(1024)
    ok = b"%PDF-" in head if suffix == ".pdf" else head.startswith(b"PK\x03\x04")
    if not ok:
        remove_files(part, meta_path)
        raise FetchError(f"{url}: served as a generic binary but is not a {suffix} file")


def _content_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def _range_start(value: str | None) -> int | None:
    match = re.match(r"\s*bytes\s+(\d+)-", value or "")
    return int(match.group(1)) if match else None


def _retry_after(policy: Retry, value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (seconds or an HTTP date), at most ``MAX_BACKOFF``."""
    if value is None:
        return None
    try:
        return min(policy.parse_retry_after(value), MAX_BACKOFF)
    except InvalidHeader:
        return None  # unreadable: the backoff schedule decides


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip()) if value is not None else None
    except ValueError:
        return None


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read 1 MiB at a time."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            h.update(block)
    return h.hexdigest()


def remove_files(*paths: Path) -> None:
    """Delete ``paths``; one already gone is not an error."""
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
