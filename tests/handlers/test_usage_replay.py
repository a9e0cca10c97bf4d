"""The failure queue's ranges replayed from the stream (Kinesis and SQS in the emulator).

Each test loses records the way production would (a counter throttled through all of
Lambda's retries, so Lambda sends the range to the on-failure queue and moves on), lets
later batches advance the same counters, then runs ``tools.replay_failures`` and checks
every counter against the events that were put into the stream.
"""

from __future__ import annotations

import base64
import json
import random
from collections import Counter
from typing import Any

import boto3
import pytest

from tests.support.usage_counts import (
    TABLE,
    Record,
    count,
    counts,
    deliver,
    kill_after,
    new_store,
    on_failure_message,
    throttle,
)
from tests.support.usage_events import expected_counts, kinesis_record, usage_event
from tools import replay_failures

STREAM = "usage-events"
PRODUCTS = ("p1", "p2", "p3", "p4", "p5")
TYPES = ("view", "click", "add_to_cart")


@pytest.fixture
def stream(table: Any) -> dict[str, Any]:
    kinesis = boto3.client("kinesis")
    kinesis.create_stream(StreamName=STREAM, ShardCount=1)
    description = kinesis.describe_stream(StreamName=STREAM)["StreamDescription"]
    return {"arn": description["StreamARN"], "shard": description["Shards"][0]}


@pytest.fixture
def queue(aws: str) -> str:
    return str(boto3.client("sqs").create_queue(QueueName="aggregator-failures")["QueueUrl"])


def put_events(stream: dict[str, Any], events: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    batch = [
        usage_event(f"s{seed}-{i}", rng.choice(PRODUCTS), rng.choice(TYPES)) for i in range(events)
    ]
    for start in range(0, len(batch), 500):  # PutRecords takes up to 500 records
        boto3.client("kinesis").put_records(
            StreamARN=stream["arn"],
            Records=[
                {"Data": json.dumps(e).encode(), "PartitionKey": e["product_id"]}
                for e in batch[start : start + 500]
            ],
        )
    return batch


def read_shard(stream: dict[str, Any], shard_id: str) -> list[Record]:
    """Everything in the shard, as Lambda's event source mapping delivers it."""
    kinesis = boto3.client("kinesis")
    iterator = kinesis.get_shard_iterator(
        StreamARN=stream["arn"], ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    page = kinesis.get_records(ShardIterator=iterator, Limit=10_000, StreamARN=stream["arn"])
    return [
        kinesis_record(
            base64.b64encode(r["Data"]).decode(), r["SequenceNumber"], shard_id, r["PartitionKey"]
        )
        for r in page["Records"]
    ]


def lose(records: list[Record], queue: str, stream: dict[str, Any], store: Any) -> None:
    """Deliver ``records`` with ``store`` until Lambda gives up; queue what it gave up on."""
    abandoned = deliver(records, lambda part: count({"Records": part}, store))
    assert abandoned, "the scenario must make Lambda give up on a range"
    for batch in abandoned:
        boto3.client("sqs").send_message(
            QueueUrl=queue, MessageBody=json.dumps(on_failure_message(batch, stream["arn"]))
        )


def replay(queue: str, *extra: str) -> int:
    return replay_failures.main(["--queue-url", queue, "--table", TABLE, *extra])


def queued(queue: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def test_replay_after_later_batches_counts_the_lost_records_once(
    stream: dict[str, Any], queue: str, table: Any
) -> None:
    events = put_events(stream, 1_000, seed=1)
    records = read_shard(stream, stream["shard"]["ShardId"])
    batches = [records[i : i + 100] for i in range(0, len(records), 100)]
    healthy = new_store()
    for batch in batches[:3]:
        count({"Records": batch}, healthy)
    stuck = new_store()
    throttle(stuck, product_id="p2")  # through every retry of batch 4
    lose(batches[3], queue, stream, stuck)
    for batch in batches[4:]:  # later batches move p2's watermark past the lost records
        count({"Records": batch}, healthy)
    lost = expected_counts(events) - Counter(counts(table))
    assert {product for product, _ in lost} == {"p2"}  # the loss is real, and only p2's

    assert replay(queue, "--keep") == 0
    assert counts(table) == expected_counts(events)
    assert replay(queue) == 0  # the same message again: nothing counted twice
    assert counts(table) == expected_counts(events)
    assert queued(queue) == 0


def test_replay_of_a_range_after_a_killed_invocation_and_bisection(
    stream: dict[str, Any], queue: str, table: Any
) -> None:
    events = put_events(stream, 400, seed=2)
    records = read_shard(stream, stream["shard"]["ShardId"])
    dying = new_store()
    kill_after(dying, updates=4)  # the first invocation dies after four updates
    stuck = new_store()
    throttle(stuck, product_id="p3")
    stores = iter([dying])

    def invoke(part: list[Record]) -> dict[str, Any]:
        return count({"Records": part}, next(stores, stuck), workers=1)

    abandoned = deliver(records[:200], invoke)
    assert abandoned
    for batch in abandoned:
        boto3.client("sqs").send_message(
            QueueUrl=queue, MessageBody=json.dumps(on_failure_message(batch, stream["arn"]))
        )
    count({"Records": records[200:]}, new_store())

    assert replay(queue) == 0
    assert counts(table) == expected_counts(events)


def test_replay_of_a_parent_shard_after_resharding(
    stream: dict[str, Any], queue: str, table: Any
) -> None:
    parent_events = put_events(stream, 300, seed=3)
    parent_id = stream["shard"]["ShardId"]
    parent = read_shard(stream, parent_id)
    hash_range = stream["shard"]["HashKeyRange"]
    middle = (int(hash_range["StartingHashKey"]) + int(hash_range["EndingHashKey"])) // 2
    boto3.client("kinesis").split_shard(
        StreamARN=stream["arn"], ShardToSplit=parent_id, NewStartingHashKey=str(middle)
    )
    healthy, stuck = new_store(), new_store()
    throttle(stuck, product_id="p1")
    count({"Records": parent[:100]}, healthy)
    lose(parent[100:200], queue, stream, stuck)
    count({"Records": parent[200:]}, healthy)
    # The children carry the same counters on, with their own sequence numbers.
    rng = random.Random(4)
    children: list[dict[str, Any]] = []
    for child, first in (("shardId-000000000001", 10**30), ("shardId-000000000002", 5)):
        batch = [usage_event(f"{child}-{i}", rng.choice(PRODUCTS), "view") for i in range(150)]
        children.extend(batch)
        child_records = [
            kinesis_record(base64.b64encode(json.dumps(e).encode()).decode(), str(first + i), child)
            for i, e in enumerate(batch)
        ]
        count({"Records": child_records}, healthy)

    assert replay(queue) == 0
    assert counts(table) == expected_counts(parent_events, children)


def test_a_message_that_is_not_an_on_failure_record_is_left_in_the_queue(
    stream: dict[str, Any], queue: str
) -> None:
    boto3.client("sqs").send_message(QueueUrl=queue, MessageBody='{"hello": "world"}')
    assert replay(queue) == 1
