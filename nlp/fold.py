"""Han-character folding: Japanese kanji and Traditional Chinese to Simplified Chinese forms.

A Chinese query and a Japanese passage share most of their Han vocabulary but not its spelling:
蓄电池 / 蓄電池, 矿产 / 鉱産, 经济 / 経済, 计划 / 計画. Keyword search folds both sides to one form,
Simplified Chinese, so the same token comes out of both (the Japanese analyzer folds its tokens with
:func:`fold_japanese`; Chinese text goes through :func:`fold_han`).

How a Japanese word is folded (measured on the six Japanese laws, 776 kanji types; JAKO.md §4):

1. Shinjitai -> Kyujitai, one character at a time, by the table in ``data/han_fold.tsv``. It is
   generated from OpenCC's ``JPShinjitaiCharacters`` dictionary (first value of each entry) by
   :func:`generate_table`, minus :data:`KEEP` (characters Chinese writes the same way as Japanese and
   whose Kyujitai form t2s does not map back, e.g. 研 -> 硏 would lose 研究). 経 -> 經, 画 -> 畫.
2. OpenCC ``t2s`` (Traditional -> Simplified, with its phrase rules): 經濟 -> 经济, and 計畫 -> 计划
   (a character table alone gives 计画; going through the Kyujitai form is what lets t2s's phrase
   table act).
3. :data:`FIX`: forms neither step simplifies (鑛 -> 矿, 汚 -> 污, 働 -> 动, ...).

The characters in :data:`JA_ONLY` are Shinjitai in Japanese but ordinary, different characters in
Chinese (予 in 给予, 欠 in 欠款, 芸 in 芸芸, 弁, 沪), so they are folded in Japanese text only.
:func:`fold_han` (any text: Chinese, Traditional Chinese, a Han-only query of unknown language)
leaves them alone, and leaves Simplified Chinese text unchanged (checked on the Chinese laws, the
seed paper and jieba's dictionary by ``tests/nlp/test_fold.py``).

Whole-word foldings that characters cannot give (関連 -> 关联, not 关连) are in :data:`JA_WORDS`,
applied to Japanese tokens only.

The table is package data, not computed at run time, because the reviewed lists above must be
applied to it and the review is easier on a file: regenerate it with
``python -m policyscope.nlp.fold > nlp/data/han_fold.tsv`` after an OpenCC upgrade and read the diff.
OpenCC itself (Apache-2.0, 2.4 MB wheel, 0.06 s to load) is a run-time dependency for step 2, whose
phrase tables are too large to ship twice.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
from importlib import resources
from typing import Any

from policyscope.nlp.language import contains_han, opencc_converter

__all__ = ["FIX", "JA_ONLY", "JA_WORDS", "KEEP", "fold_han", "fold_japanese", "fold_settings"]

TABLE_FILE = "han_fold.tsv"

# Left out of the Shinjitai -> Kyujitai table: Chinese writes these as Japanese does, and t2s does not
# map their Kyujitai forms back (研 -> 硏, 概 -> 槪, 翻 -> 飜, 郎 -> 郞, 瓶 -> 甁, 晃 -> 晄, 叙 -> 敍,
# 慎 -> 愼, 萌 -> 萠, 褒 -> 襃), so folding them would only break 研究, 概念, 翻译 ...
KEEP = frozenset("研概翻郎瓶晃叙慎萌褒")
# Shinjitai whose Kyujitai is right for Japanese text, wrong for Chinese: 予 -> 豫 (予算 -> 预算, but
# Chinese 给予), 欠 -> 缺 (欠如, but Chinese 欠款), 芸 -> 藝 (芸術 -> 艺术, but Chinese 芸芸), 弁 -> 辯
# (答弁, but the Chinese surname 弁), 沪 (Shanghai), 浜 -> 濱 (浜松 -> 滨松, but Shanghai's 沙家浜), 缶 -> 罐
# (缶詰, but the classical Chinese 击缶), 麹 -> 麴 (a Chinese surname). Found by folding every
# Simplified word of jieba's dictionary (346,924): with these kept, the table changes only 94 entries,
# all Japanese forms that the dictionary lists as single characters (乗 亜 仮 伝 ...) or in names.
JA_ONLY = frozenset("予欠芸弁沪浜缶麹")
# After t2s: Kyujitai or Japanese forms that t2s leaves alone or that OpenCC's table lacks.
FIX = {"鑛": "矿", "鉱": "矿", "塡": "填", "汚": "污", "靱": "韧", "隣": "邻", "衞": "卫", "竝": "并",
       "倂": "并", "働": "动"}
# FIX for Japanese text only: 豫 is a Chinese character of its own (犹豫, the short name of Henan),
# but in Japanese text it only comes from 予 (予算 -> 豫算 -> 预算).
FIX_JA = {"豫": "预"}
# Japanese words whose Chinese spelling differs by more than the characters (from OpenCC's
# JPShinjitaiPhrases, reviewed; not its 収集 -> 蒐集, which Chinese writes 收集). Keys are folded forms.
JA_WORDS = {"关连": "关联", "编集": "编辑", "犹预": "犹豫", "连合": "联合", "连邦": "联邦", "总合": "综合"}


@functools.lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str], dict[int, str], str]:
    """``(ja table, any-text table, sha256 of the file)`` as ``str.translate`` tables."""
    raw = resources.files("policyscope.nlp").joinpath("data", TABLE_FILE).read_text(encoding="utf-8")
    ja: dict[int, str] = {}
    any_text: dict[int, str] = {}
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or len(parts[0]) != 1 or len(parts[1]) != 1:
            raise ValueError(f"{TABLE_FILE} line {n}: expected 'shinjitai<TAB>kyujitai', got {line!r}")
        src, dst = parts
        ja[ord(src)] = dst
        if src not in JA_ONLY:
            any_text[ord(src)] = dst
    return ja, any_text, hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


_FIX_ANY = str.maketrans(FIX)
_FIX_JA = str.maketrans({**FIX, **FIX_JA})


def fold_han(text: str) -> str:
    """Fold the Han characters of any text (Chinese, Traditional, or unknown) to Simplified Chinese.

    Simplified Chinese comes back unchanged; Traditional is simplified (OpenCC t2s); the Japanese
    Shinjitai that Chinese never writes are folded too, so a Han-only Japanese query still meets
    the folded Japanese passages. The :data:`JA_ONLY` characters are kept.

    Example: ``fold_han("關鍵礦產")`` -> ``"关键矿产"``; ``fold_han("経済")`` -> ``"经济"``;
    ``fold_han("给予")`` -> ``"给予"``.
    """
    if not contains_han(text):
        return text
    _, any_text, _ = _tables()
    return opencc_converter("t2s").convert(text.translate(any_text)).translate(_FIX_ANY)


def fold_japanese(text: str) -> str:
    """Fold Japanese text (a token, usually) to Simplified Chinese forms; kana are unchanged.

    Example: ``fold_japanese("鉱産")`` -> ``"矿产"``; ``fold_japanese("計画")`` -> ``"计划"``;
    ``fold_japanese("予算")`` -> ``"预算"``; ``fold_japanese("研究")`` -> ``"研究"``.
    """
    if not contains_han(text):
        return text
    ja, _, _ = _tables()
    folded = opencc_converter("t2s").convert(text.translate(ja)).translate(_FIX_JA)
    return JA_WORDS.get(folded, folded)


def fold_settings() -> dict[str, Any]:
    """What an index records about folding (no OpenCC load: versions come from package metadata)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        opencc_version = version("opencc")
    except PackageNotFoundError:
        opencc_version = "missing"
    words = json.dumps([sorted(KEEP), sorted(JA_ONLY), FIX, FIX_JA, JA_WORDS], ensure_ascii=False, sort_keys=True)
    return {
        "table_hash": _tables()[2],
        "rules_hash": hashlib.sha256(words.encode("utf-8")).hexdigest()[:16],
        "opencc": opencc_version,
    }


# --- regenerating the table ------------------------------------------------------------------


def generate_table() -> list[tuple[str, str]]:
    """Shinjitai -> Kyujitai pairs from the installed OpenCC's ``JPShinjitaiCharacters`` dictionary.

    OpenCC's wheel ships the dictionary compiled (``.ocd2``); a one-dictionary config makes OpenCC
    apply it alone, and every Han character of the BMP is passed through it. Entries whose first
    value is the character itself, and the :data:`KEEP` characters, are left out.
    """
    import opencc

    share = os.path.join(os.path.dirname(opencc.__file__), "clib", "share", "opencc")
    ocd2 = os.path.join(share, "JPShinjitaiCharacters.ocd2")
    if not os.path.isfile(ocd2):
        raise FileNotFoundError(f"{ocd2}: OpenCC's JPShinjitaiCharacters dictionary not found")
    config = {"name": "Shinjitai characters only", "conversion_chain": [{"dict": {"type": "ocd2", "file": ocd2}}]}
    chars = [chr(c) for r in ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00)) for c in range(*r)]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "jp_chars.json")
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(config, fh)
        out = opencc.OpenCC(path).convert("\n".join(chars)).split("\n")
    if len(out) != len(chars):
        raise RuntimeError("OpenCC changed the number of characters; cannot pair them up")
    return [(a, b) for a, b in zip(chars, out) if a != b and len(b) == 1 and a not in KEEP]


def main() -> None:
    """Print the table file (``python -m policyscope.nlp.fold > nlp/data/han_fold.tsv``)."""
    import opencc

    pairs = generate_table()
    print("# Shinjitai -> Kyujitai, one character each: step 1 of policyscope.nlp.fold (read its docstring).")
    print(f"# Generated by `python -m policyscope.nlp.fold` from OpenCC {opencc.__version__}'s JPShinjitaiCharacters")
    print(f"# (Apache-2.0), first value of each entry, without {''.join(sorted(KEEP))} (fold.KEEP).")
    print(f"# {len(pairs)} entries; {''.join(sorted(JA_ONLY))} (fold.JA_ONLY) apply to Japanese text only.")
    for a, b in pairs:
        print(f"{a}\t{b}")


if __name__ == "__main__":
    sys.exit(main())
