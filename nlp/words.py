"""Word lists and English number rules shared by the tokenizer, the translator and the taggers.

Stopwords: one base list per language, the words dropped by the keyword (BM25) tokenizer, and a
wider list of query words the translator leaves untranslated. Number: :func:`singular` folds an
English plural to its singular (``batteries -> battery``), :func:`plural` is its inverse for
regular nouns (``battery -> batteries``); both follow the same suffix table. The keyword index
keeps its own older rule, :func:`s_stem`, because its output is part of every index (see there).
"""

from __future__ import annotations

__all__ = [
    "EN_QUERY_STOPWORDS",
    "EN_STOPWORDS",
    "IRREGULAR_PLURALS",
    "JA_STOPWORDS",
    "ZH_QUERY_STOPWORDS",
    "ZH_STOPWORDS",
    "plural",
    "s_stem",
    "singular",
]

# --------------------------------------------------------------------------------------------------
# Stopwords
# --------------------------------------------------------------------------------------------------

# The base lists: function words the keyword tokenizer drops at index and at query time. Kept small,
# because a dropped word can never be searched for ("not", "must", "within", 通过 carry meaning in
# policy text). Their hash is recorded in every index manifest (``BilingualTokenizer.settings``):
# changing a word here means rebuilding indexes and bumping ``TOKENIZER_VERSION``.
ZH_STOPWORDS = frozenset(
    str.split(
        "的 了 和 与 及 等 在 是 也 对 将 为 从 以 其 或 并 而 之 于 被 把 这 那 就 都 又 即 着 所 "
        "该 以及 及其 等等 之一 进行"
    )
)
EN_STOPWORDS = frozenset(
    str.split(
        "a an the of and or to in on at by for from with as into onto than then that this these "
        "those is are was were be been being has have had do does did it its their there they them "
        "which who whom whose will shall would should can could may might also such so but if about "
        "over under upon via per"
    )
)
# Japanese: Sudachi normalized forms the Japanese analyzer drops on top of its part-of-speech filter
# (particles, auxiliaries, する/ある/なる ...): nouns and verbs of legal boilerplate with no subject
# of their own (こと, ため, 当該 "the said", 以下 "hereinafter", 言う in 「…」という).
JA_STOPWORDS = frozenset(
    str.split("事 こと もの 為 ため 様 よう 言う いう 因る よる 於く おく 付く つく 当該 以下 他 ほか")
)

# The translator's lists: the base plus query words whose dictionary translation is only noise.
# A word left untranslated is still searched by its own tokens, so this list can be generous where
# the index list cannot: CC-CEDICT gives 需要 | 愿意 | 要 for "want", 不 | 不是 | 非 for "not" and
# 其中 | 之间 | 中 for "among", and each would become a concept the passages must match. With the
# base lists instead, 6 of the 61 dev queries and 408 of the first 1,500 CCLW titles translate
# differently (measured 2026-12).
ZH_QUERY_STOPWORDS = ZH_STOPWORDS | frozenset(
    str.split(
        "或者 对于 向 由 其中 那些 这些 并且 而且 还 则 有关 关于 通过 一个 一些 我们 他们 它们 "
        "中 上 下 里 过 吗 呢 吧 啊"
    )
)
EN_QUERY_STOPWORDS = EN_STOPWORDS | frozenset(
    str.split(
        "nor without along across against amid among between within while whether am done having "
        "it's he she his her we our us you your i me my mine what when where why how here very "
        "must not no yes all any each both either neither some most more less other own same too "
        "only just s etc e g vs want wants wanted make makes made get gets got use used using one's"
    )
)

# --------------------------------------------------------------------------------------------------
# Singular and plural
# --------------------------------------------------------------------------------------------------

# Plurals the suffix rules get wrong, and words ending in -s that are not plurals.
IRREGULAR_PLURALS = {
    "analyses": "analysis",
    "crises": "crisis",
    "criteria": "criterion",
    "phenomena": "phenomenon",
    "women": "woman",
    "men": "man",
    "children": "child",
    "gases": "gas",  # the suffix rule would give "gase"
    "evs": "ev",  # shorter than the suffix rules allow
    "series": "series",
    "species": "species",
    "news": "news",
}
# Endings that look plural but are not: glass, bus, analysis, economics (a field, not economic+s).
_NOT_PLURAL = ("ss", "us", "is", "ics")
# After these endings the plural adds -es (taxes, churches), so the singular drops -es. -z also takes
# -es in the plural (waltzes), but a singular cannot drop it: sizes is size + s.
_ES_AFTER = ("ss", "ch", "sh", "x")
_VOWELS = "aeiou"


def singular(word: str) -> str:
    """The singular of a lowercase English word; other words come back unchanged.

    Rules, first match wins: an irregular plural (``IRREGULAR_PLURALS``: analyses -> analysis);
    -ies -> -y (batteries -> battery); -sses, -ches, -shes, -xes drop -es (taxes -> tax);
    -s is dropped (minerals -> mineral, days -> day) except after ss, us, is, ics and in words of
    three letters or fewer (gas, bus). Only plural endings are touched, so the same key comes out
    for both numbers of a noun, and verbs in -s lose it too (establishes -> establish), which is
    what a search key wants.

    Example: ``singular("batteries")`` -> ``"battery"``; ``singular("gas")`` -> ``"gas"``.
    """
    irregular = IRREGULAR_PLURALS.get(word)
    if irregular is not None:
        return irregular
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("es") and word[:-2].endswith(_ES_AFTER):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(_NOT_PLURAL):
        return word[:-1]
    return word


def plural(word: str) -> str:
    """The plural of a lowercase English singular noun, the inverse of :func:`singular`.

    -y after a consonant -> -ies (policy -> policies); after ch, sh, x or z add -es
    (tax -> taxes); otherwise add -s (mineral -> minerals, key -> keys). A word that already
    ends in -s (minerals, gas, analysis) or in a non-letter (co2) comes back unchanged: telling a
    plural from a singular in -s needs a dictionary, and the lexicon lists such terms as they are used.

    ``singular(plural(w)) == w`` for nouns of three letters or more, except where a suffix rule
    cannot tell the plural from another word: nouns in -s, -z, -i, -u or -ic (waltzes, taxis,
    menus, economics end like sizes, analysis, bus, physics), in -ie (movies ends like policies)
    and in -e after ch, sh, ss or x (aches ends like churches). tests/nlp/test_words.py checks it.

    Example: ``plural("battery")`` -> ``"batteries"``.
    """
    if not word or not word[-1].isalpha() or word.endswith("s"):
        return word
    if word.endswith("y") and len(word) > 2 and word[-2] not in _VOWELS:
        return word[:-1] + "ies"
    if word.endswith((*_ES_AFTER, "z")):
        return word + "es"
    return word + "s"


def s_stem(word: str) -> str:
    """Harman's S-stemmer, the keyword index's plural rule: strip English plural endings only.

    Words of three letters or fewer, words with a non-letter (li-ion, co2) and words ending in
    -us, -ss or -is (gas, bus, less, analysis) are left alone; -ies -> -y (batteries -> battery)
    except -eies, -aies; -es -> -e except -aes, -ees, -oes (taxes -> taxe); -s is dropped.

    Why not :func:`singular`: the tokens of every passage are stored in the index and the
    tokenizer's rules are part of its manifest (``stem="s"``, ``TOKENIZER_VERSION``), so changing
    the rule means rebuilding every index, and it changes the search numbers. Measured (2026-12)
    with the tokenizer on :func:`singular`: the dev sets (search, concept, tags) are unchanged, but
    CCLW search (``benchmarks/eval/search_cclw.jsonl``) drops from MRR@10 0.8646 to 0.8576.
    The two rules agree on the common plurals (batteries, minerals, policies, days) and differ on
    -sses, -ches, -shes, -xes (taxes: taxe here, tax there), -ics (economics: economic here),
    four-letter -ies (ties: ty here) and irregular plurals (gases: gase here, gas there).

    Example: ``s_stem("batteries")`` -> ``"battery"``; ``s_stem("taxes")`` -> ``"taxe"``.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss", "is")):
        return word[:-1]
    return word


def verb_forms(word: str) -> tuple[str, ...]:
    """The -ed and -ing forms of a lowercase English base verb, by suffix rules (no dictionary).

    The keyword index stores words as written, apart from plural endings (:func:`s_stem`), so
    "support" (a translated 지원) does not match "Supported by $60 million": keyword scoring
    (``index.search.scoring.concept_scores``) also looks the forms up. Words of three letters or
    fewer, with a non-letter, or already ending in -ed or -ing give nothing; consonant doubling
    (plan -> planned) is not attempted.

    Example: ``verb_forms("support")`` -> ``("supported", "supporting")``;
    ``verb_forms("produce")`` -> ``("produced", "producing")``; ``verb_forms("supply")`` ->
    ``("supplied", "supplying")``.
    """
    if len(word) < 4 or not word.isascii() or not word.isalpha() or word.endswith(("ed", "ing")):
        return ()
    if word.endswith("e"):
        return (word + "d", word[:-1] + "ing")
    if word.endswith("y") and word[-2] not in _VOWELS:
        return (word[:-1] + "ied", word + "ing")
    return (word + "ed", word + "ing")

