"""The ensemble tagger: a weighted mean of its members' scores, with their evidence merged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from policyscope.corpus.records import Tag, TagSource
from policyscope.nlp.taggers.base import Tagger, resolve_langs

__all__ = ["DEFAULT_ENSEMBLE_THRESHOLD", "DEFAULT_ENSEMBLE_WEIGHTS", "EnsembleTagger"]

# Measured on both dev sets (benchmarks/tags_probe.py): the zero-shot embedding tagger alone reaches micro-F1
# ~0.55, and every weighting that lets it add tags on its own lowers the ensemble below the lexicon. At
# weight 0.5 and threshold 0.35 any lexicon tag survives (0.55 / 1.5 >= 0.35) while an embedding-only vote
# (at most 1.0 x 0.5 / 1.5 = 0.33) does not: the embedding adds evidence and score, never a lone tag.
DEFAULT_ENSEMBLE_WEIGHTS: dict[str, float] = {"lexicon": 1.0, "embedding": 0.5}
DEFAULT_ENSEMBLE_THRESHOLD = 0.35


class EnsembleTagger:
    """Weighted mean of member scores; a tag is kept when the mean reaches ``threshold``.

    A member that does not emit a measure contributes 0 for it. The kept tag's source is "ensemble" when
    two or more members voted for it, otherwise the single voter's source; evidence spans are the union of
    the voters' spans.

    Worked example: lexicon (weight 2) scores ``recycling`` 0.55, embedding (weight 1) is silent:
    (2 x 0.55 + 1 x 0) / 3 = 0.37 < 0.5, dropped; if the embedding tagger also says 0.7, the mean is 0.6,
    kept, with source "ensemble".
    """

    name = "ensemble"
    source: TagSource = "ensemble"

    def __init__(
        self,
        taggers: Sequence[Tagger],
        weights: Sequence[float] | Mapping[str, float] | None = None,
        threshold: float = 0.5,
    ) -> None:
        if not taggers:
            raise ValueError("EnsembleTagger needs at least one tagger")
        names = [t.name for t in taggers]
        if len(set(names)) != len(names):
            raise ValueError(f"ensemble members need distinct names, got {names}")
        if weights is None:
            w = [1.0] * len(taggers)
        elif isinstance(weights, Mapping):
            unknown = sorted(set(weights) - set(names))
            if unknown:
                raise ValueError(f"weights for unknown tagger(s) {unknown}; members: {', '.join(names)}")
            w = [float(weights.get(n, 1.0)) for n in names]
        else:
            w = [float(x) for x in weights]
            if len(w) != len(taggers):
                raise ValueError(f"got {len(w)} weights for {len(taggers)} taggers")
        if any(x < 0 for x in w) or sum(w) <= 0:
            raise ValueError("weights must be non-negative with a positive sum")
        self.taggers = tuple(taggers)
        self.weights = tuple(w)
        self.threshold = threshold

    def tag(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> list[list[Tag]]:
        """Combine the members' tags per text (see the class docstring)."""
        resolved = resolve_langs(texts, langs)
        per_member = [t.tag(texts, resolved) for t in self.taggers]
        total = sum(self.weights)
        out: list[list[Tag]] = []
        for i in range(len(texts)):
            votes: dict[str, list[tuple[float, Tag]]] = {}
            order: list[str] = []
            for w, tags in zip(self.weights, per_member):
                for tag in tags[i]:
                    if tag.measure not in votes:
                        order.append(tag.measure)
                    votes.setdefault(tag.measure, []).append((w, tag))
            merged = []
            for mid in order:
                vs = votes[mid]
                score = sum(w * t.score for w, t in vs) / total
                if score < self.threshold:
                    continue
                voters = [t for w, t in vs if w > 0]
                source: TagSource = voters[0].source if len(voters) == 1 else "ensemble"
                spans = tuple(sorted({s for _, t in vs for s in t.spans}, key=lambda s: (s.start, s.end)))
                merged.append(Tag(mid, round(min(1.0, score), 4), source, spans))
            out.append(merged)
        return out
