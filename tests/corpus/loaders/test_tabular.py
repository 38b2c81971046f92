"""CSV, JSONL and XLSX files (policyscope.corpus.loaders.tabular), plus the real CCLW exports."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import logging
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from policyscope.corpus.errors import LoadError
from policyscope.corpus.loaders import ColumnMap, load_path

from tests.conftest import CCLW_JSONL, CCLW_XLSX
from tests.corpus.loaders.common import load_error, load_one

needs_cclw = pytest.mark.skipif(not CCLW_JSONL.exists(), reason="shared CCLW sources not available")


CSV_ROWS = [
    ["id", "title", "description", "country", "date", "type"],
    ["a1", "电池法", "<p>推动<b>动力电池</b>回收。</p>", "China", "2021年3月6日", "law"],
    ["a2", "", "   ", "France", "2020", "policy"],
    ["a3", "Plan, with comma", 'Line one\n"quoted" line two', "Japan", "2019-05-01", "plan"],
]


def _write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    import csv

    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_rows_become_documents_and_a_row_without_text_or_title_is_skipped(tmp_path, encoding):
    path = _write_csv(tmp_path / "laws.csv", CSV_ROWS, encoding)
    seen: list[int] = []
    docs = list(load_path(path, progress=seen.append))
    assert [d.meta["external_id"] for d in docs] == ["a1", "a3"]
    first, third = docs
    assert first.text == "推动动力电池回收。"
    assert first.title == "电池法"
    assert first.date == "2021-03-06"
    assert first.year == 2021
    assert first.kind == "law"
    assert (first.country, first.region) == ("CN", "Eastern Asia")
    assert first.meta == {"external_id": "a1", "row": 1, "url": ""}
    assert first.blocks[0].kind == "record"
    assert (first.blocks[0].start, first.blocks[0].end) == (0, len(first.text))
    assert third.text == 'Line one\n"quoted" line two'
    assert third.meta["row"] == 3
    assert seen == [3]


def test_csv_ids_are_content_ids_and_stable(tmp_path):
    path = _write_csv(tmp_path / "laws.csv", CSV_ROWS)
    ids = [d.id for d in load_path(path)]
    assert ids == [d.id for d in load_path(path)]
    assert len(set(ids)) == len(ids)


def test_csv_semicolon_delimiter_and_explicit_mapping(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text("Titel;Inhalt;Land\nGesetz;Text über Klima;Deutschland\n", encoding="utf-8")
    doc = load_one(path, columns=ColumnMap.parse("text=Inhalt,title=Titel,country=Land"))
    # "Deutschland" is no name the jurisdiction model knows: left empty and kept as written, never guessed.
    assert (doc.title, doc.text, doc.country) == ("Gesetz", "Text über Klima", "")
    assert doc.meta["country_raw"] == "Deutschland"


def test_csv_semicolons_with_a_quoted_comma_header_are_sniffed(tmp_path):
    # Counting characters in this header picks "," (2 against 2, "," first); the sniffer reads the quoting.
    path = tmp_path / "semi.csv"
    path.write_text(
        'id;text;"Title, English, long"\n1;Recycle lithium, cobalt;"Battery Act, 2021"\n', encoding="utf-8"
    )
    doc = load_one(path, columns=ColumnMap(text="text", title="Title, English, long", id="id"))
    assert (doc.text, doc.title, doc.meta["external_id"]) == (
        "Recycle lithium, cobalt",
        "Battery Act, 2021",
        "1",
    )


@pytest.mark.parametrize(
    ("content", "texts"),
    [
        ("title|text\nA|Lithium, cobalt\nB|Nickel\n", ["Lithium, cobalt", "Nickel"]),
        ("title\ttext\nA\tLithium; cobalt\n", ["Lithium; cobalt"]),
        # One column: the semicolons in the cells are text, not delimiters.
        (
            "text\nlithium; cobalt; nickel\ngraphite; manganese\n",
            ["lithium; cobalt; nickel", "graphite; manganese"],
        ),
        ('id,text\n1,"a; b; c"\n2,"d; e"\n', ["a; b; c", "d; e"]),
    ],
    ids=["pipe", "tab", "one-column", "quoted-semicolons"],
)
def test_csv_delimiter_is_sniffed_from_the_first_lines(tmp_path, content, texts):
    path = tmp_path / "laws.csv"
    path.write_text(content, encoding="utf-8")
    assert [d.text for d in load_path(path)] == texts


def test_csv_missing_mapped_column_names_it_and_lists_columns(tmp_path):
    path = _write_csv(tmp_path / "laws.csv", CSV_ROWS)
    message = load_error(path, columns=ColumnMap(text="description", country="nation"))
    assert "column 'nation'" in message
    assert "available columns: id, title, description, country, date, type" in message


def test_csv_without_text_column_is_reported(tmp_path):
    path = _write_csv(tmp_path / "nums.csv", [["a", "b"], ["1", "2"]])
    assert "no text column found among: a, b" in load_error(path)


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def _load_warned(path: Path, caplog, **kwargs) -> tuple[list, list[str]]:
    with caplog.at_level(logging.WARNING):
        docs = list(load_path(path, **kwargs))
    return docs, _warnings(caplog)


def test_malformed_csv_record_is_skipped_with_its_line_and_the_good_rows_kept(tmp_path, caplog):
    path = tmp_path / "bad.csv"
    path.write_text(
        'title,text\nok,"fine"\nbad,"unterminated "quote" here\nlast,"also fine"\n', encoding="utf-8"
    )
    docs, warnings = _load_warned(path, caplog)
    assert [d.text for d in docs] == ["fine", "also fine"]
    assert warnings == [f"{path}: skipped 1 bad row of 3: line 3: malformed csv (',' expected after '\"')"]


def test_strict_refuses_a_csv_at_its_first_bad_record(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('title,text\nok,"fine"\nbad,"unterminated "quote" here\nx,a,b,c\n', encoding="utf-8")
    message = load_error(path, strict=True)
    assert (
        message == f"{path}: line 3: malformed csv (',' expected after '\"'); --strict refuses the whole file"
    )


def test_csv_record_with_extra_fields_is_a_bad_row(tmp_path, caplog):
    path = tmp_path / "wide.csv"
    path.write_text("title,text\nA,alpha\nB,beta,extra,cells\nC,gamma\n", encoding="utf-8")
    docs, warnings = _load_warned(path, caplog)
    assert [d.text for d in docs] == ["alpha", "gamma"]
    assert warnings == [f"{path}: skipped 1 bad row of 3: line 3: malformed csv (4 fields, header has 2)"]


def test_an_undecodable_csv_line_costs_only_its_record(tmp_path, caplog):
    path = tmp_path / "laws.csv"
    filler = "".join(
        f"F{i},推动动力电池回收利用第{i}条\n" for i in range(3000)
    )  # the sniffed sample is UTF-8
    data = ("title,text\n" + filler + 'A,"multi\nline"\n').encode("utf-8")
    data += "B,caf\xe9\n".encode("latin-1") + b"C,gamma\n"  # a line pasted from a Latin-1 file
    path.write_bytes(data)
    docs, warnings = _load_warned(path, caplog)
    assert [d.text for d in docs[-2:]] == ["multi\nline", "gamma"] and len(docs) == 3002
    # The bad record starts on line 3004: the quoted cell of record A spans lines 3002 and 3003.
    assert warnings == [f"{path}: skipped 1 bad row of 3003: line 3004: undecodable bytes (not utf-8)"]


def test_csv_with_bare_carriage_returns_is_read_line_by_line(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(b"title,text\rA,alpha\rB,beta\r")
    assert [d.text for d in load_path(path)] == ["alpha", "beta"]


def test_a_csv_whose_records_are_all_bad_is_refused_with_the_first(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('title,text\n"A,"x\n"B,"y\n', encoding="utf-8")
    assert load_error(path) == f"{path}: line 2: malformed csv (',' expected after '\"') (and 1 more bad row)"


def test_jsonl_bad_line_in_the_middle_costs_only_that_line(tmp_path, caplog):
    path = tmp_path / "docs.jsonl"
    lines = [json.dumps({"title": f"T{i}", "text": f"text {i}"}) for i in range(100)]
    lines[50] = '{"title": "broken", "text": '
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, warnings = _load_warned(path, caplog)
    assert len(docs) == 99 and "text 50" not in {d.text for d in docs}
    assert warnings == [f"{path}: skipped 1 bad row of 100: line 51: invalid json (expecting value)"]


def test_strict_refuses_a_jsonl_at_its_first_bad_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps({"title": "A", "text": "alpha"}) + "\n\n" + '{"title": "B", "text": \n', encoding="utf-8"
    )
    assert load_error(path, strict=True) == (
        f"{path}: line 3: invalid json (expecting value); --strict refuses the whole file"
    )


def test_bad_jsonl_lines_before_the_first_object_are_skipped_too(tmp_path, caplog):
    path = tmp_path / "docs.jsonl"
    path.write_text('[1, 2]\n"just a string"\n{"text": "alpha"}\n', encoding="utf-8")
    docs, warnings = _load_warned(path, caplog)
    assert [d.text for d in docs] == ["alpha"]
    assert warnings == [
        (
            f"{path}: skipped 2 bad rows of 3: line 1: expected a json object, got list; "
            "line 2: expected a json object, got str"
        )
    ]
    assert load_error(path, strict=True) == (
        f"{path}: line 1: expected a json object, got list; --strict refuses the whole file"
    )


def test_a_warning_quotes_five_bad_lines_and_counts_the_rest(tmp_path, caplog):
    path = tmp_path / "docs.jsonl"
    path.write_text('{"text": "alpha"}\n' + "nope\n" * 8, encoding="utf-8")
    _, (warning,) = _load_warned(path, caplog)
    assert warning.startswith(
        f"{path}: skipped 8 bad rows of 9: line 2: invalid json (expecting value); line 3:"
    )
    assert warning.count("invalid json") == 5 and warning.endswith("; and 3 more")


def test_a_jsonl_of_bad_lines_only_is_refused_with_the_first(tmp_path):
    path = tmp_path / "list.jsonl"
    path.write_text("[1, 2]\n", encoding="utf-8")
    assert load_error(path) == f"{path}: line 1: expected a json object, got list"


def test_jsonl_missing_column(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text(json.dumps({"title": "A", "body": "x"}, ensure_ascii=False) + "\n", encoding="utf-8")
    message = load_error(path, columns=ColumnMap.parse("text=text"))
    assert "column 'text' (for text) not found; available columns: title, body" in message


def test_jsonl_streams_rows_read_before_a_bad_line(tmp_path):
    path = tmp_path / "docs.jsonl"
    good = json.dumps({"title": "电池法", "text": "推动动力电池回收。"}, ensure_ascii=False)
    path.write_bytes(codecs.BOM_UTF8 + f"{good}\n\n{good}\n".encode() + b'{"text": "\xff"}\n')
    docs = load_path(path, strict=True)
    assert next(docs).title == "电池法"  # the BOM is not part of the first key
    assert next(docs).meta["row"] == 2
    with pytest.raises(LoadError, match="line 4: undecodable bytes \\(jsonl must be utf-8\\)"):
        next(docs)


def test_jsonl_line_nested_too_deeply_is_a_bad_line(tmp_path, caplog):
    path = tmp_path / "deep.jsonl"
    path.write_text('{"text": "a"}\n{"text": ' + "[" * 100_000 + "\n", encoding="utf-8")
    docs, warnings = _load_warned(path, caplog)
    assert [d.text for d in docs] == ["a"]
    assert warnings == [f"{path}: skipped 1 bad row of 2: line 2: invalid json (nested too deeply)"]
    path.write_text('{"text": ' + "[" * 100_000 + "]" * 100_000 + "}\n", encoding="utf-8")
    assert load_error(path) == f"{path}: line 1: invalid json (nested too deeply)"


def test_jsonl_of_blank_lines_only_is_empty(tmp_path):
    path = tmp_path / "blank.jsonl"
    path.write_text("\n" * 70_000, encoding="utf-8")  # larger than the sample checked up front
    assert "empty file" in load_error(path)


def test_xlsx_rows_with_datetimes_and_html(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "title", "description", "date", "link"])
    ws.append(
        [
            7,
            "Act",
            "<div>Cuts&nbsp;emissions.</div>",
            dt.datetime(2020, 12, 28),
            '<a href="/laws/act">Act</a>',
        ]
    )
    ws.append([8, None, None, None, None])
    path = tmp_path / "laws.xlsx"
    wb.save(path)
    doc = load_one(path)
    assert (doc.text, doc.date, doc.year) == ("Cuts emissions.", "2020-12-28", 2020)
    assert doc.meta == {"external_id": "7", "row": 1, "url": "/laws/act"}


def test_xlsx_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    assert "not a readable xlsx workbook" in load_error(path)


def test_xlsx_with_malformed_sheet_xml_is_one_load_error(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["title", "text"])
    wb.active.append(["Act", "Cuts emissions."])
    good = tmp_path / "good.xlsx"
    wb.save(good)
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2] + b"<<<"  # a download cut short inside the sheet
            zout.writestr(info, data)
    message = load_error(path)
    assert message.startswith(f"{path}: malformed xlsx: sheet xml is not well-formed (")


def test_a_cell_nested_hundreds_of_lists_deep_is_flattened(tmp_path):
    path = tmp_path / "deep.jsonl"
    title = "[" * 900 + '"Act", ["on batteries"]' + "]" * 900  # within json's limit, beyond Python's
    path.write_text('{"text": "Cuts emissions.", "title": ' + title + "}\n", encoding="utf-8")
    assert load_one(path).title == "Act; on batteries"


# ------------------------------------------------------------------------------------------
# real data: Climate Change Laws of the World export (2,100 rows; 5 have no description)


@needs_cclw
@pytest.mark.parametrize("path", [CCLW_JSONL, CCLW_XLSX], ids=["jsonl", "xlsx"])
def test_cclw_export_loads_every_row_with_text(path):
    seen: list[int] = []
    docs = list(load_path(path, progress=seen.append))
    assert seen[-1] == 2100  # every row is read ...
    assert len(docs) == 2100  # ... and the 5 rows without a description keep their title as text
    untitled = [d for d in docs if d.text == d.title]
    assert len(untitled) == 5
    act = next(d for d in docs if d.title == "Consolidated Appropriations Act, 2021")
    assert (act.country, act.region) == ("US", "Northern America")
    assert act.meta["source_region"] == "North America"  # the World Bank region, kept apart from ours
    assert act.year == 2020
    assert act.date == "2020-12-28"
    assert act.kind == "legislative"
    assert act.meta["external_id"] == "9746"
    assert act.text.startswith("This 2,000 pages-long document implements a major government funding")
    assert "<" not in act.text
    assert act.source == str(path)
    assert len({d.meta["external_id"] for d in docs}) == 2100
    assert len({d.id for d in docs}) == 2100


@needs_cclw
def test_cclw_jsonl_and_xlsx_agree_on_metadata():
    by_id = {d.meta["external_id"]: d for d in load_path(CCLW_JSONL)}
    for d in load_path(CCLW_XLSX):
        j = by_id[d.meta["external_id"]]
        assert (d.title, d.country, d.region, d.date, d.year, d.kind, d.meta["source_region"]) == (
            j.title, j.country, j.region, j.date, j.year, j.kind, j.meta["source_region"],
        )  # fmt: skip
        # the JSONL conversion put no space where a <br> or </li> was; compare without whitespace
        assert "".join(d.text.split()) == "".join(j.text.split())


@needs_cclw
@pytest.mark.parametrize(
    "columns",
    [None, "text=text,title=title,id=id,country=country,region=region,date=date,year=year,kind=type"],
    ids=["guessed: iso column", "mapped: country names"],
)
def test_every_cclw_row_gets_a_country_code_whether_mapped_by_code_or_by_name(columns, caplog):
    cmap = ColumnMap.parse(columns) if columns else None
    with caplog.at_level(logging.WARNING):
        docs = list(load_path(CCLW_JSONL, cmap))
    assert len(docs) == 2100 and all(d.country for d in docs)
    assert Counter(d.country for d in docs)["EU"] == 43
    assert {d.country for d in docs if d.title.startswith("Law No. 20571 ")} == {"CL"}
    assert "names no known country" not in caplog.text


def test_unmappable_countries_are_listed_in_one_warning_with_their_count(tmp_path, caplog):
    path = tmp_path / "laws.csv"
    path.write_text("text,country\nA,智利\nB,Atlantis\nC,Atlantis\nD,CHL\nE,Narnia\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        docs = list(load_path(path))
    assert [d.country for d in docs] == ["CL", "", "", "CL", ""]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        (
            f"{path}: 3 rows have a country that names no known country (left empty):"
            " 'Atlantis' (2), 'Narnia' (1)"
        )
    ]
