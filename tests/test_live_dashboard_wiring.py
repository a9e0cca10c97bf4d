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
