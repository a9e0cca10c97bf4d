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
