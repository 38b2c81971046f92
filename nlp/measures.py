"""The policy-measure taxonomy: 15 measures with bilingual names, definitions, lexicons and prototypes.

The taxonomy is data, not code: ``nlp/data/measures.toml`` ships with the package and a user may point
:func:`load_taxonomy` at an edited copy. Loading validates the file at the boundary, so a typo in a key or a
duplicated id fails with a message naming the file and the measure instead of silently dropping terms.

Lexicons exist for four languages. Chinese and English are matched on tokens (jieba, spaCy), and their
rules are spaCy ``Matcher`` patterns. Japanese and Korean are matched on the raw text, with no
morphological analyzer: their legal terms are written as contiguous strings (備蓄, 再資源化, 재자원화,
경제안보품목등), so a substring is the term, and their rules are regular expressions.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

__all__ = ["DEFAULT_TAXONOMY_FILE", "LEXICON_LANGS", "LexiconLang", "Measure", "Taxonomy", "load_taxonomy"]

DEFAULT_TAXONOMY_FILE = "measures.toml"

LexiconLang = Literal["zh", "en", "ja", "ko"]
LEXICON_LANGS: tuple[LexiconLang, ...] = ("zh", "en", "ja", "ko")
"""Languages with a lexicon. zh and en are token-matched; ja and ko are matched on raw text."""
_RAW_LANGS = ("ja", "ko")

_REQUIRED_STR = ("id", "name_zh", "name_en", "definition_en", "definition_zh")
_OPTIONAL_LISTS = tuple(f"{kind}_{lang}" for kind in ("terms", "negative") for lang in LEXICON_LANGS) + (
    "examples_zh",
    "examples_en",
)
_TOKEN_RULE_KEYS = ("rules_zh", "rules_en")
_REGEX_RULE_KEYS = tuple(f"rules_{lang}" for lang in _RAW_LANGS)
_MEASURE_KEYS = frozenset(_REQUIRED_STR + _OPTIONAL_LISTS + _TOKEN_RULE_KEYS + _REGEX_RULE_KEYS)
_TOP_KEYS = frozenset({"version", "measure", "ignore"})

TokenPattern = tuple[dict[str, Any], ...]
RegexRule = str
"""A Japanese or Korean rule: a regular expression matched on the raw passage; the match is the evidence."""


@dataclass(frozen=True)
class Measure:
    """One policy measure of the taxonomy.

    ``rules_zh``/``rules_en`` hold spaCy ``Matcher`` token patterns (a tuple of token specs each) for what a
    phrase list cannot express, e.g. "reduce ... dependence on ... China". ``rules_ja``/``rules_ko`` hold
    regular expressions over the raw text for the same purpose, e.g. ``경제안보품목(?:등)?(?:을|를)\\s*지정``
    (designating security-critical items, whatever particle follows the noun).
    """

    id: str
    name_zh: str
    name_en: str
    definition_en: str
    definition_zh: str
    terms_zh: tuple[str, ...] = ()
    terms_en: tuple[str, ...] = ()
    terms_ja: tuple[str, ...] = ()
    terms_ko: tuple[str, ...] = ()
    negative_zh: tuple[str, ...] = ()
    negative_en: tuple[str, ...] = ()
    negative_ja: tuple[str, ...] = ()
    negative_ko: tuple[str, ...] = ()
    rules_zh: tuple[TokenPattern, ...] = field(default=(), compare=False)
    rules_en: tuple[TokenPattern, ...] = field(default=(), compare=False)
    rules_ja: tuple[RegexRule, ...] = ()
    rules_ko: tuple[RegexRule, ...] = ()
    examples_zh: tuple[str, ...] = ()
    examples_en: tuple[str, ...] = ()

    def terms(self, lang: str) -> tuple[str, ...]:
        """Positive lexicon terms for ``lang`` (zh, en, ja or ko)."""
        return getattr(self, f"terms_{_lexicon_lang(lang)}")

    def negatives(self, lang: str) -> tuple[str, ...]:
        """Negative terms for ``lang``: they cancel overlapping positive matches of this measure."""
        return getattr(self, f"negative_{_lexicon_lang(lang)}")

    def rules(self, lang: str) -> tuple[TokenPattern, ...] | tuple[RegexRule, ...]:
        """Rules for ``lang``: Matcher token patterns for zh and en, regular expressions for ja and ko."""
        return getattr(self, f"rules_{_lexicon_lang(lang)}")

    def examples(self, lang: str) -> tuple[str, ...]:
        """Prototype sentences for ``lang``."""
        return self.examples_zh if lang == "zh" else self.examples_en

    def name(self, lang: str) -> str:
        """Display name in ``lang``."""
        return self.name_zh if lang == "zh" else self.name_en

    def prototypes(self) -> tuple[str, ...]:
        """Definitions and examples in both languages: the embedding tagger's prototypes."""
        return (self.definition_en, self.definition_zh, *self.examples_en, *self.examples_zh)


def _lexicon_lang(lang: str) -> LexiconLang:
    if lang not in LEXICON_LANGS:
        raise ValueError(f"no lexicon for language {lang!r}; available: {', '.join(LEXICON_LANGS)}")
    return lang  # type: ignore[return-value]


@dataclass(frozen=True)
class Taxonomy:
    """An ordered, validated set of measures with a version string.

    Example:
        >>> tax = load_taxonomy()
        >>> tax.get("recycling").name_en
        'Recycling & circular economy'
    """

    version: str
    measures: tuple[Measure, ...]
    source: str = ""
    ignore: tuple[tuple[str, tuple[RegexRule, ...]], ...] = ()
    """Per language, regular expressions for spans where no term or rule of any measure counts (a law
    cited by its title, the body of a definition); see the ``[ignore]`` table of ``measures.toml``."""

    def __post_init__(self) -> None:
        ids = [m.id for m in self.measures]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"{self.source or 'taxonomy'}: duplicate measure id(s): {', '.join(dupes)}")

    def ignore_patterns(self, lang: str) -> tuple[RegexRule, ...]:
        """The ``[ignore]`` regular expressions for ``lang`` (empty when it has none)."""
        return dict(self.ignore).get(lang, ())

    @property
    def ids(self) -> tuple[str, ...]:
        """Measure ids in file order."""
        return tuple(m.id for m in self.measures)

    def get(self, measure_id: str) -> Measure:
        """The measure with ``measure_id``; ``KeyError`` listing the valid ids otherwise."""
        for m in self.measures:
            if m.id == measure_id:
                return m
        raise KeyError(f"unknown measure {measure_id!r}; available: {', '.join(self.ids)}")

    def __contains__(self, measure_id: object) -> bool:
        return any(m.id == measure_id for m in self.measures)

    def __iter__(self) -> Iterator[Measure]:
        return iter(self.measures)

    def __len__(self) -> int:
        return len(self.measures)


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Load and validate a taxonomy TOML file; the packaged ``measures.toml`` when ``path`` is None.

    Raises:
        ValueError: on unknown keys, missing or mistyped fields, duplicate ids or a bad Matcher rule,
            with a message naming the file and the measure.
        FileNotFoundError: when ``path`` does not exist.
    """
    if path is None:
        return _packaged_taxonomy()
    p = Path(path)
    return _parse_taxonomy(p.read_text(encoding="utf-8"), str(p))


@functools.cache
def _packaged_taxonomy() -> Taxonomy:
    """The packaged taxonomy, parsed once per process (builds, searches and exports all ask for it)."""
    ref = resources.files("policyscope.nlp").joinpath("data", DEFAULT_TAXONOMY_FILE)
    return _parse_taxonomy(ref.read_text(encoding="utf-8"), f"policyscope.nlp/data/{DEFAULT_TAXONOMY_FILE}")


def _parse_taxonomy(text: str, source: str) -> Taxonomy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{source}: not valid TOML ({exc})") from exc
    return taxonomy_from_dict(data, source=source)


def taxonomy_from_dict(data: Mapping[str, Any], source: str = "taxonomy") -> Taxonomy:
    """Build a :class:`Taxonomy` from parsed TOML, validating every field (see :func:`load_taxonomy`)."""
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ValueError(
            f"{source}: unknown top-level key(s) {', '.join(unknown)}; valid keys: {', '.join(sorted(_TOP_KEYS))}"
        )
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        raise ValueError(f"{source}: missing taxonomy 'version' string")
    raw = data.get("measure")
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"{source}: no [[measure]] tables")
    measures = [_measure_from_dict(m, source, i) for i, m in enumerate(raw)]
    return Taxonomy(
        version=version, measures=tuple(measures), source=source, ignore=_ignore_from_dict(data, source)
    )


def _ignore_from_dict(data: Mapping[str, Any], source: str) -> tuple[tuple[str, tuple[RegexRule, ...]], ...]:
    raw = data.get("ignore", {})
    if not isinstance(raw, Mapping):
        raise ValueError(f"{source}: [ignore] must be a table of language = [regular expressions]")  # noqa: TRY004
    unknown = sorted(set(raw) - set(LEXICON_LANGS))
    if unknown:
        raise ValueError(
            f"{source}: [ignore]: unknown language(s) {', '.join(unknown)}; valid: {', '.join(LEXICON_LANGS)}"
        )
    return tuple(
        (lang, _regex_rules(raw[lang], f"{source}: [ignore] {lang}", "pattern"))
        for lang in LEXICON_LANGS
        if lang in raw
    )


def _regex_rules(value: Any, where: str, what: str) -> tuple[RegexRule, ...]:
    """Validate a list of regular expressions: each compiles and cannot match the empty string (a match is
    an evidence span, and a span is never empty)."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{where}: must be a list of regular expressions (non-empty strings)")
    for i, pattern in enumerate(value):
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{where}: bad {what} #{i + 1} {pattern!r}: {exc}") from exc
        if compiled.search("") is not None:
            raise ValueError(f"{where}: bad {what} #{i + 1} {pattern!r}: it matches the empty string")
    return tuple(dict.fromkeys(value))


def _measure_from_dict(raw: Any, source: str, index: int) -> Measure:
    if not isinstance(raw, Mapping):
        # ValueError, not TypeError: a malformed data file is one error kind for the caller.
        raise ValueError(f"{source}: measure #{index + 1} is not a table")  # noqa: TRY004
    label = raw.get("id") if isinstance(raw.get("id"), str) and raw.get("id") else f"#{index + 1}"
    where = f"{source}: measure {label!r}"
    unknown = sorted(set(raw) - _MEASURE_KEYS)
    if unknown:
        raise ValueError(
            f"{where}: unknown key(s) {', '.join(unknown)}; valid keys: {', '.join(sorted(_MEASURE_KEYS))}"
        )
    missing = [k for k in _REQUIRED_STR if not isinstance(raw.get(k), str) or not raw.get(k).strip()]
    if missing:
        raise ValueError(f"{where}: missing or empty field(s) {', '.join(missing)}")
    if not raw["id"].isidentifier():
        raise ValueError(f"{where}: id must be a snake_case identifier")
    kwargs: dict[str, Any] = {k: raw[k].strip() for k in _REQUIRED_STR}
    for key in _OPTIONAL_LISTS:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ValueError(f"{where}: {key} must be a list of non-empty strings")
        # Order-preserving de-duplication: a term listed twice is harmless, not an error.
        kwargs[key] = tuple(dict.fromkeys(v.strip() for v in value))
    if not (kwargs["terms_zh"] or kwargs["terms_en"]):
        raise ValueError(f"{where}: needs at least one lexicon term (terms_zh or terms_en)")
    for key in _REGEX_RULE_KEYS:
        kwargs[key] = _regex_rules(raw.get(key, []), f"{where}: {key}", "rule")
    for key in _TOKEN_RULE_KEYS:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(
            isinstance(p, list) and p and all(isinstance(t, Mapping) for t in p) for p in value
        ):
            raise ValueError(f"{where}: {key} must be a list of token patterns (lists of tables)")
        kwargs[key] = tuple(tuple(dict(t) for t in p) for p in value)
    return Measure(**kwargs)
