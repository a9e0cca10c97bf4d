"""Small stacks for construct tests."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest

from tests.support.cdk_app import cli_context


@pytest.fixture
def stack() -> cdk.Stack:
    """An empty stack in its own app (cdk.json's feature flags), in a fixed environment."""
    app = cdk.App(context=cli_context())
    return cdk.Stack(app, "Test", env=cdk.Environment(account="123456789012", region="eu-west-1"))


@pytest.fixture
def code_dir(tmp_path: Path) -> Path:
    """A folder holding a minimal handler."""
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return event\n")
    return tmp_path
