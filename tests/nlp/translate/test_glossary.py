"""The packaged glossary (zh/en/ja/ko), its reader, and the JMdict word list beside it."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from policyscope.nlp.translate import read_glossary

from tests.conftest import SHARED, require_shared

DATA = Path(__file__).resolve().parents[3] / "nlp" / "data"
GLOSSARY = DATA / "glossary.tsv"
JMDICT = DATA / "jmdict_ja_en.tsv"
JMDICT_META = DATA / "jmdict_ja_en.json"
POLICY_TEXTS = SHARED / "sources" / "policy-texts"

KANA_OR_HAN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
KANA = re.compile(r"[\u3040-\u30ff]")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
POS_CODES = {
    "n", "vs", "v", "adj", "adj-na", "adj-no", "adj-f", "adv", "exp", "pref", "suf", "ctr", "num", "pn",
    "conj", "int", "prt", "aux", "other",
}  # fmt: skip


def _rows() -> list[list[str]]:
    return [line.split("\t") for line in GLOSSARY.read_text("utf-8").splitlines()[1:]]


# ---- glossary file ------------------------------------------------------------------------------


def test_glossary_has_five_columns_and_both_zh_and_en_on_every_row() -> None:
    lines = GLOSSARY.read_text("utf-8").splitlines()
    assert lines[0] == "zh\ten\tnote\tja\tko"
    for lineno, line in enumerate(lines[1:], 2):
        cols = line.split("\t")
        assert len(cols) == 5, f"line {lineno}: {line!r}"
        assert cols[0].strip() and cols[1].strip(), f"line {lineno}: {line!r}"
        for cell in (cols[1], cols[3], cols[4]):
            if cell:
                assert all(v.strip() == v and v for v in cell.split("|")), f"line {lineno}: bad variant"
    entries = read_glossary()
    assert len(entries) == len(lines) - 1 >= 300


NOTE_CATEGORIES = {
    "policy", "finance", "economy", "trade", "geopolitics", "security", "alliance", "localization", "market",
    "workforce", "standards", "rd", "environment", "recycling", "general", "energy", "battery", "storage",
    "infrastructure", "vehicle", "company", "industry", "mineral", "element", "country", "country-abbr",
    "initiative", "institution", "platform", "programme", "document", "unit", "time", "climate",
}  # fmt: skip


def test_glossary_rows_use_the_curated_note_categories() -> None:
    assert {r[2] for r in _rows()} <= NOTE_CATEGORIES


def test_glossary_has_no_duplicate_rows_or_zh_en_pairs() -> None:
    rows = _rows()
    assert [z for z, n in Counter(r[0] for r in rows).items() if n > 1] == []
    pairs = Counter((e.zh, v.lower()) for e in read_glossary() for v in e.en)
    assert [p for p, n in pairs.items() if n > 1] == []


def test_japanese_variants_contain_kana_or_han_and_korean_variants_contain_hangul() -> None:
    for e in read_glossary():
        assert all(KANA_OR_HAN.search(v) for v in e.ja), (e.zh, e.ja)
        assert all(HANGUL.search(v) for v in e.ko), (e.zh, e.ko)
        assert not any(HANGUL.search(v) for v in e.ja), (e.zh, e.ja)
        assert len(set(e.ja)) == len(e.ja) and len(set(e.ko)) == len(e.ko), e.zh


def test_most_rows_carry_japanese_and_korean_terms() -> None:
    entries = read_glossary()
    with_ja = sum(1 for e in entries if e.ja)
    with_ko = sum(1 for e in entries if e.ko)
    assert with_ja >= 0.9 * len(entries) and with_ko >= 0.9 * len(entries)


@pytest.mark.parametrize(
    ("zh", "en", "ja", "ko"),
    [
        ("储备", "stockpile", "備蓄", "비축"),
        ("经济安全", "economic security", "経済安全保障", "경제안보"),
        ("供应链", "supply chain", "サプライチェーン", "공급망"),
        ("蓄电池", "storage battery", "蓄電池", "축전지"),
        ("资源化", "resource recovery", "再資源化", "재자원화"),
        ("特定重要物资", "specified critical materials", "特定重要物資", "특정중요물자"),
        ("附则", "supplementary provisions", "附則", "부칙"),
        ("国防生产法", "defense production act", "国防生産法", "국방물자생산법"),
    ],
)
def test_a_policy_term_reads_the_same_in_all_four_languages(zh: str, en: str, ja: str, ko: str) -> None:
    entry = next(e for e in read_glossary() if e.zh == zh)
    assert en in entry.en and ja in entry.ja and ko in entry.ko


# ---- coverage of the real texts -----------------------------------------------------------------

# Key vocabulary of the Korean decree (economic security, supply chain, stockpiles, the fund, the committee,
# procurement and the law's own structure), each written as the decree writes it.
KO_DECREE_TERMS = [
    "경제안보", "공급망", "공급망 안정화", "기본계획", "시행계획", "경제안보품목", "경제안보서비스",
    "조기경보시스템", "위기품목", "긴급수급조정조치", "비축", "수급", "선도사업자", "공급망안정화위원회",
    "전문위원회", "공급망안정화기금", "공급망안정화기금채권", "기금", "채권", "시행령", "대통령령", "부칙",
    "수입선 다변화", "수출입", "수입업자", "조달", "수의계약", "관세청", "조달청", "한국수출입은행",
    "재정경제부", "산업통상부", "중앙행정기관", "매점매석", "의존도", "국제협력", "위기대책본부",
]  # fmt: skip

JA_TEXT_TERMS = [
    "安全保障", "経済施策", "特定重要物資", "安定供給確保", "供給確保計画", "備蓄", "再資源化", "蓄電池",
    "密閉形蓄電池", "リチウムイオン蓄電池", "金属鉱産物", "希土類金属", "永久磁石", "自主回収", "再生資源",
    "副産物", "省令", "政令", "附則", "経済産業大臣", "独立行政法人エネルギー・金属鉱物資源機構",
    "資源の有効な利用の促進に関する法律", "基本方針", "探鉱",
]  # fmt: skip


def test_the_korean_decree_key_terms_have_glossary_rows() -> None:
    decree = next(require_shared(POLICY_TEXTS).glob("ko_kr_*.md")).read_text("utf-8")
    flat = decree.replace(" ", "")
    ko = {v.replace(" ", "") for e in read_glossary() for v in e.ko}
    assert [t for t in KO_DECREE_TERMS if t.replace(" ", "") not in flat] == []  # the list is the decree's
    assert [t for t in KO_DECREE_TERMS if t.replace(" ", "") not in ko] == []


def test_the_japanese_texts_key_terms_have_glossary_rows() -> None:
    texts = "".join(p.read_text("utf-8") for p in require_shared(POLICY_TEXTS).glob("ja_jp_*.md"))
    ja = {v for e in read_glossary() for v in e.ja}
    assert [t for t in JA_TEXT_TERMS if t not in texts] == []
    assert [t for t in JA_TEXT_TERMS if t not in ja] == []


# ---- reader ---------------------------------------------------------------------------------------


def test_a_glossary_row_without_english_is_reported_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "g.tsv"
    bad.write_text(
        "zh\ten\tnote\tja\tko\n锂\tlithium\telement\tリチウム\t리튬\n钴\t\telement\tコバルト\t코발트\n",
        "utf-8",
    )
    with pytest.raises(ValueError, match=r"g\.tsv:3"):
        read_glossary(bad)


def test_a_header_without_an_english_column_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "g.tsv"
    bad.write_text("zh\tja\n锂\tリチウム\n", "utf-8")
    with pytest.raises(ValueError, match=r"g\.tsv:1: the header needs columns zh and en"):
        read_glossary(bad)


def test_a_three_column_glossary_still_reads_with_empty_japanese_and_korean(tmp_path: Path) -> None:
    old = tmp_path / "g.tsv"
    old.write_text("zh\ten\tnote\n锂\tlithium|li\telement\n", "utf-8")
    (entry,) = read_glossary(old)
    assert (entry.zh, entry.en, entry.note, entry.ja, entry.ko) == (
        "锂",
        ("lithium", "li"),
        "element",
        (),
        (),
    )


def test_columns_are_found_by_header_name_and_empty_ja_ko_cells_give_empty_tuples(tmp_path: Path) -> None:
    g = tmp_path / "g.tsv"
    g.write_text("ko\tzh\ten\tja\n리튬\t锂\tlithium\tリチウム|Li電池\n\t钴\tcobalt\t\n", "utf-8")
    lithium, cobalt = read_glossary(g)
    assert (lithium.ja, lithium.ko, lithium.note) == (("リチウム", "Li電池"), ("리튬",), "")
    assert (cobalt.ja, cobalt.ko) == ((), ())


# ---- JMdict word list -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jmdict() -> tuple[list[str], list[list[str]], dict]:
    lines = JMDICT.read_text("utf-8").splitlines()
    meta = json.loads(JMDICT_META.read_text("utf-8"))
    return lines[0].split("\t"), [line.split("\t") for line in lines[1:]], meta


def test_the_jmdict_list_matches_the_counts_and_checksum_its_generator_recorded(jmdict) -> None:
    header, rows, meta = jmdict
    assert header == meta["columns"] == ["seq", "kanji", "kana", "pos", "gloss", "notes", "src"]
    assert len(rows) == meta["entries"]
    src = Counter(flag for r in rows for flag in r[6])
    assert (src["c"], src["t"], src["g"]) == tuple(
        meta["by_source"][k] for k in ("common", "texts", "glossary")
    )
    assert JMDICT.stat().st_size == meta["bytes"] <= 4_000_000
    assert hashlib.sha256(JMDICT.read_bytes()).hexdigest() == meta["sha256"]
    assert meta["source"]["licence"] == "CC BY-SA 4.0"


def test_every_jmdict_row_has_a_spelling_clean_glosses_and_known_codes(jmdict) -> None:
    _, rows, _ = jmdict
    assert all(len(r) == 7 for r in rows)
    assert len({r[0] for r in rows}) == len(rows)
    for seq, kanji, kana, pos, gloss, _notes, src in rows:
        assert kanji or kana, seq
        # JMdict "kanji" spellings also hold full-width Latin and digits (ＯＵＴ, ２０); never Hangul or spaces
        assert all(k and not HANGUL.search(k) and not k.isspace() for k in kanji.split("|") if kanji), seq
        assert all(KANA.search(k) for k in kana.split("|") if k), seq
        assert set(pos.split(",")) <= POS_CODES, (seq, pos)
        senses = gloss.split(";")
        assert all(g and g == g.strip() and "(" not in g for s in senses for g in s.split("|")), (seq, gloss)
        assert src and set(src) <= set("ctg"), (seq, src)


def test_the_jmdict_list_translates_policy_words_both_ways(jmdict) -> None:
    _, rows, _ = jmdict
    ja_en = {k: r[4] for r in rows for k in r[1].split("|") + r[2].split("|") if k}
    assert "storage battery" in ja_en["蓄電池"]
    assert "stockpile" in ja_en["備蓄"].split(";")[0].split("|")
    assert "recycling" in ja_en["再資源化"]
    en_ja: dict[str, set[str]] = {}
    for r in rows:
        for g in re.split(r"[;|]", r[4]):
            en_ja.setdefault(g.lower(), set()).update(x for x in r[1].split("|") + r[2].split("|") if x)
    assert {"サプライチェーン", "供給網"} <= en_ja["supply chain"]
    assert "鉱物資源" in en_ja["mineral resources"]


def test_the_words_of_the_japanese_texts_are_flagged_in_the_jmdict_list(jmdict) -> None:
    texts = "".join(p.read_text("utf-8") for p in require_shared(POLICY_TEXTS).glob("ja_jp_*.md"))
    _, rows, _ = jmdict
    text_words = {k for r in rows if "t" in r[6] for k in r[1].split("|") + r[2].split("|")}
    # single units (備蓄, 探鉱), and compounds that Sudachi splits even in mode C (安全 + 保障, 鉱物 + 資源)
    words = {"備蓄", "探鉱", "副産物", "鉱物資源", "安全保障", "独立行政法人", "再資源化"}
    assert {w for w in words if w in texts} == words
    assert words <= text_words
