"""The README's promises: its test command is CI's, and its example code synthesizes."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.support.cdk_app import ROOT

README = (ROOT / "README.md").read_text()


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
    assert "make test" in README
    assert "make synth" in README


def test_use_it_in_your_app_example_synthesizes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    section = README.split("## Use a pattern in your own app", 1)[1]
    [code] = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], flags=re.S)
    folders = re.findall(r'code_path="([^"]+)"', code)
    assert folders, "the example builds a function from a folder"
    for folder in folders:
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "app.py").write_text("def handler(event, context):\n    return 1\n")
    monkeypatch.chdir(tmp_path)
    # jsii's Node process started long ago: give the app its output folder directly.
    assert code.count("cdk.App()") == 1
    code = code.replace("cdk.App()", f"cdk.App(outdir={str(tmp_path / 'cdk.out')!r})")
    exec(compile(code, "README.md", "exec"), {"__name__": "readme_example"})
    assert (tmp_path / "cdk.out" / "manifest.json").exists()
    assert any(p.name.endswith(".template.json") for p in (tmp_path / "cdk.out").iterdir())
    assert os.getcwd() == str(tmp_path)
