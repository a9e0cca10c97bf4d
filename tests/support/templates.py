"""Small lookups in synthesized templates used by construct tests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aws_cdk.assertions import Template

from tests.support.policies import resources_of
from tools.assembly import StackArtifact


def only(template: Template, kind: str) -> dict[str, Any]:
    """The one resource of type ``kind`` (fails when there are none or several)."""
    found = template.find_resources(kind)
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return dict(next(iter(found.values())))


def all_of(template: Template, kind: str) -> dict[str, dict[str, Any]]:
    """Every resource of type ``kind`` by logical id."""
    return {key: dict(value) for key, value in template.find_resources(kind).items()}


def properties(template: Template, kind: str) -> dict[str, Any]:
    """The ``Properties`` of the one resource of type ``kind``."""
    found: dict[str, Any] = only(template, kind)["Properties"]
    return found


def logical_ids_by_type(stack: StackArtifact, kinds: Iterable[str]) -> dict[str, list[str]]:
    """The sorted logical ids of each resource type in ``kinds`` in a synthesized stack."""
    resources = stack.template()["Resources"]
    return {kind: sorted(k for k, r in resources.items() if r["Type"] == kind) for kind in kinds}


def usage_stream_ref(streaming: StackArtifact, web: dict[str, Any]) -> dict[str, Any]:
    """How the Web template names the Streaming stack's Kinesis stream ARN: the
    ``Fn::GetStackOutput`` of the output holding it, as written in the Web template
    (fails unless Web uses it and names Streaming's deployed stack)."""
    template = streaming.template()
    streams = resources_of(template, "AWS::Kinesis::Stream")
    [output] = [
        name
        for name, output in template.get("Outputs", {}).items()
        if output["Value"].get("Fn::GetAtt", [None, None])[1] == "Arn"
        and output["Value"]["Fn::GetAtt"][0] in streams
    ]
    found: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            reference = value.get("Fn::GetStackOutput")
            if isinstance(reference, dict) and reference.get("OutputName") == output:
                found.append(value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(web["Resources"])
    assert found, f"the Web stack does not use {streaming.display_name}'s {output}"
    assert found[0]["Fn::GetStackOutput"]["StackName"] == streaming.display_name.replace("/", "-")
    return found[0]


#: Keys of the stages with customer-managed keys (prod): data at rest and log groups, and
#: one key per service whose data the stack holds (tables, queues, functions' variables).
CUSTOMER_MANAGED_KEYS = (
    "DataKey17AFBB84",
    "LogsKeyA6AB43B2",
    "TablesKey11820CBC",
    "QueuesKey8CBF3E72",
    "FunctionsKeyC337A2C1",
)


def with_stage_keys(stateful: dict[str, list[str]], stage: str) -> dict[str, list[str]]:
    """``stateful`` plus, in Prod, the stack's customer-managed KMS keys."""
    if stage != "Prod":
        return stateful
    keys = sorted([*stateful.get("AWS::KMS::Key", []), *CUSTOMER_MANAGED_KEYS])
    return {**stateful, "AWS::KMS::Key": keys}


def acknowledged_rules(construct: Any) -> set[str]:
    """Rule ids acknowledged on ``construct`` itself (``AwsSolutions-S1``, ...)."""
    rules: set[str] = set()
    for entry in construct.node.metadata:
        if entry.type == "aws:cdk:acknowledged-rules":
            rules.update(rule.split("::", 1)[-1] for rule in entry.data)
    return rules


def resources(template: Template, kind: str) -> list[Any]:
    return list(template.find_resources(kind).values())


def methods(template: Template) -> dict[tuple[str, str], dict[str, Any]]:
    """Methods by (HTTP method, resource logical id or 'root')."""
    found = {}
    for resource in resources(template, "AWS::ApiGateway::Method"):
        props = resource["Properties"]
        where = props["ResourceId"]
        name = "root" if "Fn::GetAtt" in where else where["Ref"]
        found[(props["HttpMethod"], name)] = props
    return found


def method_for(template: Template, http_method: str, path_part: str) -> dict[str, Any]:
    resource_ids = [
        logical_id
        for logical_id, r in template.find_resources("AWS::ApiGateway::Resource").items()
        if r["Properties"]["PathPart"] == path_part
    ]
    matches = [
        props
        for (verb, where), props in methods(template).items()
        if verb == http_method and where in resource_ids
    ]
    assert len(matches) == 1, (http_method, path_part)
    return matches[0]
