"""The io package's place: no import cycles anywhere in nnviz (imports inside functions
count too), io imports nothing from the GUI or the CLI, the core nothing from io."""

import ast
from pathlib import Path

import nnviz
from nnviz import io as nnio

ROOT = Path(nnviz.__file__).parent


def _modules() -> dict[str, Path]:
    out = {}
    for f in ROOT.rglob("*.py"):
        parts = list(f.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f
    return out


def _imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The nnviz modules a module imports explicitly, anywhere in its text."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = package.split(".")
                pkg = pkg[: len(pkg) - node.level + 1]
                base = ".".join(pkg + ([node.module] if node.module else []))
            for a in node.names:  # a submodule, or a name defined in the module ``base``
                found.add(f"{base}.{a.name}" if f"{base}.{a.name}" in known else base)
    return {m for m in found if m in known and m != name}


def _graph() -> dict[str, set[str]]:
    known = _modules()
    return {name: _imports(name, path, known) for name, path in known.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out = []

    def visit(m: str) -> None:
        index[m] = low[m] = len(index)
        stack.append(m)
        for n in graph[m]:
            if n not in index:
                visit(n)
                low[m] = min(low[m], low[n])
            elif n in stack:
                low[m] = min(low[m], index[n])
        if low[m] == index[m]:
            group = []
            while True:
                n = stack.pop()
                group.append(n)
                if n == m:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for m in sorted(graph):
        if m not in index:
            visit(m)
    return out


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_through_io():
    """(nnviz.cli <-> nnviz.gui.app, a cycle outside io, is not this package's to break.)"""
    bad = [c for c in _cycles(_graph()) if any(m.startswith("nnviz.io") for m in c)]
    assert not bad, bad


def test_io_imports_no_gui_or_cli_and_core_no_io():
    graph = _graph()
    assert "nnviz.io.registry" in graph["nnviz.io"]  # the checker sees the package's imports
    for m, deps in graph.items():
        if m.startswith("nnviz.io"):
            assert not {d for d in deps if d.startswith(("nnviz.gui", "nnviz.cli"))}, m
        if m.startswith("nnviz.core"):
            assert not {d for d in deps if d.startswith("nnviz.io")}, m


def test_the_old_modules_are_gone():
    for old in ("modelio.py", "onnxio.py", "sessionio.py"):
        assert not (ROOT / old).exists()


def test_formats_are_found_by_extension_in_order():
    assert list(nnio.formats()) == [".json", ".npz", ".csv", ".onnx"]
    for ext, fmt in nnio.formats().items():
        assert fmt.__name__ == f"nnviz.io.format_{ext[1:]}"
        assert callable(fmt.save_bytes) and callable(fmt.load_bytes)
