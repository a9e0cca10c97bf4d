"""The context ``cdk synth`` hands the app: cdk.json's plus what the CLI adds."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@cache
def _cdk_json() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())
    return loaded


def cdk_json_context() -> dict[str, Any]:
    """cdk.json's ``context``: the feature flags and stage settings the CLI would pass."""
    return dict(_cdk_json()["context"])


def cli_context(**extra: Any) -> dict[str, Any]:
    """cdk.json's context, the CLI's own keys, then ``extra``."""
    config = _cdk_json()
    context = cdk_json_context()
    context.update(
        {
            "aws:cdk:enable-path-metadata": True,
            "aws:cdk:enable-asset-metadata": True,
            "aws:cdk:version-reporting": config.get("versionReporting", True),
        }
    )
    context.update(extra)
    return context
