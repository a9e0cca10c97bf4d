"""How the dashboard finds the live updates once deployed: ``config.json`` names the
WebSocket URL of the stage's Streaming stack, and ``GET /live-token``'s function may read
the token-signing secret (and decrypt it through Secrets Manager) and nothing else."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tools.assembly import StackArtifact


def _of_type(stack: StackArtifact, kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in stack.template()["Resources"].items() if v["Type"] == kind}


@pytest.mark.parametrize("stage", ["Dev", "Staging", "Prod"])
def test_config_json_names_the_streaming_stacks_websocket_url(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    (deployment,) = _of_type(
        stack_artifacts[f"{stage}/Web"], "Custom::CDKBucketDeployment"
    ).values()
    markers = json.dumps(deployment["Properties"]["SourceMarkers"][1])
    streaming = stack_artifacts[f"{stage}/Streaming"]
    outputs = streaming.template()["Outputs"]
    (live_output,) = [
        name
        for name, output in outputs.items()
        if "Live" in json.dumps(output["Value"])
        and name.startswith("PublishOutputRefLive")
        and "Secret" not in name
    ]
    assert live_output in markers
    assert "wss://" in markers


def _issuer_statements(web: StackArtifact) -> list[dict[str, Any]]:
    functions = _of_type(web, "AWS::Lambda::Function")
    (issuer_id,) = [
        k for k, f in functions.items() if f["Properties"]["Handler"].endswith("issuer.handler")
    ]
    role = functions[issuer_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    statements: list[dict[str, Any]] = []
    policies = [
        *_of_type(web, "AWS::IAM::Policy").values(),
        *_of_type(web, "AWS::IAM::ManagedPolicy").values(),
    ]
    for policy in policies:
        if {"Ref": role} in policy["Properties"].get("Roles", []):
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


@pytest.mark.parametrize("stage", ["Dev", "Prod"])
def test_the_token_issuer_reads_the_signing_secret_only(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    statements = _issuer_statements(stack_artifacts[f"{stage}/Web"])
    secrets = [s for s in statements if "secretsmanager:GetSecretValue" in s["Action"]]
    (secret,) = secrets
    assert "LiveTokenSecret" in json.dumps(secret["Resource"])
    decrypts = [s for s in statements if "kms:Decrypt" in json.dumps(s["Action"])]
    if stage == "Prod":  # customer-managed keys: decrypt through Secrets Manager only
        (decrypt,) = decrypts
        assert "kms:ViaService" in decrypt["Condition"]["StringEquals"]
    else:
        assert decrypts == []
    # Nothing else of Secrets Manager or KMS (logs, tracing and the network remain).
    others = [s for s in statements if s not in secrets and s not in decrypts]
    assert not [s for s in others if "secretsmanager:" in json.dumps(s) or "kms:" in json.dumps(s)]


@pytest.mark.parametrize("stage", ["Dev", "Staging", "Prod"])
def test_the_routes_function_may_scan_the_counts_for_snapshots_and_not_change_them(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    """A dashboard's snapshot (``$default`` ``snapshot``) scans the counts table: the
    routes function reads its name from ``COUNTS_TABLE``, may scan it, not change it, and
    scan no table beyond its own two."""
    from tests.support.policies import ALLOW, IMPLICIT_DENY, Request, evaluate, role_statements

    streaming = stack_artifacts[f"{stage}/Streaming"]
    template = streaming.template()
    functions = _of_type(streaming, "AWS::Lambda::Function")
    (routes,) = [
        f for f in functions.values() if f["Properties"]["Handler"] == "live_updates.app.handler"
    ]
    (counts,) = [
        k for k in _of_type(streaming, "AWS::DynamoDB::Table") if k.startswith("CountsTable")
    ]
    variables = routes["Properties"]["Environment"]["Variables"]
    assert variables["COUNTS_TABLE"] == {"Ref": counts}
    statements = role_statements(template, routes["Properties"]["Role"]["Fn::GetAtt"][0])
    table_arn = {"Fn::GetAtt": [counts, "Arn"]}
    assert evaluate(statements, Request("dynamodb:Scan", table_arn)) == ALLOW
    for action in ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"):
        assert evaluate(statements, Request(action, table_arn)) == IMPLICIT_DENY, action
    other = "arn:aws:dynamodb:us-east-1:123456789012:table/Dev-Web-ApiTable"
    assert evaluate(statements, Request("dynamodb:Scan", other)) == IMPLICIT_DENY
