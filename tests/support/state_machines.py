"""Rendering a synthesized state machine definition for moto's Step Functions interpreter."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tools.assembly import StackArtifact
from tools.moto_server import REGION

ACCOUNT = "123456789012"
_PSEUDO = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}


def render_definition(
    stack: StackArtifact, logical_id_prefix: str, values: Mapping[str, str]
) -> dict[str, Any]:
    """The definition of the state machine whose logical id starts so, references resolved.

    ``values`` maps a CloudFormation resource type (``AWS::DynamoDB::Table``) to the value
    its ``Ref`` or ``GetAtt`` takes in the emulator (a table name, a topic ARN).
    """
    resources = stack.template()["Resources"]
    found = [
        resource
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::StepFunctions::StateMachine"
        and logical_id.startswith(logical_id_prefix)
    ]
    assert len(found) == 1, f"expected one state machine {logical_id_prefix}*"
    body = found[0]["Properties"]["DefinitionString"]
    parts = body["Fn::Join"][1] if isinstance(body, dict) else [body]

    def resolve(part: Any) -> str:
        if isinstance(part, str):
            return part
        if "Ref" in part and part["Ref"] in _PSEUDO:
            return _PSEUDO[part["Ref"]]
        logical_id = part["Ref"] if "Ref" in part else part["Fn::GetAtt"][0]
        kind = resources[logical_id]["Type"]
        assert kind in values, f"no emulator value for {kind} ({logical_id})"
        return values[kind]

    definition: dict[str, Any] = json.loads("".join(resolve(p) for p in parts))
    return definition
