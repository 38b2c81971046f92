"""Result exports: each format parsed back with its own library gives the hits' facts and text."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import pytest
from policyscope.corpus.config import Settings
from policyscope.index.search import Searcher
from policyscope.index.search.export import (
    EXPORTERS,
    CitedHit,
    citation_text,
    cite_hits,
    export_hits,
    get_exporter,
    official_url,
    tex_escape,
)

HOSTILE = '=HYPERLINK("http://evil") {unbalanced \\ 50% R&D $x$ #1 a_b ~^\nER  - \nTY  - JOUR'


@pytest.fixture(scope="module")
def cited(built_hash_home) -> list[CitedHit]:
    searcher = Searcher(Settings.load(built_hash_home, encoder="hash"))
    result = searcher.search("critical minerals supply chain", k=12)
    rows = cite_hits(result.hits, searcher.store, result.query)
    assert len(rows) == 12
    return rows


def with_hostile(rows: list[CitedHit]) -> list[CitedHit]:
    """The real rows plus one whose title, issuer and text are hostile."""
    return [*rows, replace(rows[0], passage_id="hostile", title=HOSTILE, issuer="A and B {", text=HOSTILE)]


def test_real_hits_carry_issuer_date_jurisdiction_and_an_official_url(cited):
    with_url = [c for c in cited if c.url]
    assert with_url, "the built-in policy texts have official addresses"
    assert all(c.url.startswith(("http://", "https://")) for c in with_url)
    us = next(c for c in cited if c.country == "US" and c.issuer)
    assert us.country_name == "United States" and us.date[:4].isdigit()
    assert all(0 <= c.start < c.end for c in cited)


def test_only_http_addresses_are_official_urls():
    assert official_url({"urls": ["javascript:alert(1)", "https://e-gov.go.jp/a b{c}"]}) == \
        "https://e-gov.go.jp/a%20b%7Bc%7D"
    assert official_url({"url": "ftp://x/y"}) == ""
    assert official_url({}) == ""


def test_csv_reads_back_with_pandas_and_formula_cells_are_quoted(cited):
    import pandas as pd

    rows = with_hostile(cited)
    df = pd.read_csv(io.StringIO(export_hits(rows, "csv")), keep_default_na=False, dtype=str)
    assert list(df["passage_id"]) == [c.passage_id for c in rows]
    assert list(df["text"][:-1]) == [c.text for c in cited]
    assert df["title"].iloc[-1] == "'" + HOSTILE  # a spreadsheet shows it as text, never runs it
    assert [int(x) for x in df["start"][:-1]] == [c.start for c in cited]


def test_jsonl_reads_back_line_by_line(cited):
    lines = export_hits(cited, "jsonl").splitlines()
    assert [json.loads(line)["text"] for line in lines] == [c.text for c in cited]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in lines[0] + "".join(lines))  # CJK not \u-escaped


def test_bibtex_parses_back_with_bibtexparser_and_hostile_text_is_one_field(cited):
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware

    rows = with_hostile(cited)
    lib = bibtexparser.parse_string(export_hits(rows, "bibtex"), append_middleware=[LatexDecodingMiddleware()])
    assert not lib.failed_blocks
    assert len(lib.entries) == len(rows)
    first = lib.entries[0]
    assert first["title"] == cited[0].title
    assert f"{cited[0].start}--{cited[0].end}" in first["note"] or f"{cited[0].start}–{cited[0].end}" in first["note"]
    if cited[0].url:
        assert first["url"] == cited[0].url
    last = lib.entries[-1]
    assert last.key.endswith("_hostile") and set(last.fields_dict) == set(first.fields_dict)  # no forged fields
    # TeX's specials come back as themselves (pylatexenc renders \textbraceleft{} as nothing and
    # \textasciicircum{} as a modifier letter: display choices of the decoder, checked raw below)
    assert 'unbalanced \\ 50% R&D $x$ #1 a_b ~' in last["annote"]
    raw = bibtexparser.parse_string(export_hits(rows, "bibtex")).entries[-1]
    assert raw["annote"] == tex_escape(HOSTILE)
    assert raw["author"] == "{A and B \\textbraceleft{}}"  # one corporate author, not two people


def test_ris_parses_back_with_rispy_and_a_newline_cannot_forge_a_record(cited):
    import rispy

    rows = with_hostile(cited)
    entries = rispy.loads(export_hits(rows, "ris"))
    assert len(entries) == len(rows)
    assert [e["id"] for e in entries] == [c.passage_id for c in rows]
    assert entries[0]["title"] == cited[0].title
    assert entries[0]["custom1"] == str(cited[0].start) and entries[0]["custom2"] == str(cited[0].end)
    assert entries[-1]["abstract"] == HOSTILE.replace("\n", " ")


def test_citation_names_title_issuer_jurisdiction_offsets_and_url(cited):
    c = next(c for c in cited if c.url and c.issuer)
    text = citation_text(c)
    for part in (c.title, c.issuer, c.country, f"{c.start}–{c.end}", c.url):
        assert part in text


def test_unknown_format_lists_the_available_ones():
    with pytest.raises(ValueError, match="available: csv, jsonl, bibtex, ris"):
        get_exporter("xlsx")
    assert [e.suffix for e in EXPORTERS.values()] == [".csv", ".jsonl", ".bib", ".ris"]


def test_ris_types_laws_as_statutes_and_fact_sheets_as_government_documents():
    from policyscope.index.search.export import _ris_type

    assert _ris_type("law") == "STAT" and _ris_type("Cabinet order / regulation") == "STAT"
    assert _ris_type("fact sheet") == "GOVDOC" and _ris_type("executive order") == "GOVDOC"
