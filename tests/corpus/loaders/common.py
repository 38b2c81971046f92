"""Samples and helpers shared by the loader tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from policyscope.corpus.errors import LoadError
from policyscope.corpus.loaders import load_path
from policyscope.corpus.records import Document

ZH = (
    "国际电池供应链安全报告\n"
    "1  国际电池供应链发展态势\n"
    "全球动力电池需求快速增长，锂、钴、镍等关键矿产资源的供应格局正在发生深刻变化。\n"
    "2.1 确保原材料供应安全\n"
    "加快国内关键矿产资源勘查开发，提升资源保障能力，推动动力电池回收利用体系建设。\n"
)
ZH_TW = (
    "國際電池供應鏈安全報告\n"
    "2.1 確保原材料供應安全\n"
    "加快國內關鍵礦產資源勘查開發，提升資源保障能力，推動動力電池回收利用體系建設。\n"
)
EN = "Battery Strategy\n3. Findings\nThe government will secure lithium supply for battery makers.\n"


def load_one(path: Path, **kwargs) -> Document:
    docs = list(load_path(path, **kwargs))
    assert len(docs) == 1
    return docs[0]


def block_texts(doc: Document, kind: str | None = None) -> list[str]:
    return [doc.text[b.start : b.end] for b in doc.blocks if kind is None or b.kind == kind]


def load_error(path: Path, **kwargs) -> str:
    with pytest.raises(LoadError) as info:
        list(load_path(path, **kwargs))
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message
    return message
