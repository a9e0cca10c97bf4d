"""``make diagrams``: draw each stage's architecture from the synthesized cloud assembly.

One overview per stage (tools/diagram_dot.py): a box per stack, the services of each
pattern instance (from the ``serverless-patterns:pattern`` metadata) boxed inside it with
their AWS icon, event flows (subscriptions, event source mappings, rule and schedule
targets, failure destinations, integrations, deliveries) as arrows, IAM grants dashed, and
alarms, deployment groups, keys, policies and log groups counted on their service; for
the DETAILED_STAGES, one picture per stack draws those too (tools/diagram_dot.py). The DOT
source is rendered to SVG by Graphviz compiled to WebAssembly (npm
``@hpcc-js/wasm-graphviz``, installed by ``npm ci``) and the icons embedded, so no system
package is needed and the SVG shows the same wherever it is opened.

    python -m tools.diagram cdk.out docs/diagrams
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tools.assembly import stacks
from tools.diagram_dot import detail_dot, overview_dot
from tools.diagram_icons import ROOT, declared_images, embed_icons
from tools.diagram_model import StackGraph, read_stack_graph, stack_exports

_RENDERER = ROOT / "tools" / "render_dot.mjs"
#: Stages that also get a detailed picture per stack (docs/diagrams/<stage>/<stack>.svg):
#: one is enough to show what the overviews count, and each picture is a committed file.
DETAILED_STAGES = ("Dev",)


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
    """The Graphviz source of one stage's overview."""
    return overview_dot(diagram.stage, diagram.graphs)


def detail_pictures(diagram: StageDiagram) -> dict[str, str]:
    """``"dev/web"`` -> the DOT source of that stack's detailed picture."""
    if diagram.stage not in DETAILED_STAGES:
        return {}
    return {
        f"{diagram.stage.lower()}/{graph.name.split('/')[-1].lower()}": detail_dot(graph)
        for graph in diagram.graphs
    }


def render_svg(dot: str) -> str:
    """SVG of the DOT source, by the project's WebAssembly Graphviz, icons embedded."""
    result = subprocess.run(
        [_node(), str(_RENDERER), json.dumps(declared_images())],
        input=dot,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return embed_icons(result.stdout)


def _node() -> str:
    """The project's Node (package.json pins it), else the one on PATH."""
    return shutil.which("node", path=str(ROOT / "node_modules" / ".bin")) or "node"


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    assembly = Path(args[0]) if args else Path("cdk.out")
    output = Path(args[1]) if len(args) > 1 else Path("docs/diagrams")
    output.mkdir(parents=True, exist_ok=True)
    for diagram in stage_diagrams(assembly):
        name = diagram.stage.lower()
        for picture, dot in {name: to_dot(diagram), **detail_pictures(diagram)}.items():
            (output / picture).parent.mkdir(parents=True, exist_ok=True)
            (output / f"{picture}.dot").write_text(dot)
            (output / f"{picture}.svg").write_text(render_svg(dot))
        services = sum(len(g.nodes) for g in diagram.graphs)
        counted = sum(len(g.extras) for g in diagram.graphs)
        print(f"{output / name}.svg: {services} services, {counted} supporting resources counted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
