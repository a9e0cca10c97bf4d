"""Benchmark rows of the live-updates pattern: the broadcaster's fan-out rate.

N connections subscribed to ``all`` in the connections table (DynamoDB in a local moto
server), then a few counter changes pushed through the broadcaster's own code
(``Broadcaster.push``: the subscribers' query, then ``PostToConnection`` per connection)
to a loopback stand-in for the stage's connections endpoint (``tools/live_endpoint.py``).
Every message is checked to have arrived. Rows compare one post at a time with the
pattern's default of 16, on an endpoint that answers at once and on one that takes 10 ms
per post (closer to a real API Gateway round trip, where the bound matters).

    python -m tools.bench_live
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any

from patterns.live_updates import CONNECTIONS_PARTITION_KEY, CONNECTIONS_SORT_KEY
from tools.live_endpoint import ConnectionsEndpoint
from tools.measure import local_aws

CONNECTIONS = 500
CHANGES = 4
TABLE = "bench-live-connections"
#: (posts at a time, endpoint latency in seconds) per row.
SETTINGS = ((1, 0.0), (16, 0.0), (1, 0.01), (16, 0.01))


@dataclass(frozen=True)
class FanOut:
    """One run: messages delivered and how long the pushes took."""

    messages: int
    seconds: float
    max_in_flight: int

    @property
    def rate(self) -> float:
        return self.messages / self.seconds


def rows() -> list[tuple[str, str]]:
    """(label, measured value) rows for the benchmark table."""
    with local_aws():
        create_table()
        connect(CONNECTIONS)
        runs = [(c, d, fan_out(CONNECTIONS, CHANGES, c, d)) for c, d in SETTINGS]
    return [
        (
            f"Live broadcaster, {CHANGES} changes to {CONNECTIONS} connections, {c} post(s) at a "
            f"time, endpoint latency {delay * 1000:.0f} ms (messages/s)",
            f"{run.rate:,.0f} ({run.messages:,} messages in {run.seconds:.2f} s, "
            f"at most {run.max_in_flight} in flight)",
        )
        for c, delay, run in runs
    ]


def _import_handlers() -> None:
    from stacks.lambda_code import LAMBDAS_DIR

    if str(LAMBDAS_DIR) not in sys.path:
        sys.path.insert(0, str(LAMBDAS_DIR))


def create_table() -> None:
    """The connections table with the pattern's key schema, in the emulator."""
    import boto3

    boto3.client("dynamodb").create_table(
        TableName=TABLE,
        KeySchema=[
            {"AttributeName": CONNECTIONS_PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": CONNECTIONS_SORT_KEY, "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"}
            for name in (CONNECTIONS_PARTITION_KEY, CONNECTIONS_SORT_KEY)
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def connect(count: int) -> None:
    """``count`` connections, each subscribed to ``all``, as ``$connect`` records them."""
    _import_handlers()
    from live_updates.connections import ConnectionStore

    store = ConnectionStore(TABLE)
    for number in range(count):
        store.connect(f"conn{number:05d}=", "bench", ("all",))


def _record(sequence: int, count: int) -> dict[str, Any]:
    image = {
        "product_id": {"S": "p1"},
        "event_type": {"S": "view"},
        "event_count": {"N": str(count)},
    }
    return {
        "eventName": "MODIFY",
        "eventSource": "aws:dynamodb",
        "dynamodb": {"NewImage": image, "SequenceNumber": str(sequence)},
    }


def fan_out(connections: int, changes: int, concurrency: int, delay: float) -> FanOut:
    """Push ``changes`` records to every connection, ``concurrency`` posts at a time, to an
    endpoint answering after ``delay`` seconds; ``RuntimeError`` if a message is missing."""
    _import_handlers()
    from live_updates.broadcaster import Broadcaster

    with ConnectionsEndpoint(delay_seconds=delay) as endpoint:
        broadcaster = Broadcaster(TABLE, endpoint.callback_url, "bench", concurrency)
        records = [_record(number + 1, number + 1) for number in range(changes)]
        broadcaster.push(records[0])  # warm up: the client's connections, the pool's threads
        endpoint.received.clear()
        start = time.perf_counter()
        for record in records:
            broadcaster.push(record)
        seconds = time.perf_counter() - start
        broadcaster.pool.shutdown()
        delivered = endpoint.delivered()
        if len(delivered) != connections or any(len(m) != changes for m in delivered.values()):
            raise RuntimeError(f"missing messages: {len(delivered)} of {connections} reached")
        return FanOut(connections * changes, seconds, endpoint.max_in_flight)


if __name__ == "__main__":
    for label, value in rows():
        print(f"{label}: {value}")
