"""DynamoDB stream events of the counts table and route events of the WebSocket API, as
Lambda receives them."""

from __future__ import annotations

import itertools
from typing import Any

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/counts/stream/2026-12-01T00:00:00.000"
_SEQUENCE = itertools.count(4_000_000_000_000_000_000_001)


def counter_image(product_id: str, event_type: str, count: int) -> dict[str, Any]:
    """A counts-table item in DynamoDB JSON, as the stream's ``NewImage`` holds it."""
    return {
        "product_id": {"S": product_id},
        "event_type": {"S": event_type},
        "event_count": {"N": str(count)},
        "seq#shardId-000000000000": {"S": "0" * 129},
    }


def stream_record(
    image: dict[str, Any] | None, event_name: str = "MODIFY", sequence: str | None = None
) -> dict[str, Any]:
    """One stream record (a ``REMOVE`` has no new image)."""
    number = sequence or str(next(_SEQUENCE))
    keys = {k: v for k, v in (image or {}).items() if k in ("product_id", "event_type")}
    dynamodb: dict[str, Any] = {
        "Keys": keys,
        "SequenceNumber": number,
        "SizeBytes": 100,
        "StreamViewType": "NEW_IMAGE",
    }
    if image is not None:
        dynamodb["NewImage"] = image
    return {
        "eventID": f"id-{number}",
        "eventName": event_name,
        "eventSource": "aws:dynamodb",
        "eventVersion": "1.1",
        "awsRegion": "us-east-1",
        "dynamodb": dynamodb,
        "eventSourceARN": STREAM_ARN,
    }


def route_event(
    route_key: str,
    connection_id: str,
    body: str | None = None,
    query: dict[str, str] | None = None,
    principal: str = "dashboard",
) -> dict[str, Any]:
    """A WebSocket route event of API Gateway (a Lambda proxy integration's input)."""
    context: dict[str, Any] = {
        "routeKey": route_key,
        "connectionId": connection_id,
        "eventType": {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route_key, "MESSAGE"),
        "stage": "live",
        "apiId": "abc123",
        "requestId": "req-1",
    }
    if route_key == "$connect":
        context["authorizer"] = {"principalId": principal}
    return {
        "requestContext": context,
        "body": body,
        "queryStringParameters": query,
        "isBase64Encoded": False,
    }
