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
from stacks.lambda_code import LAMBDAS_DIR, handler_function
from tests.support.policies import ALLOW, IMPLICIT_DENY, Request, evaluate, role_statements
from tools.assembly import validation_findings

PACKS: dict[str, Callable[[cdk.Stack], Any]] = {
    "AwsSolutions": AwsSolutionsChecks,
    "HIPAA": HIPAASecurityChecks,
    "PCI": PCIDSS321Checks,
}


def _synth(out: Path, mode: TracingMode, pack: str | None = None) -> dict[str, Any]:
    app = cdk.App(outdir=str(out))
    stack = cdk.Stack(
        app, "Service", env=cdk.Environment(account="123456789012", region="eu-west-1")
    )
    ServerlessFunction(
        stack,
        "Products",
        **handler_function("products"),
        defaults=FunctionDefaults(tracing=mode, service_name="shop"),
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
    with pytest.raises(error, match=r"^tracing must be a TracingMode \(lambda, off, xray-sdk\)"):
        FunctionDefaults(tracing=value)
