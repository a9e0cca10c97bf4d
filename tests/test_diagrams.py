"""The architecture pictures: every stack and pattern is drawn, and the files are current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from patterns import PATTERN_METADATA
from tests.support.cdk_app import ROOT
from tools.assembly import StackArtifact
from tools.diagram import render_svg, stage_diagrams, to_dot

COMMITTED = ROOT / "docs" / "diagrams"


def _patterns_in(stack: StackArtifact) -> set[str]:
    metadata = json.loads(stack.metadata_path.read_text())
    return {
        e["data"] for entries in metadata.values() for e in entries if e["type"] == PATTERN_METADATA
    }


def test_every_stack_and_pattern_is_drawn(
    assembly_dir: Path, stack_artifacts: dict[str, StackArtifact]
) -> None:
    diagrams = {d.stage: to_dot(d) for d in stage_diagrams(assembly_dir)}
    assert set(diagrams) == {"Dev", "Staging", "Prod"}
    for name, stack in stack_artifacts.items():
        dot = diagrams[stack.stage]
        assert f'label="{name} stack"' in dot
        patterns = _patterns_in(stack)
        # The network stack holds the VPC other stacks' functions run in, and no pattern.
        assert patterns or name.endswith("/Network"), f"{name} uses no pattern"
        for pattern in patterns:
            assert f'label="{pattern}: ' in dot, f"{pattern} of {name} is not drawn"


def test_flows_and_grants_are_edges(assembly_dir: Path) -> None:
    dev = next(d for d in stage_diagrams(assembly_dir) if d.stage == "Dev")
    edges = {(e.label, e.kind) for g in dev.graphs for e in g.edges}
    assert {("subscription", "flow"), ("alarm", "flow"), ("grant", "grant")} <= edges
    crossing = [
        e for g in dev.graphs for e in g.edges if e.source.split("/")[1] != e.target.split("/")[1]
    ]
    assert crossing, "cross-stack references (alarms to the ops topic) must be drawn"
    assert all(e.target.startswith("Dev/") for e in crossing), "never into another stage"


@pytest.mark.parametrize("stage", ["Dev", "Staging", "Prod"])
def test_committed_pictures_are_current(assembly_dir: Path, stage: str) -> None:
    diagram = next(d for d in stage_diagrams(assembly_dir) if d.stage == stage)
    assert (COMMITTED / f"{stage.lower()}.dot").read_text() == to_dot(diagram), (
        "docs/diagrams is stale: run `make diagrams` and commit it"
    )
    assert (COMMITTED / f"{stage.lower()}.svg").exists()


def test_dot_renders_to_svg(assembly_dir: Path) -> None:
    dev = next(d for d in stage_diagrams(assembly_dir) if d.stage == "Dev")
    svg = render_svg(to_dot(dev))
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg[:500]
    assert "Dev/Operations stack" in svg


def test_every_public_construct_marks_itself_for_the_drawing() -> None:
    import inspect

    from constructs import Construct

    import patterns

    for name in patterns.__all__:
        member = getattr(patterns, name)
        if isinstance(member, type) and issubclass(member, Construct):
            source = inspect.getsource(member.__init__)
            assert "mark_pattern(self)" in source, f"{name} is not marked as a pattern"
