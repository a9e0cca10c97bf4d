"""What Lambda's SQS event source mapping does, against the emulator's queues.

Lambda receives up to ``batch_size`` messages, invokes the function with them as
``Records``, then deletes the messages the function did not name in
``batchItemFailures`` (all of them are kept when the invocation raised). Kept messages
become visible again after the queue's visibility timeout; SQS moves a message to the
dead-letter queue once it has been received more than the redrive policy's
``maxReceiveCount`` times. ``concurrency`` pollers run at once, as Lambda scales a mapping
up to its ``MaximumConcurrency``.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import boto3

#: Invokes the function with one SQS event (``{"Records": [...]}``).
Invoke = Callable[[dict[str, Any]], Any]


@dataclass
class Deliveries:
    """What the poller saw: per message id, how many times it was received, and which
    messages the function processed (they were deleted)."""

    received: collections.Counter[str] = field(default_factory=collections.Counter)
    processed: list[str] = field(default_factory=list)
    bodies: dict[str, str] = field(default_factory=dict)
    invocations: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def queue_from_template(
    resources: Mapping[str, Any], queue_id: str, name: str, *, visibility_timeout: int
) -> tuple[str, str]:
    """Create the queue ``queue_id`` of a template and its dead-letter queue (named after
    ``name``) with the template's redrive policy and retention; ``visibility_timeout``
    stands in for the template's (the test would otherwise wait that long per retry).
    Returns (queue url, dead-letter queue url)."""
    sqs = boto3.client("sqs")
    props = resources[queue_id]["Properties"]
    dead_id = props["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
    dead_props = resources[dead_id]["Properties"]
    dead_url = sqs.create_queue(
        QueueName=f"{name}-dlq",
        Attributes={"MessageRetentionPeriod": str(dead_props["MessageRetentionPeriod"])},
    )["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    redrive = (
        f'{{"deadLetterTargetArn": "{dead_arn}", '
        f'"maxReceiveCount": {props["RedrivePolicy"]["maxReceiveCount"]}}}'
    )
    url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "MessageRetentionPeriod": str(props["MessageRetentionPeriod"]),
            "VisibilityTimeout": str(visibility_timeout),
            "RedrivePolicy": redrive,
        },
    )["QueueUrl"]
    return url, dead_url


def _records(messages: list[dict[str, Any]], arn: str) -> list[dict[str, Any]]:
    return [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m.get("Attributes", {}),
            "messageAttributes": {},
            "md5OfBody": m["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": arn,
            "awsRegion": arn.split(":")[3],
        }
        for m in messages
    ]


def _failed(response: Any, records: list[dict[str, Any]]) -> set[str]:
    items = (response or {}).get("batchItemFailures", [])
    return {str(item["itemIdentifier"]) for item in items}


def _poll_once(url: str, arn: str, invoke: Invoke, batch_size: int, seen: Deliveries) -> int:
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=min(batch_size, 10),
        AttributeNames=["ApproximateReceiveCount"],
    ).get("Messages", [])
    if not messages:
        return 0
    records = _records(messages, arn)
    try:
        failed = _failed(invoke({"Records": records}), records)
    except Exception:
        failed = {r["messageId"] for r in records}  # the whole batch comes back
    done = [r for r in records if r["messageId"] not in failed]
    with seen.lock:
        seen.invocations += 1
        for record in records:
            seen.received[record["messageId"]] += 1
            seen.bodies[record["messageId"]] = record["body"]
        seen.processed.extend(r["messageId"] for r in done)
    if done:
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(n), "ReceiptHandle": r["receiptHandle"]} for n, r in enumerate(done)
            ],
        )
    return len(messages)


def backlog(url: str) -> int:
    """Messages waiting or in flight."""
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def drain(
    url: str,
    invoke: Invoke,
    *,
    batch_size: int = 10,
    concurrency: int = 1,
    timeout: float = 120.0,
    expected: int | None = None,
) -> Deliveries:
    """Poll ``url`` as Lambda would until nothing is left in it, or ``expected`` messages
    were processed (or ``timeout`` seconds passed)."""
    arn = boto3.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    seen = Deliveries()
    deadline = time.monotonic() + timeout

    def finished() -> bool:
        if expected is not None:
            return len(seen.processed) >= expected
        return backlog(url) == 0

    def poller() -> None:
        while time.monotonic() < deadline:
            if _poll_once(url, arn, invoke, batch_size, seen) == 0:
                if finished():
                    return
                time.sleep(0.2)  # messages in flight or not yet visible again

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(poller) for _ in range(concurrency)]:
            future.result()
    return seen
