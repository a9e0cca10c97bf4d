#!/usr/bin/env python3
"""The CDK app: one ``ShopStage`` per stage config.

This is the only place that reads CDK context: ``stages`` (per-stage overrides such as
account, region and alarm e-mail, from ``cdk.json`` or ``-c``) and ``stage`` (synthesize
one stage only, e.g. ``-c stage=dev``).
"""

from __future__ import annotations

import sys

import aws_cdk as cdk

from stacks import ShopStage, StageConfigError, resolve_stages


def build_app(app: cdk.App) -> list[ShopStage]:
    """Add a stage to ``app`` for each configured stage and return them."""
    configs = resolve_stages(
        overrides=app.node.try_get_context("stages"),
        only=app.node.try_get_context("stage"),
    )
    return [ShopStage(app, config=config) for config in configs]


def main() -> int:
    app = cdk.App()
    try:
        build_app(app)
    except StageConfigError as error:
        print(f"Invalid stage configuration: {error}", file=sys.stderr)
        return 1
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
