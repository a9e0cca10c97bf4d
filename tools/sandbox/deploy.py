"""Bootstrap and deploy with the real CDK CLI against the emulator; the skipped-types report.

cdk's own output goes to a log file; the progress shows its milestones (a stack starts,
finishes or fails) and, while it is quiet (synthesis, asset publishing), a heartbeat.
"""

from __future__ import annotations

import os
import queue
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from tools.cdk_context import ROOT
from tools.sandbox.emulator import ACCOUNT, REGION, Emulator
from tools.sandbox.ledger import format_report
from tools.sandbox.progress import Progress

#: The stage the sandbox deploys, its stacks' name prefix and the CLI's selector.
STAGE, STACK_PREFIX, STACKS = "dev", "Dev-", "Dev/*"
#: Seconds of cdk silence after which the progress says it is still working.
HEARTBEAT_SECONDS = 15.0
_MILESTONES = ("deploying...", "✅", "❌", "bootstrapped", "Deployment time", "rror", "failed")


class SandboxError(RuntimeError):
    """A sandbox step failed; the message says which and why."""


def is_milestone(line: str) -> bool:
    """Whether a line of cdk's output is worth a progress line."""
    return any(marker in line for marker in _MILESTONES)


def cli_env(emulator: Emulator) -> dict[str, str]:
    """The environment of the CDK CLI: the project's Node and venv first, the emulator."""
    env = emulator.environ()
    env["PATH"] = os.pathsep.join(
        [str(ROOT / "node_modules" / ".bin"), str(ROOT / ".venv" / "bin"), env.get("PATH", "")]
    )
    env["CDK_DISABLE_CLI_TELEMETRY"] = "true"  # no network beyond the emulator
    return env


def run_cdk(args: Sequence[str], emulator: Emulator, log_path: Path, progress: Progress) -> None:
    """Run ``cdk <args>`` in the project root; raise :class:`SandboxError` if it fails."""
    command = ["cdk", *args, "--no-notices"]
    lines: queue.Queue[str | None] = queue.Queue()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        log_path.open("w") as log,
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=cli_env(emulator),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        ) as process,
    ):
        assert process.stdout is not None
        reader = threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True)
        reader.start()
        try:
            _follow(lines, log, progress, args[0])
        except BaseException:  # Ctrl-C or SIGTERM: do not leave cdk running
            process.terminate()
            raise
        status = process.wait()
    if status != 0:
        tail = "".join(log_path.read_text().splitlines(keepends=True)[-15:])
        raise SandboxError(f"cdk {args[0]} exited with {status}; log {log_path}:\n{tail}")


def _follow(lines: queue.Queue[str | None], log: TextIO, progress: Progress, verb: str) -> None:
    count = 0
    while True:
        try:
            line = lines.get(timeout=HEARTBEAT_SECONDS)
        except queue.Empty:
            progress.say(f"  ... cdk {verb} still working ({count} lines of output so far)")
            continue
        if line is None:
            return
        count += 1
        log.write(line)
        if is_milestone(line):
            progress.say(f"  cdk: {line.strip()}")


def _pump(stream: Any, lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def bootstrap(emulator: Emulator, workdir: Path, progress: Progress) -> None:
    """``cdk bootstrap`` of the emulator's account and region."""
    run_cdk(
        ["bootstrap", f"aws://{ACCOUNT}/{REGION}", "--output", str(workdir / "cdk.out")],
        emulator,
        workdir / "bootstrap.log",
        progress,
    )


def deploy(emulator: Emulator, workdir: Path, progress: Progress) -> list[str]:
    """``cdk deploy`` of the Dev stage's stacks, one at a time in dependency order;
    return the deployed stack names (each checked to be CREATE_COMPLETE)."""
    run_cdk(
        [
            "deploy",
            STACKS,
            "-c",
            f"stage={STAGE}",
            "--require-approval",
            "never",
            "--concurrency",
            "1",
            "--progress",
            "events",
            "--output",
            str(workdir / "cdk.out"),
        ],
        emulator,
        workdir / "deploy.log",
        progress,
    )
    cloudformation = emulator.client("cloudformation")
    stacks = {
        s["StackName"]: s["StackStatus"]
        for s in cloudformation.describe_stacks()["Stacks"]
        if s["StackName"].startswith(STACK_PREFIX)
    }
    incomplete = {name: status for name, status in stacks.items() if status != "CREATE_COMPLETE"}
    if not stacks or incomplete:
        raise SandboxError(f"stacks not deployed: {incomplete or 'none found'}")
    return sorted(stacks)


def resource_report(emulator: Emulator) -> str:
    """The deployed stage's resource types: deployed, skipped and failed counts."""
    return format_report(emulator.ledger.records(STACK_PREFIX))


def shim_list(emulator: Emulator) -> str:
    """One paragraph per shim: name, the moto bug, the change."""
    return "\n".join(
        f"  {shim.name}: {shim.moto_bug}.\n    -> {shim.change}." for shim in emulator.shims
    )
