"""Benchmark rows: warm invocations of the handlers, in-process, against moto.

A warm invocation is what most requests meet: the module is imported and its clients
built, so the time is the handler's own work plus its AWS calls (here to moto on a
loopback port, which is slower than DynamoDB). Each handler is invoked once to warm it,
then timed over repeated typical requests: a products list page, an order placement
(each with a new ``Idempotency-Key``, so each one is placed), and a 500-record batch of
usage events. Lambda's tracing mode is ``lambda`` (Staging's and Prod's).
"""

from __future__ import annotations

import contextlib
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tools.measure import COUNTS_TABLE, LAMBDAS, local_aws
from tools.moto_server import reset

REPEAT = 30
BATCH = 500
SHOP, IDEMPOTENCY, COUNTS = "warm-shop", "warm-idempotency", "warm-counts"


def rows() -> list[tuple[str, str]]:
    """(label, value) rows for the benchmark table."""
    if str(LAMBDAS) not in sys.path:
        sys.path.insert(0, str(LAMBDAS))
    with tempfile.TemporaryDirectory() as tmp:
        web = _dev_web(Path(tmp))
        with local_aws() as endpoint:
            reset(endpoint)  # moto's state outlives a server in this process
            with contextlib.redirect_stdout(io.StringIO()):  # the handlers' metric lines
                timings = {
                    "products: GET /products (a page of 20 of 50 products)": _products(web),
                    "orders: POST /orders (a new order of two products)": _orders(web),
                    f"usage_aggregator: a {BATCH}-record Kinesis batch": _aggregator(),
                }
    return [
        (
            f"Warm invocation, {label}, against moto (ms, median of {REPEAT})",
            f"{statistics.median(samples):.1f} (fastest {min(samples):.1f})",
        )
        for label, samples in timings.items()
    ]


def _dev_web(out: Path) -> Any:
    """Dev's Web stack, synthesized: the tables are created as its template defines them."""
    from app import build_app
    from tests.support.cdk_app import new_app
    from tools.assembly import stacks

    app = new_app(out, stage="dev")
    build_app(app)
    app.synth()
    return next(s for s in stacks(out) if s.display_name == "Dev/Web")


def _timed(call: Callable[[int], Any]) -> list[float]:
    call(-1)  # warm: import, clients, connections
    samples = []
    for n in range(REPEAT):
        start = time.perf_counter()
        call(n)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _shop_table(web: Any) -> Any:
    from tests.support.tables import create_table_like

    shop = create_table_like(web, "ApiTable", SHOP)
    for n in range(50):
        shop.put_item(
            Item={
                "pk": "PRODUCT",
                "sk": f"SKU-{n:03}",
                "sku": f"SKU-{n:03}",
                "name": f"Product {n}",
                "price_cents": 100 + n,
            }
        )
    return shop


def _products(web: Any) -> list[float]:
    import os

    from products import app

    from tests.support.api_events import FakeContext, rest_event

    _shop_table(web)
    os.environ["TABLE_NAME"] = SHOP
    app._store.cache_clear()
    event = rest_event("GET", "/products", query={"limit": "20"})

    def call(_: int) -> None:
        response = app.handler(event, FakeContext())
        if response["statusCode"] != 200:
            raise RuntimeError(f"GET /products answered {response}")

    return _timed(call)


def _orders(web: Any) -> list[float]:
    import os

    from orders import app

    from tests.support.api_events import FakeContext, rest_event
    from tests.support.tables import create_table_like

    create_table_like(web, "IdempotencyTable", IDEMPOTENCY)
    os.environ.update(TABLE_NAME=SHOP, IDEMPOTENCY_TABLE=IDEMPOTENCY)
    app._store.cache_clear()
    app._place_once.cache_clear()
    order = {"items": [{"sku": "SKU-001", "quantity": 2}, {"sku": "SKU-002", "quantity": 1}]}

    def call(n: int) -> None:
        event = rest_event(
            "POST",
            "/orders",
            body=order,
            headers={"Idempotency-Key": f"bench-order-{n + 1:06}"},
            claims={"sub": "bench"},
        )
        response = app.handler(event, FakeContext())
        if response["statusCode"] != 201:
            raise RuntimeError(f"POST /orders answered {response}")

    return _timed(call)


def _aggregator() -> list[float]:
    import os

    import boto3
    from usage_aggregator import app

    from tests.support.api_events import FakeContext
    from tools.bench_stream import kinesis_records

    boto3.client("dynamodb").create_table(TableName=COUNTS, **COUNTS_TABLE)
    os.environ["COUNTS_TABLE"] = COUNTS
    app._store.cache_clear()
    records = kinesis_records(BATCH * (REPEAT + 1))
    batches = [records[i * BATCH : (i + 1) * BATCH] for i in range(REPEAT + 1)]

    def call(n: int) -> None:
        response = app.handler({"Records": batches[n + 1]}, FakeContext())
        if response.get("batchItemFailures"):
            raise RuntimeError(f"the batch reported failures: {response}")

    return _timed(call)


if __name__ == "__main__":
    for label, value in rows():
        print(f"{label}: {value}")
