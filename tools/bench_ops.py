"""Benchmark rows of the operations-automation pattern.

``rows()`` measures, in a fresh Python process so no warm cache flatters it, the
synthesis time of the ``Operations`` stack of the dev stage (with the stage's function
defaults and cdk-nag checks), median of three fresh apps in one process after jsii has
started. The handlers' cold imports are in :mod:`tools.bench_cold`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The handler packages of the Operations stack.
HANDLERS = ("ebs_snapshots", "image_thumbnail", "incident_recorder", "sg_remediation")
SYNTH_RUNS = 3

_SYNTH = """
import json, statistics, tempfile, time
from pathlib import Path
import aws_cdk as cdk
from stacks.compliance import add_compliance_checks
from stacks.function_settings import function_defaults
from stacks.operations import OperationsStack
from stacks.stages import DEV

# cdk.json's context holds the feature flags the CLI would give the app.
context = json.loads(Path("cdk.json").read_text())["context"]
times = []
for _ in range({runs}):
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        app = cdk.App(outdir=out, context=context)
        stage = cdk.Stage(app, DEV.stage_id)
        function_defaults(DEV).apply_to(stage)
        add_compliance_checks(stage, DEV)
        OperationsStack(stage, "Operations", config=DEV)
        app.synth()
        times.append(time.perf_counter() - start)
print(statistics.median(times))
"""


def _python(code: str, *, pythonpath: list[Path], extra_env: dict[str, str]) -> float:
    env = {
        **os.environ,
        **extra_env,
        "PYTHONPATH": os.pathsep.join(str(p) for p in pythonpath),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    node_bin = ROOT / "node_modules" / ".bin"
    if node_bin.is_dir():
        env["PATH"] = f"{node_bin}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def synthesis_seconds() -> float:
    """Median seconds to build and synthesize the dev ``Operations`` stack."""
    return _python(_SYNTH.format(runs=SYNTH_RUNS), pythonpath=[ROOT], extra_env={})


def rows() -> list[tuple[str, str]]:
    """(label, value) rows for the benchmark table."""
    return [
        (
            "Operations stack synthesis, dev stage (s, median of 3)",
            f"{synthesis_seconds():.2f}",
        )
    ]


if __name__ == "__main__":
    for label, value in rows():
        print(f"{label}: {value}")
