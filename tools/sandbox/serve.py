"""``make sandbox SERVE=1``: after the deployment and the smoke flow, the storefront, the
live dashboard and their local backend on 127.0.0.1, on the Dev stage deployed to the
emulator, until Ctrl-C.

Two processes share the emulator: this one serves the storefront, the dashboard and the
shop API (``tools.local_shop``: the real handlers, on the deployed tables, with the
storefront events' ingest stand-in putting into the deployed stream) and
``GET /live-token``, and polls the orders table's stream for the purchase events function
(stored orders become ``purchase`` events in the stream); a child runs
``tools.local_live`` (the stream's and the counts table's mappings, the live WebSocket
API), whose handlers read other values of the same environment variables (a process has
one environment). The child creates the token
signing secret (moto's CloudFormation has no Secrets Manager secrets) and tells this
process its ARN, so both sides sign and check tokens with it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.assembly import stacks
from tools.cdk_context import ROOT
from tools.event_filters import handler_mapping
from tools.local_live.__main__ import QUIET
from tools.local_live.pollers import TableStreamPoller
from tools.local_live.runtime import InProcessFunction, ProcessEnvironment
from tools.local_live.settings import mapping_settings
from tools.local_shop.demo import DEMO_PRODUCTS
from tools.local_shop.shop import LocalShop
from tools.sandbox.deploy import SandboxError
from tools.sandbox.emulator import Emulator
from tools.sandbox.smoke import stack_resources

#: The stacks whose resources the local backend uses: deployed names, assembly names.
WEB, STREAMING = "Dev-Web", "Dev-Streaming"
_ARTIFACTS = {WEB: "Dev/Web", STREAMING: "Dev/Streaming"}
#: Seconds the live process may take to start (it imports the handlers, reads the stream).
READY_SECONDS = 60.0

#: What a person should know the local backend does not do as AWS would.
NOT_LIKE_AWS = (
    "sign-in is moto's Cognito: any six digits pass as the authenticator code; ID tokens are "
    "checked (signature, issuer, audience, expiry) as API Gateway's authorizer does",
    "no throttling, usage plan quotas or WAF rules; no API cache (every GET reaches the "
    "handler); no CloudFront (the site is served without its CDN)",
    "handlers run in-process, one call at a time: no cold starts, timeouts, memory limits, "
    "reserved concurrency or X-Ray",
    "the ingest API's mapping templates (VTL) are not run: the stand-in puts the records",
    "event source mappings are local pollers (a Kinesis shard read every second, the counts "
    "table's stream every 0.25 s); no bisecting, on-failure destinations or scaling",
    "the WebSocket API is a local server: no idle timeout, 2-hour limit or frame limits",
    "order review: the pipe is a local poller that starts the workflow itself (no "
    "EventBridge between them, no retries of its target); the workflow runs in moto's "
    "Step Functions interpreter",
)
#: The function turning stored orders into purchase events (the orders table's outbox).
PURCHASES = "purchase_events.app.handler"


def outbox_poller(
    emulator: Emulator, web: dict[str, Any], deployed_web: dict[str, str]
) -> tuple[TableStreamPoller, dict[str, str]]:
    """The orders table's stream mapping of the purchase events function (its batching
    and ``FilterCriteria`` from the template), on the deployed table; and the variables
    the function reads besides the stream's name."""
    resources = web["Resources"]
    function_id, mapping = handler_mapping(web, PURCHASES)
    table_id, _attribute = mapping["EventSourceArn"]["Fn::GetAtt"]
    table = emulator.client("dynamodb").describe_table(TableName=deployed_web[table_id])
    variables = resources[function_id]["Properties"]["Environment"]["Variables"]
    strings = {k: v for k, v in variables.items() if isinstance(v, str)}
    poller = TableStreamPoller(
        name="orders-outbox-mapping",
        client=emulator.client("dynamodbstreams"),
        stream_arn=table["Table"]["LatestStreamArn"],
        function=InProcessFunction(PURCHASES),
        mapping=mapping_settings(mapping),
        poll_seconds=0.25,
    )
    return poller, strings


@dataclass(frozen=True)
class Served:
    """What is being served, and where."""

    shop: LocalShop
    live_url: str
    stream: str

    @property
    def dashboard_url(self) -> str:
        return f"{self.shop.url}dashboard.html"


def deployed(emulator: Emulator, stack: str) -> dict[str, str]:
    """Logical id -> physical id of every resource of ``stack`` the emulator created."""
    paginator = emulator.client("cloudformation").get_paginator("list_stack_resources")
    return {
        summary["LogicalResourceId"]: summary["PhysicalResourceId"]
        for page in paginator.paginate(StackName=stack)
        for summary in page["StackResourceSummaries"]
    }


def _templates(assembly: Path) -> dict[str, dict[str, Any]]:
    found = {artifact.display_name: artifact for artifact in stacks(assembly)}
    return {name: found[path].template() for name, path in _ARTIFACTS.items()}


def _wait_ready(process: subprocess.Popen[bytes], ready: Path, log: Path) -> dict[str, str]:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if ready.exists():
            answer: dict[str, str] = json.loads(ready.read_text())
            return answer
        if process.poll() is not None:
            break
        time.sleep(0.2)
    tail = "".join(log.read_text().splitlines(keepends=True)[-20:]) if log.exists() else ""
    raise SandboxError(f"the local live backend did not start; log {log}:\n{tail}")


@contextmanager
def serving(emulator: Emulator, workdir: Path) -> Iterator[Served]:
    """The storefront, the dashboard and their backends on the deployed Dev stage (see
    the module docstring); everything is stopped on leaving."""
    templates = _templates(workdir / "cdk.out")
    web, streaming = deployed(emulator, WEB), deployed(emulator, STREAMING)
    (stream,) = stack_resources(emulator, STREAMING, "AWS::Kinesis::Stream")
    scratch = workdir / "serve"
    scratch.mkdir(parents=True, exist_ok=True)
    files = {name: scratch / f"{name}.json" for name in ("streaming", "existing", "ready")}
    files["streaming"].write_text(json.dumps(templates[STREAMING]))
    files["existing"].write_text(json.dumps(streaming))
    files["ready"].unlink(missing_ok=True)
    log = workdir / "live.log"
    with log.open("wb") as output:
        live = subprocess.Popen(
            [sys.executable, "-m", "tools.local_live"]
            + [f"--{name}={path}" for name, path in files.items() if name != "streaming"]
            + [f"--template={files['streaming']}"],
            cwd=ROOT,
            env=emulator.environ(),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    # The shop's handlers run here: their boto3 talks to the emulator; quieter logs than
    # Dev's (debug, every event) and no metrics lines keep the terminal readable.
    outbox, outbox_variables = outbox_poller(emulator, templates[WEB], web)
    environment = ProcessEnvironment(
        {
            **outbox_variables,
            "STREAM_NAME": stream,
            **emulator.client_env(),
            **QUIET,
            "POWERTOOLS_METRICS_DISABLED": "true",
        }
    )
    try:
        ready = _wait_ready(live, files["ready"], log)
        shop = LocalShop(
            web_template=templates[WEB],
            endpoint=emulator.endpoint,
            tables={k: v for k, v in web.items() if k in _tables(templates[WEB])},
            stream=stream,
            overrides={"TOKEN_SECRET_ARN": ready["tokenSecretArn"]},
            live_url=ready["liveUrl"],
            review=True,
        )
        shop.start()
        outbox.start()
        try:
            shop.add_products(DEMO_PRODUCTS)
            yield Served(shop=shop, live_url=ready["liveUrl"], stream=stream)
        finally:
            outbox.stop()
            shop.stop()
    finally:
        environment.restore()
        live.terminate()
        try:
            live.wait(timeout=15)
        except subprocess.TimeoutExpired:
            live.kill()
            live.wait()


def _tables(template: dict[str, Any]) -> set[str]:
    return {k for k, r in template["Resources"].items() if r["Type"] == "AWS::DynamoDB::Table"}


def describe(served: Served) -> list[str]:
    """The lines telling a person what to open and what is not like AWS."""
    email, password = served.shop.shopper
    return [
        f"storefront: {served.shop.url}",
        f"dashboard: {served.dashboard_url} (the storefront's 'Live dashboard' link opens it "
        "signed in)",
        f"sign in as {email} / {password}; authenticator code: any 6 digits",
        f"shop API: {served.shop.api_url} on Dev's deployed tables; usage events into "
        f"{served.stream}; live updates: {served.live_url}",
        *served.shop.review_lines(),
        "not like AWS here:",
        *(f"  - {line}" for line in NOT_LIKE_AWS),
    ]
