"""Rules the library's own code keeps, read from its source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.cdk_app import ROOT

LIBRARY = sorted((ROOT / "patterns").rglob("*.py"))


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_assert_guards_library_behaviour(path: Path) -> None:
    """``python -O`` strips ``assert``: a check the library relies on must raise."""
    tree = ast.parse(path.read_text(), filename=str(path))
    asserts = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    assert asserts == [], f"{path.name}: assert on lines {asserts}"


#: The reference app and its tools: whatever they need from the library, a pip user needs
#: too, so they use its public modules only.
CONSUMERS = sorted(
    [
        ROOT / "app.py",
        *(p for d in ("stacks", "tools", "lambdas") for p in (ROOT / d).rglob("*.py")),
    ]
)


def _private_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        found += [
            n
            for n in names
            if n.startswith("patterns.") and any(p.startswith("_") for p in n.split(".")[1:])
        ]
    return found


@pytest.mark.parametrize("path", CONSUMERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_reference_app_uses_the_public_api_only(path: Path) -> None:
    assert _private_imports(path) == [], f"{path.relative_to(ROOT)} imports private library parts"


def test_the_private_import_check_sees_one(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from patterns._nag import flatten\nfrom patterns import _nag\nimport patterns\n"
    )
    assert _private_imports(module) == ["patterns._nag", "patterns._nag.flatten", "patterns._nag"]


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """Modules of ``known`` that ``path`` imports anywhere, ``TYPE_CHECKING`` blocks
    included (a cycle of type hints is still a cycle for a reader)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            candidates = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        else:
            continue
        found.update(c for c in candidates if c in known)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of ``graph`` (as the modules around it), or ``[]``."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str]:
        state[module] = 1
        stack.append(module)
        for imported in sorted(graph[module]):
            if state.get(imported) == 1:
                return [*stack[stack.index(imported) :], imported]
            if imported not in state and (found := visit(imported)):
                return found
        stack.pop()
        state[module] = 2
        return []

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return []


@pytest.mark.parametrize("package", ["patterns", "stacks", "tools"])
def test_no_import_cycles(package: str) -> None:
    paths = sorted((ROOT / package).rglob("*.py"))
    known = {_module(p) for p in paths}
    # A package's __init__ re-exporting its modules is not a cycle with them.
    graph = {
        _module(p): {m for m in _imports(p, known) if p.name != "__init__.py" or m == _module(p)}
        - {_module(p)}
        for p in paths
    }
    graph = {m: {i for i in imported if i != package} for m, imported in graph.items()}
    assert _cycle(graph) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []
