"""Each ``TracingMode`` as Lambda and the function's code meet it: the template's tracing,
environment and permissions, cdk-nag in every pack, and what the reference app's handler
imports in a fresh interpreter with the environment the template gives it."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, PCIDSS321Checks

from patterns import FunctionDefaults, ServerlessFunction, TracingMode
from patterns.function_defaults import POWERTOOLS_LAYER_VERSION
from stacks.lambda_code import LAMBDAS_DIR, handler_function
from tests.support.policies import ALLOW, IMPLICIT_DENY, Request, evaluate, role_statements
from tools.assembly import validation_findings

PACKS: dict[str, Callable[[cdk.Stack], Any]] = {
    "AwsSolutions": AwsSolutionsChecks,
    "HIPAA": HIPAASecurityChecks,
    "PCI": PCIDSS321Checks,
}


#: A version of AWS's OpenTelemetry layer, as a stage would pin the one of its region.
OTEL_LAYER = 12


def _defaults(mode: TracingMode) -> FunctionDefaults:
    otel = OTEL_LAYER if mode is TracingMode.OPENTELEMETRY else None
    return FunctionDefaults(tracing=mode, service_name="shop", opentelemetry_layer_version=otel)


def _synth(out: Path, mode: TracingMode, pack: str | None = None) -> dict[str, Any]:
    app = cdk.App(outdir=str(out))
    stack = cdk.Stack(
        app, "Service", env=cdk.Environment(account="123456789012", region="eu-west-1")
    )
    ServerlessFunction(
        stack,
        "Products",
        **handler_function("products"),
        defaults=_defaults(mode),
    )
    if pack is not None:
        cdk.Validations.of(stack).add_plugins(PACKS[pack](stack))
    with contextlib.suppress(RuntimeError):
        app.synth()
    template: dict[str, Any] = json.loads((out / "Service.template.json").read_text())
    return template


def _function(template: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any]
    [props] = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function"
    ]
    return props


@pytest.mark.parametrize("mode", list(TracingMode))
def test_each_mode_renders_lambda_tracing_environment_and_permissions(
    tmp_path: Path, mode: TracingMode
) -> None:
    template = _synth(tmp_path, mode)
    function = _function(template)
    variables = function["Environment"]["Variables"]
    assert function.get("TracingConfig") == (
        None if mode is TracingMode.OFF else {"Mode": "Active"}
    )
    assert ("POWERTOOLS_TRACE_DISABLED" in variables) == (mode is not TracingMode.XRAY_SDK)
    otel = mode is TracingMode.OPENTELEMETRY
    assert variables.get("AWS_LAMBDA_EXEC_WRAPPER") == ("/opt/otel-instrument" if otel else None)
    layers = [json.dumps(layer) for layer in function["Layers"]]
    assert len(layers) == (2 if otel else 1)
    assert f"AWSLambdaPowertoolsPythonV3-python314-arm64:{POWERTOOLS_LAYER_VERSION}" in layers[0]
    if otel:
        assert (
            f":lambda:eu-west-1:615299751070:layer:AWSOpenTelemetryDistroPython:{OTEL_LAYER}"
            in (layers[1])
        )
    statements = role_statements(template, function["Role"]["Fn::GetAtt"][0])
    expected = IMPLICIT_DENY if mode is TracingMode.OFF else ALLOW
    assert evaluate(statements, Request("xray:PutTraceSegments", "*")) == expected


@pytest.mark.parametrize("pack", list(PACKS))
def test_no_mode_adds_a_cdk_nag_finding(tmp_path: Path, pack: str) -> None:
    """Whatever a bare function meets in a pack, every mode meets the same and no more."""
    findings = {}
    for mode in TracingMode:
        out = tmp_path / mode.value
        _synth(out, mode, pack)
        findings[mode] = sorted(
            f.rule for f in validation_findings(out).get("Service", []) if f.rule.startswith(pack)
        )
    assert findings[TracingMode.LAMBDA] == findings[TracingMode.XRAY_SDK]
    assert findings[TracingMode.OPENTELEMETRY] == findings[TracingMode.XRAY_SDK]
    assert set(findings[TracingMode.OFF]) <= set(findings[TracingMode.XRAY_SDK])


_IMPORTS = "import sys, products.app; print(sorted(m for m in sys.modules if 'xray' in m))"


@pytest.mark.parametrize("mode", list(TracingMode))
def test_the_handler_imports_the_xray_sdk_only_in_its_mode(
    tmp_path: Path, mode: TracingMode
) -> None:
    """The products handler started with exactly the environment the template gives it."""
    variables = _function(_synth(tmp_path, mode))["Environment"]["Variables"]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("POWERTOOLS_")},
        **variables,
        "AWS_DEFAULT_REGION": "eu-west-1",
        "TABLE_NAME": "shop",
        "PYTHONPATH": str(LAMBDAS_DIR),
    }
    result = subprocess.run(
        [sys.executable, "-c", _IMPORTS], env=env, capture_output=True, text=True, check=True
    )
    imported = result.stdout.strip()
    assert ("aws_xray_sdk" in imported) == (mode is TracingMode.XRAY_SDK), imported


@pytest.mark.parametrize(
    ("value", "mode"),
    [
        ("lambda", TracingMode.LAMBDA),
        (TracingMode.OFF, TracingMode.OFF),
        (lambda_.Tracing.ACTIVE, TracingMode.XRAY_SDK),
        (lambda_.Tracing.DISABLED, TracingMode.OFF),
    ],
)
def test_modes_are_given_by_enum_value_or_cdk_tracing(value: Any, mode: TracingMode) -> None:
    assert FunctionDefaults(tracing=value).tracing is mode


@pytest.mark.parametrize(
    ("value", "error"),
    [(lambda_.Tracing.PASS_THROUGH, ValueError), ("xray", ValueError), (True, TypeError)],
)
def test_other_tracing_values_are_refused_by_name(value: Any, error: type[Exception]) -> None:
    expected = r"^tracing must be a TracingMode \(lambda, off, opentelemetry, xray-sdk\)"
    with pytest.raises(error, match=expected):
        FunctionDefaults(tracing=value)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tracing": "opentelemetry"}, "opentelemetry_layer_version is required with tracing="),
        ({"opentelemetry_layer_version": 3}, "opentelemetry_layer_version=3 needs tracing=open"),
        (
            {"tracing": "opentelemetry", "opentelemetry_layer_version": 0},
            "opentelemetry_layer_version must be between 1 and 10000",
        ),
        (
            {
                "tracing": "opentelemetry",
                "opentelemetry_layer_version": 3,
                "runtime": lambda_.Runtime.NODEJS_22_X,
                "powertools_layer_version": None,
            },
            "runtime 'nodejs22.x' is not a Python runtime, but tracing=opentelemetry",
        ),
    ],
)
def test_the_opentelemetry_layer_is_given_with_its_mode_only(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        FunctionDefaults(**changes)


def test_a_region_published_from_another_account_is_refused_by_name() -> None:
    stack = cdk.Stack(
        cdk.App(), "S", env=cdk.Environment(account="123456789012", region="af-south-1")
    )
    defaults = _defaults(TracingMode.OPENTELEMETRY)
    with pytest.raises(ValueError, match="layer of region 'af-south-1' is not published by"):
        ServerlessFunction(stack, "F", **handler_function("products"), defaults=defaults)


def test_an_environment_agnostic_stack_gets_the_layer_of_its_region() -> None:
    stack = cdk.Stack(cdk.App(), "S")
    defaults = _defaults(TracingMode.OPENTELEMETRY)
    arns = defaults.layer_arns(stack)
    resolved = json.dumps(stack.resolve(arns["OpenTelemetryLayer"]))
    assert '"Ref": "AWS::Region"' in resolved
    assert "AWSOpenTelemetryDistroPython:12" in resolved
