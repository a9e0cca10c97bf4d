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
