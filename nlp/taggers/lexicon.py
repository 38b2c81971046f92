"""The lexicon tagger: taxonomy terms and rules with negative terms - Chinese and English matched on spaCy
tokens, Japanese and Korean on the raw text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from policyscope.corpus.records import Span, Tag, TagSource
from policyscope.nlp.measures import LEXICON_LANGS, Taxonomy, load_taxonomy
from policyscope.nlp.taggers.base import guess_lang, resolve_langs
from policyscope.nlp.words import plural

__all__ = ["LexiconTagger"]


def _noisy_or(strengths: Iterable[float]) -> float:
    p = 1.0
    for s in strengths:
        p *= 1.0 - s
    return 1.0 - p


_ZH_TERM_FREQ = 10**6
"""jieba frequency given to lexicon terms. jieba picks the segmentation with the highest product of word
probabilities; at this frequency a lexicon term beats any split of it (碳排放|量 over 碳|排放量), and among
overlapping lexicon terms the longer one wins, because one word costs less than two."""


@dataclass(frozen=True)
class _Hit:
    measure: str
    start: int
    end: int
    strength: float
    key: str  # the term or rule that matched, for dedup


def _en_variants(term: str) -> set[str]:
    """Surface variants of an English term: plural of the last word and hyphen/space spellings."""
    base = term.strip().lower()
    words = base.split(" ")
    forms = {base, " ".join([*words[:-1], plural(words[-1])])}
    return forms | {f.replace("-", " ") for f in forms if "-" in f}


def _zh_strength(term: str) -> float:
    # Longer Chinese terms are more specific: 2 chars 0.55, 4 chars 0.75, 5+ chars 0.85.
    return min(0.85, 0.35 + 0.1 * len(term))


def _en_strength(n_tokens: int) -> float:
    # One English word 0.55, two 0.7, three or more 0.85.
    return min(0.85, 0.4 + 0.15 * n_tokens)


_RULE_STRENGTH = 0.75


def _cjk_strength(term: str) -> float:
    # As for Chinese (a Japanese kanji compound or a Korean syllable block carries about one morpheme per
    # character), floored at 0.55 so that any lexicon tag survives the ensemble's threshold on its own.
    return max(0.55, _zh_strength(term.replace(" ", "")))


class _RawTextMatcher:
    """Terms, negatives and regular-expression rules of one language matched on the raw text (ja, ko).

    No analyzer is needed: Japanese and Korean legal terms are contiguous strings (備蓄, 再資源化,
    공급망안정화기금채권), so a term is found as a substring. Whitespace is ignored on both sides, so the
    Korean term "국가 간 협력" also finds 국가간 협력 and 국가 간협력: terms are matched on the text with its
    whitespace removed, and each hit is mapped back to the characters it covers in the original text.
    Rules are regular expressions on the original text; the whole match is the evidence span.
    """

    def __init__(self, taxonomy: Taxonomy, lang: str) -> None:
        self.lang = lang
        # first character -> [(squeezed term, measure, polarity, term as written)]: one dict lookup per
        # character of the text instead of one scan of the text per term.
        self._by_first: dict[str, list[tuple[str, str, str, str]]] = {}
        for m in taxonomy:
            for polarity, terms in (("+", m.terms(lang)), ("-", m.negatives(lang))):
                for term in terms:
                    key = _squeeze(term)[0]
                    self._by_first.setdefault(key[0], []).append((key, m.id, polarity, term))
        self._rules = [
            (m.id, i, re.compile(pattern)) for m in taxonomy for i, pattern in enumerate(m.rules(lang))
        ]

    def find(self, text: str) -> tuple[list[_Hit], dict[str, list[tuple[int, int]]]]:
        """Positive hits and, per measure, the spans of negative hits."""
        squeezed, where = _squeeze(text)
        pos: list[_Hit] = []
        neg: dict[str, list[tuple[int, int]]] = {}
        for p, ch in enumerate(squeezed):
            for key, measure, polarity, term in self._by_first.get(ch, ()):
                if not squeezed.startswith(key, p):
                    continue
                start, end = where[p], where[p + len(key) - 1] + 1
                if polarity == "-":
                    neg.setdefault(measure, []).append((start, end))
                else:
                    pos.append(_Hit(measure, start, end, _cjk_strength(term), f"+{term}"))
        for measure, i, rx in self._rules:
            for m in rx.finditer(text):
                if m.end() > m.start():
                    pos.append(_Hit(measure, m.start(), m.end(), _RULE_STRENGTH, f"R{i}"))
        return pos, neg


def _squeeze(text: str) -> tuple[str, list[int]]:
    """``text`` without whitespace and lower-cased (Latin letters in 'R&D'), with each kept character's
    offset in ``text``."""
    where = [i for i, ch in enumerate(text) if not ch.isspace()]
    return "".join(_lower1(text[i]) for i in where), where


def _lower1(ch: str) -> str:
    low = ch.lower()
    return low if len(low) == 1 else ch  # 'İ'.lower() is two characters; keep offsets one-to-one


def _rule_anchors(patterns: Sequence[Any], attr: str, strings: Any) -> list[list[frozenset[int]]] | None:
    """For each Matcher pattern, the word sets (as string hashes of ``attr``) of its required tokens.

    A pattern can only match a text that holds at least one word of each of its required
    literal tokens (``{LOWER: {IN: [...]}}`` or ``{LOWER: "in"}`` without an optional ``OP``),
    so texts holding none of some set skip the Matcher, which costs more than the phrase
    matcher on every text. None when some pattern has no such token (always run the rules).
    """
    out: list[list[frozenset[int]]] = []
    for pattern in patterns:
        sets: list[frozenset[int]] = []
        for spec in pattern:
            if spec.get("OP", "1") not in ("1", "+"):
                continue
            value = spec.get(attr)
            if isinstance(value, str):
                words = [value]
            elif isinstance(value, dict) and set(value) == {"IN"}:
                words = list(value["IN"])
            else:
                continue
            sets.append(frozenset(strings.add(w) for w in words))
        if not sets:
            return None
        out.append(sets)
    return out


def _rules_may_match(doc: Any, attr: str, anchors: list[list[frozenset[int]]] | None) -> bool:
    if anchors is None:
        return True
    present = set(doc.to_array(attr).tolist())
    return any(all(not words.isdisjoint(present) for words in sets) for sets in anchors)


class LexiconTagger:
    """Keyword tagger with negative terms, in the style of Climate Policy Radar's ``KeywordClassifier``.

    Algorithm, per text:

    1. Tokenise: Chinese with jieba (a *private* ``jieba.Tokenizer`` whose dictionary holds every lexicon
       and negative term, so the global jieba used for indexing is untouched), English with spaCy's rules.
    2. Find positive terms with a ``PhraseMatcher`` (Chinese on ``ORTH``, English on ``LOWER``, with
       generated plural and hyphen variants), plus the taxonomy's ``Matcher`` rules.
    3. Find negative terms the same way; a positive match of a measure is dropped when it overlaps a
       negative match *of the same measure*.
    4. Score each measure by noisy-OR over its distinct surviving matches; a match's strength grows with
       its length (a 5-character Chinese term or a 3-word English phrase is stronger than one word).

    Worked example: for ``recycling`` the term "recycled" and the negative "recycled back" -
    "waste is recycled into new products" gets ``recycling``, "levy revenue is recycled back to business"
    does not, because the only positive match overlaps the negative one. Likewise the Chinese term 碳排放
    is found in 我们要减少碳排放量 because the private jieba dictionary cuts 碳排放|量.

    Whole-token matching is the documented English behaviour: "tariff" matches "tariff" and "tariffs"
    (generated plural) but not "tariffication".

    Japanese and Korean skip step 1: their terms are found as substrings of the raw text and their rules
    are regular expressions (see ``_RawTextMatcher``). In every language, a match inside a span of the
    taxonomy's ``[ignore]`` patterns does not count: 備蓄 inside 石油の備蓄の確保等に関する法律 (a law cited
    by its title) gives no ``stockpiling``, while 国家備蓄石油 in the same passage does.
    """

    name = "lexicon"
    source: TagSource = "rule"

    def __init__(self, taxonomy: Taxonomy | None = None, *, min_score: float = 0.0) -> None:
        import spacy
        from policyscope.nlp.sentences import english_pipeline
        from policyscope.nlp.tokens import initialize_global_jieba, jieba_tokenizer
        from spacy.matcher import Matcher, PhraseMatcher

        self.taxonomy = taxonomy or load_taxonomy()
        self.min_score = min_score

        segmenter = jieba_tokenizer()
        for m in self.taxonomy:
            for term in (*m.terms_zh, *m.negative_zh):
                segmenter.add_word(term, freq=_ZH_TERM_FREQ)
        initialize_global_jieba()
        self._zh = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
        # spaCy's ChineseTokenizer calls ``self.jieba_seg.cut``; swapping in the private tokenizer keeps
        # our user dictionary out of the process-wide ``jieba.dt``.
        self._zh.tokenizer.jieba_seg = segmenter
        self._en = english_pipeline()  # shared with sentence splitting: one English vocabulary

        self._phrase: dict[str, Any] = {}
        self._rules: dict[str, Any] = {}
        self._strength: dict[str, dict[int, float]] = {}
        self._key_text: dict[str, dict[int, str]] = {}
        self._anchors: dict[str, list[list[frozenset[int]]] | None] = {}
        self._attr = {"zh": "ORTH", "en": "LOWER"}  # what the matchers compare, per language
        for lang, nlp in (("zh", self._zh), ("en", self._en)):
            attr = self._attr[lang]
            pm = PhraseMatcher(nlp.vocab, attr=attr)
            rm = Matcher(nlp.vocab)
            strengths: dict[int, float] = {}
            texts: dict[int, str] = {}
            for m in self.taxonomy:
                for polarity, terms in (("+", m.terms(lang)), ("-", m.negatives(lang))):
                    for term in terms:
                        forms = {term} if lang == "zh" else _en_variants(term)
                        for form in sorted(forms):
                            key = f"{m.id}\x1f{polarity}\x1f{term}"
                            doc = nlp.make_doc(form)
                            if not len(doc):
                                continue
                            pm.add(key, [doc])
                            kid = nlp.vocab.strings[key]
                            strengths[kid] = _zh_strength(term) if lang == "zh" else _en_strength(len(doc))
                            texts[kid] = key
                for i, pattern in enumerate(m.rules(lang)):
                    key = f"{m.id}\x1fR\x1f{i}"
                    try:
                        rm.add(key, [list(pattern)])
                    except Exception as exc:  # spaCy raises several error types for bad patterns
                        raise ValueError(
                            f"{self.taxonomy.source}: measure {m.id!r}: bad rules_{lang} pattern #{i + 1}: {exc}"
                        ) from exc
                    kid = nlp.vocab.strings[key]
                    strengths[kid] = _RULE_STRENGTH
                    texts[kid] = key
            self._phrase[lang] = pm
            self._rules[lang] = rm
            self._anchors[lang] = _rule_anchors(
                [p for m in self.taxonomy for p in m.rules(lang)], attr, nlp.vocab.strings
            )
            self._strength[lang] = strengths
            self._key_text[lang] = texts
        self._raw = {lang: _RawTextMatcher(self.taxonomy, lang) for lang in ("ja", "ko")}
        self._ignore = {
            lang: [re.compile(p) for p in self.taxonomy.ignore_patterns(lang)] for lang in LEXICON_LANGS
        }

    def tokenize(self, text: str, lang: str | None = None) -> list[str]:
        """The tokens the matcher sees (useful to debug why a term did not fire).

        Japanese and Korean are matched on characters, so their "tokens" are the non-space characters.
        """
        lang = lang if lang in LEXICON_LANGS else guess_lang(text)
        if lang in self._raw:
            return [ch for ch in text if not ch.isspace()]
        nlp = self._zh if lang == "zh" else self._en
        return [t.text for t in nlp.make_doc(text)]

    def matches(self, text: str, lang: str | None = None) -> list[_Hit]:
        """Surviving positive matches in ``text`` (after negatives and ignored spans), sorted by position."""
        lang = lang if lang in LEXICON_LANGS else guess_lang(text)
        if lang in self._raw:
            pos, neg = self._raw[lang].find(text)
        else:
            pos, neg = self._token_hits(text, lang)
        ignored = [m.span() for rx in self._ignore[lang] for m in rx.finditer(text)]
        kept = [
            h
            for h in pos
            if not any(ns < h.end and h.start < ne for ns, ne in neg.get(h.measure, ()))
            and not any(s < h.end and h.start < e for s, e in ignored)
        ]
        # Drop a match contained in a longer match of the same measure (one evidence span, one vote).
        kept = [
            h
            for h in kept
            if not any(
                o is not h
                and o.measure == h.measure
                and o.start <= h.start
                and h.end <= o.end
                and (o.end - o.start) > (h.end - h.start)
                for o in kept
            )
        ]
        return sorted(set(kept), key=lambda h: (h.start, h.end, h.measure, h.key))

    def _token_hits(self, text: str, lang: str) -> tuple[list[_Hit], dict[str, list[tuple[int, int]]]]:
        """Positive hits and negative spans per measure of the spaCy matchers (zh, en)."""
        nlp = self._zh if lang == "zh" else self._en
        doc = nlp.make_doc(text)
        # Offsets must point into the caller's text. spaCy's tokenizers keep every character
        # (jieba's words are aligned to the text), so the end of the last token is enough to check.
        if len(doc) and doc[-1].idx + len(doc[-1].text_with_ws) != len(text):
            raise RuntimeError("tokenizer changed the text; cannot map evidence offsets")
        strengths = self._strength[lang]
        keys = self._key_text[lang]
        pos: list[_Hit] = []
        neg: dict[str, list[tuple[int, int]]] = {}
        found = list(self._phrase[lang](doc))
        if len(self._rules[lang]) and _rules_may_match(doc, self._attr[lang], self._anchors[lang]):
            found += self._rules[lang](doc)
        for match_id, s, e in found:
            measure, polarity, term = keys[match_id].split("\x1f")
            span = doc[s:e]
            if polarity == "-":
                neg.setdefault(measure, []).append((span.start_char, span.end_char))
            else:
                pos.append(
                    _Hit(measure, span.start_char, span.end_char, strengths[match_id], f"{polarity}{term}")
                )
        return pos, neg

    def tag(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> list[list[Tag]]:
        """Tags per text: one per measure with a surviving match, scored by noisy-OR of match strengths."""
        out: list[list[Tag]] = []
        for text, lang in zip(texts, resolve_langs(texts, langs)):
            by_measure: dict[str, list[_Hit]] = {}
            for h in self.matches(text, lang):
                by_measure.setdefault(h.measure, []).append(h)
            tags = []
            for mid in self.taxonomy.ids:
                hits = by_measure.get(mid)
                if not hits:
                    continue
                best: dict[str, float] = {}
                for h in hits:  # a term repeated in one passage counts once
                    best[h.key] = max(best.get(h.key, 0.0), h.strength)
                score = round(_noisy_or(best.values()), 4)
                if score < self.min_score:
                    continue
                spans = tuple(dict.fromkeys(Span(h.start, h.end, text[h.start : h.end]) for h in hits))
                tags.append(Tag(mid, score, self.source, spans))
            out.append(tags)
        return out
