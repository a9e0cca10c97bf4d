"""Building CDK apps in tests exactly as the CLI builds them from ``cdk.json``."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import aws_cdk as cdk

ROOT = Path(__file__).resolve().parents[2]


@cache
def _cdk_json() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())
    return loaded


def cli_context(**extra: Any) -> dict[str, Any]:
    """The context ``cdk synth`` gives the app: cdk.json's plus what the CLI adds."""
    config = _cdk_json()
    context = dict(config["context"])
    context.update(
        {
            "aws:cdk:enable-path-metadata": True,
            "aws:cdk:enable-asset-metadata": True,
            "aws:cdk:version-reporting": config.get("versionReporting", True),
        }
    )
    context.update(extra)
    return context


def new_app(outdir: Path, **context: Any) -> cdk.App:
    """An empty app with the CLI's context, writing its assembly to ``outdir``."""
    return cdk.App(outdir=str(outdir), context=cli_context(**context))
