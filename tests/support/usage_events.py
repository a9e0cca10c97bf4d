"""Building Kinesis and Firehose events of usage events, as Lambda receives them."""

from __future__ import annotations

import base64
import itertools
import json
from typing import Any

#: A realistic 56-digit Kinesis sequence number; records count up from it.
FIRST_SEQUENCE = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_800
STREAM_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/usage-events"


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
    """Kinesis records with increasing sequence numbers, as one shard delivers them."""

    def __init__(self) -> None:
        self._sequence = itertools.count(FIRST_SEQUENCE)
        self.records: list[dict[str, Any]] = []

    def add(self, data: str, partition_key: str = "p1") -> str:
        """Append a record whose base64 ``data`` is given as is; return its sequence number."""
        sequence = str(next(self._sequence))
        self.records.append(
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": partition_key,
                    "sequenceNumber": sequence,
                    "data": data,
                    "approximateArrivalTimestamp": 1_795_000_000.123,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{sequence}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": "arn:aws:iam::123456789012:role/aggregator",
                "awsRegion": "us-east-1",
                "eventSourceARN": STREAM_ARN,
            }
        )
        return sequence

    def add_event(self, event: dict[str, Any]) -> str:
        return self.add(encode(event), str(event.get("product_id", "none")))

    def event(self, start: int = 0) -> dict[str, Any]:
        """The Lambda event of the records from index ``start`` on (a redelivery)."""
        return {"Records": self.records[start:]}


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
