from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match, Template

from patterns import FunctionDefaults, ServerlessFunction, TracingMode
from patterns.deployment import deployment_config
from patterns.function_defaults import POWERTOOLS_LAYER_VERSION


def only(template: Template, kind: str) -> dict[str, Any]:
    resources: dict[str, Any] = dict(template.find_resources(kind))
    assert len(resources) == 1, f"expected one {kind}, got {len(resources)}"
    return next(iter(resources.values()))


def test_defaults_give_a_traced_json_logging_function_with_alias(
    stack: cdk.Stack, code_dir: Path
) -> None:
    fn = ServerlessFunction(stack, "Fn", code_path=code_dir)
    template = Template.from_stack(stack)

    function = only(template, "AWS::Lambda::Function")["Properties"]
    assert function["Runtime"] == "python3.14"
    assert function["Architectures"] == ["arm64"]
    assert function["Handler"] == "app.handler"
    assert function["MemorySize"] == 256
    assert function["Timeout"] == 10
    assert function["TracingConfig"] == {"Mode": "Active"}
    assert function["LoggingConfig"]["LogFormat"] == "JSON"
    assert function["Layers"] == [
        "arn:aws:lambda:eu-west-1:017000801446:layer:"
        f"AWSLambdaPowertoolsPythonV3-python314-arm64:{POWERTOOLS_LAYER_VERSION}"
    ]
    template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 30})
    template.has_resource("AWS::Logs::LogGroup", {"DeletionPolicy": "Retain"})
    template.has_resource_properties("AWS::Lambda::Alias", {"Name": "live"})
    role = only(template, "AWS::IAM::Role")["Properties"]
    assert "ManagedPolicyArns" not in role
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
                        "Effect": "Allow",
                        "Resource": "*",
                    }
                ]
            }
        },
    )
    alarm = only(template, "AWS::CloudWatch::Alarm")["Properties"]
    assert alarm["MetricName"] == "Errors"
    assert {d["Name"] for d in alarm["Dimensions"]} == {"FunctionName", "Resource"}
    assert "AlarmActions" not in alarm
    template.resource_count_is("AWS::CodeDeploy::DeploymentGroup", 0)
    assert fn.deployment_group is None
    assert fn.alias.alias_name == "live"


def test_scope_defaults_and_arguments_override_in_order(stack: cdk.Stack, code_dir: Path) -> None:
    FunctionDefaults(
        memory_size=1024, timeout_seconds=30, stage="prod", log_level="WARNING"
    ).apply_to(stack)
    ServerlessFunction(
        stack, "Scoped", code_path=code_dir, environment={"TABLE": "t"}, reserved_concurrency=5
    )
    ServerlessFunction(
        stack, "Explicit", code_path=code_dir, memory_size=128, timeout=cdk.Duration.seconds(3)
    )
    functions = Template.from_stack(stack).find_resources("AWS::Lambda::Function")
    scoped = next(f["Properties"] for k, f in functions.items() if k.startswith("Scoped"))
    explicit = next(f["Properties"] for k, f in functions.items() if k.startswith("Explicit"))
    assert (scoped["MemorySize"], scoped["Timeout"]) == (1024, 30)
    assert scoped["ReservedConcurrentExecutions"] == 5
    assert scoped["Environment"]["Variables"]["STAGE"] == "prod"
    assert scoped["Environment"]["Variables"]["TABLE"] == "t"
    assert scoped["LoggingConfig"]["ApplicationLogLevel"] == "WARN"
    assert (explicit["MemorySize"], explicit["Timeout"]) == (128, 3)


def test_deployment_config_creates_a_group_that_rolls_back_on_errors(
    stack: cdk.Stack, code_dir: Path
) -> None:
    hook = lambda_.Function.from_function_arn(
        stack, "Hook", "arn:aws:lambda:eu-west-1:123456789012:function:pre-traffic"
    )
    fn = ServerlessFunction(
        stack,
        "Fn",
        code_path=code_dir,
        deployment_config=deployment_config("Canary10Percent5Minutes"),
        pre_traffic_hook=hook,
    )
    template = Template.from_stack(stack)
    group = only(template, "AWS::CodeDeploy::DeploymentGroup")["Properties"]
    assert group["DeploymentConfigName"] == "CodeDeployDefault.LambdaCanary10Percent5Minutes"
    assert group["AutoRollbackConfiguration"]["Enabled"] is True
    assert len(group["AlarmConfiguration"]["Alarms"]) == 1  # the new version's errors
    template.has_resource(
        "AWS::Lambda::Alias",
        {"UpdatePolicy": {"CodeDeployLambdaAliasUpdate": Match.any_value()}},
    )
    assert fn.deployment_group is not None


def test_deployment_config_can_come_from_the_scope(stack: cdk.Stack, code_dir: Path) -> None:
    FunctionDefaults(deployment_config=deployment_config("AllAtOnce")).apply_to(stack)
    ServerlessFunction(stack, "Fn", code_path=code_dir)
    group = only(Template.from_stack(stack), "AWS::CodeDeploy::DeploymentGroup")["Properties"]
    assert group["DeploymentConfigName"] == "CodeDeployDefault.LambdaAllAtOnce"


def test_async_failures_go_to_the_destination_and_alarm_notifies(
    stack: cdk.Stack, code_dir: Path
) -> None:
    queue = sqs.Queue(stack, "Dlq")
    topic = sns.Topic(stack, "Topic")
    ServerlessFunction(
        stack,
        "Fn",
        code_path=code_dir,
        on_failure=destinations.SqsDestination(queue),
        retry_attempts=0,
        max_event_age=cdk.Duration.hours(1),
        alarm_topic=topic,
    )
    template = Template.from_stack(stack)
    config = only(template, "AWS::Lambda::EventInvokeConfig")["Properties"]
    # The qualifier is the alias's name, taken from its ARN (so the config waits for it).
    assert config["Qualifier"]["Fn::Select"][1]["Fn::Split"][1]["Ref"].startswith("FnAlias")
    assert config["MaximumRetryAttempts"] == 0
    assert config["MaximumEventAgeInSeconds"] == 3600
    assert "OnFailure" in config["DestinationConfig"]
    alarm = only(template, "AWS::CloudWatch::Alarm")["Properties"]
    assert alarm["AlarmActions"] == [{"Ref": stack.get_logical_id(topic.node.default_child)}]  # type: ignore[arg-type]
    assert alarm["OKActions"] == alarm["AlarmActions"]


def test_tracing_can_be_turned_off_and_layer_left_out(stack: cdk.Stack, code_dir: Path) -> None:
    defaults = FunctionDefaults(tracing=TracingMode.OFF, powertools_layer_version=None)
    ServerlessFunction(stack, "Fn", code_path=code_dir, defaults=defaults)
    template = Template.from_stack(stack)
    function = only(template, "AWS::Lambda::Function")["Properties"]
    assert "TracingConfig" not in function
    assert "Layers" not in function
    template.resource_count_is("AWS::IAM::Policy", 1)  # log writes only


def test_function_props_are_merged_last(stack: cdk.Stack, code_dir: Path) -> None:
    ServerlessFunction(
        stack,
        "Fn",
        code_path=code_dir,
        function_props={"ephemeral_storage_size": cdk.Size.mebibytes(2048)},
    )
    function = only(Template.from_stack(stack), "AWS::Lambda::Function")["Properties"]
    assert function["EphemeralStorage"] == {"Size": 2048}


def test_accepts_ready_code(stack: cdk.Stack) -> None:
    ServerlessFunction(stack, "Fn", code=lambda_.Code.from_inline("def handler(e, c): pass"))
    function = only(Template.from_stack(stack), "AWS::Lambda::Function")["Properties"]
    assert "ZipFile" in function["Code"]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({}, ValueError, "code_path is required"),
        ({"code_path": "/no/such/folder"}, ValueError, "code_path must be an existing folder"),
        ({"handler": "handler"}, ValueError, "handler must look like 'module.function'"),
        ({"memory_size": 64}, ValueError, "memory_size must be between 128 and 10240 MB"),
        ({"timeout": cdk.Duration.minutes(16)}, ValueError, "timeout must be between 1 and 900"),
        ({"retry_attempts": 3}, ValueError, "retry_attempts must be between 0 and 2"),
        ({"max_event_age": cdk.Duration.seconds(30)}, ValueError, "max_event_age must be between"),
        ({"timeout": 30}, TypeError, "timeout must be an aws_cdk.Duration"),
    ],
)
def test_bad_arguments_raise_clear_errors(
    stack: cdk.Stack, code_dir: Path, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    if kwargs and "code_path" not in kwargs:
        kwargs = {"code_path": code_dir, **kwargs}
    with pytest.raises(error, match=message):
        ServerlessFunction(stack, "Fn", **kwargs)


def test_code_and_code_path_together_are_rejected(stack: cdk.Stack, code_dir: Path) -> None:
    with pytest.raises(ValueError, match="either code_path or code, not both"):
        ServerlessFunction(stack, "Fn", code_path=code_dir, code=lambda_.Code.from_inline("x"))


def test_hooks_without_deployment_are_rejected(stack: cdk.Stack, code_dir: Path) -> None:
    hook = lambda_.Function.from_function_arn(
        stack, "Hook", "arn:aws:lambda:eu-west-1:123456789012:function:hook"
    )
    with pytest.raises(ValueError, match="need a safe deployment"):
        ServerlessFunction(stack, "Fn", code_path=code_dir, post_traffic_hook=hook)
