"""Building CDK apps in tests exactly as the CLI builds them from ``cdk.json``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk

from tools.cdk_context import ROOT, cli_context

__all__ = ["ROOT", "cli_context", "new_app"]


def new_app(outdir: Path, **context: Any) -> cdk.App:
    """An empty app with the CLI's context, writing its assembly to ``outdir``."""
    return cdk.App(outdir=str(outdir), context=cli_context(**context))
