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
#: The keyword scorers the searcher knows (``keyword_fusion``): concept scoring or summed BM25.
KEYWORD_FUSIONS: tuple[str, ...] = ("concepts", "bm25")
#: The index backends (``backend``): in-process FAISS + bm25s files, or a Milvus collection
#: (``index/backends/`` holds one module per name; a test keeps the two lists equal).
INDEX_BACKENDS: tuple[str, ...] = ("faiss", "milvus")
#: Milvus vector index types (``milvus_index``); "auto" is HNSW on a server, FLAT on Milvus Lite,
#: which builds only FLAT, IVF_FLAT and AUTOINDEX (docs/scale.md).
MILVUS_INDEX_TYPES: tuple[str, ...] = ("auto", "FLAT", "IVF_FLAT", "HNSW", "IVF_PQ", "DISKANN", "AUTOINDEX")

# Words accepted for a boolean setting, compared lowercase; anything else is refused.
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


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
    # The longest document `add` accepts, in characters; a longer one refuses its file (one line, nothing
    # stored). Measured with the hash encoder on 2 cores (docs/reliability.md): a 10.5 M-character CSV cell
    # takes 49 s end to end and peaks at 0.9 GB, one of 50 M characters 186 s and 1.7 GB (the index build
    # holds every passage's tokens); 50 M characters is ~150 MB of Chinese text as UTF-8.
    max_document_chars: int = 50_000_000
    ann_threshold: int = 200_000
    # Fusion settings tuned jointly on shared/eval/search_dev.jsonl, search_concept_dev.jsonl and
    # search_multi_dev.jsonl (built-in corpus) and benchmarks/eval/search_cclw.jsonl (built-in + CCLW)
    # with benchmarks/tune_search.py, ranked by the worst per-language MRR@10: with the 21 policy texts
    # built in, a plateau holds for rrf_k 10, semantic_weight 0.15-0.25, keyword_exponent 0.2
    # (docs/search.md).
    rrf_k: int = 10
    semantic_weight: float = 0.2
    keyword_weight: float = 1.0
    # Keyword scoring: "concepts" scores each query term once, by its best rendering in either
    # language (own words or a translation), IDF-weighted ("bm25" = the older summed BM25).
    keyword_fusion: str = "concepts"
    # ("concepts" only) A country the query names matches the passages of documents about that country
    # (their metadata) at this weight, as if they named it (0 = only passages that name it).
    keyword_field_weight: float = 1.0
    # ("concepts" only) each rendering's normalised BM25 score is raised to this power: below 1,
    # covering more of the query's concepts outweighs BM25's preference for short passages.
    # Measured on the four-language dev set with the 21 policy texts built in: 1.0 -> 0.3 lifts
    # search_dev MRR@10 0.78 -> 0.89 (list items of the Japanese laws crowded out paragraphs);
    # 0.3 -> 0.2 (with semantic_weight 0.3 -> 0.2) lifts CCLW 0.88 -> 0.92 and Korean queries 0.35 -> 0.58.
    keyword_exponent: float = 0.2
    # ("concepts" only) a country the query names multiplies the topic score of the passages that
    # match it by (1 + boost) / 1 and of those that do not by 1 / (1 + boost).
    keyword_country_boost: float = 1.0
    # ("concepts" only) an amount the query names (7億ドル, "$700 million", 87%) weighs this many times
    # its IDF. Measured: 1 -> 2 lifts Japanese queries of search_multi_dev 0.56 -> 1.00 (a query for
    # "7億ドル" found generic investment passages first) and changes no other dev or CCLW query.
    keyword_amount_weight: float = 2.0
    # IDF weights for concepts ("concepts"), coverage normalisation per side ("bm25").
    keyword_normalize: bool = True
    exact_weight: float = 1.0
    # Weight of a translated rendering against the query's own words: English→Chinese glosses are
    # precise domain terms; Chinese→English CC-CEDICT glosses are many and loose. ("concepts") It
    # multiplies a whole rendering's normalised score before flattening (keyword_exponent), so a
    # full translated match gets 3 ** 0.2 = 1.25 and a weak one stays below a strong own-word match;
    # 3-5 is a plateau on the dev sets.
    translation_weight_en: float = 3.0
    translation_weight_zh: float = 0.7
    # Japanese and Korean queries: flat on the dev sets from 0.7 to 3 (their queries all have answers
    # in another language); 1.0 lets a query's own-language passages compete with translated ones.
    translation_weight_ja: float = 1.0
    translation_weight_ko: float = 1.0
    # ("bm25" only) each query term's translation counts once: the best of its glosses, not their sum.
    translation_concept_max: bool = True
    # Off switch for dictionary translation (the ablation's "- translation" row).
    translation_enabled: bool = True
    # RRF weight of a second vector-search list: the query's dictionary translation, embedded.
    # Measured: no gain on either dev set, one more embedding per query, so off.
    semantic_translation_weight: float = 0.0
    batch_size: int = 32
    # Results of this many recent searches are kept (0: none); see ``Searcher.search``.
    search_cache_size: int = 256
    fetch_timeout: float = 30.0
    fetch_max_bytes: int = 50 * 1024 * 1024
    fetch_retries: int = 3
    # Where the index lives: "faiss" (files in the workspace) or "milvus" (a collection; docs/scale.md).
    backend: str = "faiss"
    # Milvus: a file path ending in .db runs Milvus Lite in-process; http(s)://host:19530 is a server or
    # cluster. Empty: <home>/milvus.db.
    milvus_uri: str = ""
    milvus_index: str = "auto"

    def __post_init__(self) -> None:
        """Refuse values no search or build could use, naming the setting (at load, not mid-build)."""
        if self.keyword_fusion not in KEYWORD_FUSIONS:
            raise ConfigError(
                f"setting keyword_fusion={self.keyword_fusion!r}: expected one of {', '.join(KEYWORD_FUSIONS)}"
            )
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
                raise ConfigError(f"setting {f.name}={value!r}: expected a number >= 0")
        for name in ("rrf_k", "batch_size", "min_passage_chars"):
            if getattr(self, name) < 1:
                raise ConfigError(f"setting {name}={getattr(self, name)!r}: expected a whole number >= 1")
        if self.backend not in INDEX_BACKENDS:
            raise ConfigError(f"setting backend={self.backend!r}: expected one of {', '.join(INDEX_BACKENDS)}")
        if self.milvus_index not in MILVUS_INDEX_TYPES:
            raise ConfigError(
                f"setting milvus_index={self.milvus_index!r}: expected one of {', '.join(MILVUS_INDEX_TYPES)}"
            )
        uri = self.milvus_uri
        if "://" in uri and not uri.startswith(("http://", "https://", "tcp://")):
            raise ConfigError(f"setting milvus_uri={uri!r}: expected http(s)://host:port or a file path ending in .db")
        if uri and "://" not in uri and not uri.endswith(".db"):
            raise ConfigError(f"setting milvus_uri={uri!r}: a Milvus Lite file must end in .db (e.g. {uri}/milvus.db)")
        if self.max_passage_chars <= self.min_passage_chars:
            raise ConfigError(
                f"setting max_passage_chars={self.max_passage_chars!r}: expected more than "
                f"min_passage_chars ({self.min_passage_chars})"
            )

    @property
    def store_path(self) -> Path:
        return self.home / "policyscope.sqlite"

    @property
    def cache_path(self) -> Path:
        return self.home / "cache" / "embeddings.sqlite"

    @property
    def milvus_target(self) -> str:
        """The Milvus URI to use: ``milvus_uri``, else the Milvus Lite file ``<home>/milvus.db``."""
        return self.milvus_uri or str(self.home / "milvus.db")

    @property
    def index_root(self) -> Path:
        return self.home / "indexes"

    @property
    def downloads(self) -> Path:
        return self.home / "downloads"

    @classmethod
    def load(cls, home: str | Path | None = None, **overrides: Any) -> Settings:
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
            if kind is bool:
                typed[name] = _parse_bool(name, value)
                continue
            try:
                typed[name] = kind(value)
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"setting {name}={value!r}: expected {kind.__name__}") from exc
        return replace(cls(home=root), **typed)


def _parse_bool(name: str, value: Any) -> bool:
    """A boolean setting from TOML (``false``), the environment (``"off"``) or a caller (``False``).

    ``bool("false")`` is True, so strings are read as words: true/false, 1/0, yes/no, on/off in any
    case; the integers 1 and 0 count as their words.

    Raises:
        ConfigError: any other value, naming the setting.
    """
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower() if isinstance(value, str | int) else None
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ConfigError(f"setting {name}={value!r}: expected a boolean (true/false, 1/0, yes/no, on/off)")
