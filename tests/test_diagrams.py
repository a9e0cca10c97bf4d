"""The architecture pictures: every stack and pattern is drawn, supporting resources are
counted on their service, the files are current, and the pictures are readable as a
browser draws them (boxes that do not overlap, text legible at the README's width)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from patterns import PATTERN_METADATA
from tests.support.cdk_app import ROOT
from tests.support.svg_geometry import (
    MIN_TEXT_PX,
    README_WIDTH_PX,
    chromium_page,
    measure,
    problems,
)
from tools.assembly import StackArtifact
from tools.diagram import (
    DETAILED_STAGES,
    StageDiagram,
    detail_pictures,
    render_svg,
    stage_diagrams,
    to_dot,
)
from tools.diagram_icons import ICON_DIR, ICONS
from tools.diagram_model import SERVICES, SUMMARISED, read_stack_graph

COMMITTED = ROOT / "docs" / "diagrams"
STAGES = ["Dev", "Staging", "Prod"]


@pytest.fixture(scope="module")
def diagrams(assembly_dir: Path) -> dict[str, StageDiagram]:
    return {d.stage: d for d in stage_diagrams(assembly_dir)}


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    """Headless Chromium (Debian's package, installed by `make setup`)."""
    with chromium_page() as opened:
        yield opened


def _patterns_in(stack: StackArtifact) -> set[str]:
    metadata = json.loads(stack.metadata_path.read_text())
    return {
        e["data"] for entries in metadata.values() for e in entries if e["type"] == PATTERN_METADATA
    }


def test_every_stack_and_pattern_is_drawn(
    diagrams: dict[str, StageDiagram], stack_artifacts: dict[str, StackArtifact]
) -> None:
    dots = {stage: to_dot(d) for stage, d in diagrams.items()}
    assert set(dots) == set(STAGES)
    for name, stack in stack_artifacts.items():
        dot = dots[stack.stage]
        assert f"<B>{name} stack</B>" in dot
        patterns = _patterns_in(stack)
        # The network stack holds the VPC other stacks' functions run in, and no pattern.
        assert patterns or name.endswith("/Network"), f"{name} uses no pattern"
        for pattern in patterns:
            assert f"label=<{pattern}:<BR/>" in dot, f"{pattern} of {name} is not drawn"


def test_flows_and_grants_are_edges(diagrams: dict[str, StageDiagram]) -> None:
    dev = diagrams["Dev"]
    edges = {(e.label, e.kind) for g in dev.graphs for e in g.edges}
    assert {("subscription", "flow"), ("alarm", "flow"), ("grant", "grant")} <= edges
    crossing = [
        e for g in dev.graphs for e in g.edges if e.source.split("/")[1] != e.target.split("/")[1]
    ]
    assert crossing, "cross-stack references (alarms to the ops topic) must be drawn"
    assert all(e.target.startswith("Dev/") for e in crossing), "never into another stage"
    assert 'label="9 alarms"' in to_dot(dev) or 'alarms"' in to_dot(dev)


def test_supporting_resources_are_counted_on_their_service(
    diagrams: dict[str, StageDiagram], stack_artifacts: dict[str, StackArtifact]
) -> None:
    for stage, diagram in diagrams.items():
        for graph in diagram.graphs:
            template = stack_artifacts[graph.name].template()["Resources"]
            supporting = [r for r in template.values() if r["Type"] in SUMMARISED]
            assert not set(graph.nodes) & set(graph.extras)
            assert len(graph.extras) <= len(supporting)
            for node_id, node in graph.nodes.items():
                if node.kind == "AWS::Lambda::Function" and node_id in graph.owner_of.values():
                    assert any("alarm" in c for c in graph.summary(node_id)), (stage, node_id)
        alarms = [
            extra
            for g in diagram.graphs
            for extra, node in g.extras.items()
            if node.kind == "AWS::CloudWatch::Alarm"
        ]
        owned = [a for g in diagram.graphs for a in alarms if g.owner_of.get(a)]
        assert alarms
        assert len(owned) == len(alarms), f"{stage}: every alarm has its service"
    # One function's alarms, deployment and log group are counted on it.
    dev_web = next(g for g in diagrams["Dev"].graphs if g.name == "Dev/Web")
    orders = next(n for n, node in dev_web.nodes.items() if node.label == "Orders")
    summary = dev_web.summary(orders)
    assert any(c.endswith("alarms") for c in summary), summary
    assert "1 log group" in summary, summary
    assert "1 deployment" in summary, summary


def test_websocket_apis_are_a_service(tmp_path: Path) -> None:
    """API Gateway v2 (the LiveUpdates pattern's WebSocket API) is drawn with its routes'
    integrations, whatever else of ApiGatewayV2 the template holds."""
    resources = {
        "Socket": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"ProtocolType": "WEBSOCKET"}},
        "Http": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"ProtocolType": "HTTP"}},
        "Route": {"Type": "AWS::ApiGatewayV2::Route", "Properties": {"ApiId": {"Ref": "Socket"}}},
        "Stage": {"Type": "AWS::ApiGatewayV2::Stage", "Properties": {"ApiId": {"Ref": "Socket"}}},
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": "arn"}},
        "Integration": {
            "Type": "AWS::ApiGatewayV2::Integration",
            "Properties": {
                "ApiId": {"Ref": "Socket"},
                "IntegrationUri": {"Fn::Join": ["", ["arn:", {"Fn::GetAtt": ["Fn", "Arn"]}]]},
            },
        },
    }
    template = tmp_path / "t.json"
    template.write_text(json.dumps({"Resources": resources}))
    stack = StackArtifact("Dev/Live", "Dev", template, tmp_path / "missing.json")
    graph = read_stack_graph(stack)
    assert {n.title for n in graph.nodes.values()} == {
        "API Gateway WebSocket",
        "API Gateway HTTP",
        "Lambda",
    }
    assert [(e.source, e.target, e.label) for e in graph.edges] == [
        ("Dev/Live/Socket", "Dev/Live/Fn", "integration")
    ]
    assert "<IMG" in to_dot(StageDiagram("Dev", [graph]))


@pytest.mark.parametrize("stage", STAGES)
def test_committed_pictures_are_current(diagrams: dict[str, StageDiagram], stage: str) -> None:
    pictures = {stage.lower(): to_dot(diagrams[stage]), **detail_pictures(diagrams[stage])}
    assert len(pictures) > 1 or stage not in DETAILED_STAGES
    for picture, dot in pictures.items():
        assert (COMMITTED / f"{picture}.dot").read_text() == dot, (
            f"docs/diagrams/{picture}.dot is stale: run `make diagrams` and commit it"
        )
        assert (COMMITTED / f"{picture}.svg").read_text() == render_svg(dot), (
            f"docs/diagrams/{picture}.svg is not the rendering of its DOT: run `make diagrams`"
        )


def test_detailed_pictures_draw_what_the_overview_counts(
    diagrams: dict[str, StageDiagram],
) -> None:
    dev = diagrams["Dev"]
    web = next(g for g in dev.graphs if g.name == "Dev/Web")
    detail = detail_pictures(dev)["dev/web"]
    assert all(f'"{extra}" [label=' in detail for extra in web.extras)
    assert 'label="rolls back on"' in detail
    assert 'label="rolls back on"' not in to_dot(dev), "the overview counts them instead"


def test_every_drawn_or_counted_type_has_an_installed_icon() -> None:
    assert set(SERVICES) | set(SUMMARISED) <= set(ICONS)
    missing = [name for name in ICONS.values() if not (ICON_DIR / f"{name}.svg").exists()]
    assert missing == [], "npm ci installs aws-icons: is the pinned version's set different?"


def test_dot_renders_to_svg_with_icons_embedded(diagrams: dict[str, StageDiagram]) -> None:
    svg = render_svg(to_dot(diagrams["Dev"]))
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg[:500]
    assert "Dev/Operations stack" in svg
    assert 'xlink:href="data:image/svg+xml;base64,' in svg
    assert "icon:" not in svg, "every icon is embedded: GitHub loads nothing from outside"


@pytest.mark.parametrize("stage", STAGES)
def test_committed_pictures_are_readable(
    page: Any, diagrams: dict[str, StageDiagram], stage: str
) -> None:
    """Open the README's picture in Chromium: no two stack boxes overlap, no two services
    overlap, every service sits inside its stack's box, no arrow's label covers a service,
    and its text stays at least
    MIN_TEXT_PX high when scaled to the README's README_WIDTH_PX column."""
    geometry = measure(page, COMMITTED / f"{stage.lower()}.svg")
    assert problems(geometry) == []
    for picture in detail_pictures(diagrams[stage]):
        assert problems(measure(page, COMMITTED / f"{picture}.svg")) == [], picture
    diagram = diagrams[stage]
    assert set(geometry.stacks) == {g.name for g in diagram.graphs}
    for graph in diagram.graphs:
        for node_id in graph.nodes:
            for count in graph.summary(node_id):
                assert count in geometry.text[node_id], f"{node_id} does not show {count}"


def _svg(
    clusters: dict[str, str], nodes: dict[str, str], width: int = 400, label_at: str = ""
) -> str:
    """A Graphviz-shaped SVG: ``g.cluster`` outlines and ``g.node`` boxes (x,y,w,h), and
    an arrow's label at ``label_at`` (x,y) when given."""

    def rect(spec: str) -> str:
        x, y, w, h = (int(v) for v in spec.split(","))
        return f'<polygon points="{x},{y} {x + w},{y} {x + w},{y + h} {x},{y + h}"/>'

    def text(spec: str) -> str:
        x, y, _, h = (int(v) for v in spec.split(","))
        return f'<text x="{x + 2}" y="{y + h - 4}" font-size="14">n</text>'

    body = "".join(
        f'<g class="cluster"><title>cluster_{name}</title>{rect(spec)}</g>'
        for name, spec in clusters.items()
    ) + "".join(
        f'<g class="node"><title>{name}</title>{rect(spec)}{text(spec)}</g>'
        for name, spec in nodes.items()
    )
    if label_at:
        x, y = label_at.split(",")
        body += (
            f'<g class="edge"><title>e</title><text x="{x}" y="{y}" font-size="14">uses</text></g>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}px" height="400px"'
        f' viewBox="0 0 {width} 400">{body}</svg>'
    )


def test_the_checker_flags_unreadable_pictures(page: Any, tmp_path: Path) -> None:
    good = tmp_path / "good.svg"
    good.write_text(
        _svg(
            {"S/A": "0,0,100,100", "S/A/P": "10,10,80,40", "S/B": "120,0,100,100"},
            {"S/A/n1": "20,20,30,20", "S/B/n2": "130,20,30,20"},
        )
    )
    assert problems(measure(page, good)) == []
    bad = tmp_path / "bad.svg"
    bad.write_text(
        _svg(
            {"S/A": "0,0,100,100", "S/B": "80,0,100,100", "S/B/P": "150,50,60,20"},
            {"S/A/n1": "20,20,30,20", "S/A/n2": "40,30,30,20", "S/B/n3": "300,300,30,20"},
            width=3000,
            label_at="300,315",
        )
    )
    found = problems(measure(page, bad))
    assert "stacks S/A and S/B overlap" in found
    assert "nodes S/A/n1 and S/A/n2 overlap" in found
    assert "node S/B/n3 lies outside its stack S/B" in found
    assert "box S/B/P lies outside S/B" in found
    assert "edge label 'uses' covers node S/B/n3" in found
    assert any(f"README's {README_WIDTH_PX} px" in p and str(MIN_TEXT_PX) in p for p in found)


def test_every_public_construct_marks_itself_for_the_drawing() -> None:
    import inspect

    from constructs import Construct

    import patterns

    for name in patterns.__all__:
        member = getattr(patterns, name)
        if isinstance(member, type) and issubclass(member, Construct):
            source = inspect.getsource(member.__init__)
            assert "mark_pattern(self)" in source, f"{name} is not marked as a pattern"
