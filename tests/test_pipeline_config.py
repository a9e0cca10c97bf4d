"""The ``pipeline`` context: validated field by field, one line and exit 1 from the app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from stacks.pipeline_config import PipelineConfig, PipelineConfigError
from tests.support.cdk_app import ROOT
from tests.support.pipeline_context import PIPELINE


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"connection_arn": None}, "connection_arn: is required"),
        ({"repository": None}, "repository: is required"),
        ({"account": None}, "account: is required"),
        ({"region": None}, "region: is required"),
        ({"connection_arn": "arn:aws:s3:::bucket"}, "connection_arn: must be a CodeConnections"),
        ({"repository": "just-a-name"}, "repository: must be 'owner/name'"),
        ({"branch": "a..b"}, "branch: must be a git branch name"),
        ({"branch": ""}, "branch: must be a git branch name"),
        ({"account": "42"}, "account: must be a 12-digit AWS account id, got '42'"),
        ({"account": 111111111111}, "account: must be a 12-digit AWS account id"),
        ({"region": "Europe"}, "region: must be an AWS region"),
        ({"approval_before": "prod"}, "approval_before: must be a list of stage names"),
        ({"approval_before": [1]}, "approval_before: must be a list of stage names"),
        ({"colour": "blue"}, "colour: is not a pipeline setting"),
    ],
)
def test_invalid_pipeline_context_names_the_field(change: dict[str, Any], message: str) -> None:
    context = {**PIPELINE, **change}
    context = {k: v for k, v in context.items() if v is not None}
    with pytest.raises(PipelineConfigError, match=rf"^pipeline: {message}"):
        PipelineConfig.from_context(context)


def test_pipeline_context_must_be_an_object() -> None:
    with pytest.raises(PipelineConfigError, match="context 'pipeline' must be an object"):
        PipelineConfig.from_context(["owner/repo"])


def test_approval_stage_must_be_deployed() -> None:
    config = PipelineConfig.from_context({**PIPELINE, "approval_before": ["qa"]})
    with pytest.raises(
        PipelineConfigError,
        match=r"^pipeline: approval_before: unknown stage 'qa'; the pipeline deploys dev, prod$",
    ):
        config.check_stages(["dev", "prod"])


def test_config_round_trips_through_its_context() -> None:
    config = PipelineConfig.from_context(PIPELINE)
    assert config.branch == "main"
    assert config.approval_before == ("prod",)
    assert PipelineConfig.from_context(config.as_context()) == config


def _run_app(context: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env={**os.environ, "CDK_CONTEXT_JSON": json.dumps(context)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("context", "line"),
    [
        (
            {"pipeline": json.dumps({**PIPELINE, "account": "42"})},
            "Invalid pipeline configuration: pipeline: account: "
            "must be a 12-digit AWS account id, got '42'",
        ),
        (
            {"pipeline": json.dumps({"repository": "owner/repo"})},
            "Invalid pipeline configuration: pipeline: connection_arn: is required",
        ),
        (
            {"pipeline": '{"repository": '},
            "Invalid pipeline configuration: context 'pipeline' is not valid JSON: "
            "Expecting value: line 1 column 16 (char 15)",
        ),
        (
            {"stages": "{prod}", "pipeline": json.dumps(PIPELINE)},
            "Invalid stage configuration: context 'stages' is not valid JSON: "
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
    ],
    ids=["bad-field", "missing-field", "not-json", "stages-not-json"],
)
def test_app_fails_with_one_line(context: dict[str, Any], line: str) -> None:
    result = _run_app(context)
    assert result.returncode == 1
    assert result.stderr.strip() == line
