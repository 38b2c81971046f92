"""Every direction between the four languages, on the built-in corpus (the 21 policy texts and the paper).

Keyword mode only: the query translation is what carries a query into another language there (the
semantic side depends on the encoder, and the test encoder is a hash). Each case filters to the target
language, so with the translation broken nothing of it matches and the case fails.
"""

from __future__ import annotations

import json
import shutil

import pytest
from policyscope.corpus.config import Settings
from policyscope.index.search import Searcher, SearchFilters
from policyscope.ui.cli import app
from typer.testing import CliRunner

from ...conftest import CCLW_JSONL, require_shared

CASES = [  # (query, its language, target language, words one of the first three hits must hold)
    ("stockpiling of rare metals", "en", "ja", "備蓄"),
    ("supply chain stabilization fund", "en", "ko", "공급망안정화기금"),
    ("rare earth", "en", "zh", "稀土"),
    ("国防生产法", "zh", "en", "Defense Production Act"),
    ("资源有效利用", "zh", "ja", "資源の有効な利用"),
    ("供应链稳定", "zh", "ko", "공급망"),
    ("重要鉱物", "ja", "en", "critical mineral"),
    ("レアアース", "ja", "zh", "稀土"),
    ("サプライチェーン", "ja", "ko", "공급망"),
    ("핵심광물", "ko", "en", "critical mineral"),
    ("희토류", "ko", "zh", "稀土"),
    ("비축", "ko", "ja", "備蓄"),
]


@pytest.fixture(scope="module")
def searcher(built_hash_home):
    return Searcher(Settings.load(built_hash_home, encoder="hash"))


@pytest.mark.parametrize(("query", "source", "target", "needle"), CASES,
                         ids=[f"{s}-{t}" for _, s, t, _ in CASES])
def test_a_query_finds_its_answer_in_another_language(searcher, query, source, target, needle):
    result = searcher.search(query, k=3, mode="keyword", filters=SearchFilters(langs=(target,)))
    assert result.hits, f"{query!r} ({source}) matched no {target} passage"
    assert all(h.lang == target for h in result.hits)
    assert any(needle.lower() in h.text.lower() for h in result.hits), [h.text[:80] for h in result.hits]


def test_without_translation_a_query_stays_in_its_own_language(built_hash_home):
    searcher = Searcher(Settings.load(built_hash_home, encoder="hash", translation_enabled=False))
    result = searcher.search("supply chain stabilization fund", k=3, mode="keyword",
                             filters=SearchFilters(langs=("ko",)))
    assert not any("공급망안정화기금" in h.text for h in result.hits)


def test_a_country_in_the_query_says_where_to_look_not_what_to_find(built_hash_home, tmp_path):
    """Issue #16: "carbon tax Chile" ranked a passage naming only 智利 above Chile's carbon-tax law."""
    rows = [json.loads(line) for line in require_shared(CCLW_JSONL).open(encoding="utf-8")]
    picked = [r for r in rows if r["iso"] == "CHL" or "carbon tax" in r["text"].lower()]
    path = tmp_path / "cclw-chile-and-carbon-taxes.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in picked), encoding="utf-8")
    home = tmp_path / "home"
    shutil.copytree(built_hash_home, home)
    runner = CliRunner()
    added = runner.invoke(app, ["--home", str(home), "--encoder", "hash", "add", str(path), "--columns",
                                "text=text,title=title,id=id,country=iso,date=date,year=year,kind=type"])
    assert added.exit_code == 0, added.stderr
    hits = Searcher(Settings.load(home, encoder="hash")).search("carbon tax Chile", k=5, mode="keyword").hits
    assert hits[0].country == "CL" and "carbon tax" in (hits[0].title + hits[0].text).lower()
    # The paper names 智利 (Chile) among lithium producers: naming the country is not the topic.
    assert all(h.doc_id != "seed-battery-supply-chain" for h in hits)
    # The other carbon taxes come next (the topic without the country still counts), before a Japanese
    # passage that holds only 税 (tax) of the rendering 炭素 税.
    assert all("carbon tax" in (h.title + h.text).lower() for h in hits)
