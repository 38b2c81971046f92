"""One settings object: defaults, then ``<home>/policyscope.toml``, then ``POLICYSCOPE_*`` env vars.

Nothing reads the environment at import time; the CLI builds a ``Settings`` and passes it down.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError

DEFAULT_ENCODER = "use"


def default_home() -> Path:
    """The workspace directory: ``$POLICYSCOPE_HOME`` or the user data dir (XDG)."""
    env = os.environ.get("POLICYSCOPE_HOME")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "policyscope"


@dataclass(frozen=True)
class Settings:
    """Every tunable of the pipeline, with the defaults measured on the dev sets."""

    home: Path
    encoder: str = DEFAULT_ENCODER
    device: str = "cpu"
    max_passage_chars: int = 400
    min_passage_chars: int = 20
    ann_threshold: int = 200_000
    # Fusion settings tuned on shared/eval/search_dev.jsonl (benchmarks/tune_search.py): small RRF k
    # favours the top of each list; the keyword side (with translation) carries cross-lingual queries.
    rrf_k: int = 10
    semantic_weight: float = 0.3
    keyword_weight: float = 1.0
    # BM25 weight of a query's dictionary translation: English→Chinese glosses are precise
    # domain terms; Chinese→English CC-CEDICT glosses are many and loose (tuned on dev).
    keyword_normalize: bool = True
    exact_weight: float = 1.0
    translation_weight_en: float = 2.0
    translation_weight_zh: float = 0.5
    batch_size: int = 32
    fetch_timeout: float = 30.0
    fetch_max_bytes: int = 50 * 1024 * 1024
    fetch_retries: int = 3

    @property
    def store_path(self) -> Path:
        return self.home / "policyscope.sqlite"

    @property
    def cache_path(self) -> Path:
        return self.home / "cache" / "embeddings.sqlite"

    @property
    def index_root(self) -> Path:
        return self.home / "indexes"

    @property
    def downloads(self) -> Path:
        return self.home / "downloads"

    @classmethod
    def load(cls, home: str | Path | None = None, **overrides: Any) -> "Settings":
        """Defaults < ``home/policyscope.toml`` < ``POLICYSCOPE_<NAME>`` env < explicit overrides."""
        root = Path(home).expanduser() if home else default_home()
        values: dict[str, Any] = {}
        toml_path = root / "policyscope.toml"
        if toml_path.is_file():
            try:
                values.update(tomllib.loads(toml_path.read_text(encoding="utf-8")))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{toml_path}: {exc}") from exc
        known = {f.name: f for f in fields(cls) if f.name != "home"}
        for name in known:
            env = os.environ.get(f"POLICYSCOPE_{name.upper()}")
            if env is not None:
                values[name] = env
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ConfigError(f"unknown setting(s) {unknown}; available: {sorted(known)}")
        typed: dict[str, Any] = {}
        for name, value in values.items():
            kind = type(getattr(cls, name))
            try:
                typed[name] = kind(value)
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"setting {name}={value!r}: expected {kind.__name__}") from exc
        return replace(cls(home=root), **typed)
