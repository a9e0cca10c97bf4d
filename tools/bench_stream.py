"""Benchmark rows of the stream-processing pattern.

- the usage aggregator's throughput on one 10,000-record Kinesis batch, end to end against
  DynamoDB in a local moto server (decode, validate, aggregate, counter updates over HTTP);
- its DynamoDB write requests per 1,000 records against the floor (distinct keys per
  1,000 records: one update per key per batch);
- the Firehose transformer's throughput;
- synthesis time of the ``Streaming`` stack.

    python -m tools.bench_stream
"""

from __future__ import annotations

import base64
import json
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tools.measure import local_aws

BATCH = 10_000
PRODUCTS = 100
EVENT_TYPES = ("view", "click", "add_to_cart", "remove_from_cart", "purchase")
_WEIGHTS = (60, 20, 10, 5, 5)  # a shop sees far more views than purchases


def rows() -> list[tuple[str, str]]:
    """(label, measured value) rows for the benchmark table."""
    _import_handlers()
    records = _kinesis_records(BATCH)
    with local_aws():
        aggregator_rate, writes, floor = _aggregator(records)
    transformer_rate = _transformer(BATCH)
    synth_seconds = _synthesis_seconds()
    return [
        (
            f"Usage aggregator, {BATCH:,}-record batch against moto (records/s)",
            f"{aggregator_rate:,.0f}",
        ),
        (
            "Usage aggregator DynamoDB writes per 1,000 records (floor: distinct keys)",
            f"{writes:.1f} (floor {floor:.1f})",
        ),
        (f"Usage transformer, {BATCH:,} Firehose records (records/s)", f"{transformer_rate:,.0f}"),
        ("Synthesis of the Streaming stack (s)", f"{synth_seconds:.2f}"),
    ]


def _import_handlers() -> None:
    from stacks.lambda_code import LAMBDAS_DIR

    if str(LAMBDAS_DIR) not in sys.path:
        sys.path.insert(0, str(LAMBDAS_DIR))


def _events(count: int) -> Iterator[dict[str, str]]:
    rng = random.Random(4)
    for index in range(count):
        yield {
            "event_id": f"e{index}",
            "product_id": f"p{rng.randrange(PRODUCTS)}",
            "event_type": rng.choices(EVENT_TYPES, _WEIGHTS)[0],
            "occurred_at": "2026-11-23T10:15:00.123Z",
        }


def _encoded(event: dict[str, str]) -> str:
    return base64.b64encode(json.dumps(event).encode()).decode("ascii")


def _kinesis_records(count: int) -> list[dict[str, Any]]:
    first = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_800
    return [
        {
            "kinesis": {
                "partitionKey": event["product_id"],
                "sequenceNumber": str(first + index),
                "data": _encoded(event),
                "approximateArrivalTimestamp": 1_795_000_000.0,
            },
            "eventSource": "aws:kinesis",
            "eventID": f"shardId-000000000000:{first + index}",
            "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/usage-events",
        }
        for index, event in enumerate(_events(count))
    ]


def _aggregator(records: list[dict[str, Any]]) -> tuple[float, float, float]:
    """Records per second, write requests per 1,000 records, and their floor."""
    import boto3
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
    from usage_aggregator.aggregation import count_usage_events
    from usage_aggregator.counters import CounterStore

    client = boto3.client("dynamodb")
    client.create_table(
        TableName="counts",
        KeySchema=[
            {"AttributeName": "product_id", "KeyType": "HASH"},
            {"AttributeName": "event_type", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "product_id", "AttributeType": "S"},
            {"AttributeName": "event_type", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    writes: list[int] = []
    client.meta.events.register(
        "before-parameter-build.dynamodb.UpdateItem", lambda **_: writes.append(1)
    )
    store = CounterStore("counts", client=client)
    processor = BatchProcessor(event_type=EventType.KinesisDataStreams)
    started = time.perf_counter()
    response = count_usage_events({"Records": records}, processor, store)
    elapsed = time.perf_counter() - started
    if response["batchItemFailures"]:
        raise RuntimeError(f"benchmark batch had failures: {response['batchItemFailures'][:3]}")
    keys = {(r["kinesis"]["partitionKey"], _event_type(r)) for r in records}
    per_thousand = 1000 / len(records)
    return len(records) / elapsed, len(writes) * per_thousand, len(keys) * per_thousand


def _event_type(record: dict[str, Any]) -> str:
    return str(json.loads(base64.b64decode(record["kinesis"]["data"]))["event_type"])


def _transformer(count: int) -> float:
    from aws_lambda_powertools.utilities.data_classes import KinesisFirehoseEvent
    from usage_transformer.transform import transform_records

    event = KinesisFirehoseEvent(
        {
            "records": [
                {"recordId": f"r{i}", "data": _encoded(e), "approximateArrivalTimestamp": 0}
                for i, e in enumerate(_events(count))
            ]
        }
    )
    started = time.perf_counter()
    _, results = transform_records(event.records)
    elapsed = time.perf_counter() - started
    if results["Ok"] != count:
        raise RuntimeError(f"transformer rejected records of the benchmark: {results}")
    return count / elapsed


def _synthesis_seconds() -> float:
    """Build and synthesize the dev ``Streaming`` stack (jsii already started)."""
    import aws_cdk as cdk

    from stacks import DEV
    from stacks.streaming import StreamingStack
    from tests.support.cdk_app import new_app

    cdk.App()  # start the jsii runtime outside the measurement
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        app = new_app(Path(out))
        StreamingStack(app, "Streaming", config=DEV)
        app.synth()
        return time.perf_counter() - started


if __name__ == "__main__":
    for label, value in rows():
        print(f"| {label} | {value} |")
