#!/usr/bin/env python3
"""The CDK app: one ``ShopStage`` per stage config, or a delivery pipeline deploying them.

This is the only place that reads CDK context: ``stages`` (per-stage overrides such as
account, region and alarm e-mail, from ``cdk.json`` or ``-c``), ``stage`` (synthesize
one stage only, e.g. ``-c stage=dev``) and ``pipeline`` (a repository connection: the app
is then a ``PipelineStack`` whose stages are those ``ShopStage`` s). ``-c`` passes objects
as JSON text, which is parsed here.

Run by the CLI, the context is cdk.json's plus ``-c``. Run as ``python app.py``, the app
starts from cdk.json's context itself, so its feature flags (which decide how tokens
and cross-stack references render, and with them cdk-nag's finding ids) are the same
either way; whatever the CLI passes still takes precedence.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import aws_cdk as cdk

from stacks import ShopStage, StageConfigError, resolve_stages
from stacks.pipeline import PipelineStack
from stacks.pipeline_config import PipelineConfig, PipelineConfigError
from tools.cdk_context import cdk_json_context


def build_app(app: cdk.App) -> list[ShopStage]:
    """Add the stages to ``app`` (inside a pipeline when one is configured); return them."""
    only = app.node.try_get_context("stage")
    configs = resolve_stages(
        overrides=_object_context(app, "stages", StageConfigError),
        only=only,
    )
    stages = [ShopStage(app, config=config) for config in configs]
    pipeline = _object_context(app, "pipeline", PipelineConfigError)
    if pipeline is None:
        return stages
    pipeline_config = PipelineConfig.from_context(pipeline)
    # The pipeline's synth step synthesizes with the same command-line context; stage
    # settings come from the repository's cdk.json, which that step reads as committed.
    context = {"pipeline": pipeline_config.as_context(), "stage": only}
    PipelineStack(
        app,
        "Pipeline",
        config=pipeline_config,
        stages=stages,
        context={key: value for key, value in context.items() if value is not None},
    )
    return stages


def _object_context(app: cdk.App, key: str, error: type[ValueError]) -> Any:
    """Context ``key`` as given in cdk.json, or parsed from the JSON text ``-c`` gives."""
    value = app.node.try_get_context(key)
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as problem:
        raise error(f"context {key!r} is not valid JSON: {problem}") from None


def main() -> int:
    # Defaults only: the App lays the CLI's context (CDK_CONTEXT_JSON) over these.
    app = cdk.App(context=cdk_json_context())
    try:
        build_app(app)
    except StageConfigError as error:
        print(f"Invalid stage configuration: {error}", file=sys.stderr)
        return 1
    except PipelineConfigError as error:
        print(f"Invalid pipeline configuration: {error}", file=sys.stderr)
        return 1
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
