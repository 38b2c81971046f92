"""What the web app's named API endpoints return, as types ``gradio_client``'s ``view_api()`` can show.

Gradio turns an endpoint's return annotation into a JSON schema (``python_type_to_json_schema``:
``TypedDict`` and dataclass fields become object properties), but it reads the annotation from
``inspect.signature`` without evaluating it; under ``from __future__ import annotations`` that is the
string ``"SearchAnswer"``, which Gradio shows as ``Any``. :func:`typed` gives an endpoint a signature
with its annotations evaluated, so the schema is built from the real types.

Example::

    >>> from gradio_client import Client
    >>> Client(url).view_api(return_format="dict")["named_endpoints"]["/search"]["returns"][0]["type"]
    {'type': 'object', 'properties': {'query': {'type': 'string'}, ..., 'hits': {'type': 'array', ...}}}
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TypedDict, TypeVar

# Gradio reads these records' field types at run time, so Hit is imported for real (not under TYPE_CHECKING).
from policyscope.index.search.results import Hit

F = TypeVar("F", bound=Callable)


class SearchAnswer(TypedDict):
    """``/search``: the query as analysed, what it was also searched as, timings, and the hits in rank order."""

    query: str
    mode: str
    query_terms: list[str]
    translations: list[str]
    timings_ms: dict[str, float]
    hits: list[Hit]


class CompareItem(TypedDict):
    """One compared document, country or region."""

    key: str
    kind: str
    label_zh: str
    label_en: str
    country: str
    year: int | None
    passages: int


class CompareCell(TypedDict):
    """One item's strongest evidence for a measure (``None`` where the item lacks the measure)."""

    passage_id: str
    doc_id: str
    score: float
    text: str
    passages: int


class CompareRow(TypedDict):
    """One measure across the items: ``shared`` by all, or ``unique_to`` one item's key."""

    measure: str
    shared: bool
    unique_to: str | None
    cells: list[CompareCell | None]


class AlignedMatch(TypedDict):
    passage_id: str
    doc_id: str
    score: float


class AlignedPassage(TypedDict):
    """A passage of the first item with its closest passages of the second."""

    passage_id: str
    text: str
    matches: list[AlignedMatch]


class CompareAnswer(TypedDict):
    """``/compare``: the items, one row per measure, and the passage alignment of the first two items."""

    items: list[CompareItem]
    rows: list[CompareRow]
    alignment: list[AlignedPassage]


class TagAnswer(TypedDict):
    """``/tag``: what was recorded and the passage's effective tags afterwards."""

    ok: bool
    done: str
    passage_id: str
    tags: list[str]


class FoundMeasure(TypedDict):
    """A measure found in a text, with the tagger's score and source and the evidence strings."""

    measure: str
    score: float
    source: str
    evidence: list[str]


class TagTextAnswer(TypedDict):
    """``/tag_text``: the measures in the text (nothing is stored)."""

    measures: list[FoundMeasure]


def typed(fn: F) -> F:
    """``fn`` with a signature whose annotations are evaluated (see the module docstring): Gradio builds the
    endpoint's parameter and return schemas from it. The names must resolve in ``fn``'s module."""
    fn.__signature__ = inspect.signature(fn, eval_str=True)  # type: ignore[attr-defined]
    return fn
