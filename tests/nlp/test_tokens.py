"""The BM25 tokenizer: Chinese, English, Japanese and Korean words, folding, languages and settings."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from policyscope.corpus.errors import IndexMismatchError
from policyscope.nlp.tokens import (
    TOKENIZER_VERSION,
    BilingualTokenizer,
    check_index_tokenizer,
    jieba_tokenizer,
)
from policyscope.nlp.words import EN_STOPWORDS, ZH_STOPWORDS

from tests.conftest import CCLW_JSONL, require_shared
from tests.nlp.policytexts import policy_files


@pytest.fixture(scope="module")
def tok() -> BilingualTokenizer:
    return BilingualTokenizer()


@pytest.fixture(scope="module")
def other_tok() -> BilingualTokenizer:
    """A second instance (its own copy of the jieba dictionary)."""
    return BilingualTokenizer()


def test_lexicon_term_inside_chinese_clause_stays_whole():
    tok = BilingualTokenizer()
    assert "碳排放" not in tok.tokenize("我们要减少碳排放量")
    assert tok.add_words(["碳排放"]) == 1
    assert "碳排放" in tok.tokenize("我们要减少碳排放量")


def test_words_given_at_construction_are_used():
    tok = BilingualTokenizer(user_words=["碳排放"])
    assert "碳排放" in tok.tokenize("我们要减少碳排放量")


def test_user_words_stay_private_to_one_tokenizer():
    BilingualTokenizer(user_words=["碳排放"]).tokenize("我们要减少碳排放量")
    assert "碳排放" not in BilingualTokenizer().tokenize("我们要减少碳排放量")
    import jieba

    assert "碳排放" not in jieba.dt.FREQ  # the global dictionary is untouched


def test_add_words_normalises_and_skips_non_chinese_terms():
    tok = BilingualTokenizer()
    assert tok.add_words(["關鍵礦產", "关键矿产", " 碳排放 ", "carbon tax", ""]) == 2
    assert tok.settings()["user_words"] == 2
    with pytest.raises(TypeError):
        tok.add_words("碳排放")


def test_english_words_keep_hyphens_and_are_stemmed(tok):
    assert tok.tokenize("Li-ion batteries") == ["li-ion", "battery"]


def test_stemming_can_be_turned_off():
    assert BilingualTokenizer(stem="none").tokenize("Li-ion batteries") == ["li-ion", "batteries"]


def test_full_width_latin_is_folded(tok):
    assert tok.tokenize("ＥＵ") == ["eu"]
    assert tok.tokenize("欧盟（ＥＵ）电池法规") == ["欧盟", "eu", "电池", "法规"]


def test_traditional_chinese_is_simplified(tok):
    assert tok.tokenize("電池") == ["电池"]
    assert tok.tokenize("關鍵礦產") == tok.tokenize("关键矿产")


def test_query_matches_passage_with_the_same_tokenizer(tok):
    query = tok.tokenize("关键矿产")
    passage = tok.tokenize("英国发布首个关键矿产战略")
    assert query and set(query) <= set(passage)


def test_search_mode_yields_parts_and_whole(tok):
    tokens = tok.tokenize("全固态锂电池")
    assert {"固态", "全固态", "电池", "锂电池"} <= set(tokens)
    precise = BilingualTokenizer(mode="precise").tokenize("全固态锂电池")
    assert len(precise) < len(tokens)


def test_numbers_are_kept(tok):
    assert tok.tokenize("2030年 3.5% 2,000 pages CO2") == ["2030", "年", "3.5", "2000", "page", "co2"]
    assert tok.tokenize("2021-2030") == ["2021", "2030"]


def test_currency_signs_are_the_words_a_translated_amount_uses(tok):
    assert tok.tokenize("invest another $700 million", "en") == ["invest", "another", "dollar", "700", "million"]
    assert tok.tokenize("US$3 billion, €2 and £5", "en") == ["us", "dollar", "3", "billion", "euro", "2", "pound", "5"]
    assert "dollar" in tok.tokenize("700 million dollars", "en")
    assert "dollar" not in tok.tokenize("¥500", "en")  # yen or yuan: left alone


def test_punctuation_whitespace_and_stopwords_are_dropped(tok):
    tokens = tok.tokenize("The Act of 2021, and the 电池的回收与利用。")
    assert tokens == ["act", "2021", "电池", "回收", "利用"]
    assert not set(tokens) & (ZH_STOPWORDS | EN_STOPWORDS)
    assert tok.tokenize("，。！？ ... —— \n\t") == []


def test_possessives_and_curly_apostrophes(tok):
    assert tok.tokenize("the private sector’s efforts") == ["private", "sector", "effort"]


def test_kana_and_hangul_in_other_text_go_to_their_analyzers(tok):
    assert tok.tokenize("バッテリー") == ["バッテリー"]
    assert tok.tokenize("배터리 산업") == ["배터리", "산업"]
    assert tok.tokenize("の") == []  # a particle
    assert tok.tokenize("韩国发布 K-배터리 전략") == ["韩国", "发布", "k", "배터리", "전략"]


def test_other_scripts_are_whole_words(tok):
    assert tok.tokenize("Закон о климате") == ["закон", "о", "климате"]


def test_tokenize_many_matches_tokenize(tok):
    texts = ["Li-ion batteries", "英国发布首个关键矿产战略", ""]
    assert tok.tokenize_many(texts) == [tok.tokenize(t) for t in texts]


def test_settings_are_json_and_describe_the_rules():
    tok = BilingualTokenizer(user_words=["碳排放"])
    s = tok.settings()
    assert json.loads(json.dumps(s, ensure_ascii=False)) == s
    assert s["mode"] == "search" and s["lowercase"] is True and s["stem"] == "s"
    assert s["user_words"] == 1 and len(s["stopwords_hash"]) == 16
    assert s == BilingualTokenizer(user_words=["碳排放"]).settings()
    assert s["user_words_hash"] != BilingualTokenizer().settings()["user_words_hash"]


def test_unknown_options_are_rejected():
    with pytest.raises(ValueError, match="available: search, precise"):
        BilingualTokenizer(mode="fast")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="available: none, s"):
        BilingualTokenizer(stem="porter")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        BilingualTokenizer(lowercase=False)  # type: ignore[call-arg]


def test_jieba_loads_quietly(capfd):
    BilingualTokenizer().tokenize("英国发布首个关键矿产战略")
    assert capfd.readouterr().err == ""


def test_tokenizing_all_cclw_texts_matches_one_by_one(tok):
    require_shared(CCLW_JSONL)
    with CCLW_JSONL.open(encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f]
    assert len(texts) == 2100
    tokens = tok.tokenize_many(texts)
    assert sum(map(len, tokens)) > 100_000
    assert "emission" in tokens[0] and "the" not in tokens[0]
    # The Latin-word memo filled by the first pass gives the same tokens as a fresh tokenizer.
    fresh = BilingualTokenizer()
    assert [fresh.tokenize(t) for t in texts[::50]] == tokens[::50]


def test_shared_dictionary_equals_jiebas_own_and_copies_stay_private():
    import jieba

    own = jieba.Tokenizer()
    own.initialize()
    a, b = jieba_tokenizer(), jieba_tokenizer()
    assert a.FREQ == own.FREQ and a.total == own.total and a.initialized
    a.add_word("碳排放", freq=1000)
    assert "碳排放" in a.lcut("我们要减少碳排放量", HMM=False)
    assert "碳排放" not in b.FREQ and "碳排放" not in jieba.dt.FREQ
    assert b.lcut("我们要减少碳排放量", HMM=False) == own.lcut("我们要减少碳排放量", HMM=False)


def test_unreadable_jieba_cache_falls_back_to_building_the_dictionary(tmp_path, monkeypatch):
    import tempfile

    from policyscope.nlp.analyzers import chinese as tokens

    (tmp_path / "jieba.cache").write_bytes(b"not marshal data")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    tokens._load_prefix_dictionary.cache_clear()  # as in a fresh process
    try:
        tok = jieba_tokenizer()
        assert tok.lcut("英国发布首个关键矿产战略", HMM=False)[:2] == ["英国", "发布"]
        assert len(tok.FREQ) > 300_000
        # jieba rewrote its cache, and the next process reads it.
        tokens._load_prefix_dictionary.cache_clear()
        assert jieba_tokenizer().FREQ == tok.FREQ
    finally:
        tokens._load_prefix_dictionary.cache_clear()  # later tests load from the real cache again


TEXT = st.text(alphabet=st.sampled_from(list("电池碳排放关键矿产的了。，！？") + list("abcXYZ019 -.'’ＡＢ")))


@settings(max_examples=200, deadline=None)
@given(text=TEXT)
def test_tokens_are_deterministic_non_empty_and_clean(tok, other_tok, text):
    tokens = tok.tokenize(text)
    assert tokens == other_tok.tokenize(text)
    for t in tokens:
        assert t and t == t.strip() and t == t.lower()
        assert not set(t) & set("。，！？ ")


def test_global_jieba_gets_the_shared_dictionary_unless_another_was_chosen(tmp_path):
    """spaCy's Chinese tokenizer segments with the process-wide jieba; it must cut as jieba would."""
    import subprocess
    import sys

    custom = tmp_path / "dict.txt"
    custom.write_text("关键矿产战略 100000 n\n英国 1000 ns\n", encoding="utf-8")
    default = """
import jieba
from policyscope.nlp.tokens import initialize_global_jieba
initialize_global_jieba()
own = jieba.Tokenizer(); own.initialize()
assert jieba.dt.initialized and jieba.dt.FREQ == own.FREQ and jieba.dt.total == own.total
print(jieba.lcut("英国关键矿产战略", HMM=False))
"""
    chosen = f"""
import jieba
jieba.set_dictionary({str(custom)!r})
jieba.dt.tmp_dir = {str(tmp_path)!r}
from policyscope.nlp.tokens import initialize_global_jieba
initialize_global_jieba()
print(jieba.lcut("英国关键矿产战略", HMM=False))
"""
    outs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
            for code in (default, chosen)]
    assert outs == ["['英国', '关键', '矿产', '战略']", "['英国', '关键矿产战略']"]


# --- Japanese and Korean, folding, languages ---------------------------------------------


def test_the_language_decides_who_reads_han_characters(tok):
    # Japanese text: Sudachi, folded to Simplified forms; otherwise jieba on the folded run.
    assert tok.tokenize("金属鉱産物の備蓄", "ja") == ["金属", "矿产", "物", "备蓄"]
    assert tok.tokenize("金属鉱産物の備蓄") == tok.tokenize("金属鉱産物の備蓄", "ja")  # kana: detected as ja
    assert tok.tokenize("総則", "ja") == ["总则"]
    assert tok.tokenize("経済安全保障") == ["经济", "安全", "保障"]  # Han only: Chinese, folded


def test_latin_words_inside_japanese_and_korean_text_are_english_tokens(tok):
    assert tok.tokenize("ＥＵのリチウムイオン電池(Li-ion batteries)を講じる", "ja") == [
        "eu", "リチウムイオン电池", "リチウム", "イオン", "电池", "li-ion", "battery", "讲じる",
    ]
    assert tok.tokenize("OECD 회원국의 핵심광물 2,000톤", "ko") == ["oecd", "회원국", "회원", "국", "핵심", "광물", "2000", "톤"]


def test_korean_statute_middle_dot_survives_normalisation(tok):
    # NFKC turns U+318D into the conjoining U+119E, which MeCab-ko glues to the words around it.
    assert tok.tokenize("생산량ㆍ수입량ㆍ비축물량", "ko") == ["생산량", "생산", "량", "수입", "량", "비축", "물량"]


def test_korean_text_keeps_its_chinese_han_runs_for_jieba(tok):
    assert tok.tokenize("2030二次电池产业发展战略 (2030 이차전지 산업 발전 전략)", "ko")[:4] == ["2030", "二次", "电池", "产业"]


def test_unknown_language_is_rejected(tok):
    with pytest.raises(ValueError, match="unknown language 'jp'; available: zh, en, ja, ko, other"):
        tok.tokenize("蓄電池", "jp")


def test_tokenize_many_takes_one_language_per_text(tok):
    texts = ["備蓄", "備蓄", "Li-ion batteries"]
    assert tok.tokenize_many(texts, ["ja", "zh", None]) == [["备蓄"], ["备", "蓄"], ["li-ion", "battery"]]
    with pytest.raises(ValueError, match="3 texts but 2 languages"):
        tok.tokenize_many(texts, ["ja", "zh"])


def test_settings_record_the_analyzers_and_the_folding():
    s = BilingualTokenizer().settings()
    assert s["version"] == TOKENIZER_VERSION >= 2
    assert s["analyzers"]["ja"]["split"] == "C+A" and s["analyzers"]["ko"]["name"] == "mecab-ko"
    assert len(s["fold"]["table_hash"]) == 16 and s["fold"]["opencc"] != "missing"


def test_an_index_of_other_tokenizer_settings_is_rejected_with_a_rebuild_message():
    tok = BilingualTokenizer()
    check_index_tokenizer(tok.settings(), "idx-now", tok)  # the same settings pass
    old = {**tok.settings(), "version": 1, "kana_hangul": "bigram"}
    del old["analyzers"]
    with pytest.raises(IndexMismatchError) as err:
        check_index_tokenizer(old, "idx-old", tok)
    message = str(err.value)
    assert message.startswith("idx-old: index built with other keyword tokenizer settings (")
    assert f"version 1 -> {TOKENIZER_VERSION}" in message and "analyzers missing -> {ja, ko}" in message
    assert message.endswith("run `policyscope build` to rebuild it")
    newer_dictionary = json.loads(json.dumps(tok.settings()))
    newer_dictionary["analyzers"]["ja"]["sudachidict_core"] = "20990101"
    with pytest.raises(IndexMismatchError, match="analyzers.ja.sudachidict_core 20990101 -> "):
        check_index_tokenizer(newer_dictionary, "idx", tok)
    with pytest.raises(IndexMismatchError):
        check_index_tokenizer(None, "idx-none", tok)


@pytest.fixture(scope="module")
def policy_index(tok):
    """BM25 over every passage of the 21 policy texts, tokenized in each passage's language."""
    from policyscope.corpus.loaders import load_path
    from policyscope.index.keywords import KeywordIndex
    from policyscope.nlp.segment import segment_document

    passages = [p for path in policy_files("") for doc in load_path(path) for p in segment_document(doc)]
    langs = {p.lang for p in passages}
    assert {"zh", "en", "ja", "ko"} <= langs
    index = KeywordIndex.build(tok.tokenize_many([p.text for p in passages], [p.lang for p in passages]))
    return passages, index


def best_of_language(policy_index, tokens: list[str], lang: str) -> tuple[list[str], list[str]]:
    """(texts of the ``lang`` passages with a positive score, best first; all ``lang`` passage texts)."""
    passages, index = policy_index
    scores = index.scores(tokens)
    rows = sorted((i for i, p in enumerate(passages) if p.lang == lang and scores[i] > 0), key=lambda i: -scores[i])
    return [passages[i].text for i in rows], [p.text for p in passages if p.lang == lang]


@pytest.mark.parametrize(("query", "japanese"), [("蓄电池", "蓄電池"), ("矿产", "鉱産")])
def test_chinese_query_finds_the_japanese_passages_that_hold_its_word(tok, policy_index, query, japanese):
    hits, ja_texts = best_of_language(policy_index, tok.tokenize(query), "ja")
    holding = [t for t in ja_texts if japanese in t]
    assert holding
    assert set(holding) <= set(hits)  # every passage with the word matches
    assert all(japanese in t for t in hits[: min(10, len(holding))])  # and the best Japanese matches hold it


def test_japanese_query_finds_the_chinese_passages_that_hold_its_word(tok, policy_index):
    hits, zh_texts = best_of_language(policy_index, tok.tokenize("鉛蓄電池の回収", "ja"), "zh")
    holding = [t for t in zh_texts if "铅蓄电池" in t]
    assert holding
    assert "铅蓄电池" in hits[0]


@pytest.mark.parametrize("word", ["備蓄", "再資源化"])
def test_han_only_japanese_query_finds_the_japanese_passages_when_read_as_a_query(tok, policy_index, word):
    as_chinese, ja_texts = best_of_language(policy_index, tok.tokenize(word), "ja")
    as_query, _ = best_of_language(policy_index, tok.tokenize_query(word), "ja")
    holding = [t for t in ja_texts if word in t]
    assert holding
    top = min(10, len(holding))
    assert set(holding) <= set(as_query)
    assert all(word in t for t in as_query[:top])
    # jieba alone (detection says Chinese) misses the Japanese word: 備蓄 -> 备 + 蓄.
    assert sum(word in t for t in as_chinese[:top]) < top


def test_query_tokens_add_a_japanese_reading_only_to_han_only_queries(tok):
    assert tok.tokenize_query("備蓄") == ["备", "蓄", "备蓄"]
    for query in ("蓄電池の備蓄", "Li-ion batteries", "공급망 비축", "关键矿产"):
        assert tok.tokenize_query(query) == tok.tokenize(query)


def test_korean_query_finds_the_decree_passages_on_stockpiling(tok, policy_index):
    hits, ko_texts = best_of_language(policy_index, tok.tokenize("비축하여야 한다"), "ko")
    assert {t for t in ko_texts if "비축" in t} == set(hits)


JA_TEXT = st.text(alphabet=st.sampled_from(list("蓄電池鉱産物の備蓄を講ずるリチウム。、「」（）") + list("공급망비축 ab1 -")))


@settings(max_examples=100, deadline=None)
@given(text=JA_TEXT, lang=st.sampled_from(["ja", "ko", "zh", None]))
def test_japanese_and_korean_tokens_are_deterministic_and_clean(tok, other_tok, text, lang):
    tokens = tok.tokenize(text, lang)
    assert tokens == other_tok.tokenize(text, lang)
    for t in tokens:
        assert t and t == t.strip() and t == t.lower()
        assert not set(t) & set("。、「」（）() ")
