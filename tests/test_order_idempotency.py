"""Every stage's order keys expire: by DynamoDB's TTL where the table has one, otherwise by
an hourly sweep that is scheduled, enabled and allowed to delete from exactly that table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.manifest import stage_stacks
from tests.support.policies import ALLOW, IMPLICIT_DENY, Request, evaluate, role_statements

STAGES = ("Dev", "Staging", "Prod")


def _resources(assembly_dir: Path, stage: str) -> dict[str, dict[str, Any]]:
    web = stage_stacks(assembly_dir, stage)[f"{stage}/Web"]
    found: dict[str, dict[str, Any]] = web["template"]["Resources"]
    return found


def _functions_using(resources: dict[str, dict[str, Any]], table: str) -> list[str]:
    return [
        k
        for k, r in resources.items()
        if r["Type"] == "AWS::Lambda::Function"
        and r["Properties"].get("Environment", {}).get("Variables", {}).get("IDEMPOTENCY_TABLE")
        == {"Ref": table}
    ]


def _key_table(resources: dict[str, dict[str, Any]]) -> str:
    [orders] = [
        k
        for k, r in resources.items()
        if k.startswith("Orders") and r["Type"] == "AWS::Lambda::Function"
        if "IDEMPOTENCY_TABLE" in r["Properties"].get("Environment", {}).get("Variables", {})
    ]
    table: str = resources[orders]["Properties"]["Environment"]["Variables"]["IDEMPOTENCY_TABLE"][
        "Ref"
    ]
    return table


@pytest.mark.parametrize("stage", STAGES)
def test_order_keys_expire_in_every_stage(assembly_dir: Path, stage: str) -> None:
    resources = _resources(assembly_dir, stage)
    table = _key_table(resources)
    props = resources[table]["Properties"]
    ttl = props.get("TimeToLiveSpecification")
    if ttl is not None:
        assert ttl == {"AttributeName": "expiration", "Enabled": True}
        return
    # No TTL (a strongly consistent table): a sweep deletes them.
    assert props["MultiRegionConsistency"] == "STRONG"
    sweepers = [f for f in _functions_using(resources, table) if not f.startswith("Orders")]
    assert len(sweepers) == 1, sweepers
    [sweeper] = sweepers
    schedules = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Scheduler::Schedule"
        and r["Properties"]["Target"]["Arn"]
        .get("Ref", "")
        .startswith(sweeper.rsplit("Function", 1)[0])
    ]
    assert [(s["ScheduleExpression"], s["State"]) for s in schedules] == [
        ("rate(1 hour)", "ENABLED")
    ]
    # What IAM lets the sweep do: scan and delete in this table, nothing else with data.
    role = resources[sweeper]["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = role_statements({"Resources": resources}, role)
    others = [k for k, r in resources.items() if "DynamoDB" in r["Type"] and k != table]
    table_arn = {"Fn::GetAtt": [table, "Arn"]}
    for action, resource, effect in [
        ("dynamodb:Scan", table_arn, ALLOW),
        ("dynamodb:DeleteItem", table_arn, ALLOW),
        ("dynamodb:PutItem", table_arn, IMPLICIT_DENY),
        ("dynamodb:UpdateItem", table_arn, IMPLICIT_DENY),
        *[("dynamodb:DeleteItem", {"Fn::GetAtt": [o, "Arn"]}, IMPLICIT_DENY) for o in others],
    ]:
        assert evaluate(statements, Request(action, resource)) == effect, (action, resource)
