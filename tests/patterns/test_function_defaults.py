from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs

from patterns import FunctionDefaults, TracingMode, retention_from_days
from patterns.deployment import DEPLOYMENT_CONFIGS, deployment_config
from patterns.function_defaults import POWERTOOLS_LAYER_VERSION


def test_defaults_are_secure_and_current() -> None:
    defaults = FunctionDefaults()
    assert defaults.runtime.name == "python3.14"
    assert defaults.architecture.name == "arm64"
    assert defaults.tracing is TracingMode.XRAY_SDK
    assert defaults.log_retention == logs.RetentionDays.ONE_MONTH
    assert defaults.removal_policy == cdk.RemovalPolicy.RETAIN
    assert defaults.deployment_config is None
    assert defaults.environment_variables() == {
        "POWERTOOLS_SERVICE_NAME": "serverless-patterns",
        "POWERTOOLS_METRICS_NAMESPACE": "ServerlessPatterns",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "POWERTOOLS_LOGGER_LOG_EVENT": "false",
    }


def test_environment_order_stage_then_extras() -> None:
    defaults = FunctionDefaults(
        stage="dev", log_event=True, environment={"POWERTOOLS_LOG_LEVEL": "ERROR", "X": "1"}
    )
    variables = defaults.environment_variables()
    assert variables["STAGE"] == "dev"
    assert variables["POWERTOOLS_LOGGER_LOG_EVENT"] == "true"
    assert variables["POWERTOOLS_LOG_LEVEL"] == "ERROR"
    assert variables["X"] == "1"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"memory_size": 64}, "memory_size must be between 128 and 10240 MB, got 64"),
        ({"memory_size": 20000}, "memory_size must be between 128 and 10240 MB"),
        ({"timeout_seconds": 0}, "timeout_seconds must be between 1 and 900 seconds, got 0"),
        ({"timeout_seconds": 901}, "timeout_seconds must be between 1 and 900"),
        ({"log_level": "VERBOSE"}, "log_level must be one of"),
        ({"powertools_layer_version": 0}, "powertools_layer_version must be between"),
        ({"service_name": ""}, "service_name must be a non-empty string"),
    ],
)
def test_invalid_values_are_rejected(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FunctionDefaults(**changes)  # type: ignore[arg-type]


def test_wrong_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="memory_size must be a whole number"):
        FunctionDefaults(memory_size="big")  # type: ignore[arg-type]


def test_replace_validates_too() -> None:
    assert FunctionDefaults().replace(memory_size=512).memory_size == 512
    with pytest.raises(ValueError, match="memory_size"):
        FunctionDefaults().replace(memory_size=1)


def test_layer_arn_follows_region_runtime_and_architecture(stack: cdk.Stack) -> None:
    arn = FunctionDefaults(powertools_layer_version=40).powertools_layer_arn(stack)
    assert arn == (
        "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python314-arm64:40"
    )
    x86 = FunctionDefaults(
        runtime=lambda_.Runtime.PYTHON_3_13, architecture=lambda_.Architecture.X86_64
    ).powertools_layer_arn(stack)
    assert x86 is not None
    assert x86.endswith(f"AWSLambdaPowertoolsPythonV3-python313-x86_64:{POWERTOOLS_LAYER_VERSION}")
    assert FunctionDefaults(powertools_layer_version=None).powertools_layer_arn(stack) is None


def test_layer_arn_in_agnostic_stack_uses_the_region_pseudo_parameter() -> None:
    stack = cdk.Stack(cdk.App(), "Agnostic")
    arn = FunctionDefaults().powertools_layer_arn(stack)
    assert arn is not None
    assert cdk.Token.is_unresolved(arn)
    assert "AWS::Region" in str(stack.resolve(arn))


def test_of_finds_the_nearest_registered_scope(stack: cdk.Stack) -> None:
    assert FunctionDefaults.of(stack) == FunctionDefaults()
    outer = FunctionDefaults(memory_size=512).apply_to(stack)
    inner_scope = cdk.Stack(stack.node.scope, "Other")  # type: ignore[arg-type]
    assert FunctionDefaults.of(inner_scope) == FunctionDefaults()
    child = cdk.NestedStack(stack, "Child")
    assert FunctionDefaults.of(child) is outer
    nearer = FunctionDefaults(memory_size=1024).apply_to(child)
    assert FunctionDefaults.of(child) is nearer


@pytest.mark.parametrize(
    ("days", "expected"),
    [(1, logs.RetentionDays.ONE_DAY), (365, logs.RetentionDays.ONE_YEAR)],
)
def test_retention_from_days(days: int, expected: logs.RetentionDays) -> None:
    assert retention_from_days(days) == expected


@pytest.mark.parametrize("days", [0, -1, 2, 10_000])
def test_retention_rejects_values_cloudwatch_does_not_accept(days: int) -> None:
    with pytest.raises(ValueError, match=f"log_retention_days must be one of .*got {days}"):
        retention_from_days(days)


def test_nine_predefined_deployment_configs() -> None:
    assert len(DEPLOYMENT_CONFIGS) == 9
    assert deployment_config("AllAtOnce") is DEPLOYMENT_CONFIGS["AllAtOnce"]
    with pytest.raises(ValueError, match="deployment preference must be one of AllAtOnce"):
        deployment_config("Canary50Percent1Minute")
