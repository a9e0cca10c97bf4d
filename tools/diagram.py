"""``make diagrams``: draw each stage's architecture from the synthesized cloud assembly.

Services are nodes, grouped by stack and, inside a stack, by the pattern instance that
created them (from the ``serverless-patterns:pattern`` metadata). Edges are event flows
(subscriptions, event source mappings, rule and schedule targets, alarm actions,
failure destinations, integrations, deliveries) and, dashed, IAM grants. The DOT source
is rendered to SVG by Graphviz compiled to WebAssembly (npm ``@hpcc-js/wasm-graphviz-cli``,
installed by ``npm ci``), so no system package is needed.

    python -m tools.diagram cdk.out docs/diagrams
"""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tools.assembly import stacks
from tools.diagram_model import SERVICES, Edge, StackGraph, read_stack_graph, stack_exports


@dataclass
class StageDiagram:
    """Everything drawn for one stage."""

    stage: str
    graphs: list[StackGraph] = field(default_factory=list)

    @property
    def patterns(self) -> set[str]:
        return {p for g in self.graphs for p in g.pattern_of.values()}


def stage_diagrams(assembly_dir: Path) -> list[StageDiagram]:
    """One diagram per stage of the assembly, stacks in manifest order."""
    by_stage: dict[str, StageDiagram] = {}
    all_stacks = stacks(assembly_dir)
    # Output names repeat from stage to stage: each stage resolves its own.
    exports: dict[str, dict[str, str]] = defaultdict(dict)
    for stack in all_stacks:
        exports[stack.stage].update(stack_exports(stack))
    for stack in all_stacks:
        diagram = by_stage.setdefault(stack.stage, StageDiagram(stack.stage))
        diagram.graphs.append(read_stack_graph(stack, exports[stack.stage]))
    return list(by_stage.values())


def to_dot(diagram: StageDiagram) -> str:
    """The Graphviz source of one stage."""
    lines = [
        f'digraph "{diagram.stage}" {{',
        "  rankdir=LR; compound=true; fontname=Helvetica;",
        '  node [shape=box, style="rounded,filled", fillcolor="#f5f5f5", fontname=Helvetica];',
        "  edge [fontname=Helvetica, fontsize=10];",
        f'  label="{diagram.stage} stage"; labelloc=t;',
    ]
    edges: list[Edge] = []
    nodes = {node for graph in diagram.graphs for node in graph.nodes}
    for graph in diagram.graphs:
        lines.extend(_stack_cluster(graph))
        edges.extend(e for e in graph.edges if e.source in nodes and e.target in nodes)
    for edge in _collapse(edges):
        style = ', style=dashed, color="#888888"' if edge.kind == "grant" else ""
        lines.append(f'  "{edge.source}" -> "{edge.target}" [label="{edge.label}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _collapse(edges: list[Edge]) -> list[Edge]:
    """One edge per pair: flows win over the grants and permissions that enable them."""
    by_pair: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    for edge in set(edges):
        by_pair[(edge.source, edge.target)].append(edge)
    kept = []
    for pair_edges in by_pair.values():
        flows = [e for e in pair_edges if e.kind == "flow" and e.label != "invokes"]
        kept.extend(flows or [e for e in pair_edges if e.kind == "flow"] or pair_edges)
    return sorted(kept)


def _stack_cluster(graph: StackGraph) -> Iterator[str]:
    yield f'  subgraph "cluster_{graph.name}" {{'
    yield f'    label="{graph.name} stack"; style=rounded; color="#232f3e";'
    groups: dict[str, list[str]] = defaultdict(list)
    for node_id in sorted(graph.nodes):
        groups[graph.group_of.get(node_id, "")].append(node_id)
    for instance in graph.pattern_of:
        if not any(instance.startswith(f"{other}/") for other in graph.pattern_of):
            groups.setdefault(instance, [])  # a pattern that only wires existing resources
    for group, members in sorted(groups.items()):
        indent = "    "
        if group:
            pattern = graph.pattern_of[group]
            yield f'    subgraph "cluster_{graph.name}/{group}" {{'
            yield f'      label="{pattern}: {group}"; style=dashed; color="#ff9900";'
            indent = "      "
        for node_id in members:
            node = graph.nodes[node_id]
            yield f'{indent}"{node_id}" [label="{SERVICES[node.kind]}\\n{node.label}"];'
        if group and not members:
            note = f"{graph.name}/{group}/wiring"
            yield f'{indent}"{note}" [label="wires existing resources", shape=plaintext];'
        if group:
            yield "    }"
    yield "  }"


def render_svg(dot: str) -> str:
    """SVG of the DOT source, by the project's WebAssembly Graphviz."""
    result = subprocess.run(
        ["wasm-graphviz-cli", dot],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    assembly = Path(args[0]) if args else Path("cdk.out")
    output = Path(args[1]) if len(args) > 1 else Path("docs/diagrams")
    output.mkdir(parents=True, exist_ok=True)
    for diagram in stage_diagrams(assembly):
        dot = to_dot(diagram)
        name = diagram.stage.lower()
        (output / f"{name}.dot").write_text(dot)
        (output / f"{name}.svg").write_text(render_svg(dot))
        print(f"{output / name}.svg: {sum(len(g.nodes) for g in diagram.graphs)} services")
    return 0


if __name__ == "__main__":
    sys.exit(main())
