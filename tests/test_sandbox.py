"""``make sandbox`` end to end: the real CDK CLI deploys the Dev stage to moto, the smoke
flow passes, the report names what moto skipped, and the server is stopped afterwards.

The whole run (bootstrap, synthesis, four stacks, three smoke steps) takes about a minute;
it runs in a subprocess, exactly as the make target runs it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tools.assembly import StackArtifact
from tools.cdk_context import ROOT
from tools.sandbox import __main__ as sandbox_main
from tools.sandbox import deploy, emulator, shims, smoke


@pytest.fixture(scope="module")
def sandbox_run(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """``python -m tools.sandbox`` once, without any AWS settings of the test session."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run(
        [sys.executable, "-m", "tools.sandbox", "--workdir", str(tmp_path_factory.mktemp("sbx"))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )


def test_sandbox_exits_zero(sandbox_run: subprocess.CompletedProcess[str]) -> None:
    assert sandbox_run.returncode == 0, sandbox_run.stdout[-5000:] + sandbox_run.stderr[-3000:]
    assert "sandbox: PASS" in sandbox_run.stdout


def test_bootstrap_and_every_dev_stack_deployed_with_the_cli(
    sandbox_run: subprocess.CompletedProcess[str],
) -> None:
    out = sandbox_run.stdout
    assert "Environment aws://123456789012/us-east-1 bootstrapped" in out
    for stack in ("Foundation", "Operations", "DataLake", "Web", "Streaming"):
        assert f"✅  Dev/{stack} (Dev-{stack})" in out
    assert "deployed Dev-DataLake, Dev-Foundation, Dev-Operations, Dev-Streaming, Dev-Web" in out


@pytest.mark.parametrize("step", [name for name, _ in smoke.STEPS])
def test_each_smoke_step_passed(sandbox_run: subprocess.CompletedProcess[str], step: str) -> None:
    assert f"smoke: {step}: PASS" in sandbox_run.stdout


def _row(out: str, resource_type: str) -> tuple[int, int, int]:
    match = re.search(rf"^{re.escape(resource_type)}\s+(\d+)\s+(\d+)\s+(\d+)$", out, re.M)
    assert match, f"no report row for {resource_type}"
    deployed, skipped, failed = (int(n) for n in match.groups())
    return deployed, skipped, failed


@pytest.mark.parametrize(
    ("resource_type", "counts"),
    [
        ("AWS::CloudFront::Distribution", (0, 1, 0)),
        ("AWS::Glue::Crawler", (0, 2, 0)),
        ("Custom::S3AutoDeleteObjects", (0, 8, 0)),
        ("AWS::Kinesis::Stream", (1, 0, 0)),
    ],
)
def test_report_lists_what_moto_deployed_and_skipped(
    sandbox_run: subprocess.CompletedProcess[str],
    resource_type: str,
    counts: tuple[int, int, int],
) -> None:
    assert _row(sandbox_run.stdout, resource_type) == counts


def test_every_function_alias_of_dev_is_deployed(
    sandbox_run: subprocess.CompletedProcess[str], stack_artifacts: dict[str, StackArtifact]
) -> None:
    """Every alias the Dev templates define (each function's ``live`` alias) is created."""
    aliases = sum(
        1
        for name, artifact in stack_artifacts.items()
        if name.startswith("Dev/")
        for resource in artifact.template()["Resources"].values()
        if resource["Type"] == "AWS::Lambda::Alias"
    )
    assert aliases >= 14
    assert _row(sandbox_run.stdout, "AWS::Lambda::Alias") == (aliases, 0, 0)


def test_no_resource_failed(sandbox_run: subprocess.CompletedProcess[str]) -> None:
    assert _row(sandbox_run.stdout, "total")[2] == 0


def test_every_shim_is_listed(sandbox_run: subprocess.CompletedProcess[str]) -> None:
    for shim in shims.SHIMS:
        assert f"  {shim.name}: {shim.moto_bug}." in sandbox_run.stdout


def test_server_is_stopped_afterwards(sandbox_run: subprocess.CompletedProcess[str]) -> None:
    match = re.search(r"moto server on 127\.0\.0\.1:(\d+)", sandbox_run.stdout)
    assert match
    port = int(match.group(1))
    assert f"moto server stopped; port {port} closed" in sandbox_run.stdout
    assert not emulator.port_is_open(port)


@pytest.mark.parametrize(
    ("failure", "status"),
    [(deploy.SandboxError("cdk bootstrap exited with 1"), 1), (KeyboardInterrupt(), 130)],
)
def test_server_is_stopped_when_a_step_fails_or_is_interrupted(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    failure: BaseException,
    status: int,
) -> None:
    def fail(*_args: object) -> None:
        raise failure

    monkeypatch.setattr(deploy, "bootstrap", fail)
    monkeypatch.setattr(signal, "signal", lambda *_args: None)  # keep pytest's handlers
    assert sandbox_main.main(["--workdir", str(tmp_path)]) == status
    match = re.search(r"moto server on 127\.0\.0\.1:(\d+)", capsys.readouterr().out)
    assert match
    assert not emulator.port_is_open(int(match.group(1)))
