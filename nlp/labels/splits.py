"""Train/validation/test splits grouped by document, so no document's passages sit in two splits.

Passages of one document share its wording, headings and often whole sentences; a split by passage would let
a model see most of a test document while training, so every split here keeps documents whole.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["DEFAULT_RATIOS", "DEFAULT_SEED", "SPLIT_NAMES", "DocumentSplit"]

SPLIT_NAMES: tuple[str, str, str] = ("train", "validation", "test")
DEFAULT_RATIOS: tuple[float, float, float] = (0.8, 0.1, 0.1)
DEFAULT_SEED = 13


@dataclass(frozen=True)
class DocumentSplit:
    """Share of passages per split (train, validation, test) and the seed that orders documents.

    :meth:`assign` shuffles the document ids with ``seed``, then takes them by decreasing size class (passage
    count rounded down to a power of two; shuffled within a class) and gives each to the split furthest below
    its target number of passages (``ratio * total``; a tie goes to the split furthest behind relative to its
    target, then to the earlier split). Large documents first, small ones filling the gaps, keeps the splits
    near their targets: on the built-in corpus (46 documents of 1 to 586 passages) a plain shuffled order gave
    validation 134 to 439 passages over eight seeds for a target of 297, size classes 294 to 302. Last, if a
    split with a positive ratio got no document although there are enough documents, the smallest document of
    the split furthest above its target moves there, so three or more documents give three non-empty splits
    (fewer documents fill train, then validation).

    Worked example, ratios 0.8/0.1/0.1, documents of 40, 30, 25 and 5 passages taken in that order (targets 80,
    10, 10): 40 -> train (80 short), 30 -> train (40 short), 25 -> validation (all three 10 short, validation
    furthest behind relative to its target), 5 -> test (train and test 10 short): train 70, validation 25,
    test 5. (30 and 25 share a size class, so another seed may take 25 first: then train gets 40, 25 and 30,
    validation 5, and test, left empty, takes train's smallest document, 25.)

    The assignment depends on the document ids, their passage counts and the seed only: editing labels and
    exporting again keeps every document in its split.
    """

    ratios: tuple[float, float, float] = DEFAULT_RATIOS
    seed: int = DEFAULT_SEED

    def __post_init__(self) -> None:
        ratios = tuple(float(r) for r in self.ratios)
        if len(ratios) != len(SPLIT_NAMES):
            raise ValueError(
                f"split ratios must be three numbers (train, validation, test), got {len(ratios)}: "
                f"{_show(ratios)}"
            )
        if any(not math.isfinite(r) or r < 0 for r in ratios) or not math.isclose(
            sum(ratios), 1.0, abs_tol=1e-6
        ):
            raise ValueError(
                f"split ratios must be non-negative and sum to 1, got {_show(ratios)} (sum {sum(ratios):g}); "
                "e.g. 0.8,0.1,0.1"
            )
        object.__setattr__(self, "ratios", ratios)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise TypeError(f"split seed must be an integer, got {self.seed!r}")

    @classmethod
    def parse(cls, text: str, seed: int = DEFAULT_SEED) -> DocumentSplit:
        """``"0.8,0.1,0.1"`` (train, validation, test) as a split; ``ValueError`` naming the text otherwise."""
        try:
            ratios = tuple(float(x) for x in text.split(","))
        except ValueError:
            raise ValueError(
                f"split ratios must be three numbers train,validation,test such as 0.8,0.1,0.1, got {text!r}"
            ) from None
        return cls(ratios, seed)  # type: ignore[arg-type]  # the length is checked in __post_init__

    def to_dict(self) -> dict[str, object]:
        return {
            "ratios": dict(zip(SPLIT_NAMES, self.ratios, strict=True)),
            "seed": self.seed,
            "by": "document",
        }

    def assign(self, sizes: Mapping[str, int]) -> dict[str, str]:
        """``{document id: split name}`` for documents with ``sizes[doc]`` passages each.

        With fewer documents than splits of positive ratio, the documents (largest first) go to the first
        of those splits in train, validation, test order, and the later splits stay empty.
        """
        order = sorted(sizes)  # the input's order must not matter, only the seed
        random.Random(self.seed).shuffle(order)
        order.sort(key=lambda d: -max(sizes[d], 1).bit_length())  # stable: shuffled within a size class
        rank = {doc: i for i, doc in enumerate(order)}
        total = sum(sizes.values())
        targets = [r * total for r in self.ratios]
        positive = [i for i, r in enumerate(self.ratios) if r > 0]
        if len(order) < len(positive):
            return {doc: SPLIT_NAMES[positive[i]] for i, doc in enumerate(order)}
        counts = [0] * len(SPLIT_NAMES)
        members: list[list[str]] = [[] for _ in SPLIT_NAMES]
        for doc in order:
            i = max(positive, key=lambda j: (targets[j] - counts[j], 1 - counts[j] / targets[j], -j))
            members[i].append(doc)
            counts[i] += sizes[doc]
        for i in positive:
            if members[i]:
                continue
            # There are at least as many documents as positive splits, so while one is empty another has two.
            donors = [j for j in positive if len(members[j]) >= 2]
            j = max(donors, key=lambda k: (counts[k] - targets[k], -k))
            doc = min(members[j], key=lambda d: (sizes[d], rank[d]))
            members[j].remove(doc)
            members[i].append(doc)
            counts[j] -= sizes[doc]
            counts[i] += sizes[doc]
        return {doc: SPLIT_NAMES[i] for i, docs in enumerate(members) for doc in docs}


def _show(ratios: Sequence[float]) -> str:
    return ",".join(f"{r:g}" for r in ratios)
