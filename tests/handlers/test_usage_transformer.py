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


#: Records that once raised out of the transformer (or could), each defeating a
#: different step of parsing; the aggregator's test mixes the same set into its batches.
ADVERSARIAL = [
    "%%% not base64",
    encode(b"\xff\xfe{}"),  # not UTF-8
    encode(b"[" * 100_000 + b"]" * 100_000),  # RecursionError
    encode(
        b'{"event_id":"e","product_id":"p1","event_type":"view",'
        b'"occurred_at":"2026-11-23T10:15:00Z","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    ),  # RecursionError inside an ignored field
    encode(
        b'{"event_id":"e","product_id":"p1","event_type":"view",'
        b'"occurred_at":"2026-11-23T10:15:00Z","n":' + b"9" * 5000 + b"}"
    ),  # ValueError: past the integer digit limit
    encode(usage_event("e", occurred_at="0001-01-01T00:00:00+01:00")),  # OverflowError
    encode(usage_event("e", occurred_at="9999-12-31T23:59:59-01:00")),  # OverflowError
    encode(usage_event("e", occurred_at="9999-12-31T23:59:59.999999+00:00")),  # fine
    encode(b"null"),
    encode(b""),
]


def test_every_record_of_an_adversarial_batch_gets_its_own_result() -> None:
    from usage_transformer import app

    good = [encode(usage_event(f"g{i}", f"p{i}", "view")) for i in range(len(ADVERSARIAL))]
    mixed = [data for pair in zip(good, ADVERSARIAL, strict=True) for data in pair]

    records = app.handler(firehose_event(*mixed), FakeContext())["records"]

    assert [r["recordId"] for r in records] == [f"r{i}" for i in range(len(mixed))]
    results = [r["result"] for r in records]
    assert results[0::2] == ["Ok"] * len(good)
    assert results[1::2] == ["ProcessingFailed"] * 7 + ["Ok"] + ["ProcessingFailed"] * 2
    assert [json.loads(decoded(r))["event_id"] for r in records[0::2]] == [
        f"g{i}" for i in range(len(good))
    ]
    # Failed records keep their data as it came, for the error prefix.
    failed = [r for r, data in zip(records, mixed, strict=True) if r["result"] != "Ok"]
    assert all(r["data"] in ADVERSARIAL for r in failed)


def test_an_error_parsing_does_not_anticipate_fails_only_its_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from usage_transformer import transform

    real = decode_usage_event

    def flaky(data: str) -> Any:
        if data == "Ym9vbQ==":  # "boom"
            raise MemoryError("as if")
        return real(data)

    monkeypatch.setattr(transform, "decode_usage_event", flaky)
    from usage_transformer import app

    event = firehose_event(encode(usage_event("e1")), "Ym9vbQ==", encode(usage_event("e2")))
    results = [r["result"] for r in app.handler(event, FakeContext())["records"]]
    assert results == ["Ok", "ProcessingFailed", "Ok"]
