"""The events Lambda would hand the handlers, built from what the emulator returned."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from tools.sandbox.emulator import ACCOUNT, REGION


def kinesis_event(
    records: list[dict[str, Any]], stream_arn: str, shard_id: str, *, role: str = "sandbox"
) -> dict[str, Any]:
    """A Kinesis event source mapping's event of GetRecords ``records`` from one shard,
    invoked as role ``role`` of the emulator's account."""
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": record["PartitionKey"],
                    "sequenceNumber": record["SequenceNumber"],
                    "data": base64.b64encode(record["Data"]).decode("ascii"),
                    "approximateArrivalTimestamp": _epoch(record["ApproximateArrivalTimestamp"]),
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"{shard_id}:{record['SequenceNumber']}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT}:role/{role}",
                "awsRegion": REGION,
                "eventSourceARN": stream_arn,
            }
            for record in records
        ]
    }


def dynamodb_event(records: list[dict[str, Any]], stream_arn: str) -> dict[str, Any]:
    """A DynamoDB stream event source mapping's event of GetRecords ``records``."""
    converted = []
    for record in records:
        data = dict(record["dynamodb"])
        if "ApproximateCreationDateTime" in data:
            data["ApproximateCreationDateTime"] = _epoch(data["ApproximateCreationDateTime"])
        converted.append(
            {
                "eventID": record["eventID"],
                "eventName": record["eventName"],
                "eventVersion": record.get("eventVersion", "1.1"),
                "eventSource": "aws:dynamodb",
                "awsRegion": record.get("awsRegion", REGION),
                "dynamodb": data,
                "eventSourceARN": stream_arn,
            }
        )
    return {"Records": converted}


def _epoch(value: datetime | float) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


def api_event(
    method: str,
    resource: str,
    *,
    path_parameters: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway REST proxy event for ``method resource`` (``/products/{sku}``);
    ``claims`` are what a Cognito authorizer would have verified. A ``body`` that is not a
    string is sent as JSON; ``headers`` default to a JSON content type when there is a body.
    """
    path = resource
    for name, value in (path_parameters or {}).items():
        path = path.replace(f"{{{name}}}", value)
    if headers is None:
        headers = {"content-type": "application/json"} if body is not None else {}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/v1{path}",
            "stage": "v1",
            "requestId": "sandbox-request",
            "identity": {"sourceIp": "127.0.0.1"},
            "authorizer": {"claims": claims} if claims else None,
        },
        "body": body if body is None or isinstance(body, str) else json.dumps(body),
        "isBase64Encoded": False,
    }


def object_created_event(bucket: str, key: str, size: int, time: str) -> dict[str, Any]:
    """EventBridge's ``Object Created`` event of an S3 object, as the indexer's rule
    delivers it."""
    return {
        "version": "0",
        "id": f"sandbox-{bucket}-{key}",
        "source": "aws.s3",
        "detail-type": "Object Created",
        "account": ACCOUNT,
        "region": REGION,
        "time": time,
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": {"key": key, "size": size, "sequencer": "0055AED6DCD90281E5"},
            "reason": "PutObject",
        },
    }
