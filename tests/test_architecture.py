"""The package's shape: no import cycles (at module level or inside functions), and the
layers import only downwards: core <- io <- cli, gui; core imports neither io nor gui, the
Python API (nnviz.api) not the command line, and the API loads no Qt until a window or a
picture is asked for."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "nnviz"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in ROOT.rglob("*.py")}


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every nnviz module ``name`` imports, anywhere in the file (inside functions too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("nnviz")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("nnviz"):
                continue
            for a in node.names:
                sub = f"{target}.{a.name}"
                out.add(sub if sub in modules else target)
    return {m for m in out if m in modules and m != name}


def graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def find_cycle(g: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(g[n]):
            # a module importing its own package's __init__ is not a cycle of code
            if n.startswith(m + "."):
                continue
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(g):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def test_the_graph_sees_function_level_imports():
    g = graph()
    assert "nnviz.gui.app" in g["nnviz.cli"]  # imported inside cmd_gui


def test_no_import_cycles():
    cycle = find_cycle(graph())
    assert cycle is None, " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


@pytest.mark.parametrize("layer, forbidden", [
    ("nnviz.core", ("nnviz.io", "nnviz.gui", "nnviz.cli")),
    ("nnviz.io", ("nnviz.gui", "nnviz.cli")),
    ("nnviz.api", ("nnviz.cli",)),  # on core + io; the window and pictures through gui.inline, when called
])
def test_layers_import_only_downwards(layer, forbidden):
    g = graph()
    bad = [(m, t) for m, ts in g.items() if m == layer or m.startswith(layer + ".")
           for t in ts if t.startswith(forbidden)]
    assert not bad


def test_core_io_cli_and_the_api_load_no_qt():
    code = ("import sys, nnviz.core.runner, nnviz.core.options, nnviz.io, nnviz.cli, nnviz.api; "
            "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- the window (issue 25): parts made by composition, none a page long ----------------------------
# the parts the main window makes, each given what it uses in its __init__ (typed), none a mixin
WINDOW_PARTS = ("notices", "open_files", "commands", "setup_actions", "view_actions", "sessions", "exports",
                "film_actions", "run_actions", "data_edits", "guide_actions", "help_menu")


def classes(path: Path) -> list[ast.ClassDef]:
    return [n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.ClassDef)]


def test_the_main_window_is_composed_of_parts_not_mixins():
    window = next(c for c in classes(ROOT / "gui" / "main_window.py") if c.name == "MainWindow")
    assert [ast.unparse(b) for b in window.bases] == ["QMainWindow"]
    for name in WINDOW_PARTS:
        for cls in classes(ROOT / "gui" / f"{name}.py"):
            assert all(ast.unparse(b) in ("QObject", "QDialog") for b in cls.bases), (name, cls.name)
            init = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
            if init is not None:
                untyped = [a.arg for a in init.args.args[1:] if a.annotation is None]
                assert not untyped, f"{name}.{cls.name}.__init__ declares no type for {untyped}"


def test_no_gui_class_is_a_page_long():
    """No class of the window over ~300 lines, so that a newcomer can change one."""
    long = {f"{path.relative_to(ROOT)}:{c.name}": c.end_lineno - c.lineno + 1
            for path in (ROOT / "gui").rglob("*.py") for c in classes(path)
            if c.end_lineno - c.lineno + 1 > 300}
    assert not long


def test_no_file_over_600_lines_and_no_class_over_300():
    """Issue 25's rooms: every module of nnviz/ under 600 lines, every class under 300."""
    files = {str(p.relative_to(ROOT)): n for p in ROOT.rglob("*.py")
             if (n := p.read_text(encoding="utf-8").count("\n")) > 600}
    assert not files
    long = {f"{path.relative_to(ROOT)}:{c.name}": c.end_lineno - c.lineno + 1
            for path in ROOT.rglob("*.py") for c in classes(path) if c.end_lineno - c.lineno + 1 > 300}
    assert not long
