"""The usage aggregator against DynamoDB in moto, with the table the stack defines."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from tests.support.usage_counts import (
    TABLE,
    Recorder,
    count,
    count_calls,
    counts,
    failures,
    new_store,
    throttle,
)
from tests.support.usage_events import FakeContext, KinesisBatch, encode, usage_event

#: Records that are not usage events, each defeating a different part of parsing.
HOSTILE = {
    "not base64": "not base64!",
    "not JSON": encode(b"{not json"),
    "missing fields": encode({"event_id": "e9", "product_id": "p1"}),
    "unknown type": encode(usage_event("e5", "p2", "teleport")),
    "not UTF-8": encode(b"\xff\xfe{}"),
    "nested too deeply (RecursionError)": encode(b"[" * 100_000 + b"]" * 100_000),
    "nested in an ignored field": encode(
        b'{"event_id":"e","product_id":"p1","event_type":"view",'
        b'"occurred_at":"2026-11-23T10:15:00Z","extra":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    ),
    "integer past the digit limit (ValueError)": encode(
        b'{"event_id":"e","product_id":"p1","event_type":"view",'
        b'"occurred_at":"2026-11-23T10:15:00Z","n":' + b"9" * 5000 + b"}"
    ),
    "earliest datetime with an offset (OverflowError)": encode(
        usage_event("e", occurred_at="0001-01-01T00:00:00+01:00")
    ),
    "latest datetime with an offset (OverflowError)": encode(
        usage_event("e", occurred_at="9999-12-31T23:59:59-01:00")
    ),
}


def mixed_batch() -> tuple[KinesisBatch, dict[str, str]]:
    """Good events on three keys, a repeated event id, and every kind of hostile record
    in between (sequence number -> kind)."""
    batch = KinesisBatch()
    hostile: dict[str, str] = {}
    good = [
        usage_event("e1", "p1", "view"),
        usage_event("e2", "p1", "view"),
        usage_event("e1", "p1", "view"),  # the same event id again: a second record
        usage_event("e3", "p1", "PURCHASE"),  # normalised to purchase
        usage_event("e4", "p2", "view"),
        usage_event("e6", "p2", "view"),
        usage_event("e7", "p1", "view"),
    ]
    kinds = list(HOSTILE.items())
    for index, event in enumerate(good):
        batch.add_event(event)
        # Between good records; the kinds left over go to the end.
        for kind, data in kinds[index : index + 1] if index < len(good) - 1 else kinds[index:]:
            hostile[batch.add(data)] = kind
    return batch, hostile


EXPECTED = {("p1", "view"): 4, ("p1", "purchase"): 1, ("p2", "view"): 2}


def test_exact_counts_one_update_per_key_and_hostile_records_only_rejected(table: Any) -> None:
    from shop_common.observability import metrics

    batch, hostile = mixed_batch()
    assert len(hostile) == len(HOSTILE)
    store = new_store()
    updates = count_calls(store)

    response = count(batch.event(), store)

    # Retrying cannot repair a malformed record: none is reported, none is counted.
    assert failures(response) == set()
    assert counts(table) == EXPECTED
    assert len(updates) == len(EXPECTED)  # the floor: one write per distinct key
    assert metrics.metric_set["UsageEventsRejected"]["Value"] == [len(HOSTILE)]
    assert sum(EXPECTED.values()) + len(hostile) == len(batch.records)


def test_redelivered_batch_and_tail_are_not_counted_twice(table: Any) -> None:
    batch, _ = mixed_batch()
    store = new_store()
    count(batch.event(), store)

    # Lambda redelivers from a later record, then the whole batch.
    count(batch.event(start=3), store)
    count(batch.event(), store)
    assert counts(table) == EXPECTED

    # A later batch on the same shard: only its new records count.
    batch.add_event(usage_event("e8", "p1", "view"))
    batch.add_event(usage_event("e9", "p3", "click"))
    response = count(batch.event(start=5), store)
    assert counts(table) == {**EXPECTED, ("p1", "view"): 5, ("p3", "click"): 1}
    assert failures(response) == set()


def test_throttled_writes_are_retried_with_backoff_and_counts_stay_exact(table: Any) -> None:
    batch, _ = mixed_batch()
    waits = Recorder()
    store = new_store(sleep=waits)
    updates = count_calls(store)  # registered first: it sees the throttled calls too
    throttled = throttle(store, times=4)

    response = count(batch.event(), store, workers=1)

    assert len(throttled) == 4
    assert failures(response) == set()
    assert counts(table) == EXPECTED
    assert len(updates) == len(EXPECTED) + 4
    assert len(waits.waits) == 4
    # Full jitter under a doubling ceiling: 0.001, 0.002, 0.004, 0.008 s for one key.
    for attempt, wait in enumerate(waits.waits):
        assert 0 <= wait <= 0.001 * 2**attempt


def test_key_still_throttled_after_retries_is_reported_and_counted_later(table: Any) -> None:
    batch, _ = mixed_batch()
    store = new_store()
    throttle(store, product_id="p2")
    p2_records = {
        record["kinesis"]["sequenceNumber"]
        for record in batch.records
        if record["kinesis"]["partitionKey"] == "p2"
    }

    response = count(batch.event(), store)

    assert failures(response) == p2_records
    assert counts(table) == {k: v for k, v in EXPECTED.items() if k[0] != "p2"}

    # Lambda redelivers from the first failure; DynamoDB has recovered.
    first = min(p2_records, key=int)
    start = next(i for i, r in enumerate(batch.records) if r["kinesis"]["sequenceNumber"] == first)
    response = count(batch.event(start=start), new_store())
    assert counts(table) == EXPECTED
    assert failures(response) == set()


def test_a_batch_whose_every_record_fails_fails_as_a_whole(table: Any) -> None:
    batch = KinesisBatch()
    batch.add_event(usage_event("e1", "p1"))
    batch.add_event(usage_event("e2", "p1"))
    store = new_store()
    throttle(store)
    with pytest.raises(BatchProcessingError):
        count(batch.event(), store)
    assert counts(table) == {}


def test_a_batch_of_only_malformed_records_is_rejected_not_retried(table: Any) -> None:
    batch = KinesisBatch()
    batch.add("%%%")
    batch.add(encode(b"[1, 2]"))
    batch.records.append({"kinesis": "not a record"})
    assert failures(count(batch.event(), new_store())) == set()
    assert counts(table) == {}


def test_no_update_is_started_once_the_invocation_is_nearly_out_of_time(table: Any) -> None:
    batch, hostile = mixed_batch()
    store = new_store()
    updates = count_calls(store)
    response = count(batch.event(), store, remaining_ms=lambda: 1_000)
    assert updates == []
    good = {r["kinesis"]["sequenceNumber"] for r in batch.records} - set(hostile)
    assert failures(response) == good
    assert counts(table) == {}


def test_handler_reads_the_table_from_the_environment(
    table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COUNTS_TABLE", TABLE)
    from usage_aggregator import app

    app._store.cache_clear()
    batch, _ = mixed_batch()
    response = app.handler(batch.event(), FakeContext())
    assert failures(dict(response)) == set()
    assert counts(table) == EXPECTED


def test_requests_in_flight_never_exceed_the_clients_connection_pool(table: Any) -> None:
    from botocore.config import Config
    from usage_aggregator.counters import CounterStore

    client = boto3.client("dynamodb", config=Config(max_pool_connections=3))
    store = CounterStore(TABLE, client=client)
    in_flight, most = 0, 0
    lock = threading.Lock()

    def started(**_: Any) -> None:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)

    def finished(**_: Any) -> None:
        nonlocal in_flight
        with lock:
            in_flight -= 1

    client.meta.events.register("before-send.dynamodb.UpdateItem", started)
    client.meta.events.register("needs-retry.dynamodb.UpdateItem", finished)
    batch = KinesisBatch()
    for index in range(40):
        batch.add_event(usage_event(f"e{index}", f"p{index}", "view"))

    response = count(batch.event(), store, workers=16)

    assert failures(response) == set()
    assert len(counts(table)) == 40
    assert 1 < most <= 3  # parallel, within the pool
