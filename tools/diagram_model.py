"""A stack template read as services, the flows and grants between them, and the
resources that only support a service (alarms, keys, policies...), each tied to it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from patterns import PATTERN_METADATA
from tools.assembly import StackArtifact
from tools.diagram_edges import Edge, Resolver, edges, references

__all__ = ["SERVICES", "SUMMARISED", "Edge", "Node", "StackGraph", "read_stack_graph"]

#: Resource types drawn as nodes, with the service name shown.
SERVICES: dict[str, str] = {
    "AWS::Lambda::Function": "Lambda",
    "AWS::DynamoDB::Table": "DynamoDB",
    "AWS::DynamoDB::GlobalTable": "DynamoDB global table",
    "AWS::SNS::Topic": "SNS",
    "AWS::SQS::Queue": "SQS",
    "AWS::S3::Bucket": "S3",
    "AWS::Kinesis::Stream": "Kinesis",
    "AWS::KinesisFirehose::DeliveryStream": "Firehose",
    "AWS::ApiGateway::RestApi": "API Gateway",
    # HTTP and WebSocket APIs: named by their ProtocolType (see service_name).
    "AWS::ApiGatewayV2::Api": "API Gateway v2",
    "AWS::AppSync::GraphQLApi": "AppSync",
    "AWS::StepFunctions::StateMachine": "Step Functions",
    "AWS::Events::Rule": "EventBridge rule",
    "AWS::Scheduler::Schedule": "EventBridge Scheduler",
    "AWS::CloudFront::Distribution": "CloudFront",
    "AWS::Cognito::UserPool": "Cognito",
    "AWS::Glue::Database": "Glue database",
    "AWS::Glue::Crawler": "Glue crawler",
    "AWS::Athena::WorkGroup": "Athena",
    "AWS::WAFv2::WebACL": "WAF",
    "AWS::EC2::VPC": "VPC",
}
#: Resource types that support one service: counted on it in the overview, drawn in the
#: detailed picture. Type -> (singular, plural).
SUMMARISED: dict[str, tuple[str, str]] = {
    "AWS::CloudWatch::Alarm": ("alarm", "alarms"),
    "AWS::CodeDeploy::DeploymentGroup": ("deployment", "deployments"),
    "AWS::KMS::Key": ("key", "keys"),
    "AWS::IAM::Policy": ("policy", "policies"),
    "AWS::IAM::ManagedPolicy": ("policy", "policies"),
    "AWS::Logs::LogGroup": ("log group", "log groups"),
    "AWS::CloudWatch::Dashboard": ("dashboard", "dashboards"),
}
#: Where a supporting resource names the service it belongs to (alarms their metric's
#: dimensions, policies their roles); others belong to the service that refers to them.
_OWNER_PROPERTIES: dict[str, tuple[str, ...]] = {
    "AWS::CloudWatch::Alarm": ("Dimensions", "Metrics"),
    "AWS::IAM::Policy": ("Roles",),
    "AWS::IAM::ManagedPolicy": ("Roles",),
}


@dataclass(frozen=True)
class Node:
    """A resource as drawn: its type, a short label from its construct path."""

    kind: str
    label: str
    service: str = ""  # the service name shown; SERVICES[kind] when empty
    path: str = ""  # the construct path inside its stack

    @property
    def title(self) -> str:
        return self.service or SERVICES.get(self.kind) or SUMMARISED[self.kind][0]


@dataclass
class StackGraph:
    """One stack: visible services, their pattern groups, and edges between them."""

    name: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    group_of: dict[str, str] = field(default_factory=dict)  # node -> pattern instance path
    pattern_of: dict[str, str] = field(default_factory=dict)  # instance path -> class
    #: Supporting resources (SUMMARISED) by id, and the service node each belongs to
    #: ("" for the stack itself).
    extras: dict[str, Node] = field(default_factory=dict)
    owner_of: dict[str, str] = field(default_factory=dict)

    def summary(self, node_id: str) -> list[str]:
        """``["3 alarms", "1 key"]``: the supporting resources of ``node_id`` (of the
        stack itself for ``""``), counted by kind."""
        found: dict[tuple[str, str], int] = {}
        for extra, owner in self.owner_of.items():
            if owner == node_id:
                nouns = SUMMARISED[self.extras[extra].kind]
                found[nouns] = found.get(nouns, 0) + 1
        return [f"{n} {nouns[n > 1]}" for nouns, n in sorted(found.items())]


def service_name(resource: dict[str, Any]) -> str:
    """The service a resource is shown as (API Gateway v2 by its protocol)."""
    if resource["Type"] == "AWS::ApiGatewayV2::Api":
        protocol = str(resource.get("Properties", {}).get("ProtocolType", "")).upper()
        return {"WEBSOCKET": "API Gateway WebSocket", "HTTP": "API Gateway HTTP"}.get(
            protocol, SERVICES[resource["Type"]]
        )
    return SERVICES[resource["Type"]]


def read_stack_graph(stack: StackArtifact, exports: dict[str, str] | None = None) -> StackGraph:
    """Read one synthesized stack into a graph."""
    template = stack.template()
    resources: dict[str, dict[str, Any]] = template.get("Resources", {})
    graph = StackGraph(name=stack.display_name)
    prefix = f"{stack.display_name}/"
    patterns = _pattern_instances(stack, prefix)
    graph.pattern_of.update(patterns)
    paths: dict[str, str] = {}
    for logical_id, resource in resources.items():
        path = resource.get("Metadata", {}).get("aws:cdk:path", logical_id)
        kind = resource["Type"]
        if _is_cdk_plumbing(path) or (kind not in SERVICES and kind not in SUMMARISED):
            continue
        relative = path.removeprefix(prefix)
        node_id = f"{stack.display_name}/{logical_id}"
        paths[node_id] = relative
        if kind in SERVICES:
            graph.nodes[node_id] = Node(kind, _label(relative), service_name(resource), relative)
            owner = _owner(relative, patterns)
            if owner:
                graph.group_of[node_id] = owner
        else:
            graph.extras[node_id] = Node(kind, _label(relative), path=relative)
    resolver = Resolver(stack.display_name, resources, exports or {})
    graph.edges.extend(e for e in edges(resources, resolver) if e.source != e.target)
    _tie_extras(graph, resources, resolver, paths)
    return graph


def _tie_extras(
    graph: StackGraph,
    resources: dict[str, dict[str, Any]],
    resolve: Resolver,
    paths: dict[str, str],
) -> None:
    """Each supporting resource belongs to the service it names or that names it; among
    several (or none), to the one whose construct path it shares most of."""
    referred_by: dict[str, set[str]] = {}
    for node_id in graph.nodes:
        logical_id = node_id.removeprefix(f"{graph.name}/")
        for target in references(resources[logical_id].get("Properties")):
            referred_by.setdefault(f"{graph.name}/{target}", set()).add(node_id)
    for extra, node in graph.extras.items():
        props = resources[extra.removeprefix(f"{graph.name}/")].get("Properties", {})
        named = {
            n
            for key in _OWNER_PROPERTIES.get(node.kind, ())
            for n in resolve.nodes(props.get(key))
            if n in graph.nodes
        }
        candidates = named or referred_by.get(extra, set()) or set(graph.nodes)
        scored = [(_shared(paths[extra], paths[c]), c) for c in sorted(candidates)]
        best = max(scored, key=lambda pair: pair[0], default=(0, ""))
        graph.owner_of[extra] = best[1] if best[0] or named or extra in referred_by else ""


def _shared(one: str, other: str) -> int:
    """How many leading construct path segments two paths share."""
    count = 0
    for a, b in zip(one.split("/"), other.split("/"), strict=False):
        if a != b:
            break
        count += 1
    return count


def stack_exports(stack: StackArtifact) -> dict[str, str]:
    """Export and output names -> node id of what they carry.

    Other stacks read them with ``Fn::ImportValue`` (export name) or, with CDK's weak
    cross-stack references, ``Fn::GetStackOutput`` (output name).
    """
    found = {}
    for output_name, output in stack.template().get("Outputs", {}).items():
        targets = list(references(output.get("Value")))
        if not targets:
            continue
        found[output_name] = f"{stack.display_name}/{targets[0]}"
        export = output.get("Export", {}).get("Name")
        if isinstance(export, str):
            found[export] = found[output_name]
    return found


def _is_cdk_plumbing(path: str) -> bool:
    """CDK's own singleton helpers (custom-resource providers), not the architecture."""
    return any(
        part.startswith(("Custom::", "BucketNotificationsHandler")) for part in path.split("/")
    )


def _pattern_instances(stack: StackArtifact, prefix: str) -> dict[str, str]:
    if not stack.metadata_path.exists():
        return {}
    found = {}
    for path, entries in json.loads(stack.metadata_path.read_text()).items():
        for entry in entries:
            if entry.get("type") == PATTERN_METADATA:
                found[path.lstrip("/").removeprefix(prefix)] = entry["data"]
    return found


def _owner(relative_path: str, patterns: dict[str, str]) -> str:
    """The outermost pattern instance containing the path ('' when none)."""
    matches = [p for p in patterns if relative_path == p or relative_path.startswith(p + "/")]
    return min(matches, key=len) if matches else ""


def _label(relative_path: str) -> str:
    parts = [p for p in relative_path.split("/") if p not in ("Resource", "Default")]
    return "/".join(parts[-2:]) if parts else relative_path
