"""Creating emulator tables from the synthesized templates, so handler and table agree."""

from __future__ import annotations

from typing import Any

import boto3

from tools.assembly import StackArtifact


def table_definition(stack: StackArtifact, logical_id_prefix: str) -> dict[str, Any]:
    """KeySchema, attributes, indexes and stream of the one table whose logical id starts so."""
    found = [
        resource["Properties"]
        for logical_id, resource in stack.template()["Resources"].items()
        if resource["Type"] == "AWS::DynamoDB::Table" and logical_id.startswith(logical_id_prefix)
    ]
    assert len(found) == 1, f"expected one table {logical_id_prefix}* in {stack.display_name}"
    properties = found[0]
    definition: dict[str, Any] = {
        "KeySchema": properties["KeySchema"],
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if "GlobalSecondaryIndexes" in properties:
        definition["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
    if "StreamSpecification" in properties:
        definition["StreamSpecification"] = {
            "StreamEnabled": True,
            **properties["StreamSpecification"],
        }
    return definition


def create_table_like(stack: StackArtifact, logical_id_prefix: str, name: str) -> Any:
    """Create table ``name`` in the emulator as the template defines it; return it."""
    dynamodb = boto3.resource("dynamodb")
    table = dynamodb.create_table(TableName=name, **table_definition(stack, logical_id_prefix))
    table.wait_until_exists()
    return table
