"""The usage aggregator against DynamoDB in moto, with the table the stack defines."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.exceptions import ClientError
from usage_aggregator.counters import CounterStore

from tests.support.tables import create_table_like
from tests.support.usage_events import FakeContext, KinesisBatch, encode, usage_event
from tools.assembly import StackArtifact

TABLE = "usage-counts"


@pytest.fixture(autouse=True)
def metrics_namespace(aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Handler modules are imported only once the test environment is set: the shared
    # Metrics object reads its namespace when it is created. Should it exist already,
    # give it the namespace for this test.
    from shop_common.observability import metrics

    monkeypatch.setattr(metrics, "namespace", metrics.namespace or "ShopTests")
    yield
    metrics.clear_metrics()  # functions called without the handler do not flush them


def count_usage_events(event: dict[str, Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
    from usage_aggregator.aggregation import count_usage_events as count

    return dict(count(event, *args, **kwargs))


@pytest.fixture
def table(aws: str, stack_artifacts: dict[str, StackArtifact]) -> Any:
    return create_table_like(stack_artifacts["Dev/Streaming"], "CountsTable", TABLE)


class Recorder:
    """Records the backoff waits instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def new_store(sleep: Callable[[float], None] | None = None) -> CounterStore:
    return CounterStore(
        TABLE, client=boto3.client("dynamodb"), sleep=sleep or Recorder(), base_delay=0.01
    )


def processor() -> BatchProcessor:
    return BatchProcessor(event_type=EventType.KinesisDataStreams)


def counts(table: Any) -> dict[tuple[str, str], int]:
    return {
        (item["product_id"], item["event_type"]): int(item["event_count"])
        for item in table.scan(ConsistentRead=True)["Items"]
    }


def count_calls(store: CounterStore, operation: str = "UpdateItem") -> list[dict[str, Any]]:
    """Every ``operation`` request the store's client sends (before it is sent)."""
    calls: list[dict[str, Any]] = []
    lock = threading.Lock()

    def record(params: dict[str, Any], **kwargs: Any) -> None:
        with lock:
            calls.append(params)

    store.client.meta.events.register(f"before-parameter-build.dynamodb.{operation}", record)
    return calls


def throttle(
    store: CounterStore, *, times: int | None = None, product_id: str | None = None
) -> list[int]:
    """Make DynamoDB throttle UpdateItem: the first ``times`` calls, or every call for one
    product. Returns a list whose length is the number of throttled calls."""
    throttled: list[int] = []
    lock = threading.Lock()

    def fail(params: dict[str, Any], **kwargs: Any) -> None:
        with lock:
            if product_id is not None and params["Key"]["product_id"]["S"] != product_id:
                return
            if times is not None and len(throttled) >= times:
                return
            throttled.append(1)
        raise ClientError(
            {
                "Error": {
                    "Code": "ProvisionedThroughputExceededException",
                    "Message": "Rate of requests exceeds the allowed throughput.",
                }
            },
            "UpdateItem",
        )

    # Raised before the request is built, so botocore's own retries never see it: the
    # store's backoff must handle it.
    store.client.meta.events.register("before-parameter-build.dynamodb.UpdateItem", fail)
    return throttled


def mixed_batch() -> tuple[KinesisBatch, set[str]]:
    """Good events on three keys, in-batch duplicates, and four kinds of malformed record."""
    batch = KinesisBatch()
    malformed = set()
    batch.add_event(usage_event("e1", "p1", "view"))
    malformed.add(batch.add("not base64!"))
    batch.add_event(usage_event("e2", "p1", "view"))
    batch.add_event(usage_event("e1", "p1", "view"))  # duplicate of e1
    malformed.add(batch.add(encode(b"{not json")))
    batch.add_event(usage_event("e3", "p1", "PURCHASE"))  # normalised to purchase
    malformed.add(batch.add(encode({"event_id": "e9", "product_id": "p1"})))  # missing fields
    batch.add_event(usage_event("e4", "p2", "view"))
    malformed.add(batch.add(encode(usage_event("e5", "p2", "teleport"))))  # unknown type
    batch.add_event(usage_event("e6", "p2", "view"))
    batch.add_event(usage_event("e6", "p2", "view"))  # duplicate of e6
    batch.add_event(usage_event("e7", "p1", "view"))
    return batch, malformed


EXPECTED = {("p1", "view"): 3, ("p1", "purchase"): 1, ("p2", "view"): 2}


def failures(response: dict[str, Any]) -> set[str]:
    return {failure["itemIdentifier"] for failure in response["batchItemFailures"]}


def test_exact_counts_one_update_per_key_and_only_malformed_reported(table: Any) -> None:
    batch, malformed = mixed_batch()
    store = new_store()
    updates = count_calls(store)

    response = count_usage_events(batch.event(), processor(), store)

    assert failures(response) == malformed
    assert counts(table) == EXPECTED
    assert len(updates) == len(EXPECTED)  # the floor: one write per distinct key
    # Nothing lost: every record is counted, a duplicate of a counted one, or reported.
    duplicates = 2
    assert sum(EXPECTED.values()) + duplicates + len(malformed) == len(batch.records)


def test_redelivered_batch_and_tail_are_not_counted_twice(table: Any) -> None:
    batch, _ = mixed_batch()
    store = new_store()
    count_usage_events(batch.event(), processor(), store)

    # Lambda redelivers from the first reported record (index 1), then the whole batch.
    count_usage_events(batch.event(start=1), processor(), store)
    count_usage_events(batch.event(), processor(), store)
    assert counts(table) == EXPECTED

    # A later batch on the same shard: only its new records count.
    batch.add_event(usage_event("e8", "p1", "view"))
    batch.add_event(usage_event("e9", "p3", "click"))
    response = count_usage_events(batch.event(start=5), processor(), store)
    assert counts(table) == {**EXPECTED, ("p1", "view"): 4, ("p3", "click"): 1}
    assert len(failures(response)) == 2  # the malformed records still in that range


def test_throttled_writes_are_retried_with_backoff_and_counts_stay_exact(table: Any) -> None:
    batch, malformed = mixed_batch()
    waits = Recorder()
    store = new_store(sleep=waits)
    updates = count_calls(store)  # registered first: it sees the throttled calls too
    throttled = throttle(store, times=4)

    response = count_usage_events(batch.event(), processor(), store, workers=1)

    assert len(throttled) == 4
    assert failures(response) == malformed
    assert counts(table) == EXPECTED
    assert len(updates) == len(EXPECTED) + 4
    assert len(waits.waits) == 4
    # Full jitter under a doubling ceiling: 0.01, 0.02, 0.04, 0.08 s for one key.
    for attempt, wait in enumerate(waits.waits):
        assert 0 <= wait <= 0.01 * 2**attempt


def test_key_still_throttled_after_retries_is_reported_and_counted_later(table: Any) -> None:
    batch, malformed = mixed_batch()
    store = new_store()
    throttle(store, product_id="p2")
    p2_records = {
        record["kinesis"]["sequenceNumber"]
        for record in batch.records
        if record["kinesis"]["partitionKey"] == "p2"
    }

    response = count_usage_events(batch.event(), processor(), store)

    # The p2 view events (including their duplicate) are reported, not lost.
    assert failures(response) == malformed | (p2_records - malformed)
    assert counts(table) == {k: v for k, v in EXPECTED.items() if k[0] != "p2"}

    # Lambda redelivers from the first failure; DynamoDB has recovered.
    response = count_usage_events(batch.event(start=1), processor(), new_store())
    assert counts(table) == EXPECTED
    assert failures(response) == malformed


def test_a_batch_of_only_malformed_records_fails_as_a_whole(table: Any) -> None:
    batch = KinesisBatch()
    batch.add("%%%")
    batch.add(encode(b"[1, 2]"))
    with pytest.raises(BatchProcessingError):
        count_usage_events(batch.event(), processor(), new_store())
    assert counts(table) == {}


def test_handler_reads_the_table_from_the_environment(
    table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COUNTS_TABLE", TABLE)
    from usage_aggregator import app

    app._store.cache_clear()
    batch, malformed = mixed_batch()
    response = app.handler(batch.event(), FakeContext())
    assert failures(dict(response)) == malformed
    assert counts(table) == EXPECTED
