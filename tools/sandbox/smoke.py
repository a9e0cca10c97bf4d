"""The smoke flow against the deployed stage: three steps, each PASS or FAIL.

Resources are found through what was deployed: the stream among the Streaming stack's
resources, tables and buckets in the deployed functions' environments.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tools.sandbox.emulator import Emulator
from tools.sandbox.events import api_event, kinesis_event, object_created_event
from tools.sandbox.invoke import find_function, invoke


class CheckFailedError(AssertionError):
    """A smoke check did not hold; the message says what was expected and found."""


@dataclass
class StepReport:
    """What one step did (lines, also passed to ``emit`` as they come) and whether it
    passed."""

    name: str
    emit: Callable[[str], None] = print
    lines: list[str] = field(default_factory=list)
    passed: bool = False

    def did(self, line: str) -> None:
        self.lines.append(line)
        self.emit(line)

    def check(self, what: str, expected: Any, actual: Any) -> None:
        """Record ``what``; raise :class:`CheckFailedError` unless ``actual == expected``."""
        if actual != expected:
            raise CheckFailedError(f"{what}: expected {expected!r}, got {actual!r}")
        self.did(f"ok: {what} = {actual!r}")


def stack_resources(emulator: Emulator, stack: str, resource_type: str) -> list[str]:
    """Physical ids of the ``resource_type`` resources of deployed ``stack``."""
    paginator = emulator.client("cloudformation").get_paginator("list_stack_resources")
    return [
        summary["PhysicalResourceId"]
        for page in paginator.paginate(StackName=stack)
        for summary in page["StackResourceSummaries"]
        if summary["ResourceType"] == resource_type
    ]


#: Usage events of the flow: three views (one event sent twice: two records, and the
#: aggregator counts records, as the archive keeps them) and an add to cart.
_PRODUCT = "SBX-MUG-VIEWS"
_USAGE = (
    ("sbx-e1", "view"),
    ("sbx-e2", "view"),
    ("sbx-e2", "view"),
    ("sbx-e3", "add_to_cart"),
)
_EXPECTED_COUNTS = {"view": 3, "add_to_cart": 1}


def usage_counts(emulator: Emulator, report: StepReport) -> None:
    """Usage events into the stream, through the aggregator, counted in the counts table."""
    kinesis = emulator.client("kinesis")
    [stream] = stack_resources(emulator, "Dev-Streaming", "AWS::Kinesis::Stream")
    occurred = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    put = kinesis.put_records(
        StreamName=stream,
        Records=[
            {
                "Data": json.dumps(
                    {
                        "event_id": event_id,
                        "product_id": _PRODUCT,
                        "event_type": kind,
                        "occurred_at": occurred,
                    }
                ).encode(),
                "PartitionKey": _PRODUCT,
            }
            for event_id, kind in _USAGE
        ],
    )
    report.check(f"PutRecords into {stream}: failed records", 0, put["FailedRecordCount"])
    description = kinesis.describe_stream(StreamName=stream)["StreamDescription"]
    aggregator = find_function(emulator, "usage_aggregator.app.handler")
    delivered = 0
    for shard in description["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = kinesis.get_records(ShardIterator=iterator, Limit=1000)["Records"]
        if not records:
            continue
        delivered += len(records)
        event = kinesis_event(records, description["StreamARN"], shard["ShardId"])
        for attempt in ("delivery", "redelivery (must not count twice)"):
            response = invoke(aggregator, event, emulator)
            report.check(
                f"{aggregator.name} {attempt} of {len(records)} records: batch item failures",
                [],
                response.get("batchItemFailures"),
            )
    report.check("records read back from the stream", len(_USAGE), delivered)
    table = aggregator.environment["COUNTS_TABLE"]
    dynamodb = emulator.client("dynamodb")
    for kind, expected in _EXPECTED_COUNTS.items():
        item = dynamodb.get_item(
            TableName=table,
            Key={"product_id": {"S": _PRODUCT}, "event_type": {"S": kind}},
            ConsistentRead=True,
        ).get("Item", {})
        count = int(item["event_count"]["N"]) if "event_count" in item else None
        report.check(f"{table}: {_PRODUCT} {kind} count", expected, count)


_ADMIN = {"sub": "sandbox-admin", "cognito:username": "sandbox", "cognito:groups": "admin"}
_SKU = "SBX-MUG"
_NEW_PRODUCT: dict[str, Any] = {"sku": _SKU, "name": "Sandbox mug", "price_cents": 1299}


def product_api(emulator: Emulator, report: StepReport) -> None:
    """Create a product and read it back through the products handler."""
    products = find_function(emulator, "products.app.handler")
    created = invoke(
        products, api_event("POST", "/products", body=_NEW_PRODUCT, claims=_ADMIN), emulator
    )
    report.check("POST /products (admin claims): status", 201, created["statusCode"])
    read = invoke(
        products,
        api_event(
            "GET",
            "/products/{sku}",
            path_parameters={"sku": _SKU},
            claims={"sub": "sandbox-reader"},
        ),
        emulator,
    )
    report.check(f"GET /products/{_SKU}: status", 200, read["statusCode"])
    body = json.loads(read["body"])
    report.check(
        f"GET /products/{_SKU}: name and price",
        (_NEW_PRODUCT["name"], _NEW_PRODUCT["price_cents"]),
        (body.get("name"), body.get("price_cents")),
    )
    table = products.environment["TABLE_NAME"]
    scanned = emulator.client("dynamodb").scan(TableName=table, ConsistentRead=True)["Items"]
    report.check(f"items in the deployed table {table}", 1, len(scanned))


_DATASET, _TAGS = "sandbox-orders", {"team": "sandbox", "pii": "none"}


def catalog_search(emulator: Emulator, report: StepReport) -> None:
    """Put a tagged object into the raw zone, index it, find it with the search API."""
    indexer = find_function(emulator, "catalog_indexer.app.handler")
    zones: dict[str, str] = json.loads(indexer.environment["LAKE_ZONES"])
    [raw_bucket] = [bucket for bucket, zone in zones.items() if zone == "raw"]
    key = f"{_DATASET}/dt=2026-11-23/part-0001.json"
    body = b'{"order": 1}\n'
    emulator.client("s3").put_object(
        Bucket=raw_bucket,
        Key=key,
        Body=body,
        Tagging="&".join(f"{k}={v}" for k, v in _TAGS.items()),
    )
    report.did(f"put s3://{raw_bucket}/{key} with tags {_TAGS}")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    outcome = invoke(indexer, object_created_event(raw_bucket, key, len(body), now), emulator)
    report.check(
        f"{indexer.name} on the Object Created event: outcome", "indexed", outcome.get("outcome")
    )
    search = find_function(emulator, "catalog_search.app.handler")
    found = invoke(search, api_event("GET", "/datasets", query={"tag": "team=sandbox"}), emulator)
    report.check("GET /datasets?tag=team=sandbox: status", 200, found["statusCode"])
    report.check("datasets tagged team=sandbox", [_DATASET], json.loads(found["body"])["datasets"])
    listed = invoke(
        search,
        api_event("GET", "/datasets/{dataset}/objects", path_parameters={"dataset": _DATASET}),
        emulator,
    )
    objects = json.loads(listed["body"]).get("objects", [])
    report.check(f"GET /datasets/{_DATASET}/objects: keys", [key], [o.get("key") for o in objects])


#: The flow, in order: (name, step).
STEPS: tuple[tuple[str, Callable[[Emulator, StepReport], None]], ...] = (
    ("usage events counted", usage_counts),
    ("product created and read", product_api),
    ("object indexed and found", catalog_search),
)


def run_step(
    name: str,
    step: Callable[[Emulator, StepReport], None],
    emulator: Emulator,
    emit: Callable[[str], None] = print,
) -> StepReport:
    """Run one step; any exception fails it (with the reason as its last line)."""
    report = StepReport(name, emit)
    try:
        step(emulator, report)
    except Exception as error:
        report.did(f"FAIL: {type(error).__name__}: {error}")
    else:
        report.passed = True
    return report
