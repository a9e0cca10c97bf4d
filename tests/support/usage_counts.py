"""Driving the usage aggregator as Lambda would, against the counts table in the emulator."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import boto3
from botocore.exceptions import ClientError

TABLE = "usage-counts"
Record = dict[str, Any]


class Recorder:
    """Records the backoff waits instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


class Killed(BaseException):
    """The invocation dies mid-way (timeout, out of memory): no handler code runs after it."""


def new_store(sleep: Callable[[float], None] | None = None) -> Any:
    from usage_aggregator.counters import CounterStore

    return CounterStore(
        TABLE, client=boto3.client("dynamodb"), sleep=sleep or Recorder(), base_delay=0.001
    )


def count(event: dict[str, Any], store: Any, **kwargs: Any) -> dict[str, Any]:
    """One invocation of the aggregator on ``event``."""
    from usage_aggregator.aggregation import count_usage_events

    return dict(count_usage_events(event, store, **kwargs))


def counts(table: Any) -> dict[tuple[str, str], int]:
    """Every counter's count (the ledger partition is not a counter)."""
    items = table.scan(ConsistentRead=True)["Items"]
    return {
        (item["product_id"], item["event_type"]): int(item["event_count"])
        for item in items
        if not item["product_id"].startswith("#ledger#")
    }


def failures(response: dict[str, Any]) -> set[str]:
    return {failure["itemIdentifier"] for failure in response["batchItemFailures"]}


def on_request(
    store: Any, operation: str, hook: Callable[[dict[str, Any]], None]
) -> list[dict[str, Any]]:
    """Call ``hook`` with the parameters of every ``operation`` request the store sends
    (before it is sent; an exception it raises is what the store gets). Returns the list
    of those parameters."""
    calls: list[dict[str, Any]] = []
    lock = threading.Lock()

    def record(params: dict[str, Any], **_: Any) -> None:
        with lock:
            calls.append(params)
        hook(params)

    store.client.meta.events.register(f"before-parameter-build.dynamodb.{operation}", record)
    return calls


def count_calls(store: Any, operation: str = "UpdateItem") -> list[dict[str, Any]]:
    return on_request(store, operation, lambda _: None)


def throttling() -> ClientError:
    return ClientError(
        {
            "Error": {
                "Code": "ProvisionedThroughputExceededException",
                "Message": "Rate of requests exceeds the allowed throughput.",
            }
        },
        "UpdateItem",
    )


def throttle(
    store: Any, *, times: int | None = None, product_id: str | None = None
) -> list[dict[str, Any]]:
    """Make DynamoDB throttle UpdateItem: the first ``times`` calls (of one product's
    counters, if given), or every call. Returns the throttled calls' parameters."""
    throttled: list[dict[str, Any]] = []
    lock = threading.Lock()

    def fail(params: dict[str, Any]) -> None:
        with lock:
            if product_id is not None and params["Key"]["product_id"]["S"] != product_id:
                return
            if times is not None and len(throttled) >= times:
                return
            throttled.append(params)
        # Raised before the request is built, so botocore's own retries never see it:
        # the store's backoff must handle it.
        raise throttling()

    on_request(store, "UpdateItem", fail)
    return throttled


def kill_after(store: Any, updates: int) -> None:
    """The invocation dies when it sends its update number ``updates + 1``."""
    sent = on_request(store, "UpdateItem", lambda _: None)

    def die(params: dict[str, Any]) -> None:
        if len(sent) > updates:
            raise Killed

    on_request(store, "UpdateItem", die)


def deliver(
    records: list[Record],
    invoke: Callable[[list[Record]], dict[str, Any]],
    *,
    retries: int = 5,
) -> list[list[Record]]:
    """Deliver ``records`` (one shard) as Lambda's event source mapping does with partial
    batch responses, bisect on error and ``retries`` retries; return the batches it gave
    up on (their first and last records go to the on-failure queue)."""
    abandoned: list[list[Record]] = []

    def attempt(batch: list[Record], retries_left: int) -> None:
        try:
            response = invoke(batch)
        except (Exception, Killed):  # a function error: split the batch, retry the halves
            if retries_left == 0:
                abandoned.append(batch)
            elif len(batch) > 1:
                half = len(batch) // 2
                attempt(batch[:half], retries_left - 1)
                attempt(batch[half:], retries_left - 1)
            else:
                attempt(batch, retries_left - 1)
            return
        failed = failures(response)
        if not failed:
            return
        lowest = min(int(sequence) for sequence in failed)
        tail = [r for r in batch if int(r["kinesis"]["sequenceNumber"]) >= lowest]
        if retries_left == 0:
            abandoned.append(tail)
        else:
            attempt(tail, retries_left - 1)

    attempt(records, retries)
    return abandoned


def on_failure_message(batch: list[Record], stream_arn: str) -> dict[str, Any]:
    """The record Lambda sends to the on-failure destination for an abandoned batch."""
    shard_id = batch[0]["eventID"].partition(":")[0]
    return {
        "requestContext": {
            "requestId": "c9b8fa9f-5a7f-4d4e-9c0d-3a7a7a0f7d31",
            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:aggregator:live",
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": 6,
        },
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "1",
            "functionError": "Unhandled",
        },
        "version": "1.0",
        "timestamp": "2026-11-23T10:15:07.021Z",
        "KinesisBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": batch[0]["kinesis"]["sequenceNumber"],
            "endSequenceNumber": batch[-1]["kinesis"]["sequenceNumber"],
            "approximateArrivalOfFirstRecord": "2026-11-23T10:15:04.835Z",
            "approximateArrivalOfLastRecord": "2026-11-23T10:15:05.580Z",
            "batchSize": len(batch),
            "streamArn": stream_arn,
        },
    }
