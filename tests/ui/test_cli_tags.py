"""The tagging commands, called through the real ``policyscope`` typer app."""

from __future__ import annotations

import json

import pytest
from policyscope.corpus.store import Store
from policyscope.ui.cli import app
from typer.testing import CliRunner

from tests.conftest import REPO, TAGS_DEV, require_shared

CCLW_TAGS = REPO / "benchmarks" / "eval" / "tags_cclw_en.jsonl"


def run(home, *args: str, ok: bool = True):
    result = CliRunner().invoke(app, ["--home", str(home), "--encoder", "hash", *args])
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


def run_json(home, *args: str):
    return json.loads(run(home, *args, "--json").stdout)


@pytest.mark.parametrize("gold", [TAGS_DEV, CCLW_TAGS], ids=["tags_dev", "tags_cclw_en"])
def test_eval_tags_meets_the_dev_targets(tmp_path, gold):
    require_shared(gold)
    report = run_json(tmp_path / "empty-home", "eval", "tags", "--gold", str(gold))
    assert report["n"] == len(gold.read_text(encoding="utf-8").splitlines())
    assert report["micro"]["f1"] >= 0.85
    assert report["macro"]["f1"] >= 0.75
    assert set(report["by_lang"]) == ({"zh"} if gold == TAGS_DEV else {"en"})
    assert 0.0 <= report["exact_match"] <= 1.0
    assert report["per_label"]["alliance"]["support"] > 0


def test_eval_tags_prints_a_table(tmp_path):
    out = run(tmp_path / "h", "eval", "tags", "--gold", str(CCLW_TAGS)).stdout
    assert "micro-F1" in out and "recycling" in out


def test_eval_tags_rejects_an_unknown_gold_measure(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "a", "text": "x", "tags": ["teleportation"]}\n', encoding="utf-8")
    result = run(tmp_path / "h", "eval", "tags", "--gold", str(gold), ok=False)
    assert result.exit_code == 1
    assert f"{gold}:1: unknown measure(s) teleportation" in result.stderr


def test_tag_text_finds_alliance_with_evidence(tmp_path):
    text = "美国寻求建立全球电池组件和原材料战略联盟"
    out = run_json(tmp_path / "h", "tag", "--text", text)
    tags = {t["measure"]: t for t in out["tags"]}
    assert "alliance" in tags
    spans = tags["alliance"]["spans"]
    assert spans and all(text[s["start"] : s["end"]] == s["text"] for s in spans)
    assert any("联盟" in s["text"] for s in spans)
    assert tags["alliance"]["source"] == "rule"


def test_tag_input_file_writes_tags_per_row(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": "a", "text": "Mandatory recycling of used batteries.", "tags": ["recycling"]})
        + "\n"
        + json.dumps({"id": "b", "text": "天气很好。"}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    run(tmp_path / "h", "tag", "--input", str(src), "--output", str(out))
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["accept"] == ["recycling"] and rows[0]["gold_tags"] == ["recycling"]
    assert rows[1]["tags"] == []


def test_tag_with_an_unknown_tagger_names_the_choices(tmp_path):
    result = run(tmp_path / "h", "tag", "--tagger", "magic", "--text", "x", ok=False)
    assert result.exit_code == 1
    assert "unknown tagger 'magic'; available: lexicon, embedding, ensemble, classifier" in result.stderr


def _five_passages_without_workforce(home):
    with Store(home / "policyscope.sqlite") as store:
        tagged = store.tags_for([p.id for p in store.iter_passages()])
    return [
        pid for pid, tags in sorted(tagged.items()) if tags and "workforce" not in {t.measure for t in tags}
    ][:5]


def test_kappa_between_two_annotators_matches_the_hand_computed_value(home, tmp_path):
    """workforce, five passages: alice 1 1 1 0 0, bob 1 1 0 0 0.

    po = 4/5 = 0.8; p(alice=1) = 0.6, p(bob=1) = 0.4; pe = 0.6*0.4 + 0.4*0.6 = 0.48;
    kappa = (0.8 - 0.48) / (1 - 0.48) = 0.32 / 0.52 = 8/13 = 0.6154. Every other measure: both keep the
    machine tags, so they agree everywhere and kappa is 1. Alice vs the model (never workforce):
    po = 0.4, pe = 0.4*1 + 0.6*0 = 0.4, kappa = 0.
    """
    pids = _five_passages_without_workforce(home)
    assert len(pids) == 5
    with Store(home / "policyscope.sqlite") as store:
        machine = {pid: [t.measure for t in ts] for pid, ts in store.tags_for(pids).items()}
    alice = [1, 1, 1, 0, 0]
    bob = [1, 1, 0, 0, 0]
    # Alice labels through a file (--confirm marks her unchanged passages as reviewed) ...
    labels = tmp_path / "alice.jsonl"
    labels.write_text(
        "".join(
            json.dumps({"id": p, "accept": machine[p] + (["workforce"] if a else [])}) + "\n"
            for p, a in zip(pids, alice)
        ),
        encoding="utf-8",
    )
    report = run_json(home, "import-labels", str(labels), "--annotator", "alice", "--confirm")
    assert report["added"] == 3 and report["removed"] == 0
    # ... Bob through the review commands.
    for p, b in zip(pids, bob):
        run(home, "review", "add" if b else "reject", p, "workforce", "--annotator", "bob")

    k = run_json(home, "tag", "agreement", "--a", "alice", "--b", "bob")
    assert k["n"] == 5
    assert k["kappa"]["workforce"] == pytest.approx(8 / 13)
    assert k["kappa"]["workforce"] == pytest.approx(0.6154, abs=1e-4)
    assert all(v == 1.0 for m, v in k["kappa"].items() if m != "workforce")
    assert k["mean_kappa"] == pytest.approx((14 + 8 / 13) / 15)

    vs_model = run_json(home, "tag", "agreement", "--a", "alice", "--b", "model")
    assert vs_model["n"] == 5
    assert vs_model["kappa"]["workforce"] == pytest.approx(0.0)

    text = run(home, "tag", "agreement", "--a", "alice", "--b", "bob").stdout
    assert "0.615" in text


def test_agreement_with_an_unknown_annotator_is_one_line(home):
    result = run(home, "tag", "agreement", "--a", "nobody", "--b", "model", ok=False)
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: annotator 'nobody' has no annotations"


def test_train_classifier_then_tag_with_it(home):
    require_shared(TAGS_DEV)
    report = run_json(home, "tag", "train", "--gold", str(TAGS_DEV), "--gold", str(CCLW_TAGS))
    assert report["passages"] == 53 + 71
    assert (home / "models" / "classifier" / "classifier.json").exists()
    assert report["train_micro_f1"] > 0.5
    out = run_json(
        home, "tag", "--tagger", "classifier", "--text", "电池回收利用体系", "--text", "battery recycling"
    )
    assert len(out) == 2 and all(t["source"] == "classifier" for r in out for t in r["tags"])


def test_train_without_labels_says_what_to_do(home):
    result = run(home, "tag", "train", ok=False)
    assert result.exit_code == 1
    assert "policyscope review" in result.stderr and "--gold" in result.stderr
