"""A stack template read as services and the flows and grants between them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from patterns import PATTERN_METADATA
from tools.assembly import StackArtifact

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
    "AWS::StepFunctions::StateMachine": "Step Functions",
    "AWS::Events::Rule": "EventBridge rule",
    "AWS::Scheduler::Schedule": "EventBridge Scheduler",
    "AWS::CloudFront::Distribution": "CloudFront",
    "AWS::Cognito::UserPool": "Cognito",
    "AWS::Glue::Database": "Glue database",
    "AWS::Glue::Crawler": "Glue crawler",
    "AWS::Athena::WorkGroup": "Athena",
    "AWS::CodeDeploy::DeploymentGroup": "CodeDeploy",
    "AWS::WAFv2::WebACL": "WAF",
    "AWS::CloudWatch::Alarm": "CloudWatch alarm",
    "AWS::CloudWatch::Dashboard": "CloudWatch dashboard",
}
_IMPORT = "import:"
#: Resources that stand for the function they point at.
_FUNCTION_ALIASES = ("AWS::Lambda::Alias", "AWS::Lambda::Version")


@dataclass(frozen=True)
class Node:
    kind: str
    label: str


@dataclass(frozen=True, order=True)
class Edge:
    source: str
    target: str
    label: str
    kind: str = "flow"  # or "grant"


@dataclass
class StackGraph:
    """One stack: visible services, their pattern groups, and edges between them."""

    name: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    group_of: dict[str, str] = field(default_factory=dict)  # node -> pattern instance path
    pattern_of: dict[str, str] = field(default_factory=dict)  # instance path -> class


def read_stack_graph(stack: StackArtifact, exports: dict[str, str] | None = None) -> StackGraph:
    """Read one synthesized stack into a graph."""
    template = stack.template()
    resources: dict[str, dict[str, Any]] = template.get("Resources", {})
    graph = StackGraph(name=stack.display_name)
    prefix = f"{stack.display_name}/"
    patterns = _pattern_instances(stack, prefix)
    graph.pattern_of.update(patterns)
    for logical_id, resource in resources.items():
        path = resource.get("Metadata", {}).get("aws:cdk:path", logical_id)
        if resource["Type"] in SERVICES and not _is_cdk_plumbing(path):
            relative = path.removeprefix(prefix)
            node_id = f"{stack.display_name}/{logical_id}"
            graph.nodes[node_id] = Node(resource["Type"], _label(relative))
            owner = _owner(relative, patterns)
            if owner:
                graph.group_of[node_id] = owner
    resolver = _Resolver(stack.display_name, resources, exports or {})
    graph.edges.extend(e for e in _edges(resources, resolver) if e.source != e.target)
    return graph


def stack_exports(stack: StackArtifact) -> dict[str, str]:
    """Export and output names -> node id of what they carry.

    Other stacks read them with ``Fn::ImportValue`` (export name) or, with CDK's weak
    cross-stack references, ``Fn::GetStackOutput`` (output name).
    """
    found = {}
    for output_name, output in stack.template().get("Outputs", {}).items():
        targets = list(_references(output.get("Value")))
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


class _Resolver:
    """Turns references into node ids, seeing through aliases, versions and roles."""

    def __init__(
        self, stack: str, resources: dict[str, dict[str, Any]], exports: dict[str, str]
    ) -> None:
        self.stack = stack
        self.resources = resources
        self.exports = exports
        self.role_users: dict[str, list[str]] = {}
        for logical_id, resource in resources.items():
            if resource["Type"] == "AWS::Lambda::Function":
                for role in _references(resource["Properties"].get("Role")):
                    self.role_users.setdefault(role, []).append(logical_id)

    def nodes(self, value: Any) -> list[str]:
        found = []
        for logical_id in _references(value):
            if logical_id.startswith(_IMPORT):
                imported = self.exports.get(logical_id.removeprefix(_IMPORT))
                found.extend([imported] if imported else [])
                continue
            resource = self.resources.get(logical_id)
            if resource is None:
                continue
            if resource["Type"] in _FUNCTION_ALIASES:
                found.extend(self.nodes(resource["Properties"].get("FunctionName")))
            elif resource["Type"] == "AWS::IAM::Role":
                found.extend(f"{self.stack}/{user}" for user in self.role_users.get(logical_id, []))
            else:
                found.append(f"{self.stack}/{logical_id}")
        return found


#: Resources that connect others: type -> (property naming the source, ``None`` for the
#: resource itself; property naming the targets, ``None`` for all its properties; label;
#: edge kind).
_CONNECTORS: dict[str, tuple[str | None, str | None, str, str]] = {
    "AWS::SNS::Subscription": ("TopicArn", "Endpoint", "subscription", "flow"),
    "AWS::Lambda::EventSourceMapping": ("EventSourceArn", "FunctionName", "event source", "flow"),
    "AWS::CloudWatch::Alarm": (None, "AlarmActions", "alarm", "flow"),
    "AWS::Lambda::EventInvokeConfig": ("FunctionName", "DestinationConfig", "on failure", "flow"),
    "AWS::Lambda::Permission": ("SourceArn", "FunctionName", "invokes", "flow"),
    "AWS::ApiGateway::Method": ("RestApiId", "Integration", "integration", "flow"),
    "AWS::CodeDeploy::DeploymentGroup": (None, "AlarmConfiguration", "rolls back on", "flow"),
    "AWS::IAM::Policy": ("Roles", "PolicyDocument", "grant", "grant"),
    "AWS::KinesisFirehose::DeliveryStream": (None, None, "delivers", "flow"),
    "AWS::CloudFront::Distribution": (None, None, "uses", "flow"),
    "AWS::StepFunctions::StateMachine": (None, None, "uses", "flow"),
    "AWS::Glue::Crawler": (None, None, "crawls", "flow"),
    "AWS::Athena::WorkGroup": (None, None, "writes results to", "flow"),
}


def _edges(resources: dict[str, dict[str, Any]], resolve: _Resolver) -> Iterator[Edge]:
    for logical_id, resource in resources.items():
        kind = resource["Type"]
        props = resource.get("Properties", {})
        me = [f"{resolve.stack}/{logical_id}"]
        pairs: list[tuple[list[str], list[str], str, str]] = []
        if kind in ("AWS::Events::Rule", "AWS::Scheduler::Schedule"):
            targets = props.get("Targets") or [props.get("Target") or {}]
            pairs.append((me, resolve.nodes([t.get("Arn") for t in targets]), "triggers", "flow"))
            letters = [t.get("DeadLetterConfig") for t in targets]
            pairs.append((me, resolve.nodes(letters), "dead letters", "flow"))
        elif kind in _CONNECTORS:
            source, target, label, edge_kind = _CONNECTORS[kind]
            sources = me if source is None else resolve.nodes(props.get(source))
            found = resolve.nodes(props if target is None else props.get(target))
            pairs.append((sources, found, label, edge_kind))
        for sources, targets, label, edge_kind in pairs:
            for source in sources:
                for target in targets:
                    yield Edge(source, target, label, edge_kind)
        if kind == "AWS::CodeDeploy::DeploymentGroup":
            yield from _deployment_targets(logical_id, resources, resolve)


def _deployment_targets(
    group_id: str, resources: dict[str, dict[str, Any]], resolve: _Resolver
) -> Iterator[Edge]:
    """CodeDeploy shifts the traffic of the alias whose UpdatePolicy names this group."""
    for resource in resources.values():
        policy = resource.get("UpdatePolicy", {}).get("CodeDeployLambdaAliasUpdate", {})
        if group_id in _references(policy.get("DeploymentGroupName")):
            for function in resolve.nodes(resource["Properties"].get("FunctionName")):
                yield Edge(f"{resolve.stack}/{group_id}", function, "shifts traffic")


def _references(value: Any) -> Iterator[str]:
    """Logical ids that a template value refers to (Ref, GetAtt, Sub)."""
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            yield value["Ref"]
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            yield target[0] if isinstance(target, list) else str(target).split(".")[0]
        if isinstance(value.get("Fn::ImportValue"), str):
            yield _IMPORT + value["Fn::ImportValue"]
        if isinstance(value.get("Fn::GetStackOutput"), dict):
            yield _IMPORT + str(value["Fn::GetStackOutput"].get("OutputName"))
        for key, inner in value.items():
            if key not in ("Ref", "Fn::GetAtt", "Fn::ImportValue", "Fn::GetStackOutput"):
                yield from _references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _references(inner)
