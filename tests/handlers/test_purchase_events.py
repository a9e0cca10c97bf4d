"""Purchase events: orders placed through the real order handler, their items read back
from the table's stream in moto, passed through the mapping's filter from the Web
template, and the events the emitter put into a Kinesis stream in moto read back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.support.api_events import FakeContext, json_response, rest_event
from tests.support.tables import create_table_like
from tools.assembly import StackArtifact
from tools.event_filters import mapping_filters, passes

TABLE, IDEMPOTENCY, STREAM = "shop", "idempotency", "usage-events"
ORDER = {"items": [{"sku": "LAMP-1", "quantity": 2}, {"sku": "MUG-1", "quantity": 1}]}


@pytest.fixture
def shop(
    aws: str,
    stack_artifacts: dict[str, StackArtifact],
    metrics_namespace: None,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[dict[str, Any]]:
    web = stack_artifacts["Dev/Web"]
    table = create_table_like(web, "ApiTable", TABLE)
    create_table_like(web, "IdempotencyTable", IDEMPOTENCY)
    for sku, price in (("LAMP-1", 2999), ("MUG-1", 850)):
        table.put_item(
            Item={"pk": "PRODUCT", "sk": sku, "sku": sku, "name": sku, "price_cents": price}
        )
    kinesis = boto3.client("kinesis")
    kinesis.create_stream(StreamName=STREAM, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=STREAM)
    monkeypatch.setenv("TABLE_NAME", TABLE)
    monkeypatch.setenv("IDEMPOTENCY_TABLE", IDEMPOTENCY)
    monkeypatch.setenv("STREAM_NAME", STREAM)
    from orders import app as orders
    from purchase_events import app as emitter

    for cached in (orders._store, orders._place_once, emitter._writer):
        cached.cache_clear()
    yield {
        "table": table,
        "kinesis": kinesis,
        "filters": mapping_filters(web.template(), "PurchaseEventsEmitter"),
        "orders": orders,
        "emitter": emitter,
    }
    for cached in (orders._store, orders._place_once, emitter._writer):
        cached.cache_clear()


def place(shop: dict[str, Any], key: str, body: Any = ORDER, sub: str = "alice") -> tuple[int, Any]:
    event = rest_event(
        "POST", "/orders", body=body, headers={"Idempotency-Key": key}, claims={"sub": sub}
    )
    return json_response(shop["orders"].handler(event, FakeContext()))


def stream_records(table: Any) -> list[dict[str, Any]]:
    """Every record of the table's stream so far, in order, as Lambda's event holds them."""
    streams = boto3.client("dynamodbstreams")
    arn = table.latest_stream_arn
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records.extend(streams.get_records(ShardIterator=iterator)["Records"])
    return records


def delivered(shop: dict[str, Any]) -> list[dict[str, Any]]:
    """The records Lambda would pass to the emitter: the stream's, through the filter."""
    return [r for r in stream_records(shop["table"]) if passes(r, shop["filters"])]


def events_in_stream(kinesis: Any) -> list[dict[str, Any]]:
    from shop_common.usage_events import parse_usage_event

    shard = kinesis.describe_stream(StreamName=STREAM)["StreamDescription"]["Shards"][0]
    iterator = kinesis.get_shard_iterator(
        StreamName=STREAM, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    found = []
    for record in kinesis.get_records(ShardIterator=iterator)["Records"]:
        event = parse_usage_event(record["Data"])
        assert record["PartitionKey"] == event.product_id
        found.append(event._asdict())
    return found


def test_an_order_becomes_one_purchase_event_per_product(shop: dict[str, Any]) -> None:
    status, order = place(shop, "key-00000001")
    assert status == 201
    records = delivered(shop)
    assert len(records) == 1  # the product items written by the fixture are filtered out
    answer = shop["emitter"].emit({"Records": records}, shop["emitter"]._writer())
    assert answer == {"batchItemFailures": []}
    events = events_in_stream(shop["kinesis"])
    assert sorted((e["event_id"], e["product_id"], e["event_type"]) for e in events) == [
        (f"{order['order_id']}:LAMP-1", "LAMP-1", "purchase"),
        (f"{order['order_id']}:MUG-1", "MUG-1", "purchase"),
    ]
    # The aggregator's own parser accepts them; the time is the order's, in its form.
    assert {e["occurred_at"][:19] for e in events} == {order["created_at"][:19]}


def test_a_retried_order_makes_no_second_event(shop: dict[str, Any]) -> None:
    first = place(shop, "key-00000001")
    again = place(shop, "key-00000001")
    assert first == again
    assert first[0] == 201
    assert len(delivered(shop)) == 1
    place(shop, "key-00000002")  # another key is another order, and its events
    shop["emitter"].emit({"Records": delivered(shop)}, shop["emitter"]._writer())
    ids = [e["event_id"] for e in events_in_stream(shop["kinesis"])]
    assert len(ids) == len(set(ids)) == 4


def test_a_failed_order_makes_no_event(shop: dict[str, Any]) -> None:
    status, _ = place(shop, "key-00000001", body={"items": [{"sku": "NOPE", "quantity": 1}]})
    assert status == 400
    assert delivered(shop) == []


class _Refusing:
    """The real moto client, but Kinesis refuses the given products' entries ``times``
    times (as it does when a shard is throttled)."""

    def __init__(self, client: Any, refused: set[str], times: int) -> None:
        self._client, self._refused, self._left = client, refused, times
        self.calls: list[int] = []

    def put_records(self, **call: Any) -> dict[str, Any]:
        stream, records = call["StreamName"], call["Records"]
        self.calls.append(len(records))
        refuse = self._left > 0
        self._left -= 1
        kept = [r for r in records if not (refuse and r["PartitionKey"] in self._refused)]
        written = iter(
            self._client.put_records(StreamName=stream, Records=kept)["Records"] if kept else []
        )
        results = [
            {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "slow down"}
            if refuse and r["PartitionKey"] in self._refused
            else next(written)
            for r in records
        ]
        failed = sum("ErrorCode" in r for r in results)
        return {"FailedRecordCount": failed, "Records": results}


def _writer(client: Any) -> Any:
    from purchase_events.writer import StreamWriter

    return StreamWriter(STREAM, client=client, sleep=lambda _seconds: None)


def test_refused_entries_are_retried_and_written_once(shop: dict[str, Any]) -> None:
    place(shop, "key-00000001")
    client = _Refusing(shop["kinesis"], refused={"MUG-1"}, times=2)
    answer = shop["emitter"].emit({"Records": delivered(shop)}, _writer(client))
    assert answer == {"batchItemFailures": []}
    assert client.calls == [2, 1, 1]  # both, then only the refused one twice
    assert sorted(e["product_id"] for e in events_in_stream(shop["kinesis"])) == ["LAMP-1", "MUG-1"]


def test_entries_refused_every_time_fail_from_their_record_on(shop: dict[str, Any]) -> None:
    shop["table"].put_item(
        Item={"pk": "PRODUCT", "sk": "PEN-1", "sku": "PEN-1", "name": "Pen", "price_cents": 100}
    )
    for key, sku in (
        ("key-00000001", "LAMP-1"),
        ("key-00000002", "PEN-1"),
        ("key-00000003", "MUG-1"),
    ):
        place(shop, key, body={"items": [{"sku": sku, "quantity": 1}]})
    records = delivered(shop)
    assert len(records) == 3
    client = _Refusing(shop["kinesis"], refused={"PEN-1"}, times=99)
    answer = shop["emitter"].emit({"Records": records}, _writer(client))
    # Lambda retries a DynamoDB stream from the lowest reported record: the second order
    # and everything after it are reported, the first is done.
    assert answer["batchItemFailures"] == [
        {"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in records[1:]
    ]
    assert len(client.calls) == 4  # every attempt, then it gives up


def test_items_that_are_not_orders_are_skipped(shop: dict[str, Any]) -> None:
    from purchase_events.events import NotAnOrderError, event_id, purchase_events

    with pytest.raises(NotAnOrderError):
        purchase_events({"pk": "PRODUCT", "sk": "LAMP-1"})
    with pytest.raises(NotAnOrderError):
        purchase_events({"pk": "ORDER#1", "sk": "ORDER", "order_id": "1", "items": []})
    with pytest.raises(NotAnOrderError, match="occurred_at"):
        purchase_events({"pk": "ORDER#1", "sk": "ORDER", "order_id": "1", "items": [{"sku": "A"}]})
    long_sku = "S" * 200
    assert len(event_id("o" * 36, long_sku)) <= 128
    assert event_id("o", long_sku) == event_id("o", long_sku) != event_id("o", long_sku + "x")
    image = {"pk": {"S": "PRODUCT"}, "sk": {"S": "LAMP-1"}}
    answer = shop["emitter"].emit(
        {"Records": [{"dynamodb": {"NewImage": image, "SequenceNumber": "1"}}]},
        shop["emitter"]._writer(),
    )
    assert answer == {"batchItemFailures": []}
    assert events_in_stream(shop["kinesis"]) == []
