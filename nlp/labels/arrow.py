"""Arrow-backed label files as :class:`~.readers.LabelTable` s: parquet, and one split of an ``hf`` dataset.

A label column of the wrong type is refused once for the whole file (:func:`_check_arrow_types`), and
``ClassLabel`` names are read from the schema's Hugging Face metadata when the file carries them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from policyscope.nlp.labels.readers import LabelFileError, LabelTable

__all__ = ["arrow_table", "read_parquet"]


def _class_names_of(metadata: Mapping[bytes, bytes] | None) -> tuple[str, ...] | None:
    """The ``ClassLabel`` names of ``labels`` in a schema's Hugging Face metadata (``datasets`` writes it)."""
    raw = (metadata or {}).get(b"huggingface")
    if not raw:
        return None
    try:
        feature: Any = json.loads(raw)["info"]["features"]["labels"]
    except (KeyError, TypeError, json.JSONDecodeError):
        return None
    while isinstance(feature, dict) and "names" not in feature:  # List/Sequence wrap the ClassLabel
        feature = feature.get("feature")
    return tuple(feature["names"]) if isinstance(feature, dict) else None


def _check_arrow_types(path: Path | str, schema: Any, known: Sequence[str]) -> None:
    """A label column of the wrong type is a problem of the whole file, named once."""
    import pyarrow as pa
    import pyarrow.types as t

    def listish(typ: Any) -> bool:
        return t.is_list(typ) or t.is_large_list(typ) or t.is_fixed_size_list(typ)

    def number(typ: Any) -> bool:
        return t.is_integer(typ) or t.is_floating(typ) or t.is_boolean(typ)

    expect: dict[str, tuple[str, Callable[[Any], bool]]] = {
        "accept": (
            "a list of measure ids",
            lambda x: (listish(x) and t.is_string(x.value_type)) or t.is_string(x),
        ),
        "labels": (
            "a list of class ids or measure ids",
            lambda x: listish(x) and (t.is_integer(x.value_type) or t.is_string(x.value_type)),
        ),
        "multi_hot": ("a list of 0/1 numbers", lambda x: listish(x) and number(x.value_type)),
        **{m: ("0 or 1 numbers", lambda x: number(x) or t.is_string(x)) for m in known},
    }
    for f in schema:
        if f.name not in expect:
            continue
        what, ok = expect[f.name]
        if f.type == pa.null():
            raise LabelFileError.whole_file(path, f"column {f.name!r} is empty (null in every row)")
        if not ok(f.type):
            raise LabelFileError.whole_file(path, f"column {f.name!r} has type {f.type}; expected {what}")


def arrow_table(
    path: Path,
    table: Any,
    known: Sequence[str],
    *,
    split: str = "",
    class_names: tuple[str, ...] | None = None,
) -> LabelTable:
    """A ``pyarrow.Table`` as a :class:`LabelTable`: only ``id``, ``answer`` and label columns are read."""
    _check_arrow_types(f"{path}:{split}" if split else path, table.schema, known)
    names = _class_names_of(table.schema.metadata) or class_names
    wanted = [c for c in table.column_names if c in {"id", "answer", "accept", "labels", "multi_hot", *known}]
    rows = list(enumerate(table.select(wanted).to_pylist(), start=1))
    return LabelTable(path, tuple(table.column_names), rows, split=split, class_names=names)


def read_parquet(
    path: Path, known: Sequence[str], *, class_names: tuple[str, ...] | None = None
) -> list[LabelTable]:
    """Parquet: our export, a pandas edit of it, or one split of an ``hf`` export."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise LabelFileError.whole_file(path, f"not a readable parquet file ({exc})") from None
    return [arrow_table(path, table, known, class_names=class_names)]
