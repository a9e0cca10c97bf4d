"""The Graphviz source of a stage's overview: one box per stack, the services of each
pattern boxed inside it with their AWS icon, event flows as arrows, and the resources that
only support a service (alarms, deployment groups, keys, policies, log groups) counted on
it instead of drawn.

Left to right, so that a long flow makes the picture taller rather than wider: the
README shows it scaled to its column's width.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from html import escape

from tools.diagram_icons import ICON_SIZE, icon_source
from tools.diagram_model import Edge, StackGraph

#: Points; the geometry test checks that they stay legible at the README's width.
FONT_SIZE = 11
SMALL_FONT_SIZE = FONT_SIZE
#: Paths longer than this many characters are drawn one segment to a line.
_WRAP_AT = 18
#: Construct ids that say nothing about what the resource is.
_PLUMBING = {"Resource", "Default"}
#: Side exits: failures parked in a queue for later.
_SIDE_EXITS = {"on failure", "dead letters"}
#: Flows that name what a supporting resource does to its own service: its count says it.
_SUPPORT_LABELS = {"rolls back on", "shifts traffic"}


def overview_dot(title: str, graphs: list[StackGraph]) -> str:
    """The Graphviz source of one stage's overview."""
    lines = _header(f"{title} stage")
    for graph in graphs:
        lines.extend(_stack_cluster(graph))
    lines.extend(_edge_lines(graphs))
    lines.append("}")
    return "\n".join(lines) + "\n"


def detail_dot(graph: StackGraph) -> str:
    """One stack in detail: its supporting resources drawn beside their service, with the
    flows between them (alarms to topics, deployment groups to functions and alarms)."""
    lines = _header(f"{graph.name} stack in detail")
    lines.extend(_stack_cluster(graph, detailed=True))
    inside = set(graph.nodes) | set(graph.extras)
    drawn = [e for e in graph.edges if e.source in inside and e.target in inside]
    lines.extend(_edge_line(edge) for edge in collapse(drawn))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _header(title: str) -> list[str]:
    return [
        f'digraph "{title}" {{',
        "  rankdir=LR; compound=true; newrank=false; nodesep=0.2; ranksep=0.2;",
        f'  fontname=Helvetica; fontsize={FONT_SIZE + 3}; label="{title}"; labelloc=t;',
        f'  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#aab7b8",'
        f" fontname=Helvetica, fontsize={FONT_SIZE}, margin=0.04];",
        f'  edge [fontname=Helvetica, fontsize={SMALL_FONT_SIZE}, color="#545b64"];',
    ]


def _edge_line(edge: Edge, *, ranked: bool = True) -> str:
    # Grants are dashed and unlabelled: the README's legend says what they are.
    grant = 'style=dashed, color="#aab7b8", constraint=false'
    attributes = grant if edge.kind == "grant" else f'label="{edge.label}"'
    if not ranked and edge.kind != "grant":
        attributes += ", constraint=false"
    elif edge.label in _SIDE_EXITS:
        # Ranked from the queue to its service, the arrow drawn the other way: the queue
        # takes a column left of the service, not a new one at the end of the flow.
        return f'  "{edge.target}" -> "{edge.source}" [{attributes}, dir=back];'
    return f'  "{edge.source}" -> "{edge.target}" [{attributes}];'


def _edge_lines(graphs: list[StackGraph]) -> Iterator[str]:
    """Flows between services; a stack's alarm notifications as one arrow from its box."""
    nodes = {node for graph in graphs for node in graph.nodes}
    owner = {extra: o for graph in graphs for extra, o in graph.owner_of.items()}
    alarms: dict[tuple[str, str], int] = defaultdict(int)
    flows: list[Edge] = []
    for graph in graphs:
        for edge in graph.edges:
            if edge.label in _SUPPORT_LABELS:
                continue
            if edge.label == "alarm" and edge.target in nodes:
                alarms[(graph.name, edge.target)] += 1
                continue
            source = edge.source if edge.source in nodes else owner.get(edge.source, "")
            target = edge.target if edge.target in nodes else owner.get(edge.target, "")
            if source and target and source != target:
                flows.append(Edge(source, target, edge.label, edge.kind))
    # A flow between stacks does not rank its ends: each stack is laid out from the left
    # edge on its own, so the stacks stack up and the picture is as wide as the widest.
    yield from (
        _edge_line(
            edge,
            ranked=_stack_of(edge.source) == _stack_of(edge.target),
        )
        for edge in collapse(flows)
    )
    anchors = {graph.name: _anchor(graph) for graph in graphs}
    for (stack, topic), count in sorted(alarms.items()):
        if anchors[stack] and not topic.startswith(f"{stack}/"):
            label = f"{count} alarm{'s' if count > 1 else ''}"
            yield (
                f'  "{anchors[stack]}" -> "{topic}" [ltail="cluster_{stack}", label="{label}",'
                ' style=dotted, color="#d13212", fontcolor="#d13212", constraint=false];'
            )
        elif anchors[stack]:
            for source in _alarming(graphs, stack, topic):
                yield (
                    f'  "{source}" -> "{topic}" [style=dotted, color="#d13212", constraint=false];'
                )


def _stack_of(node_id: str) -> str:
    """``Dev/Web`` of ``Dev/Web/Api/Function``."""
    return "/".join(node_id.split("/")[:2])


def _alarming(graphs: list[StackGraph], stack: str, topic: str) -> list[str]:
    """Services of the topic's own stack whose alarms notify it."""
    graph = next(g for g in graphs if g.name == stack)
    sources = {
        graph.owner_of.get(e.source, "")
        for e in graph.edges
        if e.label == "alarm" and e.target == topic
    }
    return sorted(s for s in sources if s and s != topic)


def _anchor(graph: StackGraph) -> str:
    """A node of the stack for arrows drawn from the stack's box."""
    return min(graph.nodes, default="")


def collapse(edges: Iterable[Edge]) -> list[Edge]:
    """One edge per pair: flows win over the grants and permissions that enable them."""
    by_pair: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    for edge in set(edges):
        by_pair[(edge.source, edge.target)].append(edge)
    kept = []
    for pair_edges in by_pair.values():
        flows = [e for e in pair_edges if e.kind == "flow" and e.label != "invokes"]
        kept.extend(flows or [e for e in pair_edges if e.kind == "flow"] or pair_edges)
    return sorted(kept)


def _stack_cluster(graph: StackGraph, *, detailed: bool = False) -> Iterator[str]:
    counts = graph.summary("")
    summary = f"<BR/>{_summary(counts)}" if counts else ""
    yield f'  subgraph "cluster_{graph.name}" {{'
    yield f"    label=<<B>{escape(graph.name)} stack</B>{summary}>; labeljust=l;"
    yield '    style="rounded,filled"; color="#232f3e"; fillcolor="#f8f9fa"; penwidth=1.5;'
    yield "    margin=6;"
    groups: dict[str, list[str]] = defaultdict(list)
    for node_id in sorted([*graph.nodes, *(graph.extras if detailed else ())]):
        groups[_group(graph, node_id)].append(node_id)
    for instance in graph.pattern_of:
        if not any(instance.startswith(f"{other}/") for other in graph.pattern_of):
            groups.setdefault(instance, [])  # a pattern that only wires existing resources
    for group, members in sorted(groups.items()):
        indent = "    "
        if group:
            yield f'    subgraph "cluster_{graph.name}/{group}" {{'
            pattern = escape(graph.pattern_of[group])
            yield (
                f"      label=<{pattern}:<BR/>{_wrap(group)}>; labeljust=l;"
                f' style="dashed,rounded"; color="#ff9900"; fillcolor="#ffffff";'
                f" fontsize={SMALL_FONT_SIZE}; margin=4;"
            )
            indent = "      "
        for node_id in members:
            yield f'{indent}"{node_id}" [label={node_label(graph, node_id)}];'
        if group and not members:
            note = f"{graph.name}/{group}/wiring"
            yield f'{indent}"{note}" [label="wires existing resources", shape=plaintext];'
        if group:
            yield "    }"
    yield "  }"


def node_label(graph: StackGraph, node_id: str) -> str:
    """An HTML-like label: the service's icon, its name, the resource, its counts."""
    node = graph.nodes.get(node_id) or graph.extras[node_id]
    counts = graph.summary(node_id) if node_id in graph.nodes else []
    title = node.title if node_id in graph.nodes else node.title.capitalize()
    rows = [f"<B>{escape(title)}</B>", _wrap(_short_label(graph, node_id))]
    if counts:
        rows.append(_summary(counts))
    cells = "".join(
        f"<TR>{_icon_cell(node.kind, len(rows)) if i == 0 else ''}"
        f'<TD ALIGN="LEFT" BALIGN="LEFT">{row}</TD></TR>'
        for i, row in enumerate(rows)
    )
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>>'


def _short_label(graph: StackGraph, node_id: str) -> str:
    """The node's path inside its pattern's box (which names the pattern's path)."""
    node = graph.nodes.get(node_id) or graph.extras[node_id]
    group = _group(graph, node_id)
    if not group or not node.path.startswith(f"{group}/"):
        return node.label
    inside = [p for p in node.path.removeprefix(f"{group}/").split("/") if p not in _PLUMBING]
    return "/".join(inside) or group.split("/")[-1]


def _group(graph: StackGraph, node_id: str) -> str:
    """The pattern box a node is drawn in: a supporting resource's is its service's."""
    return graph.group_of.get(node_id) or graph.group_of.get(graph.owner_of.get(node_id, ""), "")


def _wrap(path: str) -> str:
    """A long construct path broken after each ``/``, so that it does not widen its box."""
    if len(path) <= _WRAP_AT:
        return escape(path)
    return "/<BR/>".join(escape(part) for part in path.split("/"))


def _icon_cell(kind: str, rows: int) -> str:
    return (
        f'<TD ROWSPAN="{rows}" FIXEDSIZE="TRUE" WIDTH="{ICON_SIZE}" HEIGHT="{ICON_SIZE}">'
        f'<IMG SRC="{icon_source(kind)}"/></TD>'
    )


def _summary(counts: list[str]) -> str:
    """The counts, one to a line, so that they do not widen the node."""
    text = "<BR/>".join(escape(count) for count in counts)
    return f'<FONT POINT-SIZE="{SMALL_FONT_SIZE}" COLOR="#545b64">{text}</FONT>'
