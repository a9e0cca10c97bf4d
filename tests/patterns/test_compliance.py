"""ManagedPolicies and EncryptLogGroups, and the pieces that make functions HIPAA-ready."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match, Template

from patterns import (
    EncryptLogGroups,
    FunctionDefaults,
    ManagedPolicies,
    ScheduledJob,
    ServerlessFunction,
)
from patterns._targets import acknowledge_synchronous_invocation, send_async_failures_to
from tests.support.templates import acknowledged_rules


def _id(stack: cdk.Stack, construct: Any) -> str:
    """Logical id of ``construct``'s L1 resource."""
    return stack.get_logical_id(construct.node.default_child)


def test_inline_policies_become_managed_policies_at_the_same_logical_id(
    stack: cdk.Stack, code_dir: Path
) -> None:
    function = ServerlessFunction(stack, "Fn", code_path=code_dir)
    table = dynamodb.Table(
        stack,
        "Table",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
    )
    table.grant_read_data(function.function)
    policy = function.role.node.find_child("DefaultPolicy").node.default_child
    assert isinstance(policy, iam.CfnPolicy)
    logical_id = stack.get_logical_id(policy)
    cdk.Aspects.of(stack).add(ManagedPolicies())

    template = Template.from_stack(stack)
    template.resource_count_is("AWS::IAM::Policy", 0)
    managed = template.find_resources("AWS::IAM::ManagedPolicy")
    assert logical_id in managed
    document = managed[logical_id]["Properties"]["PolicyDocument"]["Statement"]
    assert any("dynamodb:GetItem" in s["Action"] for s in document)
    assert managed[logical_id]["Properties"]["Roles"] == [
        {
            "Ref": stack.get_logical_id(
                function.role.node.default_child  # type: ignore[arg-type]
            )
        }
    ]
    # The function still waits for its permissions: DependsOn follows the logical id.
    [fn] = template.find_resources("AWS::Lambda::Function").values()
    assert logical_id in fn["DependsOn"]


def test_managed_policies_fit_iam_size_limit_in_prod(stack_artifacts: dict[str, Any]) -> None:
    import json

    for name, artifact in stack_artifacts.items():
        if not name.startswith("Prod/"):
            continue
        for resource in artifact.template()["Resources"].values():
            if resource["Type"] == "AWS::IAM::ManagedPolicy":
                document = json.dumps(
                    resource["Properties"]["PolicyDocument"], separators=(",", ":")
                )
                # IAM counts a managed policy's characters without whitespace: at most 6,144
                # (tokens resolve to ARNs of similar length, so this keeps a margin in mind).
                assert len(document) < 6144, name
        assert not [
            r for r in artifact.template()["Resources"].values() if r["Type"] == "AWS::IAM::Policy"
        ], name


def test_empty_inline_policies_are_left_alone(stack: cdk.Stack) -> None:
    iam.Policy(stack, "Empty", force=False)
    sqs.Queue(stack, "SomethingToDeploy")
    cdk.Aspects.of(stack).add(ManagedPolicies())
    Template.from_stack(stack).resource_count_is("AWS::IAM::ManagedPolicy", 0)


def test_log_groups_get_one_rotating_key_per_stack(stack: cdk.Stack) -> None:
    logs.LogGroup(stack, "One")
    logs.LogGroup(stack, "Two")
    cdk.Aspects.of(stack).add(EncryptLogGroups())
    template = Template.from_stack(stack)
    [(key_id, key)] = template.find_resources("AWS::KMS::Key").items()
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    [logs_statement] = [s for s in statements if "Service" in s.get("Principal", {})]
    assert logs_statement["Principal"]["Service"] == "logs.eu-west-1.amazonaws.com"
    assert logs_statement["Condition"]["ArnLike"] == {
        "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:*"
    }
    template.resource_properties_count_is(
        "AWS::Logs::LogGroup", {"KmsKeyId": {"Fn::GetAtt": [key_id, "Arn"]}}, 2
    )


def test_log_groups_with_a_key_or_a_given_key_are_respected(stack: cdk.Stack) -> None:
    given = cdk.aws_kms.Key(stack, "Given")
    own = cdk.aws_kms.Key(stack, "Own")
    logs.LogGroup(stack, "Keyed", encryption_key=own)
    logs.LogGroup(stack, "Plain")
    cdk.Aspects.of(stack).add(EncryptLogGroups(key=given, removal_policy=cdk.RemovalPolicy.DESTROY))
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::KMS::Key", 2)
    kms_ids = {
        r["Properties"]["KmsKeyId"]["Fn::GetAtt"][0]
        for r in template.find_resources("AWS::Logs::LogGroup").values()
    }
    assert kms_ids == {_id(stack, given), _id(stack, own)}


def test_function_defaults_reserve_concurrency_unless_the_function_overrides(
    stack: cdk.Stack, code_dir: Path
) -> None:
    FunctionDefaults(reserved_concurrency=7).apply_to(stack)
    ServerlessFunction(stack, "Default", code_path=code_dir)
    ServerlessFunction(stack, "Own", code_path=code_dir, reserved_concurrency=2)
    template = Template.from_stack(stack)
    values = sorted(
        r["Properties"]["ReservedConcurrentExecutions"]
        for r in template.find_resources("AWS::Lambda::Function").values()
    )
    assert values == [2, 7]


def test_reserved_concurrency_default_is_validated() -> None:
    import pytest

    with pytest.raises(ValueError, match="reserved_concurrency"):
        FunctionDefaults(reserved_concurrency=0)


def test_async_failures_go_to_the_patterns_queue(stack: cdk.Stack, code_dir: Path) -> None:
    function = ServerlessFunction(stack, "Job", code_path=code_dir)
    job = ScheduledJob(stack, "Nightly", function=function, schedule="rate(1 day)")
    template = Template.from_stack(stack)
    queue_id = stack.get_logical_id(job.dead_letter_queue.node.default_child)  # type: ignore[arg-type]
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {"DeadLetterConfig": {"TargetArn": {"Fn::GetAtt": [queue_id, "Arn"]}}},
    )
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": "sqs:SendMessage",
                                "Resource": {"Fn::GetAtt": [queue_id, "Arn"]},
                            }
                        )
                    ]
                )
            }
        },
    )


def test_an_existing_dead_letter_config_and_imported_functions_are_kept(
    stack: cdk.Stack, code_dir: Path
) -> None:
    queue = sqs.Queue(stack, "Queue")
    mine = sqs.Queue(stack, "Mine")
    function = ServerlessFunction(
        stack, "Fn", code_path=code_dir, function_props={"dead_letter_queue": mine}
    )
    send_async_failures_to(function, queue)
    imported = lambda_.Function.from_function_arn(
        stack, "Imported", "arn:aws:lambda:eu-west-1:123456789012:function:x"
    )
    send_async_failures_to(imported, queue)  # nothing to configure, nothing raised
    [fn] = Template.from_stack(stack).find_resources("AWS::Lambda::Function").values()
    assert fn["Properties"]["DeadLetterConfig"]["TargetArn"]["Fn::GetAtt"][0] == (
        stack.get_logical_id(mine.node.default_child)  # type: ignore[arg-type]
    )


def test_synchronous_invokers_acknowledge_the_dlq_rule_on_the_function(
    stack: cdk.Stack, code_dir: Path
) -> None:
    function = ServerlessFunction(stack, "Fn", code_path=code_dir)
    acknowledge_synchronous_invocation(function, "API Gateway")
    assert "HIPAA.Security-LambdaDLQ" in acknowledged_rules(function.function.node.default_child)
