"""How a user edits each export format with the tool that format is made for: pandas (jsonl, csv, parquet),
datasets (hf) and spaCy (spacy). Each editor takes the exported path and ``{passage id: measures}`` and
returns the path to import (the same file, or a new directory where datasets cannot overwrite its source)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from policyscope.nlp.measures import load_taxonomy

MEASURES = load_taxonomy().ids

Edits = Mapping[str, Sequence[str]]
Editor = Callable[[Path, Edits], Path]


def jsonl_accept(path: Path, edits: Edits) -> Path:
    import pandas as pd

    df = pd.read_json(path, lines=True, dtype=False)
    df["accept"] = [
        list(edits[i]) if i in edits else list(a) for i, a in zip(df["id"], df["accept"], strict=True)
    ]
    df.to_json(path, orient="records", lines=True, force_ascii=False)
    return path


def csv_columns(path: Path, edits: Edits) -> Path:
    import pandas as pd

    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for pid, labels in edits.items():
        for m in MEASURES:
            df.loc[df["id"] == pid, m] = "1" if m in labels else "0"
    df.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def parquet_columns(path: Path, edits: Edits) -> Path:
    """The issue's case: the 0/1 measure columns edited with pandas."""
    import pandas as pd

    df = pd.read_parquet(path)
    for pid, labels in edits.items():
        for m in MEASURES:
            df.loc[df["id"] == pid, m] = int(m in labels)
    df.to_parquet(path)
    return path


def _hf_map(path: Path, edits: Edits, columns: Sequence[str], drop: Sequence[str] = ()) -> Path:
    import datasets

    dd = datasets.load_from_disk(str(path))
    names = dd["train"].features["labels"].feature.names

    def edit(row):
        if row["id"] not in edits:
            return {}
        new = {"labels": [names.index(m) for m in edits[row["id"]]]}
        new["multi_hot"] = [float(m in edits[row["id"]]) for m in names]
        return {c: new[c] for c in columns}

    out = path.parent / f"{path.name}-edited"
    dd.map(edit).remove_columns(list(drop)).save_to_disk(str(out))  # datasets cannot overwrite its source
    return out


def hf_labels_and_multi_hot(path: Path, edits: Edits) -> Path:
    """``labels`` (class ids) and ``multi_hot`` edited together with ``Dataset.map``."""
    return _hf_map(path, edits, ["labels", "multi_hot"])


def hf_labels_only(path: Path, edits: Edits) -> Path:
    """``labels`` edited and ``multi_hot`` removed."""
    return _hf_map(path, edits, ["labels"], drop=["multi_hot"])


def hf_multi_hot_only(path: Path, edits: Edits) -> Path:
    """``multi_hot`` edited and ``labels`` removed (its positions are then read in taxonomy order)."""
    return _hf_map(path, edits, ["multi_hot"], drop=["labels"])


def hf_labels_with_stale_multi_hot(path: Path, edits: Edits) -> Path:
    """``labels`` edited, ``multi_hot`` left as exported: refused (which one was meant cannot be told)."""
    return _hf_map(path, edits, ["labels"])


def spacy_cats(path: Path, edits: Edits) -> Path:
    import spacy
    from spacy.tokens import DocBin

    docs = list(DocBin().from_disk(path).get_docs(spacy.blank("xx").vocab))
    for doc in docs:
        if doc.user_data["id"] in edits:
            doc.cats = {m: float(m in edits[doc.user_data["id"]]) for m in MEASURES}
    DocBin(docs=docs, store_user_data=True).to_disk(path)
    return path


EDITORS: dict[str, list[Editor]] = {
    "jsonl": [jsonl_accept],
    "csv": [csv_columns],
    "parquet": [parquet_columns],
    "hf": [hf_labels_and_multi_hot, hf_labels_only, hf_multi_hot_only],
    "spacy": [spacy_cats],
}
"""Per export format, the ways a user edits its labels."""

EXPORT_FILTERS: dict[str, dict[str, list[str]]] = {"hf": {"langs": ["en"]}, "spacy": {"langs": ["en"]}}
"""Export options per format that keep a test fast (spaCy tokenises every passage: ~30 s for all 2,969; an
hf export is written twice, as arrow and parquet); the other formats export every passage."""
