"""The flows and grants between a stack's services, read from the references in its template."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

IMPORT = "import:"
#: Resources that stand for the function they point at.
_FUNCTION_ALIASES = ("AWS::Lambda::Alias", "AWS::Lambda::Version")


@dataclass(frozen=True, order=True)
class Edge:
    """A flow (events, invocations, deliveries) or an IAM grant from one node to another."""

    source: str
    target: str
    label: str
    kind: str = "flow"  # or "grant"


class Resolver:
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
                for role in references(resource["Properties"].get("Role")):
                    self.role_users.setdefault(role, []).append(logical_id)

    def nodes(self, value: Any) -> list[str]:
        found = []
        for logical_id in references(value):
            if logical_id.startswith(IMPORT):
                imported = self.exports.get(logical_id.removeprefix(IMPORT))
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
    "AWS::ApiGatewayV2::Integration": ("ApiId", "IntegrationUri", "integration", "flow"),
    "AWS::ApiGatewayV2::Authorizer": ("ApiId", "AuthorizerUri", "authorizer", "flow"),
    "AWS::AppSync::DataSource": ("ApiId", "DynamoDBConfig", "data source", "flow"),
    "AWS::CodeDeploy::DeploymentGroup": (None, "AlarmConfiguration", "rolls back on", "flow"),
    "AWS::IAM::Policy": ("Roles", "PolicyDocument", "grant", "grant"),
    "AWS::KinesisFirehose::DeliveryStream": (None, None, "delivers", "flow"),
    "AWS::CloudFront::Distribution": (None, None, "uses", "flow"),
    "AWS::StepFunctions::StateMachine": (None, None, "uses", "flow"),
    "AWS::Glue::Crawler": (None, None, "crawls", "flow"),
    "AWS::Athena::WorkGroup": (None, None, "writes results to", "flow"),
}


def edges(resources: dict[str, dict[str, Any]], resolve: Resolver) -> Iterator[Edge]:
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
    group_id: str, resources: dict[str, dict[str, Any]], resolve: Resolver
) -> Iterator[Edge]:
    """CodeDeploy shifts the traffic of the alias whose UpdatePolicy names this group."""
    for resource in resources.values():
        policy = resource.get("UpdatePolicy", {}).get("CodeDeployLambdaAliasUpdate", {})
        if group_id in references(policy.get("DeploymentGroupName")):
            for function in resolve.nodes(resource["Properties"].get("FunctionName")):
                yield Edge(f"{resolve.stack}/{group_id}", function, "shifts traffic")


def references(value: Any) -> Iterator[str]:
    """Logical ids that a template value refers to (Ref, GetAtt, Sub)."""
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            yield value["Ref"]
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            yield target[0] if isinstance(target, list) else str(target).split(".")[0]
        if isinstance(value.get("Fn::ImportValue"), str):
            yield IMPORT + value["Fn::ImportValue"]
        if isinstance(value.get("Fn::GetStackOutput"), dict):
            yield IMPORT + str(value["Fn::GetStackOutput"].get("OutputName"))
        for key, inner in value.items():
            if key not in ("Ref", "Fn::GetAtt", "Fn::ImportValue", "Fn::GetStackOutput"):
                yield from references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from references(inner)
