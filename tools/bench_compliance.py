"""Benchmark rows of the compliance packs: what HIPAA and PCI cost at synthesis.

``rows()`` synthesizes the Prod stage alone with ``app.py`` (a fresh process each time,
jsii start-up included; median of three) twice: with every pack Prod runs (AwsSolutions,
HIPAA Security, PCI DSS 3.2.1) and with AwsSolutions only, everything else unchanged.
"""

from __future__ import annotations

import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stacks import STAGES
from tools.assembly import stacks
from tools.cdk_context import ROOT, cli_context

RUNS = 3


def _synth_seconds(context: dict[str, object], outdir: Path) -> float:
    env = {
        **os.environ,
        "CDK_OUTDIR": str(outdir),
        "CDK_CONTEXT_JSON": json.dumps(context),
        "PATH": f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    start = time.perf_counter()
    subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def _prod_context(packs: list[str] | None) -> dict[str, object]:
    context = cli_context(stage="prod")
    if packs is not None:
        stages = copy.deepcopy(context.get("stages") or {})
        assert isinstance(stages, dict)
        stages.setdefault("prod", {})["compliance_packs"] = packs
        context["stages"] = stages
    return context


def rows() -> list[tuple[str, str]]:
    """Prod synthesis with all its packs, then with AwsSolutions only."""
    result = []
    all_packs = " + ".join(STAGES["prod"].compliance_packs)
    for label, packs in ((all_packs, None), ("AwsSolutions only", ["AwsSolutions"])):
        with tempfile.TemporaryDirectory() as tmp:
            samples = [_synth_seconds(_prod_context(packs), Path(tmp)) for _ in range(RUNS)]
            resources = sum(s.resource_count for s in stacks(Path(tmp)))
        result.append(
            (
                f"app.py, stage Prod, cdk-nag {label} ({resources} resources)",
                f"{statistics.median(samples):.2f} s median, {min(samples):.2f} s fastest",
            )
        )
    return result
