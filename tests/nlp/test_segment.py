"""Segmentation: offsets rebuild the text, windows respect max_chars, headings carry a path."""

from __future__ import annotations

import json
import re
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policyscope.corpus import builtin
from policyscope.corpus.normalize import normalize_text
from policyscope.corpus.records import Block, Document, Passage
from policyscope.nlp.segment import (
    PIECE_CHARS,
    paragraph_blocks,
    segment_document,
    split_sentences,
    text_pieces,
)

from tests.conftest import CCLW_JSONL, SEED, require_shared
from tests.nlp.policytexts import body_lines, policy_files

WORD_RUN = re.compile(r"[A-Za-z0-9]+")


def check_passages(doc: Document, passages: list[Passage], max_chars: int) -> None:
    """The invariants every segmentation must satisfy."""
    assert [p.seq for p in passages] == list(range(len(passages)))
    previous_end = 0
    for p in passages:
        assert p.doc_id == doc.id
        assert 0 <= p.start < p.end <= len(doc.text)
        assert doc.text[p.start : p.end] == p.text
        assert p.text == p.text.strip() and p.text
        assert p.start >= previous_end, "passages overlap or are out of order"
        previous_end = p.end
        if len(p.text) > max_chars and p.kind not in ("table_row", "table_header", "caption"):
            # Only an unsplittable run (one long English word, number or URL piece) may exceed.
            assert WORD_RUN.fullmatch(p.text), p.text
    assert len({p.id for p in passages}) == len(passages)


def uncovered(doc: Document, passages: list[Passage]) -> str:
    covered = [False] * len(doc.text)
    for p in passages:
        covered[p.start : p.end] = [True] * (p.end - p.start)
    return "".join(c for c, ok in zip(doc.text, covered, strict=True) if not ok and not c.isspace())


# --- real data -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_doc() -> Document:
    require_shared(SEED)
    text = normalize_text(SEED.read_text(encoding="utf-8"))
    return Document(id="seed-battery", text=text, title="欧美电池供应链战略布局")


@pytest.fixture(scope="module")
def cclw_docs() -> list[Document]:
    require_shared(CCLW_JSONL)
    with CCLW_JSONL.open(encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    docs = [
        Document(id=f"cclw-{r['id']}", text=normalize_text(r["text"]), title=r["title"])
        for r in records
        if r["text"].strip()
    ]
    # Longest first, so the sample exercises sentence windows, not just one-passage texts.
    return sorted(docs, key=lambda d: -len(d.text))[:100] + docs[:100]


def test_seed_paper_passages_rebuild_from_offsets(seed_doc):
    passages = segment_document(seed_doc)
    check_passages(seed_doc, passages, 400)
    assert uncovered(seed_doc, passages) == ""
    assert len(passages) > 150


def test_seed_paper_long_paragraphs_become_sentence_windows(seed_doc):
    passages = segment_document(seed_doc)
    start = seed_doc.text.index("欧美等发达国家和地区纷纷将构建安全的产业")
    end = seed_doc.text.index("\n", start)
    assert end - start > 500
    windows = [p for p in passages if start <= p.start < end]
    assert len(windows) == 2
    assert windows[0].start == start and windows[-1].end == end
    assert all(p.text.endswith("。") and len(p.text) <= 400 for p in windows)


def test_seed_paper_languages(seed_doc):
    passages = segment_document(seed_doc)
    assert passages[0].lang == "en" and passages[0].text.startswith("Abstract:")
    assert {p.lang for p in passages if re.search(r"[\u4e00-\u9fff]", p.text)} == {"zh"}
    # Table cells such as "100%" have no letters and take the document's language.
    assert {p.lang for p in passages if p.text in ("100%", "76%", "/")} == {"zh"}


def test_seed_paper_with_small_windows(seed_doc):
    passages = segment_document(seed_doc, max_chars=80, min_chars=10)
    check_passages(seed_doc, passages, 80)
    assert uncovered(seed_doc, passages) == ""


def test_cclw_records_rebuild_from_offsets(cclw_docs):
    assert len(cclw_docs) == 200
    for doc in cclw_docs:
        passages = segment_document(doc)
        check_passages(doc, passages, 400)
        assert uncovered(doc, passages) == ""
        assert {p.lang for p in passages} <= {"en", "other"}
    longest = cclw_docs[0]
    assert len(segment_document(longest)) > len(longest.text) // 400


def test_structured_seed_document_carries_its_heading_path():
    doc = builtin.seed_document()
    passages = segment_document(doc)
    check_passages(doc, passages, 400)
    rows = [p for p in passages if p.kind == "table_row"]
    assert len(rows) == sum(1 for b in doc.blocks if b.kind == "table_row")
    assert all(p.context for p in rows)
    first_row = rows[0]
    assert first_row.heading.startswith("2 欧美电池供应链战略布局 > 2.1")
    assert {p.kind for p in passages} >= {"heading", "paragraph", "caption", "table_row"}


def test_segmentation_is_deterministic(seed_doc):
    assert segment_document(seed_doc) == segment_document(seed_doc)


# --- structure -------------------------------------------------------------------------


def build(parts: list[tuple[str, str, int]], **kwargs) -> Document:
    """A document from (kind, text, level) parts joined by newlines, with one block per part."""
    text, blocks = "", []
    for kind, part, level in parts:
        if text:
            text += "\n"
        blocks.append(Block(kind, len(text), len(text) + len(part), level=level, **kwargs))
        text += part
    return Document(id="built", text=text, title="built", blocks=tuple(blocks))


def test_heading_path_is_carried_on_following_passages():
    doc = build(
        [
            ("heading", "2 欧美电池供应链战略布局", 1),
            ("paragraph", "安全可持续的清洁技术供应链是成功实现能源转型的核心。", 0),
            ("heading", "2.1 绘制供应链全景蓝图，纳入国家安全战略内涵", 2),
            ("paragraph", "欧美等发达国家和地区纷纷将构建安全的产业链供应链纳入国家安全战略。", 0),
            ("heading", "2.2 确保原材料供应安全，降低资源对外依赖风险", 2),
            ("paragraph", "主要发达经济体日益重视上游原材料的安全保障问题。", 0),
            ("heading", "3 国际竞争下我国电池供应链安全风险分析", 1),
            ("paragraph", "后疫情时代全球经济区域化、短链化势头愈加明显。", 0),
        ]
    )
    passages = segment_document(doc)
    check_passages(doc, passages, 400)
    assert [p.kind for p in passages] == ["heading", "paragraph"] * 4
    h2, h21, h22, h3 = (
        "2 欧美电池供应链战略布局",
        "2.1 绘制供应链全景蓝图，纳入国家安全战略内涵",
        "2.2 确保原材料供应安全，降低资源对外依赖风险",
        "3 国际竞争下我国电池供应链安全风险分析",
    )
    assert [p.heading for p in passages] == [
        h2,
        h2,
        f"{h2} > {h21}",
        f"{h2} > {h21}",
        f"{h2} > {h22}",
        f"{h2} > {h22}",
        h3,
        h3,
    ]
    # Short headings stay passages of their own, never merged into the paragraph.
    assert passages[0].text == h2


def test_passages_before_any_heading_have_no_heading():
    doc = build([("paragraph", "前言部分的内容。", 0), ("heading", "1 引言", 1), ("paragraph", "正文。", 0)])
    passages = segment_document(doc)
    assert [p.heading for p in passages] == ["", "1 引言", "1 引言"]


def test_table_rows_are_one_passage_each_with_context_and_page():
    row = "美国 | 国家锂电池蓝图2021-2030 | " + "确保电池原材料供应安全，" * 60
    text = "表1 主要国家/地区电池战略政策布局\n国家/地区 | 政策名称 | 战略要点\n" + row
    caption_end = text.index("\n")
    header_end = text.index("\n", caption_end + 1)
    doc = Document(
        id="table",
        text=text,
        title="t",
        blocks=(
            Block("caption", 0, caption_end, page=3),
            Block("table_header", caption_end + 1, header_end, page=3),
            Block("table_row", header_end + 1, len(text), page=4, context="国家/地区 | 政策名称 | 战略要点"),
        ),
    )
    passages = segment_document(doc, max_chars=100)
    check_passages(doc, passages, 100)
    assert [p.kind for p in passages] == ["caption", "table_header", "table_row"]
    assert [p.page for p in passages] == [3, 3, 4]
    assert passages[2].text == row and len(row) > 100
    assert passages[2].context == "国家/地区 | 政策名称 | 战略要点"


def test_long_record_block_is_windowed_with_its_kind():
    sentence = "The regulation sets binding targets for recycled content in batteries. "
    text = (sentence * 20).strip()
    doc = Document(id="rec", text=text, title="r", blocks=(Block("record", 0, len(text), context="EU"),))
    passages = segment_document(doc, max_chars=200)
    check_passages(doc, passages, 200)
    assert len(passages) > 5
    assert {p.kind for p in passages} == {"record"}
    assert {p.context for p in passages} == {"EU"}
    assert all(p.text.endswith("batteries.") for p in passages)


def test_overlapping_blocks_give_non_overlapping_passages():
    text = "第一段内容在这里。\n第二段内容在这里。"
    doc = Document(
        id="ov", text=text, title="o", blocks=(Block("paragraph", 0, 14), Block("paragraph", 5, len(text)))
    )
    passages = segment_document(doc)
    check_passages(doc, passages, 400)
    assert uncovered(doc, passages) == ""


def test_english_prose_paragraphs_are_separated_by_blank_lines():
    text = "This Act sets a target\nof net zero by 2050.\n\nIt also creates a Climate Council."
    blocks = paragraph_blocks(text)
    assert [text[b.start : b.end] for b in blocks] == [
        "This Act sets a target\nof net zero by 2050.",
        "It also creates a Climate Council.",
    ]


def test_chinese_text_gets_one_paragraph_per_line():
    text = "1 国际电池供应链发展态势\n一是电池产业规模持续增长。\n\n二是电池技术呈多元化发展。"
    assert len(paragraph_blocks(text)) == 3


# --- windows -----------------------------------------------------------------------------


def test_tiny_last_sentence_is_merged_into_previous_window():
    sentence = "电池产业规模持续增长并带动上下游协同发展。"  # 21 characters
    text = sentence * 4 + "好。"
    doc = Document(id="tiny", text=text, title="t")
    passages = segment_document(doc, max_chars=70, min_chars=10)
    check_passages(doc, passages, 70)
    assert all(len(p.text) >= 10 for p in passages)
    assert passages[-1].text.endswith(sentence + "好。")


def test_long_english_sentence_is_cut_between_words():
    words = " ".join(f"lithium{i} cobalt nickel manganese" for i in range(40))
    doc = Document(id="long-en", text=words, title="l")
    passages = segment_document(doc, max_chars=100)
    check_passages(doc, passages, 100)
    for p in passages:
        assert p.start == 0 or doc.text[p.start - 1] == " "
        assert p.end == len(doc.text) or doc.text[p.end] == " "


def test_long_chinese_sentence_is_cut_after_clause_punctuation():
    text = "，".join(["加强关键原材料战略储备"] * 60) + "。"
    doc = Document(id="long-zh", text=text, title="l")
    passages = segment_document(doc, max_chars=100)
    check_passages(doc, passages, 100)
    assert all(p.text.endswith(("，", "。")) for p in passages)


def test_chinese_run_without_punctuation_is_cut_between_jieba_words():
    text = "锂离子电池" * 60
    doc = Document(id="run-zh", text=text, title="r")
    passages = segment_document(doc, max_chars=48)
    check_passages(doc, passages, 48)
    # jieba cuts 锂离子 | 电池, so every cut falls between those words, never inside one.
    assert len(passages) > 5
    assert all(p.text.startswith(("锂", "电")) and p.text.endswith(("子", "池")) for p in passages)


def test_unsplittable_word_is_kept_whole():
    url = "https://example.org/" + "a" * 150
    doc = Document(id="url", text=f"See {url} now", title="u")
    passages = segment_document(doc, max_chars=50)
    check_passages(doc, passages, 50)
    assert "".join(p.text for p in passages).replace(" ", "") == doc.text.replace(" ", "")


def test_bad_sizes_are_rejected():
    doc = Document(id="d", text="文本。", title="d")
    with pytest.raises(ValueError, match="max_chars"):
        segment_document(doc, max_chars=0)
    with pytest.raises(ValueError, match="min_chars"):
        segment_document(doc, min_chars=-1)
    assert segment_document(doc, max_chars=5)[0].text == "文本。"  # min_chars is capped at max_chars


def test_empty_document_has_no_passages():
    assert segment_document(Document(id="e", text="", title="e")) == []
    assert segment_document(Document(id="e", text=" \n\n ", title="e")) == []


# --- sentences ---------------------------------------------------------------------------


def test_chinese_sentences_keep_closing_quotes():
    text = "他说：“我们要发展。”然后走了。还有吗？有！"
    spans = split_sentences(text, "zh")
    assert [text[s:e] for s, e in spans] == ["他说：“我们要发展。”", "然后走了。", "还有吗？", "有！"]


def test_url_question_mark_does_not_end_a_chinese_sentence():
    text = "来源：https://eur-lex.europa.eu/TXT/PDF/?uri=CELEX:52020DC0474&from=EN；下一句。"
    spans = split_sentences(text, "zh")
    first = spans[0]
    assert text[first[0] : first[1]].endswith("from=EN；")


def test_english_sentences_use_the_sentencizer():
    text = "The U.S. Act was signed. It funds batteries!\n\nA new paragraph"
    spans = split_sentences(text, "en")
    assert [text[s:e] for s, e in spans] == [
        "The U.S. Act was signed.",
        "It funds batteries!",
        "A new paragraph",
    ]


def _trimmed(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span ``[start, end)`` without its surrounding whitespace, as our splitter reports sentences
    (nothing for a whitespace-only span)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [(start, end)] if end > start else []


def test_english_sentences_equal_spacys_sentencizer_on_every_cclw_summary():
    """split_sentences applies spaCy's sentencizer rule to token arrays; it must agree with the component."""
    import spacy

    require_shared(CCLW_JSONL)
    reference = spacy.blank("en")
    reference.add_pipe("sentencizer")
    with CCLW_JSONL.open(encoding="utf-8") as f:
        texts = [normalize_text(json.loads(line)["text"]) for line in f]
    sentences = 0
    for text in texts:
        want = []
        pos = 0
        # Blank lines are hard boundaries: the sentencizer runs on the text between them.
        for chunk in re.split(r"(\n[^\S\n]*\n\s*)", text):
            if chunk.strip() and not re.fullmatch(r"\n[^\S\n]*\n\s*", chunk):
                for sent in reference(chunk).sents:
                    want.extend(_trimmed(text, pos + sent.start_char, pos + sent.end_char))
            pos += len(chunk)
        assert split_sentences(text, "en") == want, text[:200]
        sentences += len(want)
    assert len(texts) == 2100 and sentences > 9000


def test_split_sentences_rejects_unknown_language():
    with pytest.raises(ValueError, match="available: zh, en, ja, ko, other, mixed"):
        split_sentences("text", "fr")


def test_mixed_text_is_cut_at_chinese_and_english_sentence_ends():
    text = "一是回收。Second, R&D. 三是“标准”！Fourth? yes; 五\n\n六 and the end"
    spans = split_sentences(text, "mixed")
    assert [text[s:e] for s, e in spans] == [
        "一是回收。", "Second, R&D.", "三是“标准”！", "Fourth?", "yes;", "五", "六 and the end",
    ]


def test_mixed_mode_cuts_after_every_full_stop_before_a_space():
    # No spaCy in this mode: "U.S." ends a piece, and a full stop inside a word or number does not.
    text = "The U.S. Act (v2.0) was signed.Next"
    assert [text[s:e] for s, e in split_sentences(text, "mixed")] == ["The U.S.", "Act (v2.0) was signed.Next"]


def test_mixed_mode_cuts_the_taggers_evidence_samples():
    assert split_sentences("一是回收。二是研发。", "mixed") == [(0, 5), (5, 10)]
    text = " First one. Second one\n第三句；"
    assert [text[s:e] for s, e in split_sentences(text, "mixed")] == ["First one.", "Second one", "第三句；"]


def test_mixed_mode_does_not_cut_after_a_markdown_escaped_list_number():
    text = "  1\\. 경제안보를 위한 기본방향\n  2\\. 공급망 안정화에 관한 사항"
    assert [text[s:e] for s, e in split_sentences(text, "mixed")] == [
        "1\\. 경제안보를 위한 기본방향", "2\\. 공급망 안정화에 관한 사항",
    ]


def test_mixed_mode_gives_nothing_for_blank_text():
    assert split_sentences("", "mixed") == []
    assert split_sentences(" \n\t\n", "mixed") == []


# --- Japanese and Korean statutes -------------------------------------------------------------

BRACKETS = dict(zip("（「『(【〔", "）」』)】〕"))


def balanced(piece: str) -> bool:
    """Every bracket closed inside the piece and none closed that opened before it."""
    stack: list[str] = []
    for c in piece:
        if c in BRACKETS:
            stack.append(BRACKETS[c])
        elif c in BRACKETS.values() and (not stack or stack.pop() != c):
            return False
    return not stack and piece.count('"') % 2 == 0


def test_japanese_sentences_end_only_outside_brackets():
    text = ("特定重要物資（第七条に規定する特定重要物資をいう。第六条において同じ。）の安定的な供給の確保を図る。"
            "基本方針（以下「基本方針」という。）を定めなければならない。")
    assert [text[s:e] for s, e in split_sentences(text, "ja")] == [
        "特定重要物資（第七条に規定する特定重要物資をいう。第六条において同じ。）の安定的な供給の確保を図る。",
        "基本方針（以下「基本方針」という。）を定めなければならない。",
    ]


def test_no_sentence_of_the_six_japanese_laws_is_cut_inside_brackets():
    lines = body_lines("ja_jp")
    assert all(balanced(line) for line in lines)  # the source is balanced, so any imbalance is a cut
    pieces = [line[s:e] for line in lines for s, e in split_sentences(line, "ja")]
    assert [p for p in pieces if not balanced(p)] == []
    # A line holds several sentences often enough that the rule is exercised: the naive 。 split
    # makes 2,194 pieces of which 842 are unbalanced; this rule 1,528 of 1,432 lines (JAKO.md §3).
    assert len(pieces) > len(lines) + 50
    assert sum(p.count("。") > 1 for p in pieces) > 200  # asides with their own 。 stay inside (252)


def test_korean_sentences_end_at_da_outside_brackets_and_keep_their_amendment_note():
    text = ('관계 중앙행정기관의 장은 부문별 계획(이하 "부문계획"이라 한다. 이하 같다)을 제출해야 한다. <개정 2025.12.30> '
            "이 경우 추진실적을 첨부해야 한다.\n  1\\. 경제안보를 위한 기본방향\n  2\\. 공급망 안정화에 관한 사항")
    assert [text[s:e] for s, e in split_sentences(text, "ko")] == [
        '관계 중앙행정기관의 장은 부문별 계획(이하 "부문계획"이라 한다. 이하 같다)을 제출해야 한다. <개정 2025.12.30>',
        "이 경우 추진실적을 첨부해야 한다.",
        "1\\. 경제안보를 위한 기본방향",
        "2\\. 공급망 안정화에 관한 사항",
    ]


def test_no_sentence_of_the_korean_decree_is_cut_inside_brackets_or_after_a_list_number():
    lines = body_lines("ko_kr")
    assert all(balanced(line) for line in lines)
    pieces = [line[s:e] for line in lines for s, e in split_sentences(line, "ko")]
    assert [p for p in pieces if not balanced(p)] == []
    assert len(pieces) > len(lines)
    assert not [p for p in pieces if re.fullmatch(r"[0-9가-하]+\\?\.", p)]  # "1\." alone: a list number cut off
    assert all(p.endswith(("다.", ">")) for line in lines for p in
               [line[s:e] for s, e in split_sentences(line, "ko")[:-1]])


@pytest.mark.parametrize("prefix", ["ja_jp", "ko_kr"])
def test_statute_passages_keep_bracketed_asides_whole_with_exact_offsets(prefix):
    from policyscope.corpus.loaders import load_path

    for path in policy_files(prefix):
        (doc,) = load_path(path)
        passages = segment_document(doc)
        assert passages
        for p in passages:
            assert doc.text[p.start : p.end] == p.text
            assert len(p.text) <= 400 or p.kind in ("table_row", "table_header", "caption")
        assert [p.text[:60] for p in passages if not balanced(p.text)] == []
        # kanji-only text of a Japanese law (第一章 総則, - 七 蓄電池) is Japanese, not Chinese
        assert "zh" not in {p.lang for p in passages}


def test_long_japanese_sentence_is_cut_outside_its_brackets():
    aside = "（" + "、".join(["蓄電池の製造"] * 30) + "をいう。以下同じ。）"
    text = "事業者は、" + "、".join(["使用済物品等の回収"] * 20) + aside + "について、" + "、".join(["再資源化"] * 40) + "を行う。"
    assert len(text) > 600 and len(aside) < 300
    passages = segment_document(Document(id="j", text=text, title="j", lang="ja"))
    assert len(passages) > 1
    assert all(balanced(p.text) and len(p.text) <= 400 for p in passages)
    assert any(aside in p.text for p in passages)


def test_japanese_run_without_punctuation_is_cut_between_sudachi_words():
    from policyscope.nlp.analyzers import get_analyzer

    text = "使用済密閉形蓄電池回収事業者" * 40
    passages = segment_document(Document(id="j", text=text, title="j", lang="ja"))
    assert len(passages) > 1
    starts = set(get_analyzer("ja").word_starts(text))
    assert all(p.start in starts for p in passages[1:])


def test_segmenting_the_japanese_laws_needs_no_spacy():
    """spaCy's Chinese pipeline took seconds to load for the two Japanese sentences that need word cuts."""
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from policyscope.corpus.loaders import load_path; "
        "from policyscope.nlp.segment import segment_document; "
        f"[segment_document(d) for f in {[str(p) for p in policy_files('ja_jp')]!r} for d in load_path(Path(f))]; "
        "print('spacy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[-1] == "False"


# --- documents of any length ------------------------------------------------------------


def test_text_pieces_cut_at_a_line_break_else_a_space_else_at_the_limit():
    assert list(text_pieces("aaa bbb\nccc ddd", 0, 15, limit=10)) == [(0, 8), (8, 15)]
    assert list(text_pieces("aaaa bbbbbbbbbb", 0, 15, limit=10)) == [(0, 5), (5, 15)]
    assert list(text_pieces("x" * 25, 0, 25, limit=10)) == [(0, 10), (10, 20), (20, 25)]
    assert list(text_pieces("电池回收。\n" * 3, 6, 18, limit=100)) == [(6, 18)]
    with pytest.raises(ValueError, match="at least 2"):
        list(text_pieces("abc", 0, 3, limit=1))


def test_a_paragraph_over_a_million_characters_is_segmented_with_exact_offsets():
    """spaCy refuses a text over its max_length ([E088]); a CSV cell of that size used to stop every build."""
    sentence = "The ministry will secure lithium, cobalt and nickel supply for domestic battery makers. "
    text = (sentence * (int(PIECE_CHARS * 1.2) // len(sentence)))[:-1]
    doc = Document(id="long", text=text, title="t", blocks=(Block("record", 0, len(text)),))
    passages = segment_document(doc)
    check_passages(doc, passages, 400)
    assert uncovered(doc, passages) == ""
    assert {p.kind for p in passages} == {"record"} and len(passages) > len(text) // 400
    # Pieces end at a space between two sentences here, so every passage is whole sentences.
    assert all(p.text.startswith("The ministry") and p.text.endswith("makers.") for p in passages)


def test_a_chinese_run_longer_than_a_piece_is_cut_between_jieba_words_of_each_piece():
    run = "加快建立动力电池回收利用体系提升锂钴镍等关键矿产资源的保障能力" * 40  # no punctuation, no space
    doc = Document(id="zh-run", text=run, title="t")
    passages = segment_document(doc, max_chars=100, min_chars=20, piece_chars=300)
    check_passages(doc, passages, 100)
    assert uncovered(doc, passages) == "" and all(len(p.text) <= 100 for p in passages)
    assert segment_document(doc, max_chars=100, min_chars=20, piece_chars=300) == passages  # deterministic


def test_a_heading_of_thousands_of_characters_is_cut_short_in_the_path_every_passage_carries():
    heading = "# " + "关键矿产供应链安全保障" * 500  # a one-line Markdown file
    body = "\n国家建立关键矿产储备制度。"
    doc = Document(id="h", text=heading + body, title="t",
                   blocks=(Block("heading", 0, len(heading), level=1), Block("paragraph", len(heading) + 1,
                                                                           len(heading + body))))
    passages = segment_document(doc)
    check_passages(doc, passages, 400)
    assert passages[-1].text == "国家建立关键矿产储备制度。"
    assert len(passages[-1].heading) == 1000 and passages[-1].heading.endswith("…")


def test_a_bad_piece_size_is_rejected():
    with pytest.raises(ValueError, match="piece_chars"):
        segment_document(Document(id="d", text="abc", title="t"), piece_chars=1)


# --- properties --------------------------------------------------------------------------

ALPHABET = st.sampled_from(
    list("电池供应链安全战略碳中和关键矿产。，！？；“”") + list("abcXYZ019 .,!?-") + ["\n"]
)
texts = st.text(alphabet=ALPHABET, max_size=600)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(text=texts, max_chars=st.integers(1, 120), min_chars=st.integers(0, 30))
def test_passages_rebuild_sorted_non_overlapping_and_cover_the_text(text, max_chars, min_chars):
    doc = Document(id="prop", text=text, title="p")
    passages = segment_document(doc, max_chars=max_chars, min_chars=min(min_chars, max_chars))
    check_passages(doc, passages, max_chars)
    assert uncovered(doc, passages) == ""


@PROPERTY
@given(
    text=texts.filter(lambda t: len(t) > 0),
    cuts=st.lists(st.integers(0, 600), max_size=8),
    kinds=st.lists(st.sampled_from(["heading", "paragraph", "table_row", "record", "caption"]), min_size=9),
    max_chars=st.integers(5, 80),
)
def test_passages_stay_inside_their_blocks(text, cuts, kinds, max_chars):
    points = sorted({0, len(text), *(c % (len(text) + 1) for c in cuts)})
    blocks = tuple(
        Block(kind, s, e, level=i % 3) for i, (kind, s, e) in enumerate(zip(kinds, points, points[1:]))
    )
    doc = Document(id="prop", text=text, title="p", blocks=blocks)
    passages = segment_document(doc, max_chars=max_chars)
    check_passages(doc, passages, max_chars)
    for p in passages:
        assert any(b.start <= p.start and p.end <= b.end and b.kind == p.kind for b in blocks)
    for b in blocks:
        inside = [p for p in passages if b.start <= p.start and p.end <= b.end]
        if b.kind in ("table_row", "caption"):
            assert len(inside) == (1 if text[b.start : b.end].strip() else 0)


statute_texts = st.text(alphabet=st.sampled_from(list("蓄電池の備蓄。！？（）「」『』()\"<>개정비축다.하 ab1\\") + ["\n"]),
                        max_size=400)


@PROPERTY
@given(text=texts | statute_texts, lang=st.sampled_from(["zh", "en", "mixed", "ja", "ko"]))
def test_sentences_are_trimmed_ordered_and_cover_the_text(text, lang):
    spans = split_sentences(text, lang)
    covered = [False] * len(text)
    previous = 0
    for s, e in spans:
        assert previous <= s < e <= len(text)
        assert text[s:e] == text[s:e].strip()
        covered[s:e] = [True] * (e - s)
        previous = e
    assert all(ok or c.isspace() for c, ok in zip(text, covered, strict=True))


@PROPERTY
@given(text=texts, limit=st.integers(2, 80), start=st.integers(0, 50))
def test_text_pieces_cover_the_range_in_order_within_the_limit(text, limit, start):
    start = min(start, len(text))
    pieces = list(text_pieces(text, start, len(text), limit))
    if start == len(text):
        assert pieces == []
        return
    assert [s for s, _ in pieces] == [start, *(e for _, e in pieces[:-1])] and pieces[-1][1] == len(text)
    assert all(0 < e - s <= limit for s, e in pieces)


@PROPERTY
@given(
    text=texts | st.text(alphabet=st.sampled_from(list("The cell is safe. 电池回收。") + ["\n"]), max_size=600),
    max_chars=st.integers(1, 120),
    piece_chars=st.integers(2, 150),
)
def test_passages_read_in_small_pieces_rebuild_the_text_from_offsets(text, max_chars, piece_chars):
    doc = Document(id="prop", text=text, title="p", blocks=(Block("record", 0, len(text)),))
    passages = segment_document(doc, max_chars=max_chars, piece_chars=piece_chars)
    check_passages(doc, passages, max_chars)
    assert uncovered(doc, passages) == ""


@lru_cache(maxsize=1)
def _reference_sentencizer():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@PROPERTY
@given(text=st.text(alphabet=st.sampled_from(list("Li Co. ok!?\"')…。;-") + ["\n"]), max_size=80))
def test_english_sentences_equal_spacys_sentencizer_on_punctuation_runs(text):
    text = re.sub(r"\n\s*\n", "\n", text)  # one chunk: blank lines are hard boundaries on our side only
    want = []
    for sent in _reference_sentencizer()(text).sents:
        want.extend(_trimmed(text, sent.start_char, sent.end_char))
    assert split_sentences(text, "en") == want
