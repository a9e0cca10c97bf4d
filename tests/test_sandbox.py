"""``make sandbox`` end to end: the real CDK CLI deploys the Dev stage to moto, the smoke
flow passes, the report names what moto skipped, and the server is stopped afterwards.

The whole run (bootstrap, synthesis, four stacks, three smoke steps) takes about a minute;
it runs in a subprocess, exactly as the make target runs it, in its serve mode: a browser
shops in the served storefront and watches the dashboard before the run is stopped.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import shared_browser
from tools.assembly import StackArtifact
from tools.cdk_context import ROOT
from tools.sandbox import __main__ as sandbox_main
from tools.sandbox import deploy, emulator, serve, shims, smoke

#: How long the served pages may take to show a change (batching windows, pollers, a
#: loaded machine).
SERVE_MS = 30_000


class Serving:
    """``python -m tools.sandbox --serve`` running: its output so far (read by a thread,
    so the pipe never fills) and what it serves."""

    def __init__(self, workdir: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tools.sandbox", "--serve", "--workdir", str(workdir)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=(workdir / "stderr.log").open("w"),
            text=True,
        )
        self.workdir = workdir
        self.lines: list[str] = []
        self.serving = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if line.strip() == f"- {serve.NOT_LIKE_AWS[-1]}":
                self.serving.set()
        self.serving.set()  # it ended: whoever waits must look at the output

    def url(self, name: str) -> str:
        found = re.search(rf"^  {name}: (\S+)", "".join(self.lines), re.M)
        assert found, f"no {name} URL in the output"
        return found.group(1)

    def stop(self) -> subprocess.CompletedProcess[str]:
        """SIGTERM (a person's Ctrl-C does the same), then the whole output."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(timeout=120)
        self._reader.join(timeout=30)
        stderr = (self.workdir / "stderr.log").read_text()
        return subprocess.CompletedProcess(self.process.args, status, "".join(self.lines), stderr)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serving]:
    """The sandbox deployed and serving; stopped by :func:`sandbox_run` or at the end."""
    serving = Serving(tmp_path_factory.mktemp("sbx"))
    try:
        assert serving.serving.wait(timeout=1200)
        assert serving.process.poll() is None, "".join(serving.lines)[-5000:]
        yield serving
    finally:
        serving.stop()


@pytest.fixture(scope="module")
def sandbox_run(served: Serving) -> subprocess.CompletedProcess[str]:
    """The whole run's output, once the serving sandbox was stopped (tests that drive
    what it serves come before the tests that use this)."""
    return served.stop()


def _signed_in(served: Serving, context: Any, errors: list[str] | None = None) -> Any:
    """A page of the served storefront, signed in as the output says (``errors`` collects
    its page errors)."""
    account = re.search(r"sign in as (\S+) / (\S+);", "".join(served.lines))
    assert account, "the output says whom to sign in as"
    email, password = account.groups()
    shop = context.new_page()
    if errors is not None:
        shop.on("pageerror", lambda error: errors.append(str(error)))
    shop.goto(f"{served.url('storefront')}#/signin")
    shop.fill("#email", email)
    shop.fill("#password", password)
    shop.click("#sign-in")
    shop.fill("#mfa-code", "123456")
    shop.click("#mfa-submit")
    shop.wait_for_selector("#signed-in-as")
    return shop


def _dashboard(served: Serving, context: Any, shop: Any, errors: list[str] | None = None) -> Any:
    """The dashboard, opened from the storefront's link (a new tab, signed in as ``shop``
    is), once live."""
    shop.goto(f"{served.url('storefront')}#/")
    with context.expect_page() as opened:
        shop.click("#dashboard-link")
    dashboard = opened.value
    if errors is not None:
        dashboard.on("pageerror", lambda error: errors.append(str(error)))
    dashboard.locator('#state[data-state="live"]').wait_for()
    return dashboard


def test_a_person_shops_and_watches_the_dashboard_count_it(served: Serving) -> None:
    """What ``make sandbox SERVE=1`` promises: in a browser, sign in to the storefront on
    the deployed Dev stage, look at a product and put it in the cart, open the dashboard
    from the storefront's link (a new tab, signed in) and see those actions counted;
    then order, and see the purchase counted while the dashboard stays open."""
    from playwright.sync_api import expect

    storefront = served.url("storefront")
    context = shared_browser().new_context(viewport={"width": 1200, "height": 800})
    context.set_default_timeout(SERVE_MS)
    errors: list[str] = []
    try:
        shop = _signed_in(served, context, errors)
        shop.goto(f"{storefront}#/product/HOOD-GRY")
        shop.fill("#quantity", "1")
        shop.click("#add-to-cart")
        expect(shop.locator("#cart-count")).to_have_text("1", timeout=SERVE_MS)
        dashboard = _dashboard(served, context, shop, errors)

        def cell(sku: str, kind: str) -> Any:
            return dashboard.locator(f'tr[data-product="{sku}"] td[data-event-type="{kind}"]')

        expect(cell("HOOD-GRY", "view")).to_have_text("1", timeout=SERVE_MS)
        expect(cell("HOOD-GRY", "add_to_cart")).to_have_text("1", timeout=SERVE_MS)
        # The smoke flow's events, counted before the dashboard opened, are there too.
        expect(cell("SBX-MUG-VIEWS", "view")).to_have_text("3", timeout=SERVE_MS)
        shop.goto(f"{storefront}#/cart")
        shop.click("#place-order")
        shop.wait_for_selector("#order-status")
        expect(cell("HOOD-GRY", "purchase")).to_have_text("1", timeout=SERVE_MS)
        assert dashboard.locator("#state").inner_text() == "Live"
    finally:
        context.close()
    assert errors == []


def _approve(served: Serving, order_id: str) -> int:
    """What the output tells a person to run: the admin's decision on a held order, by
    its curl line's token and URL (answered 409 until the review has opened)."""
    line = next(line for line in served.lines if line.strip().startswith("curl -X POST"))
    token = re.search(r"-H 'Authorization: ([^']+)'", line)
    url = re.search(r"(\S+)/orders/ORDER_ID/review", line)
    assert token, line
    assert url, line
    request = urllib.request.Request(
        f"{url.group(1)}/orders/{order_id}/review",
        data=json.dumps({"decision": "approve"}).encode(),
        method="POST",
        headers={"Authorization": token.group(1), "Content-Type": "application/json"},
    )
    status = 0
    for _ in range(300):
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as error:
            status = error.code
            if status != 409:
                return status
        time.sleep(0.1)
    return status


def test_a_large_order_waits_for_the_admin_and_is_counted_once_approved(
    served: Serving,
) -> None:
    """An order over the review amount is held; the admin approves it as the output says;
    the order page then shows it placed and the dashboard counts its purchase."""
    from playwright.sync_api import expect

    storefront = served.url("storefront")
    context = shared_browser().new_context(viewport={"width": 1200, "height": 800})
    context.set_default_timeout(SERVE_MS)
    try:
        shop = _signed_in(served, context)
        shop.goto(f"{storefront}#/product/JACKET-RN")
        shop.fill("#quantity", "10")  # 10 x 119.00: over Dev's 1,000.00
        shop.click("#add-to-cart")
        shop.goto(f"{storefront}#/cart")
        shop.click("#place-order")
        expect(shop.locator("#order-status")).to_have_text("PENDING_REVIEW", timeout=SERVE_MS)
        order_id = shop.locator("#order-id").inner_text()
        assert _approve(served, order_id) == 202
        for _ in range(60):
            shop.reload()
            if shop.locator("#order-status").inner_text() == "PLACED":
                break
            shop.wait_for_timeout(500)
        expect(shop.locator("#order-status")).to_have_text("PLACED", timeout=SERVE_MS)
        dashboard = _dashboard(served, context, shop)
        cell = dashboard.locator('tr[data-product="JACKET-RN"] td[data-event-type="purchase"]')
        expect(cell).to_have_text("1", timeout=SERVE_MS)
    finally:
        context.close()


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
