"""The web app's handlers as plain functions, on the built-in corpus built with the fast test encoder."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from policyscope.corpus.config import Settings

HOSTILE_ID = "hostile-doc"
HOSTILE_TEXT = (
    "<script>alert('pwned')</script> Battery recycling rules for <img src=x onerror=alert(1)> lithium.\n\n"
    '<a href="javascript:alert(1)">click here</a> 电池回收 ${alert(1)} {{7*7}}'
)


def build_tagged_workspace(home: Path, encoder: str = "hash", hostile: bool = True) -> Settings:
    """The built-in corpus (plus a hostile document), segmented, tagged and indexed.

    Uses the pipeline's default tagger; while that is unavailable, the lexicon tagger's tags are stored
    directly so the compare and review views have real tags to show.
    """
    from policyscope.corpus.records import Document
    from policyscope.index.pipeline import MACHINE_SOURCES, Pipeline

    settings = Settings.load(home, encoder=encoder)
    pipe = Pipeline(settings)
    pipe.ingest_builtin()
    if hostile:
        pipe.store.add_documents([Document(
            id=HOSTILE_ID, text=HOSTILE_TEXT, title="<script>alert('title')</script>",
            title_zh="<img src=x onerror=alert('zh')>", title_en='<a href="javascript:alert(1)">Evil</a>',
            region="US", year=2021, lang="en", kind="test", source="hostile.txt",
        )])
    pipe.segment()
    pipe.tag()
    if pipe.store.count("tags") == 0:
        from policyscope.nlp.taggers import make_tagger

        passages = list(pipe.store.iter_passages())
        tags = make_tagger("lexicon").tag([p.text for p in passages], [p.lang for p in passages])
        pipe.store.replace_tags({p.id: t for p, t in zip(passages, tags)}, sources=MACHINE_SOURCES,
                                tagger_key="test-lexicon")
    pipe.index(force=True)
    pipe.store.close()
    return settings


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    from policyscope.ui.service import Service

    settings = build_tagged_workspace(tmp_path_factory.mktemp("svc") / "home")
    svc = Service(settings, max_upload_mb=1)
    svc.ensure_built()
    return svc


def test_first_start_builds_the_builtin_corpus_and_reports_it(tmp_path):
    from policyscope.ui.service import Service

    svc = Service(Settings.load(tmp_path / "fresh", encoder="hash"))
    assert not svc.is_built()
    stages = []
    status = svc.ensure_built(lambda stage, done, total: stages.append(stage))
    assert svc.is_built()
    assert "built the built-in corpus" in status and "passages" in status
    assert "embed" in stages
    assert "ps-card" in svc.search("National Blueprint for Lithium Batteries")


def test_chinese_query_finds_highlighted_passages(service):
    html = service.search("动力电池回收利用")
    assert html.count('class="ps-card"') >= 3
    assert '<mark class="term' in html


def test_english_query_with_region_filter_only_returns_that_region(service):
    data = service.search_json("critical minerals strategy", regions=["UK"], k=5)
    assert data["hits"] and {h["region"] for h in data["hits"]} == {"UK"}


def test_filters_by_document_language_year_and_measure(service):
    data = service.search_json("battery", docs=["seed-battery-supply-chain"], langs=["zh"], k=5)
    assert {h["doc_id"] for h in data["hits"]} == {"seed-battery-supply-chain"}
    assert {h["lang"] for h in data["hits"]} == {"zh"}
    data = service.search_json("battery", year_from="2021", year_to=2021.0, k=10)
    assert data["hits"] and {h["year"] for h in data["hits"]} == {2021}
    data = service.search_json("电池", measures=["recycling"], k=10)
    assert data["hits"] and all("recycling" in h["measures"] for h in data["hits"])


@pytest.mark.parametrize("mode", ["hybrid", "semantic", "keyword", "phrase"])
def test_every_mode_answers(service, mode):
    query = "本土电池供应链" if mode == "phrase" else "本土电池供应链 domestic supply chain"
    assert "ps-card" in service.search(query, mode=mode)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"query": ""}, "Type a question"),
        ({"query": "   "}, "Type a question"),
        ({"query": "x", "mode": "fuzzy"}, "unknown mode"),
        ({"query": "x", "year_from": "2022", "year_to": "2019"}, "year range"),
        ({"query": "x", "year_from": "last year"}, "must be a year"),
        ({"query": "x", "k": 0}, "k must be between"),
        ({"query": "zzzqqqxxyy", "mode": "phrase"}, "No passages match"),
    ],
)
def test_empty_and_failing_queries_get_a_friendly_message_not_a_traceback(service, kwargs, expected):
    html = service.search(**kwargs)
    assert expected in html
    assert "Traceback" not in html and "ps-msg" in html


def test_an_unexpected_error_is_logged_and_shown_as_one_line(service, monkeypatch, caplog):
    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(service.searcher, "search", boom)
    html = service.search("battery")
    assert "search failed (RuntimeError)" in html and "Traceback" not in html
    assert "disk on fire" in caplog.text


def test_more_like_this_excludes_the_passage_itself(service):
    pid = service.search_json("国家锂电池蓝图", k=1)["hits"][0]["passage_id"]
    html = service.more_like_this(pid)
    assert "passages like" in html and f'data-pid="{pid}"' not in html.split("</div>", 2)[-1]


def test_document_view_shows_whole_document_with_focus_passage(service):
    hit = service.search_json("确保电池原材料供应安全", k=1)["hits"][0]
    html = service.document_view(hit["doc_id"], hit["passage_id"])
    assert 'class="ps-passage ps-focus"' in html
    assert f'id="ps-p-{hit["passage_id"]}"' in html
    assert service.document_view("no-such-doc").count("unknown document") == 1


def test_catalog_record_view_offers_a_linked_table_row(service):
    # Opening a seed-paper table row from the blueprint's compare cell shows it in the paper.
    table = service.compare_json(["us-li-blueprint-2021", "eu-batteries-regulation"])
    cell = next(c for r in table["rows"] for c in r["cells"] if c and c["doc_id"] == "seed-battery-supply-chain")
    html = service.document_view("us-li-blueprint-2021", cell["passage_id"])
    assert "ps-focus" in html and "全球电池供应链竞争态势" in html


def test_hostile_document_renders_inert_everywhere(service):
    from tests.ui.test_render import assert_inert

    for html in (
        service.search("battery recycling rules lithium", docs=[HOSTILE_ID]),
        service.document_view(HOSTILE_ID),
        service.corpus_table(),
    ):
        assert "alert" in html  # the text is there, escaped
        assert_inert(html)


def test_compare_us_blueprint_with_eu_regulation(service):
    table, heat, timeline, align = service.compare(["us-li-blueprint-2021", "eu-batteries-regulation"])
    assert table.count('data-measure="') >= 15
    assert "✓" in table and "unique 独有" in table
    assert 'class="ps-heat"' in heat and 'data-action="cell"' in heat
    assert "2021" in timeline and "ps-tl-doc" in timeline
    assert "ps-align" in align


def test_compare_needs_two_items_and_known_ids(service):
    table, heat, _, _ = service.compare(["US"])
    assert "Pick 2–4" in table and "ps-heat" in heat
    table, *_ = service.compare(["US", "atlantis"])
    assert "unknown document or region &#x27;atlantis&#x27;" in table
    assert "at most 4" in service.compare_json(["US", "EU", "JP", "KR", "UK"])["error"]


def test_heatmap_cell_lists_its_evidence(service):
    heat = service.heatmap()
    region, measure = re.search(r'data-region="(\w+)" data-measure="(\w+)"', heat).groups()
    html = service.cell_evidence(region, measure)
    assert "ps-card" in html and f"{region} ·" in html


def test_review_accept_shows_in_counts_and_export(service, tmp_path):
    state, card = service.review_next(None)
    pid = state.current
    assert pid and "reviewed passages" in card
    done = service.review_apply(pid, "accept", None, "tester")
    assert done.startswith("accept")
    state, card = service.review_next(state)
    assert state.current != pid
    assert service.review_counts()["accept"] >= 1
    path = service.export(service.export_formats()[0])
    assert path.exists() and path.is_relative_to(service.settings.home / "exports")
    content = path.read_bytes()
    if path.suffix == ".zip":
        import zipfile

        with zipfile.ZipFile(path) as z:
            content = b"".join(z.read(n) for n in z.namelist())
    assert pid.encode() in content


def test_review_add_and_reject_change_effective_tags(service):
    pid = service.search_json("国家锂电池蓝图", k=1)["hits"][0]["passage_id"]
    out = service.tag_json(pid, "add", "workforce", "tester")
    assert "workforce" in out["tags"]
    out = service.tag_json(pid, "reject", "workforce", "tester")
    assert "workforce" not in out["tags"]
    assert "unknown action" in service.tag_json(pid, "maybe")["error"]
    assert "unknown measure" in service.tag_json(pid, "add", "teleportation")["error"]
    assert "pick the measure" in service.tag_json(pid, "add")["error"]


def test_upload_adds_searchable_documents_and_reports_each_file(service, tmp_path):
    good = tmp_path / "sodium.md"
    good.write_text("# Sodium-ion battery pilot programme\n\nThe ministry funds a zanzibarite sodium-ion "
                    "battery pilot line and a recycling plant.\n", encoding="utf-8")
    bad_type = tmp_path / "evil.exe"
    bad_type.write_bytes(b"MZ....")
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (2 * 1024 * 1024))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    seen = []
    rows = service.upload([str(good), str(bad_type), str(big), str(empty)], progress=lambda f, d: seen.append(d))
    by_name = {r["name"]: r for r in rows}
    assert by_name["sodium.md"]["added"] == 1 and by_name["sodium.md"]["documents"]
    assert "unsupported file type" in by_name["evil.exe"]["error"]
    assert "limit" in by_name["big.txt"]["error"]
    assert "empty" in by_name["empty.txt"]["error"]
    assert seen
    assert (service.settings.home / "uploads" / "sodium.md").exists()
    data = service.search_json("zanzibarite", mode="keyword", k=3)
    assert data["hits"] and "zanzibarite" in data["hits"][0]["text"]
    assert "sodium" in service.corpus_table().lower()


def test_upload_names_cannot_escape_the_workspace(service, tmp_path):
    from policyscope.ui.service import _safe_name

    assert _safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert _safe_name("..\\..\\boot.ini.md") == "boot.ini.md"
    assert "/" not in _safe_name("a/<b>.txt")


def test_search_json_is_plain_json(service):
    data = service.search_json("电池", k=2)
    json.dumps(data, ensure_ascii=False)
    assert "error" in service.search_json("")
