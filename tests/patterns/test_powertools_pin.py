"""Powertools is pinned in one place: the layer the functions get carries the release the
dev extra installs, which is the one the handler tests import."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

import aws_cdk as cdk

from patterns import FunctionDefaults
from patterns.function_defaults import (
    POWERTOOLS_LAYER_VERSION,
    POWERTOOLS_LAYERS,
    POWERTOOLS_VERSION,
)
from tools.cdk_context import ROOT


def _dev_pin() -> str:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = [
        match.group(1)
        for requirement in extras["optional-dependencies"]["dev"]
        if (match := re.fullmatch(r"aws-lambda-powertools(?:\[[\w,]+\])?==([\w.]+)", requirement))
    ]
    assert len(pins) == 1, f"the dev extra must pin aws-lambda-powertools exactly once: {pins}"
    return pins[0]


def test_the_dev_extra_pins_the_release_the_layer_carries() -> None:
    assert _dev_pin() == POWERTOOLS_VERSION
    assert POWERTOOLS_LAYERS[POWERTOOLS_VERSION] == POWERTOOLS_LAYER_VERSION


def test_the_installed_powertools_is_the_pinned_release() -> None:
    from aws_lambda_powertools.shared.version import VERSION

    assert metadata.version("aws-lambda-powertools") == VERSION == POWERTOOLS_VERSION


def test_functions_get_the_layer_of_the_pinned_release() -> None:
    stack = cdk.Stack(env=cdk.Environment(account="123456789012", region="eu-west-1"))
    arn = FunctionDefaults().powertools_layer_arn(stack)
    assert arn is not None
    assert arn.endswith(
        f":layer:AWSLambdaPowertoolsPythonV3-python314-arm64:{POWERTOOLS_LAYERS[POWERTOOLS_VERSION]}"
    )
