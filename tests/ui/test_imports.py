"""The ui modules import one another in one direction, and the command line starts without heavy libraries."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

from tests.conftest import REPO

UI = REPO / "ui"
HEAVY = ("numpy", "faiss", "gradio", "torch", "spacy", "jieba", "bm25s", "pyarrow", "rich")


def ui_import_graph() -> dict[str, set[str]]:
    """Module name → the ui modules it imports, counting imports inside functions too (a lazy import
    that closes a circle is still a circle). A package (ui/render/) is one node."""
    graph: dict[str, set[str]] = {}
    for path in sorted(UI.rglob("*.py")):
        name = path.relative_to(UI).parts[0].removesuffix(".py")
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "policyscope.ui":
                    deps |= {a.name for a in node.names}
                elif node.module.startswith("policyscope.ui."):
                    deps.add(node.module.split(".")[2])
            elif isinstance(node, ast.Import):
                deps |= {a.name.split(".")[2] for a in node.names if a.name.startswith("policyscope.ui.")}
        graph[name] = graph.get(name, set()) | (deps - {name})
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path ``[a, b, …, a]``, or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                return path[path.index(dep):] + [dep]
            if dep not in state and (found := visit(dep)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_find_cycle_reports_a_circle_and_accepts_a_chain():
    assert find_cycle({"cli": {"cli_tags"}, "cli_tags": {"console"}, "console": set()}) is None
    assert find_cycle({"cli": {"cli_tags"}, "cli_tags": {"cli"}}) == ["cli", "cli_tags", "cli"]


def test_ui_modules_import_each_other_without_a_cycle():
    graph = ui_import_graph()
    assert {"cli", "console", "service", "serve", "app", "render"} <= set(graph)
    assert find_cycle(graph) is None


def test_the_console_plumbing_imports_no_command_module():
    graph = ui_import_graph()
    assert graph["console"] == set()
    assert "cli" not in graph["serve"]


def test_the_command_line_loads_no_heavy_library_until_a_command_needs_it():
    code = (
        "import json, sys; import policyscope.ui.cli; "
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(proc.stdout) == []
