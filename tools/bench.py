"""``make bench``: time synthesis on this machine and write the table to a file.

Rows: the whole app through the CDK CLI (``cdk synth``, what a user waits for), then
each stage synthesized alone by ``app.py`` (``-c stage=<name>``), with resources per
second. Each measurement runs in a fresh process, so jsii start-up is included, and is
repeated; the table gives the median and the fastest run. Pattern modules add their
rows through ``tools/bench_<pattern>.py`` files exposing ``rows()``.

    python -m tools.bench --output BENCHMARKS.md [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from stacks import STAGES
from tools.assembly import stacks
from tools.cdk_context import ROOT, cli_context

Row = tuple[str, str]


def _timed(command: Sequence[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def _repeat(run: Callable[[], float], repeat: int) -> tuple[float, float]:
    samples = [run() for _ in range(repeat)]
    return statistics.median(samples), min(samples)


def synthesis_rows(repeat: int) -> list[Row]:
    """Whole app via the CLI, then each stage alone via app.py."""
    rows: list[Row] = []
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cli"
        median, fastest = _repeat(
            lambda: _timed(["cdk", "synth", "--quiet", "--output", str(out)], env), repeat
        )
        resources = sum(s.resource_count for s in stacks(out))
        rows.append(
            (
                f"cdk synth, all {len(STAGES)} stages ({resources} resources)",
                f"{median:.2f} s median, {fastest:.2f} s fastest, "
                f"{resources / median:.0f} resources/s",
            )
        )
        for name, config in STAGES.items():
            stage_out = Path(tmp) / name
            stage_env = {
                **env,
                "CDK_OUTDIR": str(stage_out),
                "CDK_CONTEXT_JSON": json.dumps(cli_context(stage=name)),
            }
            median, fastest = _repeat(
                lambda e=stage_env: _timed([sys.executable, "app.py"], e),  # type: ignore[misc]
                repeat,
            )
            resources = sum(s.resource_count for s in stacks(stage_out))
            rows.append(
                (
                    f"app.py, stage {config.stage_id} alone ({resources} resources)",
                    f"{median:.2f} s median, {fastest:.2f} s fastest, "
                    f"{resources / median:.0f} resources/s",
                )
            )
    return rows


def pattern_rows() -> list[Row]:
    """Rows from every ``tools/bench_<pattern>.py`` module, in name order."""
    rows: list[Row] = []
    for path in sorted((ROOT / "tools").glob("bench_*.py")):
        module = importlib.import_module(f"tools.{path.stem}")
        rows.extend(module.rows())
    return rows


def render(rows: Sequence[Row]) -> str:
    """The benchmark file: machine, then a Markdown table."""
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` on {time.strftime('%Y-%m-%d')}: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, Node {node.stdout.strip() or 'unknown'}, "
        f"{platform.machine()}.",
        "",
        "| measurement | result |",
        "|---|---|",
        *(f"| {label} | {value} |" for label, value in rows),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rows = [*synthesis_rows(args.repeat), *pattern_rows()]
    text = render(rows)
    args.output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
