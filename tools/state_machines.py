"""A synthesized state machine's definition and a pipe's input, as the emulator runs them.

:func:`render_definition` resolves a definition's references for moto's Step Functions
interpreter; :func:`pipe_input` applies an EventBridge pipe's input template to a record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from tools.moto_server import REGION

ACCOUNT = "123456789012"
_PSEUDO = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}
_PLACEHOLDER = re.compile(r"<\$\.([A-Za-z0-9_.]+)>")


def render_definition(
    template: Mapping[str, Any], logical_id_prefix: str, values: Mapping[str, str]
) -> dict[str, Any]:
    """The definition of the state machine whose logical id starts so, references resolved.

    ``values`` maps a CloudFormation resource type (``AWS::DynamoDB::Table``) to the value
    its ``Ref`` or ``GetAtt`` takes in the emulator (a table name, a topic ARN).
    """
    resources = template["Resources"]
    found = [
        resource
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::StepFunctions::StateMachine"
        and logical_id.startswith(logical_id_prefix)
    ]
    if len(found) != 1:
        raise ValueError(f"expected one state machine {logical_id_prefix}*, found {len(found)}")
    body = found[0]["Properties"]["DefinitionString"]
    parts = body["Fn::Join"][1] if isinstance(body, dict) else [body]

    def resolve(part: Any) -> str:
        if isinstance(part, str):
            return part
        if "Ref" in part and part["Ref"] in _PSEUDO:
            return _PSEUDO[part["Ref"]]
        logical_id = part["Ref"] if "Ref" in part else part["Fn::GetAtt"][0]
        kind = resources[logical_id]["Type"]
        if kind not in values:
            raise ValueError(f"no emulator value for {kind} ({logical_id})")
        return values[kind]

    definition: dict[str, Any] = json.loads("".join(resolve(p) for p in parts))
    return definition


def pipe_input(input_template: str, record: Mapping[str, Any]) -> str:
    """A pipe's ``InputTemplate`` applied to ``record`` (its ``<$.path>`` placeholders)."""

    def value(match: re.Match[str]) -> str:
        found: Any = record
        for part in match.group(1).split("."):
            found = found[part]
        return str(found)

    return _PLACEHOLDER.sub(value, input_template)
