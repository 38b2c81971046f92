"""How much does dictionary query translation help plain BM25 on the dev queries?

Standalone probe, independent of the index: the seed paper is cut into sentences (Word bookmarks
stripped, then ``nlp.sentences.split_sentences(text, "zh")``: after 。！？； and at newlines), indexed
with bm25s over lowercase jieba search-mode tokens, and every query of ``search_dev.jsonl`` is run
twice:

* ``raw``        — the query's own tokens;
* ``translated`` — an English query searched with its Chinese side (``Expansion.text_zh``), a Chinese
  query with itself plus its English side.

Relevance is ``index.evaluate.is_relevant`` (``/work/shared/eval/README.md``): a sentence is relevant
when it contains one of the alternatives (a string, or a list of strings that must all occur), all
whitespace removed.

Usage::

    python benchmarks/translate_probe.py [--dev PATH] [--seed PATH] [--glossary TSV] [--show-misses]
"""

from __future__ import annotations

import argparse
import logging
import math
import re
import sys
import time
from pathlib import Path

import bm25s
import jieba
from policyscope.index.evaluate import is_relevant, load_queries
from policyscope.nlp.sentences import split_sentences
from policyscope.nlp.translate import QueryTranslator

DEV = Path("/work/shared/eval/search_dev.jsonl")
SEED = Path("/work/shared/seed/battery-supply-chain-paper.txt")
K = 10

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_WORDLIKE = re.compile(r"\w")


def sentences(text: str) -> list[str]:
    text = _BOOKMARK.sub("", text)
    return [text[start:end] for start, end in split_sentences(text, "zh")]


def tokenize(text: str) -> list[str]:
    return [
        t for t in (tok.strip().lower() for tok in jieba.lcut_for_search(text)) if t and _WORDLIKE.search(t)
    ]


def metrics(ranked: list[int], relevant: set[int]) -> dict[str, float]:
    first = next((i for i, d in enumerate(ranked[:K]) if d in relevant), None)
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranked[:K]) if d in relevant)
    idcg = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), K)))
    return {
        "R@1": float(first is not None and first < 1),
        "R@5": float(first is not None and first < 5),
        "R@10": float(first is not None),
        "MRR@10": 1 / (first + 1) if first is not None else 0.0,
        "nDCG@10": dcg / idcg if idcg else 0.0,
    }


def search(retriever: bm25s.BM25, tokens: list[str], n_docs: int) -> list[int]:
    if not tokens:
        return []
    docs, scores = retriever.retrieve([tokens], k=min(K, n_docs), show_progress=False)
    # bm25s fills k slots even when nothing matches; a zero score is not a hit.
    return [int(d) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dev", type=Path, default=DEV)
    ap.add_argument("--seed", type=Path, default=SEED)
    ap.add_argument("--glossary", type=Path, default=None, help="glossary TSV instead of the packaged one")
    ap.add_argument("--show-misses", action="store_true", help="print queries the translation run misses")
    args = ap.parse_args(argv)
    jieba.setLogLevel(logging.WARNING)

    passages = sentences(args.seed.read_text(encoding="utf-8"))
    retriever = bm25s.BM25()
    retriever.index([tokenize(p) or [""] for p in passages], show_progress=False)
    queries = load_queries(args.dev)

    translator = QueryTranslator(args.glossary)
    t0 = time.perf_counter()
    translator.expand("warm up")
    load_s = time.perf_counter() - t0

    runs: dict[str, list[tuple[str, dict[str, float]]]] = {"raw": [], "translated": []}
    expand_s = 0.0
    for q in queries:
        relevant = {i for i, p in enumerate(passages) if is_relevant(p, q.relevant)}
        if not relevant:
            print(f"warning: {q.id} has no relevant sentence in the seed paper", file=sys.stderr)
        t0 = time.perf_counter()
        exp = translator.expand(q.query)
        expand_s += time.perf_counter() - t0
        side = exp.text_zh if exp.source_lang == "en" else f"{exp.text_zh} {exp.text_en}"
        raw_rank = search(retriever, tokenize(q.query), len(passages))
        tr_rank = search(retriever, tokenize(side), len(passages))
        runs["raw"].append((q.lang, metrics(raw_rank, relevant)))
        runs["translated"].append((q.lang, metrics(tr_rank, relevant)))
        if args.show_misses and runs["translated"][-1][1]["MRR@10"] < 1:
            got = next((r + 1 for r, d in enumerate(tr_rank) if d in relevant), None)
            print(f"{q.id} rank={got} {q.query!r}\n    -> {side}")
            if tr_rank:
                print(f"    top: {passages[tr_rank[0]][:80]}")

    names = ["R@1", "R@5", "R@10", "MRR@10", "nDCG@10"]
    print(
        f"\n{len(passages)} sentences, {len(queries)} queries; translator load {load_s:.1f} s, "
        f"{1000 * expand_s / max(len(queries), 1):.1f} ms/query\n"
    )
    print(f"{'run':<12}{'lang':<6}{'n':>4}  " + "".join(f"{n:>9}" for n in names))
    for run, rows in runs.items():
        for lang in ("all", "en", "zh"):
            sel = [m for lg, m in rows if lang == "all" or lg == lang]
            if not sel:
                continue
            avg = {n: sum(m[n] for m in sel) / len(sel) for n in names}
            print(f"{run:<12}{lang:<6}{len(sel):>4}  " + "".join(f"{avg[n]:>9.3f}" for n in names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
