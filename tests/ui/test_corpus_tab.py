"""The Corpus tab: document list, uploads checked by type, size and name, then indexed."""

from __future__ import annotations

from tests.conftest import HOSTILE_ID


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
    rows = service.corpus_tab.upload([str(good), str(bad_type), str(big), str(empty)], progress=lambda f, d: seen.append(d))
    by_name = {r["name"]: r for r in rows}
    assert by_name["sodium.md"]["added"] == 1 and by_name["sodium.md"]["documents"]
    assert "unsupported file type" in by_name["evil.exe"]["error"]
    assert "limit" in by_name["big.txt"]["error"]
    assert "empty" in by_name["empty.txt"]["error"]
    assert seen
    assert (service.workspace.settings.home / "uploads" / "sodium.md").exists()
    data = service.search_tab.search_json("zanzibarite", mode="keyword", k=3)
    assert data["hits"] and "zanzibarite" in data["hits"][0]["text"]
    assert "sodium" in service.corpus_tab.corpus_table().lower()


def test_upload_names_cannot_escape_the_workspace(service, tmp_path):
    src = tmp_path / "note.txt"
    src.write_text("Vanadium flow battery note.", encoding="utf-8")

    class Upload:  # what Gradio hands over: a temp path plus the browser's file name
        def __init__(self, name: str, orig_name: str):
            self.name, self.orig_name = name, orig_name

    names = ["../../etc/passwd.txt", "..\\..\\boot.ini.md", "a/<b>.txt", "..", ""]
    rows = service.corpus_tab.upload([Upload(str(src), n) for n in names])
    assert [r["name"] for r in rows] == ["passwd.txt", "boot.ini.md", "_b_.txt", "upload", "note.txt"]
    uploads = (service.workspace.settings.home / "uploads").resolve()
    assert all(p.resolve().parent == uploads for p in uploads.iterdir())


def test_upload_types_are_the_loader_types(service, tmp_path):
    from policyscope.corpus.loaders import SUPPORTED_EXTENSIONS

    bad = tmp_path / "deck.pptx"
    bad.write_bytes(b"PK")
    problem = service.corpus_tab.check_upload(bad)
    assert problem == f"deck.pptx: unsupported file type; upload {', '.join(SUPPORTED_EXTENSIONS)}"


def test_corpus_table_shows_a_hostile_title_inert(service):
    from tests.ui.test_render import assert_inert

    html = service.corpus_tab.corpus_table()
    assert HOSTILE_ID in html and "alert" in html
    assert_inert(html)


def test_about_the_corpus_names_what_is_built_in_and_where_the_texts_came_from(service):
    about = service.corpus_tab.about_markdown()
    assert "21 full policy texts (10 US, 6 JP, 4 CN, 1 KR)" in about
    assert "yno9/legalize-jp" in about and "brian14708/wh-briefings" in about and "LawRefBook/Laws" in about
    assert "17 U.S.C. §105" in about
    assert "JMdict" in about and "EDRDG" in about and "CC-CEDICT" in about  # CC BY-SA attribution


def test_the_corpus_table_shows_each_documents_country_and_language(service):
    html = service.corpus_tab.corpus_table()
    assert html.count('class="ps-country"') == len(service.workspace.store.document_infos())
    assert "<td>ko</td>" in html and "<td>ja</td>" in html and "<code>kr-supply-chain-framework-decree-2024</code>" in html
