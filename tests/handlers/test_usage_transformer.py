"""The Firehose transformation of usage events, and the event rules both handlers share."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from shop_common.usage_events import (
    EVENT_TYPES,
    InvalidUsageEventError,
    decode_usage_event,
    parse_usage_event,
)
from stacks.streaming import EVENT_TYPES as API_EVENT_TYPES
from tests.support.usage_events import FakeContext, encode, firehose_event, usage_event


@pytest.fixture(autouse=True)
def metrics_namespace(aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Handler modules are imported only once the test environment is set: the shared
    # Metrics object reads its namespace when it is created.
    from shop_common.observability import metrics

    monkeypatch.setattr(metrics, "namespace", metrics.namespace or "ShopTests")
    yield
    metrics.clear_metrics()  # functions called without the handler do not flush them


def decoded(record: dict[str, Any]) -> bytes:
    return base64.b64decode(record["data"])


def test_good_records_are_normalised_json_lines_and_bad_ones_marked_failed() -> None:
    from usage_transformer import app

    good = encode(
        {
            "event_id": " e1 ",
            "product_id": "p1",
            "event_type": "Add_To_Cart",
            "occurred_at": "2026-11-23T10:15:00.123+01:00",
            "ignored": "extra fields are dropped",
        }
    )
    bad = ["%%% not base64", encode(b"{nope"), encode({"event_id": "e2"})]
    event = firehose_event(good, *bad, encode(usage_event("e3", "p2", "view")))

    response = app.handler(event, FakeContext())

    records = response["records"]
    assert [r["recordId"] for r in records] == ["r0", "r1", "r2", "r3", "r4"]
    assert [r["result"] for r in records] == [
        "Ok",
        "ProcessingFailed",
        "ProcessingFailed",
        "ProcessingFailed",
        "Ok",
    ]
    assert decoded(records[0]) == (
        b'{"event_id":"e1","event_type":"add_to_cart",'
        b'"occurred_at":"2026-11-23T09:15:00.123Z","product_id":"p1"}\n'
    )
    # Failed records keep their data untouched, for the error prefix and a later replay.
    assert [r["data"] for r in records[1:4]] == bad
    assert json.loads(decoded(records[4]))["occurred_at"] == "2026-11-23T09:15:00.123Z"


def test_the_api_model_accepts_the_event_types_the_handlers_accept() -> None:
    assert set(API_EVENT_TYPES) == EVENT_TYPES


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"{", "not JSON"),
        (b"[]", "not a JSON object"),
        (json.dumps({"event_id": "e"}).encode(), "lacks product_id, event_type, occurred_at"),
        (json.dumps(usage_event("e", event_type="fly")).encode(), "event_type 'fly'"),
        (json.dumps(usage_event("e", product_id="  ")).encode(), "product_id must be"),
        (json.dumps(usage_event("e", product_id="x" * 129)).encode(), "longer than 128"),
        (json.dumps(usage_event("e", occurred_at="soon")).encode(), "not a timestamp"),
        (json.dumps(usage_event("e", occurred_at=1)).encode(), "ISO 8601"),
    ],
)
def test_invalid_events_say_what_is_wrong(raw: bytes, message: str) -> None:
    with pytest.raises(InvalidUsageEventError, match=message):
        parse_usage_event(raw)


def test_naive_timestamps_are_utc_and_base64_is_strict() -> None:
    event = parse_usage_event(
        json.dumps(usage_event("e", occurred_at="2026-01-02T03:04:05")).encode()
    )
    assert event.occurred_at == "2026-01-02T03:04:05.000Z"
    with pytest.raises(InvalidUsageEventError, match="not valid base64"):
        decode_usage_event("abc")  # not a multiple of four
