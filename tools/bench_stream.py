"""Benchmark rows of the stream-processing pattern.

- the usage aggregator's throughput on one 10,000-record Kinesis batch, end to end against
  DynamoDB in a local moto server (decode, validate, aggregate, counter updates over HTTP),
  with the time its writes took and its own per-record work (CPU) apart;
- beside it, in the same run, a naive consumer sending one conditional update per record;
- its DynamoDB write requests per 1,000 records against the floor (distinct keys per
  1,000 records: one update per key per batch);
- both runs' counts are checked against the input, counter by counter;
- where an update's time goes: the emulator's CPU, the client's, the wall time (moto in a
  process of its own, ``tools/emulator_cost.py``), and the ceiling that puts on a batch;
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
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools import emulator_cost
from tools.measure import COUNTS_TABLE, local_aws

BATCH = 10_000
#: Records the naive baseline updates one by one (its rate does not depend on the count).
NAIVE_RECORDS = 2_000
PRODUCTS = 100
EVENT_TYPES = ("view", "click", "add_to_cart", "remove_from_cart", "purchase")
_WEIGHTS = (60, 20, 10, 5, 5)  # a shop sees far more views than purchases


def rows() -> list[tuple[str, str]]:
    """(label, measured value) rows for the benchmark table."""
    _import_handlers()
    records = kinesis_records(BATCH)
    with local_aws():
        ours = _aggregator(records)
        naive = _naive(records[:NAIVE_RECORDS])
    cost = emulator_cost.measure(records)
    transformer_rate = _transformer(BATCH)
    synth_seconds = _synthesis_seconds()
    return [
        (
            f"Usage aggregator, {BATCH:,}-record batch against moto (records/s)",
            f"{ours.rate:,.0f} ({ours.writes} counter writes in {ours.write_seconds:.2f} s, "
            f"{1000 * ours.write_seconds / ours.writes:.1f} ms each)",
        ),
        (
            "Usage aggregator, its own work per record: decode, validate, group (µs)",
            f"{ours.own_us:.1f}",
        ),
        (
            f"Naive baseline, one conditional update per record against moto "
            f"(records/s, first {NAIVE_RECORDS:,} records of the same batch)",
            f"{naive.rate:,.0f} ({naive.writes:,} writes)",
        ),
        (
            "Usage aggregator DynamoDB writes per 1,000 records (floor: distinct keys)",
            f"{ours.per_thousand:.1f} (floor {ours.floor_per_thousand:.1f}; naive 1,000)",
        ),
        *emulator_cost.cost_rows(cost, BATCH),
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


def kinesis_records(count: int) -> list[dict[str, Any]]:
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


@dataclass(frozen=True)
class Run:
    """One way of counting a batch, measured."""

    rate: float  # records per second, end to end
    writes: int
    write_seconds: float
    own_us: float  # our own per-record work (decode, validate, group), CPU µs
    floor: int  # distinct counters in the batch
    records: int = BATCH

    @property
    def per_thousand(self) -> float:
        return self.writes * 1000 / self.records

    @property
    def floor_per_thousand(self) -> float:
        return self.floor * 1000 / self.records


def _table(name: str) -> Any:
    import boto3

    client = boto3.client("dynamodb")
    client.create_table(
        TableName=name,
        **COUNTS_TABLE,
    )
    writes: list[int] = []
    client.meta.events.register(
        "before-parameter-build.dynamodb.UpdateItem", lambda **_: writes.append(1)
    )
    return client, writes


def _aggregator(records: list[dict[str, Any]]) -> Run:
    """The handler's code on the batch, timed end to end and by phase; counts checked."""
    from usage_aggregator import aggregation
    from usage_aggregator.counters import CounterStore

    client, writes = _table("counts")
    store = CounterStore("counts", client=client)
    phases: dict[str, float] = {}
    with (
        _timed(aggregation, "aggregate", phases, time.process_time),
        _timed(aggregation, "write_totals", phases, time.perf_counter),
    ):
        started = time.perf_counter()
        response = aggregation.count_usage_events({"Records": records}, store)
        elapsed = time.perf_counter() - started
    if response["batchItemFailures"]:
        raise RuntimeError(f"benchmark batch had failures: {response['batchItemFailures'][:3]}")
    expected = _expected(records)
    _check_counts(client, "counts", expected)
    return Run(
        rate=len(records) / elapsed,
        writes=len(writes),
        write_seconds=phases["write_totals"],
        own_us=phases["aggregate"] * 1e6 / len(records),
        floor=len(expected),
        records=len(records),
    )


@contextmanager
def _timed(
    module: Any, name: str, phases: dict[str, float], clock: Callable[[], float]
) -> Iterator[None]:
    """Time every call of ``module.name`` on ``clock`` into ``phases[name]`` meanwhile."""
    real = getattr(module, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = clock()
        try:
            return real(*args, **kwargs)
        finally:
            phases[name] = phases.get(name, 0.0) + clock() - started

    setattr(module, name, timed)
    try:
        yield
    finally:
        setattr(module, name, real)


def _naive(records: list[dict[str, Any]]) -> Run:
    """One conditional update per record (same per-shard watermark): the baseline."""
    from usage_aggregator.aggregation import aggregate
    from usage_aggregator.counters import CounterStore

    client, writes = _table("naive")
    store = CounterStore("naive", client=client)
    started = time.perf_counter()
    for record in records:
        for total in aggregate([record]).totals.values():
            store.add(total.key, total.sequences)
    elapsed = time.perf_counter() - started
    expected = _expected(records)
    _check_counts(client, "naive", expected)
    return Run(len(records) / elapsed, len(writes), elapsed, 0.0, len(expected), len(records))


def _expected(records: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    return Counter((r["kinesis"]["partitionKey"], _event_type(r)) for r in records)


def _check_counts(client: Any, table: str, expected: Counter[tuple[str, str]]) -> None:
    items = client.scan(TableName=table, ConsistentRead=True)["Items"]
    found = {
        (i["product_id"]["S"], i["event_type"]["S"]): int(i["event_count"]["N"]) for i in items
    }
    if found != dict(expected):
        raise RuntimeError(f"{table}: counts differ from the input")


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
