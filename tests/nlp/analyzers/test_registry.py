"""The analyzer registry: one shared analyzer per language, loaded only when its language appears."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from policyscope.nlp.analyzers import ANALYZERS, analyzer_settings, get_analyzer


def test_unknown_language_names_the_available_ones():
    with pytest.raises(ValueError, match="no keyword analyzer for language 'fr'; available: ja, ko"):
        get_analyzer("fr")


def test_each_language_has_one_shared_analyzer():
    assert get_analyzer("ja") is get_analyzer("ja")
    assert get_analyzer("ko") is get_analyzer("ko")


def test_settings_name_every_analyzer_and_its_installed_versions():
    settings = analyzer_settings()
    assert set(settings) == set(ANALYZERS)
    assert settings["ja"]["name"] == "sudachi"
    assert settings["ko"]["name"] == "mecab-ko"
    versions = [settings["ja"]["sudachipy"], settings["ja"]["sudachidict_core"], settings["ko"]["python-mecab-ko"]]
    assert "missing" not in versions


LAZY = """
import json, sys
from policyscope.nlp.tokens import BilingualTokenizer
tok = BilingualTokenizer()
tok.settings()
tok.tokenize("英国发布首个关键矿产战略 (UK Critical Minerals Strategy)")
tok.tokenize("電池供應鏈", "zh")
before = {m: m in sys.modules for m in ("sudachipy", "mecab")}
tok.tokenize("蓄電池の備蓄", "ja")
after_ja = {m: m in sys.modules for m in ("sudachipy", "mecab")}
print(json.dumps([before, after_ja]))
"""


def test_chinese_and_english_text_load_neither_japanese_nor_korean_analyzer():
    out = subprocess.run([sys.executable, "-c", LAZY], capture_output=True, text=True, check=True).stdout
    before, after_ja = json.loads(out.splitlines()[-1])
    assert before == {"sudachipy": False, "mecab": False}
    assert after_ja == {"sudachipy": True, "mecab": False}
