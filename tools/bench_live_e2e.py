"""Benchmark rows of the live dashboard's end-to-end latency: from usage events posted to
the ingest API to the WebSocket message at a client, in the local run, beside Prod's
budget.

- local: the storefront events' ingest stand-in (``tools/local_shop``, ``POST /records``
  with a shopper's ID token, checked against moto's Cognito, put into the stream) and the
  local live backend (``tools/local_live``) on moto with Dev's templates (Kinesis mapping:
  Lambda's 1-second poll, Dev's batch size and 2-second batching window; the counts
  table's stream polled 4 times a second, as Lambda does), a Python WebSocket client
  subscribed to ``all``; :data:`EVENTS` events over a run's counters, posted
  :data:`PER_PUT` at a time every :data:`PUT_EVERY` seconds; latency is each event's post
  to the first message that counts it. Median, p99 and max.
- Prod's budget from Prod's template: ingest to counts (Lambda's poll, the Kinesis
  mapping's batching window, the aggregator's timeout) and counts to the client (the table
  stream's poll, its mapping's window, the broadcaster's timeout), the worst case; and the
  same with the local run's p99 invocation times in place of the timeouts.

    python -m tools.bench_live_e2e
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from tools.capacity_template import function_of, ids

EVENTS = 300
PER_PUT = 25
PUT_EVERY = 0.25
BUDGET_SECONDS = 10
#: Lambda polls a Kinesis shard about once a second, a DynamoDB stream's shard 4 times.
KINESIS_POLL_SECONDS = 1.0
TABLE_STREAM_POLL_SECONDS = 0.25
AGGREGATOR = "usage_aggregator.app.handler"
BROADCASTER = "live_updates.broadcaster.handler"


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0 < q <= 100) of ``values``."""
    if not values or not 0 < q <= 100:
        raise ValueError(f"need values and 0 < q <= 100, got {len(values)} values, q={q}")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


Counter = tuple[str, str]  # (product id, event type)


def event_latencies(
    puts: Mapping[Counter, Sequence[float]], messages: Sequence[tuple[Counter, int, float]]
) -> list[float]:
    """Seconds from each event's put to the first message whose count includes it.

    ``puts`` holds each counter's put times in order; a message ``(counter, count, at)``
    says the counter's first ``count`` events are counted. ``RuntimeError`` if an event
    never reached the client."""
    seen: dict[Counter, int] = defaultdict(int)
    found: list[float] = []
    for counter, count, at in messages:
        times = puts.get(counter, ())
        for index in range(seen[counter], min(count, len(times))):
            found.append(at - times[index])
        seen[counter] = max(seen[counter], count)
    expected = sum(len(times) for times in puts.values())
    if len(found) != expected:
        raise RuntimeError(f"{expected - len(found)} of {expected} events never reached the client")
    return found


def budget(template: Mapping[str, Any]) -> dict[str, float]:
    """Seconds from the stream to the client in the worst case, by part, from a
    ``Streaming`` template: each mapping's poll and batching window, each function's
    timeout (a batch may take that long)."""
    resources = template["Resources"]
    parts: dict[str, float] = {}
    for source, poll in (("Arn", KINESIS_POLL_SECONDS), ("StreamArn", TABLE_STREAM_POLL_SECONDS)):
        mapping, function = _mapping_from(resources, source)
        name = str(function.get("Handler"))
        label = "aggregator" if name == AGGREGATOR else "broadcaster"
        parts[f"{label} poll"] = poll
        parts[f"{label} batching window"] = float(mapping.get("MaximumBatchingWindowInSeconds", 0))
        parts[f"{label} (timeout)"] = float(function.get("Timeout", 3))
    return parts


def with_measured(parts: Mapping[str, float], measured: Mapping[str, float]) -> dict[str, float]:
    """``parts`` with each function's timeout replaced by its measured time."""
    return {
        (key.replace("(timeout)", "(measured)") if key.endswith("(timeout)") else key): (
            measured[key.split(" ")[0]] if key.endswith("(timeout)") else value
        )
        for key, value in parts.items()
    }


def describe(parts: Mapping[str, float], digits: int = 2) -> str:
    """``1 aggregator poll + ... = total``."""
    terms = " + ".join(f"{round(v, digits):g} {k}" for k, v in parts.items())
    return f"{terms} = {round(sum(parts.values()), digits):g}"


def _mapping_from(
    resources: Mapping[str, Any], attribute: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The mapping reading a source's ``attribute`` (``Arn``: Kinesis, ``StreamArn``: a
    table's stream) and the function it invokes."""
    found = []
    for key in ids(dict(resources), "AWS::Lambda::EventSourceMapping"):
        props = resources[key]["Properties"]
        source = props["EventSourceArn"].get("Fn::GetAtt", [None, None])
        if source[1] == attribute and resources[source[0]]["Type"] != "AWS::SQS::Queue":
            found.append(props)
    (mapping,) = found
    return mapping, function_of(dict(resources), mapping["FunctionName"])


#: (label, products, event types): events spread over this many counters.
RUNS = (
    ("30 counters (10 products x 3 event types)", 10, ("view", "click", "add_to_cart")),
    ("each event its own counter", EVENTS, ("view",)),
)


def rows() -> list[tuple[str, str]]:
    """(label, figure) rows for the benchmark table."""
    from tools.local_live.settings import synthesized_template

    dev, prod = synthesized_template("dev"), synthesized_template("prod")
    web = synthesized_template("dev", "Web")
    window = budget(dev)["aggregator batching window"]
    lines: list[tuple[str, str]] = []
    slowest: dict[str, float] = {}
    for label, products, kinds in RUNS:
        seconds, measured = _local_run(dev, web, products, kinds)
        slowest = {k: max(v, slowest.get(k, 0.0)) for k, v in measured.items()}
        lines.append(
            (
                f"Live dashboard, local run, {len(seconds)} events over {label}: ingest API to "
                f"WebSocket message (s; Dev's {window:g} s batching window, 1 s poll)",
                f"median {percentile(seconds, 50):.2f}, p99 {percentile(seconds, 99):.2f}, "
                f"max {max(seconds):.2f} (p99 invocation: aggregator "
                f"{measured['aggregator'] * 1000:,.0f} ms, broadcaster "
                f"{measured['broadcaster'] * 1000:,.0f} ms)",
            )
        )
    prod_parts = budget(prod)
    worst = sum(prod_parts.values())
    lines += [
        (
            f"Prod: stream to dashboard, worst case from the template (s, budget {BUDGET_SECONDS})",
            describe(prod_parts) + (" (over budget)" if worst >= BUDGET_SECONDS else ""),
        ),
        (
            "Prod: stream to dashboard, the local runs' slowest p99 invocations for the "
            "timeouts (s)",
            describe(with_measured(prod_parts, slowest)),
        ),
    ]
    return lines


def _post(url: str, token: str, events: list[dict[str, str]]) -> None:
    import urllib.request

    request = urllib.request.Request(
        url,
        data=json.dumps({"records": events}).encode(),
        method="POST",
        headers={"Authorization": token, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.load(response)
    if answer["failed_record_count"]:
        raise RuntimeError(f"the ingest API refused records: {answer}")


def _local_run(
    template: Mapping[str, Any], web: Mapping[str, Any], products: int, kinds: Sequence[str]
) -> tuple[list[float], dict[str, float]]:
    """Latencies of :data:`EVENTS` events over ``products`` x ``kinds`` counters, and the
    p99 invocation time of each function."""
    import urllib.request

    from websockets.sync.client import connect

    from tools.local_live import LocalLive
    from tools.local_live.http_api import local_id_token
    from tools.local_shop import LocalShop
    from tools.measure import local_aws
    from tools.moto_server import reset

    quiet = {
        "POWERTOOLS_LOG_LEVEL": "ERROR",
        "POWERTOOLS_LOGGER_LOG_EVENT": "false",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
    puts: dict[Counter, list[float]] = defaultdict(list)
    messages: list[tuple[Counter, int, float]] = []
    with local_aws() as endpoint:
        try:
            with LocalLive(template, environment=quiet) as live, contextlib.ExitStack() as after:
                assert live.http is not None
                assert live.websocket is not None
                # The ingest stand-in only: the shop's handlers would set their own
                # variables in this process, where the live backend's are set.
                shop = LocalShop(
                    web_template=web, endpoint=endpoint, stream=live.stream_name, api=False
                )
                shop.start()
                after.callback(shop.stop)
                assert shop.ingest_url is not None
                records_url, shopper = f"{shop.ingest_url}records", shop.id_token()
                request = urllib.request.Request(
                    f"{live.http.url}/live-token",
                    headers={"Authorization": local_id_token("bench")},
                )
                with urllib.request.urlopen(request, timeout=10) as response:
                    token = json.load(response)["token"]
                with connect(f"{live.websocket.url}?token={token}&topics=all") as socket:
                    done = threading.Event()

                    def listen() -> None:
                        while not done.is_set():
                            try:
                                message = json.loads(socket.recv(timeout=1))
                            except TimeoutError:
                                continue
                            if message.get("type") == "count":
                                counter = (message["product_id"], message["event_type"])
                                messages.append((counter, message["count"], time.perf_counter()))

                    listener = threading.Thread(target=listen, daemon=True)
                    listener.start()
                    for start in range(0, EVENTS, PER_PUT):
                        batch = [
                            {
                                "event_id": f"e{n}",
                                "product_id": f"bench-{n % products}",
                                "event_type": kinds[(n // products) % len(kinds)],
                                "occurred_at": "2026-12-01T10:00:00Z",
                            }
                            for n in range(start, min(start + PER_PUT, EVENTS))
                        ]
                        now = time.perf_counter()
                        _post(records_url, shopper, batch)
                        for event in batch:
                            puts[(event["product_id"], event["event_type"])].append(now)
                        time.sleep(PUT_EVERY)
                    deadline = time.monotonic() + 60
                    while time.monotonic() < deadline and not _all_counted(puts, messages):
                        time.sleep(0.1)
                    done.set()
                    listener.join(timeout=5)
                durations = {
                    "aggregator": percentile(live.functions[AGGREGATOR].durations, 99),
                    "broadcaster": percentile(live.functions[BROADCASTER].durations, 99),
                }
        finally:
            reset(endpoint)  # moto's state outlives its server in this process
    return event_latencies(puts, list(messages)), durations


def _all_counted(
    puts: Mapping[Counter, Sequence[float]], messages: Sequence[tuple[Counter, int, float]]
) -> bool:
    latest: dict[Counter, int] = {}
    for counter, count, _ in list(messages):
        latest[counter] = max(count, latest.get(counter, 0))
    return all(latest.get(counter, 0) >= len(times) for counter, times in puts.items())


def main() -> int:
    for label, value in rows():
        print(f"| {label} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
