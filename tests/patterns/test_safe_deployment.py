"""Safe deployments judged as CodeDeploy judges them: during a canary, which errors roll
the deployment back, read from the deployment group and alarms the template holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template
from constructs import Construct

from patterns import ServerlessFunction
from patterns.deployment import deployment_config
from tests.support.templates import only

CANARY = deployment_config("Canary10Percent5Minutes")
OLD, NEW = "7", "8"


def _canary_function(stack: cdk.Stack, code_dir: Path, **kwargs: Any) -> Template:
    ServerlessFunction(stack, "Fn", code_path=code_dir, deployment_config=CANARY, **kwargs)
    return Template.from_stack(stack)


def _datapoints(old_errors: int, new_errors: int) -> list[tuple[dict[str, str], int]]:
    """Lambda's Errors datapoints of one minute of a 10 % canary through the ``live``
    alias: per executed version, and for the alias as a whole."""
    alias = {"FunctionName": "fn", "Resource": "fn:live"}
    return [
        ({**alias, "ExecutedVersion": OLD}, old_errors),
        ({**alias, "ExecutedVersion": NEW}, new_errors),
        (alias, old_errors + new_errors),
    ]


def _render(value: Any) -> str:
    """A dimension value as CloudWatch sees it once deployed: the function's name, the
    alias ``fn:live``, the version being deployed."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        return "".join(_render(part) for part in value["Fn::Join"][1])
    if "Fn::GetAtt" in value and value["Fn::GetAtt"][1] == "Version":
        return NEW
    return "fn"  # Ref to the function


def _rolls_back(template: Template, old_errors: int, new_errors: int) -> bool:
    """Whether any alarm of the deployment group is in ALARM after this minute."""
    group = only(template, "AWS::CodeDeploy::DeploymentGroup")["Properties"]
    names = [a["Name"]["Ref"] for a in group["AlarmConfiguration"]["Alarms"]]
    alarms = template.find_resources("AWS::CloudWatch::Alarm")
    for name in names:
        alarm = alarms[name]["Properties"]
        dimensions = {d["Name"]: _render(d["Value"]) for d in alarm["Dimensions"]}
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["EvaluationPeriods"] == 1
        for labels, errors in _datapoints(old_errors, new_errors):
            if labels == dimensions and errors >= alarm["Threshold"]:
                return True
    return False


def test_the_new_versions_errors_roll_back_the_canary(stack: cdk.Stack, code_dir: Path) -> None:
    template = _canary_function(stack, code_dir)
    assert _rolls_back(template, old_errors=0, new_errors=1)


def test_the_old_versions_errors_do_not_roll_back_a_healthy_new_version(
    stack: cdk.Stack, code_dir: Path
) -> None:
    template = _canary_function(stack, code_dir)
    assert not _rolls_back(template, old_errors=25, new_errors=0)


def test_the_version_alarm_moves_to_the_new_version_before_the_alias_shifts(
    stack: cdk.Stack, code_dir: Path
) -> None:
    template = _canary_function(stack, code_dir)
    alias = only(template, "AWS::Lambda::Alias")
    alarms = template.find_resources("AWS::CloudWatch::Alarm")
    version_alarm = next(
        k
        for k, a in alarms.items()
        if any(d["Name"] == "ExecutedVersion" for d in a["Properties"]["Dimensions"])
    )
    assert version_alarm in alias["DependsOn"]


def _logical_id(stack: cdk.Stack, construct: Construct) -> str:
    resource = construct.node.default_child
    assert isinstance(resource, cdk.CfnElement)
    return stack.get_logical_id(resource)


def test_deployments_notify_a_topic_and_can_use_a_given_role(
    stack: cdk.Stack, code_dir: Path
) -> None:
    topic = sns.Topic(stack, "Deployments")
    role = iam.Role(stack, "Deployer", assumed_by=iam.ServicePrincipal("codedeploy.amazonaws.com"))
    template = _canary_function(stack, code_dir, deployment_topic=topic, deployment_role=role)
    group = only(template, "AWS::CodeDeploy::DeploymentGroup")["Properties"]
    (trigger,) = group["TriggerConfigurations"]
    assert trigger["TriggerTargetArn"] == {"Ref": _logical_id(stack, topic)}
    assert {"DeploymentFailure", "DeploymentRollback"} <= set(trigger["TriggerEvents"])
    assert group["ServiceRoleArn"] == {"Fn::GetAtt": [_logical_id(stack, role), "Arn"]}
    template.resource_count_is("AWS::IAM::Role", 2)  # the function's and the given one
    publish = [
        s
        for p in template.find_resources("AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s["Action"] == "sns:Publish"
    ]
    assert publish, "the deployment role may publish to the topic"


def test_a_function_can_opt_out_of_the_stages_safe_deployment(
    stack: cdk.Stack, code_dir: Path
) -> None:
    fn = ServerlessFunction(
        stack, "Hook", code_path=code_dir, deployment_config=CANARY, safe_deployment=False
    )
    assert fn.deployment_group is None
    Template.from_stack(stack).resource_count_is("AWS::CodeDeploy::DeploymentGroup", 0)


def test_a_hook_with_a_canary_of_its_own_is_rejected(stack: cdk.Stack, code_dir: Path) -> None:
    hook = ServerlessFunction(stack, "Hook", code_path=code_dir, deployment_config=CANARY)
    with pytest.raises(ValueError, match="has a safe deployment of its own"):
        ServerlessFunction(
            stack,
            "Fn",
            code_path=code_dir,
            deployment_config=CANARY,
            pre_traffic_hook=hook.function,
        )


def test_a_hook_without_a_canary_is_accepted(stack: cdk.Stack, code_dir: Path) -> None:
    hook = ServerlessFunction(
        stack, "Hook", code_path=code_dir, deployment_config=CANARY, safe_deployment=False
    )
    fn = ServerlessFunction(
        stack, "Fn", code_path=code_dir, deployment_config=CANARY, post_traffic_hook=hook.function
    )
    assert fn.deployment_group is not None
    group = only(Template.from_stack(stack), "AWS::CodeDeploy::DeploymentGroup")
    assert group["Properties"]["DeploymentConfigName"].endswith("Canary10Percent5Minutes")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"safe_deployment": "no"}, TypeError, "safe_deployment must be a bool"),
        (
            {
                "safe_deployment": False,
                "deployment_topic": sns.Topic.from_topic_arn(
                    cdk.Stack(), "T", "arn:aws:sns:eu-west-1:123456789012:deployments"
                ),
            },
            ValueError,
            "need a safe deployment",
        ),
    ],
)
def test_safe_deployment_mistakes_are_named(
    stack: cdk.Stack, code_dir: Path, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        ServerlessFunction(stack, "Fn", code_path=code_dir, deployment_config=CANARY, **kwargs)


def test_imported_hooks_are_accepted(stack: cdk.Stack, code_dir: Path) -> None:
    hook = lambda_.Function.from_function_arn(
        stack, "Imported", "arn:aws:lambda:eu-west-1:123456789012:function:hook"
    )
    fn = ServerlessFunction(
        stack, "Fn", code_path=code_dir, deployment_config=CANARY, pre_traffic_hook=hook
    )
    assert fn.deployment_group is not None
