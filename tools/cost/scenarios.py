"""The reference app's user actions as the handlers see them: the data each needs in the
emulator (tables created from the synthesized templates) and the event of each run.

Sizes are assumptions stated here: a product has a 300-character description, a list
page holds the default 20 products, an order has two lines, a usage event is the shop's
own (``view`` of one product), an uploaded image is a 1024 x 768 PNG, a lake object
carries two tags, a search finds one page of datasets by tag among 20 catalogued objects.
The usage event's handlers run on batches of :data:`BATCH` records (Kinesis and Firehose
deliver batches); their cost per event is the batch's divided by its records.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import boto3

from tools.sandbox.events import api_event, object_created_event

BATCH = 100
PRODUCTS = 20
_ADMIN = {"sub": "admin", "cognito:username": "admin", "cognito:groups": "admin"}
_SEQUENCE = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_800
RAW_BUCKET = "lake-raw"
Templates = dict[str, dict[str, Any]]  # stack name ("Web", "Streaming", ...) -> template


@dataclass(frozen=True)
class Scenario:
    """One user action's handler run: ``setup`` prepares the emulator (and returns the
    handler's environment), ``event(run)`` is the event of run number ``run``; the handler
    is invoked ``1 / share`` times per action."""

    action: str
    handler: str  # module.function under lambdas/
    stack: str  # the stack (of the stage) defining the function
    setup: Callable[[Templates], dict[str, str]]
    event: Callable[[int], dict[str, Any]]
    share: float = 1.0


def create_table(templates: Templates, stack: str, prefix: str, name: str) -> None:
    """Create table ``name`` in the emulator as the stack's template defines it."""
    (props,) = [
        r["Properties"]
        for key, r in templates[stack]["Resources"].items()
        if r["Type"] in ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")
        and key.startswith(prefix)
    ]
    indexes = props.get("GlobalSecondaryIndexes")
    boto3.client("dynamodb").create_table(
        TableName=name,
        KeySchema=props["KeySchema"],
        AttributeDefinitions=props["AttributeDefinitions"],
        BillingMode="PAY_PER_REQUEST",
        **({"GlobalSecondaryIndexes": indexes} if indexes else {}),
    )


def _shop(templates: Templates) -> dict[str, str]:
    create_table(templates, "Web", "ApiTable", "shop")
    create_table(templates, "Web", "Idempotency", "idempotency")
    env = {"TABLE_NAME": "shop", "IDEMPOTENCY_TABLE": "idempotency"}
    from products import app

    app._store.cache_clear()
    for index in range(PRODUCTS):
        body = {
            "sku": f"SKU-{index:04d}",
            "name": f"Product {index}",
            "price_cents": 1000 + index,
            "description": "d" * 300,
        }
        event = api_event("POST", "/products", body=body, claims=_ADMIN)
        _with_env(
            env,
            partial(app.handler, event, _Context()),
        )
    return env


def _with_env(env: dict[str, str], call: Callable[[], Any]) -> Any:
    import os

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return call()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key)
            else:
                os.environ[key] = value


class _Context:
    function_name = "cost"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:cost"
    aws_request_id = "cost"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def usage_event(index: int) -> dict[str, str]:
    return {
        "event_id": f"evt-{index:08d}",
        "product_id": f"SKU-{index % PRODUCTS:04d}",
        "event_type": "view",
        "occurred_at": "2026-11-23T10:15:00.123Z",
    }


def usage_event_bytes() -> int:
    return len(json.dumps(usage_event(0)).encode())


def _kinesis_batch(run: int) -> dict[str, Any]:
    records = []
    for index in range(BATCH):
        sequence = _SEQUENCE + run * BATCH + index
        event = usage_event(run * BATCH + index)
        data = base64.b64encode(json.dumps(event).encode()).decode()
        records.append(
            {
                "kinesis": {
                    "partitionKey": event["product_id"],
                    "sequenceNumber": str(sequence),
                    "data": data,
                    "approximateArrivalTimestamp": 1_795_000_000.0,
                },
                "eventSource": "aws:kinesis",
                "eventID": f"shardId-000000000000:{sequence}",
                "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/usage",
            }
        )
    return {"Records": records}


def _firehose_batch(run: int) -> dict[str, Any]:
    kinesis = _kinesis_batch(run)["Records"]
    return {
        "invocationId": f"run-{run}",
        "deliveryStreamArn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/archive",
        "region": "us-east-1",
        "records": [
            {
                "recordId": f"r{i}",
                "approximateArrivalTimestamp": 1_795_000_000_123,
                "data": r["kinesis"]["data"],
            }
            for i, r in enumerate(kinesis)
        ],
    }


def _counts(templates: Templates) -> dict[str, str]:
    create_table(templates, "Streaming", "CountsTable", "counts")
    return {"COUNTS_TABLE": "counts"}


def _lake(templates: Templates) -> dict[str, str]:
    create_table(templates, "DataLake", "CatalogTable", "catalog")
    boto3.client("s3").create_bucket(Bucket=RAW_BUCKET)
    return {"CATALOG_TABLE": "catalog", "LAKE_ZONES": json.dumps({RAW_BUCKET: "raw"})}


def _object_key(run: int) -> str:
    return f"dataset-{run % 5}/dt=2026-11-23/part-{run:05d}.json"


def _put_object(run: int) -> dict[str, Any]:
    key = _object_key(run)
    body = b'{"order": 1}\n' * 100
    boto3.client("s3").put_object(
        Bucket=RAW_BUCKET, Key=key, Body=body, Tagging="team=shop&pii=none"
    )
    return object_created_event(RAW_BUCKET, key, len(body), "2026-11-23T10:15:00Z")


def _catalogued(templates: Templates) -> dict[str, str]:
    env = _lake(templates)
    from catalog_indexer import app

    app._adapters.cache_clear()
    for run in range(PRODUCTS):
        _with_env(env, partial(app.handler, _put_object(10_000 + run), _Context()))
    app._adapters.cache_clear()
    return env


IMAGES_BUCKET = "images"


def _images(_templates: Templates) -> dict[str, str]:
    import io

    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (1024, 768), (200, 120, 40)).save(png, format="PNG")
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=IMAGES_BUCKET)
    s3.put_object(Bucket=IMAGES_BUCKET, Key="products/photo.png", Body=png.getvalue())
    return {}


def _order(run: int) -> dict[str, Any]:
    body = {"items": [{"sku": "SKU-0001", "quantity": 2}, {"sku": "SKU-0002", "quantity": 1}]}
    headers = {"content-type": "application/json", "Idempotency-Key": f"order-key-{run:08d}"}
    return api_event("POST", "/orders", body=body, headers=headers, claims={"sub": "alice"})


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "product page view",
        "products.app.handler",
        "Web",
        _shop,
        lambda _run: api_event(
            "GET", "/products/{sku}", path_parameters={"sku": "SKU-0003"}, claims={"sub": "alice"}
        ),
    ),
    Scenario(
        "product list page",
        "products.app.handler",
        "Web",
        _shop,
        lambda _run: api_event(
            "GET", "/products", query={"limit": str(PRODUCTS)}, claims={"sub": "alice"}
        ),
    ),
    Scenario("order placed", "orders.app.handler", "Web", _shop, _order),
    Scenario(
        "usage event (counts)",
        "usage_aggregator.app.handler",
        "Streaming",
        _counts,
        _kinesis_batch,
        share=1 / BATCH,
    ),
    Scenario(
        "usage event (archive)",
        "usage_transformer.app.handler",
        "Streaming",
        lambda _templates: {},
        _firehose_batch,
        share=1 / BATCH,
    ),
    Scenario(
        "image processed",
        "image_thumbnail.app.handler",
        "Operations",
        _images,
        lambda _run: {"bucket": IMAGES_BUCKET, "key": "products/photo.png"},
    ),
    Scenario("catalogued object", "catalog_indexer.app.handler", "DataLake", _lake, _put_object),
    Scenario(
        "search",
        "catalog_search.app.handler",
        "DataLake",
        _catalogued,
        lambda _run: api_event("GET", "/datasets", query={"tag": "team=shop"}),
    ),
)
