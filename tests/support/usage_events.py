"""Building Kinesis and Firehose events of usage events, as Lambda receives them."""

from __future__ import annotations

import base64
import itertools
import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

#: A realistic 56-digit Kinesis sequence number; records count up from it.
FIRST_SEQUENCE = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_800
STREAM_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/usage-events"
SHARD_ID = "shardId-000000000000"


def usage_event(
    event_id: str, product_id: str = "p1", event_type: str = "view", **extra: Any
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "product_id": product_id,
        "event_type": event_type,
        "occurred_at": "2026-11-23T10:15:00.123+01:00",
        **extra,
    }


def encode(payload: dict[str, Any] | bytes) -> str:
    """Base64 of a JSON payload (or of raw bytes)."""
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return base64.b64encode(raw).decode("ascii")


class KinesisBatch:
    """Kinesis records of one shard with increasing sequence numbers, as Lambda delivers them.

    :param shard_id: the shard the records come from.
    :param first: the first record's sequence number; shards number independently.
    """

    def __init__(self, shard_id: str = SHARD_ID, first: int = FIRST_SEQUENCE) -> None:
        self.shard_id = shard_id
        self._sequence = itertools.count(first)
        self.records: list[dict[str, Any]] = []
        #: The events added with :meth:`add_event`, for the counts they must produce.
        self.events: list[dict[str, Any]] = []

    def add(self, data: str, partition_key: str = "p1") -> str:
        """Append a record whose base64 ``data`` is given as is; return its sequence number."""
        sequence = str(next(self._sequence))
        self.records.append(kinesis_record(data, sequence, self.shard_id, partition_key))
        return sequence

    def add_event(self, event: dict[str, Any]) -> str:
        self.events.append(event)
        return self.add(encode(event), str(event.get("product_id", "none")))

    def event(self, start: int = 0, stop: int | None = None) -> dict[str, Any]:
        """The Lambda event of the records ``start:stop`` (a redelivery, or part of a batch)."""
        return {"Records": self.records[start:stop]}


def kinesis_record(
    data: str, sequence: str, shard_id: str = SHARD_ID, partition_key: str = "p1"
) -> dict[str, Any]:
    """One record of a Kinesis event, as Lambda's event source mapping builds it."""
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": partition_key,
            "sequenceNumber": sequence,
            "data": data,
            "approximateArrivalTimestamp": 1_795_000_000.123,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{sequence}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "arn:aws:iam::123456789012:role/aggregator",
        "awsRegion": "us-east-1",
        "eventSourceARN": STREAM_ARN,
    }


def expected_counts(*events: Iterable[dict[str, Any]]) -> Counter[tuple[str, str]]:
    """What the counters must hold for these events (all valid): one per event."""
    return Counter(
        (event["product_id"], event["event_type"].lower()) for group in events for event in group
    )


def firehose_event(*payloads: str) -> dict[str, Any]:
    """A Firehose transformation event of base64 ``payloads``, record ids ``r0``, ``r1``..."""
    return {
        "invocationId": "invocation-1",
        "deliveryStreamArn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/archive",
        "sourceKinesisStreamArn": STREAM_ARN,
        "region": "us-east-1",
        "records": [
            {
                "recordId": f"r{index}",
                "approximateArrivalTimestamp": 1_795_000_000_123,
                "data": data,
                "kinesisRecordMetadata": {
                    "sequenceNumber": str(FIRST_SEQUENCE + index),
                    "subsequenceNumber": 0,
                    "partitionKey": "p1",
                    "shardId": "shardId-000000000000",
                    "approximateArrivalTimestamp": 1_795_000_000_123,
                },
            }
            for index, data in enumerate(payloads)
        ],
    }


class FakeContext:
    """The attributes of a Lambda context that Powertools reads."""

    function_name = "usage-handler"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:usage-handler"
    aws_request_id = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000
