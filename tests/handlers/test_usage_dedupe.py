"""Every record counted exactly once, per counter, however Lambda delivers the batches.

Each scenario drives the aggregator as Lambda's event source mapping would (redelivery,
partial-batch retries, bisection after a function error, several shards, resharding,
throttling) against the counts table in the emulator, and compares every counter with
the events that went in.
"""

from __future__ import annotations

import base64
import json
import random
from collections import Counter
from typing import Any

from tests.support.usage_counts import (
    Record,
    count,
    count_calls,
    counts,
    deliver,
    failures,
    kill_after,
    new_store,
    throttle,
)
from tests.support.usage_events import KinesisBatch, expected_counts, usage_event

PRODUCTS = ("p1", "p2", "p3", "p4")
TYPES = ("view", "click", "purchase")


def fill(batch: KinesisBatch, events: int, *, seed: int, prefix: str) -> KinesisBatch:
    """``events`` random events over a few shared counters, unique event ids."""
    rng = random.Random(seed)
    for index in range(events):
        batch.add_event(usage_event(f"{prefix}{index}", rng.choice(PRODUCTS), rng.choice(TYPES)))
    return batch


def chunks(records: list[Record], size: int) -> list[list[Record]]:
    return [records[i : i + size] for i in range(0, len(records), size)]


def invoker(store: Any) -> Any:
    return lambda records: count({"Records": records}, store)


def test_redelivered_batches_count_nothing_twice(table: Any) -> None:
    batch = fill(KinesisBatch(), 300, seed=1, prefix="e")
    store = new_store()
    for _ in range(2):  # the same batches again, as after a lost checkpoint
        for part in chunks(batch.records, 100):
            assert failures(count({"Records": part}, store)) == set()
    count(batch.event(start=150), store)  # and a tail
    assert counts(table) == expected_counts(batch.events)


def test_partial_batch_retries_count_the_failed_counter_once(table: Any) -> None:
    batch = fill(KinesisBatch(), 200, seed=2, prefix="e")
    store = new_store()
    throttled = throttle(store, product_id="p2", times=6)  # one invocation's worth of tries
    updates = count_calls(store)

    assert deliver(batch.records, invoker(store)) == []

    assert len(throttled) == 6
    assert counts(table) == expected_counts(batch.events)
    # The failed invocation wrote the ledger once: the failure path, not the normal one.
    ledger = [u for u in updates if u["Key"]["product_id"]["S"].startswith("#ledger#")]
    assert len(ledger) == 1


def test_bisected_batch_after_a_function_error_counts_once(table: Any) -> None:
    batch = fill(KinesisBatch(), 240, seed=3, prefix="e")
    dying = new_store()
    kill_after(dying, updates=5)  # the first invocation dies after five counter updates
    with_error: list[bool] = []

    def invoke(records: list[Record]) -> dict[str, Any]:
        store = dying if not with_error else new_store()
        with_error.append(True)
        return count({"Records": records}, store, workers=1)

    assert deliver(batch.records, invoke) == []
    assert len(with_error) >= 3  # the failed attempt, then at least its two halves
    assert counts(table) == expected_counts(batch.events)


def test_several_shards_writing_the_same_counters_lose_nothing(table: Any) -> None:
    # Another producer's partition keys land on a second shard, whose sequence numbers are
    # far below the first's: 400 + 400 events on the same counters.
    high = fill(KinesisBatch("shardId-000000000000", first=10**40), 400, seed=4, prefix="a")
    low = fill(KinesisBatch("shardId-000000000001", first=10**20), 400, seed=5, prefix="b")
    store = new_store()
    updates = count_calls(store)
    for mine, theirs in zip(chunks(high.records, 100), chunks(low.records, 100), strict=True):
        count({"Records": mine}, store)
        count({"Records": theirs}, store)
    count({"Records": low.records[:100]}, store)  # a redelivery on the lower shard

    assert counts(table) == expected_counts(high.events, low.events)
    assert len(updates) == sum(
        len(_counters(part)) for part in chunks(high.records, 100) + chunks(low.records, 100)
    ) + len(_counters(low.records[:100]))  # plus the redelivery's conditional checks


def test_resharding_parent_then_children_counts_every_record_once(table: Any) -> None:
    parent = fill(KinesisBatch("shardId-000000000000", first=5_000), 300, seed=6, prefix="p")
    # The children number their own records; one child's numbers start below the
    # parent's last ones, the other's above.
    left = fill(KinesisBatch("shardId-000000000001", first=5_100), 300, seed=7, prefix="l")
    right = fill(KinesisBatch("shardId-000000000002", first=9_000), 300, seed=8, prefix="r")
    store = new_store()
    for part in chunks(parent.records, 100):  # Lambda finishes the parent first
        count({"Records": part}, store)
    for a, b in zip(chunks(left.records, 100), chunks(right.records, 100), strict=True):
        count({"Records": a}, store)
        count({"Records": b}, store)
    count({"Records": parent.records[200:]}, store)  # a late redelivery of the parent's tail

    assert counts(table) == expected_counts(parent.events, left.events, right.events)


def test_throttling_on_every_counter_loses_nothing(table: Any) -> None:
    batch = fill(KinesisBatch(), 200, seed=9, prefix="e")
    store = new_store()
    throttled = throttle(store, times=40)  # spread over counters and invocations
    assert deliver(batch.records, invoker(store)) == []
    assert len(throttled) == 40
    assert counts(table) == expected_counts(batch.events)


def test_the_normal_path_writes_once_per_counter(table: Any) -> None:
    batch = fill(KinesisBatch(), 500, seed=10, prefix="e")
    store = new_store()
    updates = count_calls(store)
    reads = count_calls(store, "GetItem")
    count(batch.event(), store)
    assert len(updates) == len(_counters(batch.records)) == len(PRODUCTS) * len(TYPES)
    assert reads == []
    assert counts(table) == expected_counts(batch.events)


def _counters(records: list[Record]) -> Counter[str]:
    return Counter(
        "/".join(
            str(json.loads(base64.b64decode(r["kinesis"]["data"]))[f])
            for f in ("product_id", "event_type")
        )
        for r in records
    )
