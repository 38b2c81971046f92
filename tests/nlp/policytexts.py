"""The policy full texts of the shared data (``sources/policy-texts``), for tests on real text.

Six Japanese laws and ordinances (``ja_jp_*``), one Korean presidential decree (``ko_kr_*``), four
Chinese laws (``zh_cn_*``) and ten US documents (``en_us_*``), in Markdown with YAML front matter.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from tests.conftest import SHARED, require_shared

POLICY_TEXTS = SHARED / "sources" / "policy-texts"


def policy_files(prefix: str = "") -> list[Path]:
    """The files whose names start with ``prefix`` (``"ja_jp"``, ``"ko_kr"``, ``"zh_cn"``, ``"en_us"``;
    ``""`` for all 21 texts, without SOURCES.md)."""
    require_shared(POLICY_TEXTS)
    files = sorted(POLICY_TEXTS.glob(f"{prefix}_*.md" if prefix else "[a-z][a-z]_[a-z][a-z]_*.md"))
    assert files, f"no {prefix}_*.md in {POLICY_TEXTS}"
    return files


def body(path: Path) -> str:
    """The file's text after its YAML front matter."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        text = text[text.index("\n---\n", 4) + 5 :]
    return text


@lru_cache(maxsize=8)
def body_lines(prefix: str) -> tuple[str, ...]:
    """Every non-blank line of the bodies of the ``prefix`` files, stripped."""
    return tuple(line.strip() for path in policy_files(prefix) for line in body(path).splitlines() if line.strip())
