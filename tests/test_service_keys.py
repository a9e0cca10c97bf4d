"""Prod's tables, queues and functions' variables: which key encrypts them, and who KMS lets
use that key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.manifest import stage_stacks
from tests.support.policies import ACCOUNT_ROOT, ALLOW, Request, evaluate
from tools.assembly import StackArtifact

ACCOUNT = "111111111111"
ROLE = ("AWS", f"arn:aws:iam::{ACCOUNT}:role/any-role-of-the-account")


@pytest.fixture(scope="module")
def prod(assembly_dir: Path) -> dict[str, dict[str, Any]]:
    return stage_stacks(assembly_dir, "Prod")


def _encrypted_data(template: dict[str, Any]) -> Iterator[tuple[str, str, Any, str | None]]:
    """``(what, service, key reference, replica region)`` of every table, global-table
    replica, queue and function with environment variables."""
    for logical_id, resource in template["Resources"].items():
        kind, props = resource["Type"], resource.get("Properties", {})
        if kind == "AWS::DynamoDB::Table":
            yield (
                logical_id,
                "dynamodb",
                props.get("SSESpecification", {}).get("KMSMasterKeyId"),
                None,
            )
        elif kind == "AWS::DynamoDB::GlobalTable":
            for replica in props["Replicas"]:
                key = replica.get("SSESpecification", {}).get("KMSMasterKeyId")
                yield f"{logical_id}@{replica['Region']}", "dynamodb", key, replica["Region"]
        elif kind == "AWS::SQS::Queue":
            yield logical_id, "sqs", props.get("KmsMasterKeyId"), None
        elif kind == "AWS::Lambda::Function" and props.get("Environment"):
            yield logical_id, "lambda", props.get("KmsKeyArn"), None


def _key_policy(
    prod: dict[str, dict[str, Any]], stack: str, key: Any, region: str | None
) -> tuple[str, list[dict[str, Any]]]:
    """The region and key policy of the key ``key`` (a GetAtt here, or an alias ARN of a
    key in another region of the stage), from the templates."""
    if isinstance(key, dict) and "Fn::GetAtt" in key:
        resource = prod[stack]["template"]["Resources"][key["Fn::GetAtt"][0]]
        return prod[stack]["region"], resource["Properties"]["KeyPolicy"]["Statement"]
    alias = "alias/" + json.dumps(key).rsplit(":alias/", 1)[1].split('"')[0]
    for name, other in prod.items():
        if other["region"] != region:
            continue
        for resource in other["template"]["Resources"].values():
            if (
                resource["Type"] == "AWS::KMS::Alias"
                and resource["Properties"]["AliasName"] == alias
            ):
                assert name in prod[stack]["depends_on"], f"{stack} deploys before {name}"
                target = resource["Properties"]["TargetKeyId"]["Fn::GetAtt"][0]
                key_props = other["template"]["Resources"][target]["Properties"]
                return other["region"], key_props["KeyPolicy"]["Statement"]
    raise AssertionError(f"{stack}: no key with {alias} in {region}")


def _everything(
    prod: dict[str, dict[str, Any]],
) -> list[tuple[str, str, str, list[dict[str, Any]]]]:
    found = []
    for stack, info in sorted(prod.items()):
        for what, service, key, replica_region in _encrypted_data(info["template"]):
            assert key is not None, f"{stack}/{what} uses an AWS-managed key"
            region, policy = _key_policy(prod, stack, key, replica_region)
            found.append((f"{stack}/{what}", f"{service}.{region}.amazonaws.com", region, policy))
    return found


def test_prod_encrypts_tables_replicas_queues_and_variables_with_its_own_keys(
    prod: dict[str, dict[str, Any]],
) -> None:
    found = _everything(prod)
    kinds = {what.split("@")[0] for what, *_ in found}
    assert {"Prod/Web/ApiGlobalTable93D7F737", "Prod/Web/IdempotencyStrongTable14734F45"} <= kinds
    assert any("@us-west-2" in what for what, *_ in found)
    services = {via.split(".")[0] for _, via, _, _ in found}
    assert services == {"dynamodb", "sqs", "lambda"}


def test_only_the_service_may_use_each_key_for_the_accounts_callers(
    prod: dict[str, dict[str, Any]],
) -> None:
    for what, via, region, policy in _everything(prod):
        through = {"kms:CallerAccount": ACCOUNT, "kms:ViaService": via}
        for action in ("kms:Decrypt", "kms:GenerateDataKey"):
            assert evaluate(policy, Request(action, "*", ROLE, through)) == ALLOW, what
            # Not directly, not even for an administrator whose IAM policy allows kms:*.
            for principal in (ROLE, ("AWS", ACCOUNT_ROOT), ("AWS", f"arn:aws:iam::{ACCOUNT}:root")):
                direct = Request(action, "*", principal, {"kms:CallerAccount": ACCOUNT})
                assert evaluate(policy, direct) != ALLOW, what
            other_service = {**through, "kms:ViaService": f"s3.{region}.amazonaws.com"}
            assert evaluate(policy, Request(action, "*", ROLE, other_service)) != ALLOW, what
            other_account = {**through, "kms:CallerAccount": "222222222222"}
            stranger = ("AWS", "arn:aws:iam::222222222222:root")
            assert evaluate(policy, Request(action, "*", stranger, other_account)) != ALLOW, what


def _queue_senders(template: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """``(queue logical id, service principal)`` for every service that itself delivers
    into a queue: SNS subscriptions' and EventBridge targets' dead-letter queues."""
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::SNS::Subscription" and "RedrivePolicy" in props:
            arn = props["RedrivePolicy"]["deadLetterTargetArn"]
            yield arn["Fn::GetAtt"][0], "sns.amazonaws.com"
        if resource["Type"] == "AWS::Events::Rule":
            for target in props.get("Targets", []):
                if "DeadLetterConfig" in target:
                    yield target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0], "events.amazonaws.com"


def test_services_that_deliver_into_queues_may_use_their_keys(
    prod: dict[str, dict[str, Any]],
) -> None:
    checked = 0
    for stack, info in prod.items():
        resources = info["template"]["Resources"]
        for queue, sender in _queue_senders(info["template"]):
            key = resources[queue]["Properties"]["KmsMasterKeyId"]
            _, policy = _key_policy(prod, stack, key, None)
            request = Request(
                "kms:GenerateDataKey", "*", ("Service", sender), {"aws:SourceAccount": ACCOUNT}
            )
            assert evaluate(policy, request) == ALLOW, f"{stack}/{queue} refuses {sender}"
            checked += 1
    assert checked >= 2


@pytest.mark.parametrize("stage", ["Dev", "Staging"])
def test_other_stages_keep_aws_managed_keys(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    for name, stack in stack_artifacts.items():
        if name.startswith(f"{stage}/"):
            for what, _, key, _ in _encrypted_data(stack.template()):
                assert key is None, f"{name}/{what}"
