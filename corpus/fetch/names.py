"""Safe names for downloaded files: addresses checked, file names sanitised, paths kept inside their folder.

:func:`safe_filename` is the project's one sanitiser of untrusted file names (download names,
uploads).
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from pathlib import Path

from policyscope.corpus.errors import FetchError


def check_url(url: str) -> str:
    """Return ``url`` stripped if it is an absolute http(s) address, else raise ``FetchError``."""
    text = (url or "").strip()
    parts = urllib.parse.urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise FetchError(f"{text or url!r}: not an http(s) address")
    return text


def safe_filename(name: str, default: str = "download") -> str:
    """A bare file name from untrusted text: no separators, no ``..``, no control characters.

    Chinese and other letters are kept (a bilingual corpus has Chinese file names); only what a
    file system could misread is removed. ``"../../evil.pdf"`` becomes ``"evil.pdf"`` and
    ``"..\\..\\x"`` becomes ``"x"``; an empty result falls back to ``default``.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").split("/")[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = re.sub(r'[<>:"|?*]', "_", text)
    text = re.sub(r"\.{2,}", ".", text).strip(" .")
    # 255 bytes is the usual file-name limit; leave room for ".part.meta" and an added extension.
    while len(text.encode("utf-8")) > 200:
        stem, dot, ext = text.rpartition(".")
        text = f"{stem[:-1]}.{ext}" if dot and stem and len(ext) <= 10 else text[:-1]
    return text or default


def url_name(url: str) -> str:
    """The safe file name an address ends with: ``https://x.org/a/%E7%94%B5.pdf?v=1`` -> ``电.pdf``."""
    path = urllib.parse.urlsplit(url).path
    return safe_filename(urllib.parse.unquote(path.rstrip("/").rsplit("/", 1)[-1]))


def part_path(url: str, dest_dir: Path) -> Path:
    """Where ``fetch_url`` streams ``url`` before it is complete: ``<dest>/<name-from-url>.part``."""
    return Path(dest_dir) / f"{url_name(check_url(url))}.part"


def inside(dest_dir: Path, name: str) -> Path:
    """``dest_dir/name`` resolved, refused with a ``FetchError`` unless it stays directly in ``dest_dir``."""
    root = dest_dir.resolve()
    path = (root / name).resolve()
    if path.parent != root:
        raise FetchError(f"{name!r}: file name would leave {root}")
    return path
