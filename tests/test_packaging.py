"""The installed layout: every package folder under the four stages is listed in pyproject.toml.

The package list is explicit (the stages map to policyscope.* through package-dir), so a new
subpackage missing from it installs fine in editable mode and vanishes from a wheel.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STAGES = ("corpus", "nlp", "index", "ui")


def test_every_package_folder_is_listed_in_pyproject():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    mapping = config["package-dir"]
    assert {mapping[f"policyscope.{s}"] for s in STAGES} == set(STAGES)
    assert mapping["policyscope"] == "policyscope"  # the front door: the Python API's names and python -m
    on_disk = {
        "policyscope." + ".".join(init.parent.relative_to(REPO).parts)
        for stage in STAGES
        for init in (REPO / stage).rglob("__init__.py")
        if "__pycache__" not in init.parts and "data" not in init.relative_to(REPO / stage).parts
    }
    assert on_disk | {"policyscope"} == set(config["packages"])
