"""Generate ``nlp/data/jmdict_ja_en.tsv``: a small Japanese -> English word list cut from JMdict.

Not part of the installed package; run it by hand when JMdict or the Japanese texts change. It needs the
JMdict SQLite database of ``jamdict-data`` (311 MB installed, too big to ship) and SudachiPy with
``sudachidict_core`` (the analyzer the index uses for Japanese):

    python benchmarks/tools/make_jmdict.py \
        --jamdict-db /path/to/site-packages/jamdict_data/jamdict.db \
        --texts ../shared/sources/policy-texts --out nlp/data/jmdict_ja_en.tsv

An entry is kept when (a) it is "common" in JMdict's sense (a spelling carries one of the priority tags
news1, ichi1, spec1, spec2, gai1: the ``(P)`` marker of EDICT), (c) one of its glosses is an English term of
the curated glossary (phrases of two words or more; single words only from its domain categories and only
as the entry's first gloss), or (b) one of its spellings is a word of the
Japanese texts: the surface, ``normalized_form()`` and ``dictionary_form()`` of every SudachiPy unit in mode C
and of its mode-A parts (e.g. 再資源化 gives 再資源化, 再, 資源, 化), particles, auxiliaries and symbols left
out. A word written only in kana matches an entry only through a kana headword (an entry without kanji, a
reading marked "no kanji", or a first sense "usually written using kana alone"), so こと does not pull in
every homophone written in kanji (事, 古都, 糊塗 ...).

Output (UTF-8, tab-separated, one header row, rows sorted by JMdict sequence number)::

    seq  kanji  kana  pos  gloss  notes  src

- ``seq``: the JMdict entry sequence number (``ent_seq``), unique.
- ``kanji``, ``kana``: spellings, ``|``-separated, in JMdict's order (main form first); spellings tagged
  irregular, out-dated or obsolete are dropped unless the texts use them. ``kanji`` is empty for kana words.
- ``pos``: short part-of-speech codes of the first kept sense, ``,``-separated (n, vs, v, adj, adj-na,
  adj-no, adj-f (prenominal), adv, exp, pref, suf, ctr, num, pn, conj, int, prt, aux, other).
- ``gloss``: English glosses of the first ``MAX_SENSES`` senses, senses separated by ``;`` and glosses within a
  sense by ``|``, best first. Clean for an English -> Japanese index: parenthetical notes are moved to
  ``notes``, verb glosses lose their leading "to ".
- ``notes``: the parenthetical notes taken out of the kept glosses, ``|``-separated (often empty).
- ``src``: why the entry is in: ``c`` common, ``t`` a word of the texts, ``g`` a gloss is an English term of
  the curated glossary (``supply chain`` -> サプライチェーン); any combination, in that order.

Beside it, ``jmdict_ja_en.json`` records the counts, size, sha256, source version and licence.

JMdict is (C) the Electronic Dictionary Research and Development Group, CC BY-SA 4.0; see nlp/data/SOURCES.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sqlite3
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

COMMON_TAGS = ("news1", "ichi1", "spec1", "spec2", "gai1")
MAX_SENSES = 3
MAX_GLOSSES_PER_SENSE = 4
MAX_COMPOUND = 4
# Glossary categories whose single-word English terms are domain vocabulary (see glossary_terms()).
DOMAIN_NOTES = (
    "element",
    "mineral",
    "battery",
    "recycling",
    "storage",
    "energy",
    "vehicle",
    "trade",
    "environment",
    "climate",
    "finance",
    "security",
    "standards",
    "unit",
)
# Spelling notes (KJI/KNI) that mark a form a reader should not be offered as a translation.
BAD_FORM = ("irregular kanji", "out-dated kanji", "irregular kana", "out-dated or obsolete kana")
# Senses a search-query translator should not use unless nothing else is left.
BAD_SENSE_MISC = ("archaism", "obsolete term", "obscure term", "dated term", "vulgar expression or word")
UK = "word usually written using kana alone"
COLUMNS = ("seq", "kanji", "kana", "pos", "gloss", "notes", "src")
SKIP_POS = ("助詞", "助動詞", "補助記号", "空白", "記号")

# JMdict part-of-speech descriptions (as jamdict stores them) -> short codes; first match wins.
POS_CODES = (
    ("noun or participle which takes the aux. verb suru", "vs"),
    ("suru verb", "vs"),
    ("nouns which may take the genitive case particle", "adj-no"),
    ("adjectival nouns or quasi-adjectives", "adj-na"),
    ("archaic/formal form of na-adjective", "adj-na"),
    ("noun, used as a suffix", "suf"),
    ("noun, used as a prefix", "pref"),
    ("noun or verb acting prenominally", "adj-f"),
    ("noun", "n"),
    ("pronoun", "pn"),
    ("auxiliary", "aux"),
    ("adjective", "adj"),
    ("adverb", "adv"),
    ("verb", "v"),
    ("expressions", "exp"),
    ("prefix", "pref"),
    ("suffix", "suf"),
    ("counter", "ctr"),
    ("numeric", "num"),
    ("conjunction", "conj"),
    ("interjection", "int"),
    ("particle", "prt"),
    ("copula", "aux"),
    ("pre-noun adjectival", "adj-f"),
)

_PARENS = re.compile(r"\s*\(([^()]*)\)\s*")
_SEPARATORS = re.compile(r"[|;\t]")
_KANA = re.compile(r"^[\u3041-\u309f\u30a0-\u30ffー・]+$")
_MD = re.compile(r"(\*\*|^#+\s*|^-\s+)", re.MULTILINE)


def pos_code(description: str) -> str:
    """Short code of a JMdict part-of-speech description: a prefix match first ("pronoun" is not "noun"),
    then a substring match ("Godan verb with 'ru' ending" -> v)."""
    for prefix, code in POS_CODES:
        if description.startswith(prefix):
            return code
    for prefix, code in POS_CODES:
        if prefix in description:
            return code
    return "other"


def clean_gloss(text: str, is_verb: bool) -> tuple[str, list[str]]:
    """A gloss without its parenthetical notes (returned separately) and, for verbs, without "to ".

    "to take (measures)" -> ("take", ["measures"]); "(electrical) storage battery" -> ("storage battery",
    ["electrical"]). Nested parentheses are removed from the inside out.
    """
    notes: list[str] = []
    while True:
        m = _PARENS.search(text)
        if not m:
            break
        notes.append(m.group(1).strip())
        text = (text[: m.start()] + " " + text[m.end() :]).strip()
    text = _SEPARATORS.sub(",", " ".join(text.split())).strip(" ,")
    if is_verb and text.startswith("to ") and len(text) > 3:
        text = text[3:]
    return text, [n for n in notes if n]


def front_matter_and_body(text: str) -> tuple[str, str]:
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            return text[3:end], text[end + 4 :]
    return "", text


def to_hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


def text_words(texts_dir: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Every word form SudachiPy finds in the ``ja_*.md`` texts (bodies, titles, abbreviations), with readings.

    Returns (words, compounds): form -> readings in hiragana. A word's reading is that of the unit it came
    from when the form is its surface, else the reading Sudachi gives the form on its own (none when it is
    not one unit). Compounds are the surfaces of runs of 2-``MAX_COMPOUND`` adjacent content units.
    """
    from sudachipy import Dictionary, SplitMode

    tok = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
    files = sorted(texts_dir.glob("ja_*.md"))
    if not files:
        raise SystemExit(f"{texts_dir}: no ja_*.md texts found")
    words: dict[str, set[str]] = defaultdict(set)
    compounds: dict[str, set[str]] = defaultdict(set)
    unread: set[str] = set()

    def add(m) -> None:
        if m.part_of_speech()[0] in SKIP_POS:
            return
        surface = unicodedata.normalize("NFKC", m.surface()).strip()
        for form in (surface, m.normalized_form(), m.dictionary_form()):
            form = unicodedata.normalize("NFKC", form).strip()
            if not form or form.isdigit():
                continue
            words[form]
            if form == surface:
                words[form].add(to_hiragana(m.reading_form()))
            else:
                unread.add(form)

    for path in files:
        head, body = front_matter_and_body(path.read_text("utf-8"))
        extra = [
            v.strip().strip('"') for k, v in re.findall(r"^\s*(title|abbrev):\s*(.+)$", head, re.MULTILINE)
        ]
        lines = _MD.sub("", body).splitlines() + [x for v in extra for x in v.split(",")]
        for line in lines:
            line = line.strip()
            if not line:
                continue
            units = list(tok.tokenize(line))  # per line: Sudachi refuses inputs over 49,149 bytes
            for m in units:
                add(m)
                for part in m.split(SplitMode.A):
                    add(part)
            # Runs of 2-4 content units, for JMdict compounds that Sudachi splits even in mode C
            # (安全 + 保障 -> 安全保障, 鉱物 + 資源 -> 鉱物資源); build() keeps only those JMdict has.
            for i in range(len(units)):
                for n in range(2, MAX_COMPOUND + 1):
                    run = units[i : i + n]
                    if len(run) < n or any(m.part_of_speech()[0] in SKIP_POS for m in run):
                        break
                    form = unicodedata.normalize("NFKC", "".join(m.surface() for m in run))
                    compounds[form].add(to_hiragana("".join(m.reading_form() for m in run)))
    for form in unread:
        ms = list(tok.tokenize(form))
        if len(ms) == 1:
            words[form].add(to_hiragana(ms[0].reading_form()))
    return dict(words), dict(compounds)


def is_kana(text: str) -> bool:
    return bool(_KANA.match(text))


def glossary_terms(path: Path) -> tuple[set[str], set[str]]:
    """English terms of the curated glossary (column ``en``), lowercased: (phrases, domain words).

    Phrases are the variants of two words or more ("supply chain", "storage battery"). Single words are
    kept only from the rows of the domain categories (``DOMAIN_NOTES``): "lithium" and "tariff" are domain
    vocabulary, "start" and "support" (category general/policy) would pull in every Japanese synonym.
    """
    lines = path.read_text("utf-8").splitlines()
    header = lines[0].split("\t")
    en_col, note_col = header.index("en"), header.index("note")
    phrases, words = set(), set()
    for line in lines[1:]:
        cols = line.split("\t")
        if len(cols) <= max(en_col, note_col):
            continue
        for v in cols[en_col].split("|"):
            v = v.strip().lower()
            if " " in v:
                phrases.add(v)
            elif v and cols[note_col].strip() in DOMAIN_NOTES:
                words.add(v)
    return phrases, words


def _grouped(db: sqlite3.Connection, sql: str) -> defaultdict[int, list[str]]:
    """Rows ``(key, value)`` of ``sql`` as key -> values, in row order."""
    out: defaultdict[int, list[str]] = defaultdict(list)
    for key, value in db.execute(sql):
        out[key].append(value)
    return out


def build(
    db_path: Path,
    words: dict[str, set[str]],
    compounds: dict[str, set[str]],
    terms: tuple[set[str], set[str]],
) -> tuple[list[list[str]], dict[str, int]]:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    meta = dict(db.execute("select key, value from meta"))
    if "jmdict.version" not in meta:
        raise SystemExit(f"{db_path}: not a jamdict database (no jmdict.version in its meta table)")

    kanji: dict[int, list[tuple[str, bool, bool]]] = defaultdict(list)  # idseq -> (text, common, bad)
    kana: dict[int, list[tuple[str, bool, bool, bool]]] = defaultdict(list)  # + nokanji
    kjp, kji = _grouped(db, "select kid, text from KJP"), _grouped(db, "select kid, text from KJI")
    knp, kni = _grouped(db, "select kid, text from KNP"), _grouped(db, "select kid, text from KNI")
    for kid, idseq, text in db.execute("select ID, idseq, text from Kanji order by ID"):
        common = bool(set(kjp[kid]) & set(COMMON_TAGS))
        bad = any(b in i for i in kji[kid] for b in BAD_FORM)
        kanji[idseq].append((text, common, bad))
    for kid, idseq, text, nokanji in db.execute("select ID, idseq, text, nokanji from Kana order by ID"):
        common = bool(set(knp[kid]) & set(COMMON_TAGS))
        bad = any(b in i for i in kni[kid] for b in BAD_FORM)
        kana[idseq].append((text, common, bad, bool(nokanji)))

    senses: dict[int, list[int]] = defaultdict(list)
    for sid, idseq in db.execute("select ID, idseq from Sense order by ID"):
        senses[idseq].append(sid)
    pos, misc = _grouped(db, "select sid, text from pos"), _grouped(db, "select sid, text from misc")
    gloss = _grouped(db, "select sid, text from SenseGloss where lang = 'eng' order by rowid")

    # Which entries the texts use. A word in kanji matches the entries spelled that way whose reading is the
    # one Sudachi gave it (完了 read かんりょう, not the mahjong term ワンラ); failing that, the common ones;
    # failing that, all. A word in kana matches kana headwords only (see the module docstring).
    common = {
        idseq: any(c for _, c, _ in kanji.get(idseq, [])) or any(c for _, c, _, _ in kana.get(idseq, []))
        for idseq in senses
    }
    by_kanji: dict[str, list[int]] = defaultdict(list)
    by_kana: dict[str, list[int]] = defaultdict(list)
    for idseq, ks in kanji.items():
        for k, _, _ in ks:
            by_kanji[k].append(idseq)
    for idseq, rs in kana.items():
        sids = senses.get(idseq, [])
        first_uk = bool(sids) and UK in misc[sids[0]]
        for r, _, _, nokanji in rs:
            if not kanji.get(idseq) or nokanji or first_uk:
                by_kana[r].append(idseq)
    in_text: set[int] = set()
    for word, readings in words.items():
        if is_kana(word) and len(word) == 1:
            continue  # item labels (イ, ロ, ハ ...) and stray kana, not words
        cand = by_kana.get(word, []) if is_kana(word) else by_kanji.get(word, [])
        if not cand:
            continue
        chosen = []
        if not is_kana(word):
            chosen = [e for e in cand if readings & {to_hiragana(r) for r, *_ in kana.get(e, [])}]
        chosen = chosen or [e for e in cand if common[e]] or cand
        in_text.update(chosen)
    # A compound counts only with the reading of its parts (安全保障 read あんぜんほしょう).
    for form, readings in compounds.items():
        if form in words:
            continue
        for e in by_kanji.get(form, []):
            if readings & {to_hiragana(r) for r, *_ in kana.get(e, [])}:
                in_text.add(e)
    text_forms = set(words) | {k for e in in_text for k, *_ in kanji.get(e, []) if k in compounds}

    # Entries with a gloss that is an English term of the curated glossary ("supply chain" -> サプライチェーン,
    # 供給網, 供給連鎖): the domain's Japanese words that neither the texts nor the common list hold.
    # A phrase may be any gloss of the first MAX_SENSES senses; a single word must be the entry's first gloss.
    phrases, single = terms
    in_glossary: set[int] = set()
    for idseq, sids in senses.items():
        glosses = [clean_gloss(g, True)[0].lower() for sid in sids[:MAX_SENSES] for g in gloss[sid]]
        if glosses and (glosses[0] in single or any(g in phrases for g in glosses)):
            in_glossary.add(idseq)

    rows: list[list[str]] = []
    stats = {"c": 0, "t": 0, "g": 0, "no_gloss": 0}
    for (idseq,) in db.execute("select idseq from Entry order by idseq"):
        ks, rs = kanji.get(idseq, []), kana.get(idseq, [])
        sids = senses.get(idseq, [])
        if not (common.get(idseq) or idseq in in_text or idseq in in_glossary):
            continue
        # Senses: pos carries over from the previous sense when a sense lists none (JMdict convention).
        kept, last_pos = [], []
        for sid in sids:
            last_pos = pos[sid] or last_pos
            if not gloss[sid]:
                continue
            kept.append((sid, list(last_pos)))
        good = [(s, p) for s, p in kept if not any(m in BAD_SENSE_MISC for m in misc[s])]
        kept = (good or kept)[:MAX_SENSES]
        sense_texts, notes = [], []
        for sid, plist in kept:
            is_verb = any(pos_code(p) in ("v", "vs") for p in plist)
            out = []
            for g in gloss[sid]:
                text, ns = clean_gloss(g, is_verb)
                if text and text not in out:
                    out.append(text)
                    notes.extend(n for n in ns if n not in notes)
                if len(out) == MAX_GLOSSES_PER_SENSE:
                    break
            if out:
                sense_texts.append("|".join(out))
        if not sense_texts:
            stats["no_gloss"] += 1
            continue
        codes = []
        for p in kept[0][1]:
            c = pos_code(p)
            if c not in codes:
                codes.append(c)
        kanji_out = [k for k, _, bad in ks if not bad or k in text_forms]
        kana_out = [r for r, _, bad, _ in rs if not bad or r in text_forms]
        src = ("c" if common.get(idseq) else "") + ("t" if idseq in in_text else "")
        src += "g" if idseq in in_glossary else ""
        for flag in src:
            stats[flag] += 1
        notes_out = "|".join(_SEPARATORS.sub(",", n) for n in notes)
        rows.append(
            [
                str(idseq),
                "|".join(kanji_out),
                "|".join(kana_out),
                ",".join(codes),
                ";".join(sense_texts),
                notes_out,
                src,
            ]
        )
    stats["entries"] = len(rows)
    stats["jmdict_version"] = meta.get("jmdict.version", "?")
    return rows, stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--jamdict-db", type=Path, help="jamdict_data/jamdict.db (default: from the installed package)"
    )
    ap.add_argument("--texts", type=Path, default=Path("../shared/sources/policy-texts"))
    ap.add_argument("--glossary", type=Path, default=Path("nlp/data/glossary.tsv"))
    ap.add_argument("--out", type=Path, default=Path("nlp/data/jmdict_ja_en.tsv"))
    args = ap.parse_args(argv)
    db_path = args.jamdict_db
    if db_path is None:
        import importlib.util

        spec = importlib.util.find_spec("jamdict_data")
        if spec is None or not spec.origin:
            raise SystemExit("jamdict-data is not installed; pass --jamdict-db PATH/jamdict.db")
        db_path = Path(spec.origin).with_name("jamdict.db")
    if not db_path.is_file():
        raise SystemExit(f"{db_path}: no such file")
    words, compounds = text_words(args.texts)
    rows, stats = build(db_path, words, compounds, glossary_terms(args.glossary))
    tmp = args.out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("\t".join(COLUMNS) + "\n")
        for row in rows:
            fh.write("\t".join(row) + "\n")
    tmp.replace(args.out)
    size = args.out.stat().st_size
    dist = sorted(db_path.parent.parent.glob("jamdict_data-*.dist-info"))
    manifest = {
        "file": args.out.name,
        "columns": list(COLUMNS),
        "entries": stats["entries"],
        "by_source": {"common": stats["c"], "texts": stats["t"], "glossary": stats["g"]},
        "bytes": size,
        "sha256": hashlib.sha256(args.out.read_bytes()).hexdigest(),
        "text_word_forms": len(words),
        "source": {
            "name": "JMdict",
            "jmdict_version": stats["jmdict_version"],
            "package": dist[-1].name.removesuffix(".dist-info") if dist else "jamdict-data (version unknown)",
            "copyright": "the Electronic Dictionary Research and Development Group (EDRDG)",
            "licence": "CC BY-SA 4.0",
            "licence_url": "https://www.edrdg.org/edrdg/licence.html",
        },
        "selection": {
            "common_tags": list(COMMON_TAGS),
            "max_senses": MAX_SENSES,
            "max_glosses_per_sense": MAX_GLOSSES_PER_SENSE,
            "texts": "ja_*.md of the policy texts, SudachiPy (sudachidict_core) mode C units and mode-A parts",
            "glossary_note_categories": list(DOMAIN_NOTES),
        },
        "generator": "benchmarks/tools/make_jmdict.py",
    }
    meta_path = args.out.with_suffix(".json")
    meta_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(
        f"{args.out}: {stats['entries']} entries ({stats['c']} common, {stats['t']} words of the texts, "
        f"{stats['g']} glossing a glossary term; {stats['no_gloss']} dropped without a usable gloss), "
        f"{size:,} bytes; {len(words)} word forms and {len(compounds)} unit runs in the texts; "
        f"JMdict {stats['jmdict_version']}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
