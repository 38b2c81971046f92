"""docs/api.md is a notebook: its code blocks run in order on a copy of the built workspace, and what they
produce is checked here, so the page cannot drift from the API."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

pd = pytest.importorskip("pandas")  # an optional dependency (the app extra brings it), not ours

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


@pytest.fixture
def notebook(built_home, tmp_path, monkeypatch):
    """Run every ```python block of docs/api.md in one namespace, in a private copy of the built workspace."""
    home = tmp_path / "home"
    shutil.copytree(built_home.home, home)
    monkeypatch.setenv("POLICYSCOPE_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert len(blocks) >= 6, "docs/api.md lost its examples"
    namespace: dict = {}
    for i, block in enumerate(blocks, start=1):
        exec(compile(block, f"docs/api.md block {i}", "exec"), namespace)  # noqa: S102 - our own docs
    return namespace


def test_the_api_page_runs_top_to_bottom_and_does_what_it_says(notebook):
    ns = notebook
    ws = ns["ws"]
    assert ns["report"].index.passages > 2000

    # search: hits as a DataFrame with the Hit fields
    assert list(ns["frame"].columns[:4]) == ["query", "rank", "score", "passage_id"]
    assert len(ns["frame"]) == 5 and ns["frame"]["rank"].tolist() == [1, 2, 3, 4, 5]
    # filters hold on every hit
    assert ns["rare_earths"].hits and all(h.country == "CN" and h.lang == "zh" and 2020 <= h.year <= 2025
                                          for h in ns["rare_earths"].hits)
    jk = ns["japan_or_korea"].hits
    assert jk and {h.country for h in jk} <= {"JP", "KR"}
    assert len({h.doc_id for h in jk}) == len(jk)  # per_doc=1
    assert all({"recycling", "stockpiling"} & set(h.measures) and h.doc_kind == "law" for h in ns["tagged"].hits)
    # batch: one result per query, in order
    assert [r.query for r in ns["batch"]] == ["battery recycling", "电池回收", "蓄電池のリサイクル", "배터리 재활용"]
    assert set(ns["table"]["query"]) == {r.query for r in ns["batch"]}

    # add: a folder of Markdown with front matter, and in-memory records
    assert ns["added_files"].files[0].added == 1
    notes = [d for d in ws.documents() if d.title == "Brazil battery notes"]
    assert notes and notes[0].country == "BR" and notes[0].year == 2024
    assert ns["added"].files[0].added == 2 and ns["added"].files[0].error is None
    assert ns["brazil"].hits[0].title == "Sodium battery programme" and ns["brazil"].hits[0].country == "BR"
    assert "Sodium battery programme" in set(ns["documents"]["title"])
    again = ws.add(ns["records"], columns={"text": "summary", "title": "name", "country": "iso", "year": "year"},
                   name="brazil-notes")
    assert (again.files[0].added, again.files[0].unchanged) == (0, 2)

    # compare: measures x items
    assert list(ns["overview"].columns) == ["US", "JP"] and len(ns["overview"]) == 15
    assert ns["overview"]["US"].dtype == bool and ns["overview"].to_numpy().any()

    # tag: the example's measures are the ones the page shows
    assert ns["found"].measures == ("localization", "raw_materials", "stockpiling", "funding_incentives")
    assert all(ev for ev in ns["found"].to_pandas()["evidence"])
    assert len(ns["several"]) == 2 and "stockpiling" in ns["several"][1].measures

    # export: a parquet file holding every passage
    exported = pd.read_parquet("labels.parquet")
    assert len(exported) == ns["export"].passages == ws.store.count("passages")
