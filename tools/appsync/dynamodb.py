"""The DynamoDB request an ``APPSYNC_JS`` resolver returns, executed as AppSync's DynamoDB
data source does (against any endpoint: moto in the tests), and the result shaped as the
resolver's ``response`` sees it in ``ctx.result``: items as plain JSON, a ``Query``'s
``items`` and ``nextToken``.

AppSync's ``nextToken`` is opaque; here it is the ``LastEvaluatedKey`` as base64 JSON, which
a resolver only passes through, as it must with AppSync's.
"""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

_DESERIALIZER = TypeDeserializer()


class ConditionalCheckFailed(Exception):  # noqa: N818 - DynamoDB's own name
    """The request's condition did not hold (AppSync's
    ``DynamoDB:ConditionalCheckFailedException``)."""


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, set)):
        return [_plain(v) for v in value]
    return value


def _item(item: dict[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {k: _plain(_DESERIALIZER.deserialize(v)) for k, v in item.items()}


def _expression(request: dict[str, Any], key: str, prefix: str) -> dict[str, Any]:
    """``{expression, expressionNames, expressionValues}`` as boto3 keyword arguments."""
    part = request.get(key)
    if not part:
        return {}
    out: dict[str, Any] = {prefix: part["expression"]}
    if part.get("expressionNames"):
        out["ExpressionAttributeNames"] = part["expressionNames"]
    if part.get("expressionValues"):
        out["ExpressionAttributeValues"] = part["expressionValues"]
    return out


def _merge(*parts: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if key.startswith("ExpressionAttribute") and key in merged:
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged


def execute(client: Any, table_name: str, request: dict[str, Any]) -> Any:
    """Run ``request`` (``GetItem``, ``PutItem``, ``UpdateItem`` or ``Query``) on
    ``table_name``; the result as ``ctx.result``."""
    operation = request.get("operation")
    try:
        if operation == "GetItem":
            answer = client.get_item(
                TableName=table_name,
                Key=request["key"],
                ConsistentRead=bool(request.get("consistentRead")),
            )
            return _item(answer.get("Item"))
        if operation in ("PutItem", "UpdateItem"):
            condition = _expression(request, "condition", "ConditionExpression")
            if operation == "PutItem":
                item = {**request["key"], **request.get("attributeValues", {})}
                client.put_item(TableName=table_name, Item=item, **condition)
                return _item(item)
            update = _expression(request, "update", "UpdateExpression")
            answer = client.update_item(
                TableName=table_name,
                Key=request["key"],
                ReturnValues="ALL_NEW",
                **_merge(update, condition),
            )
            return _item(answer.get("Attributes"))
        if operation == "Query":
            query = _merge(
                _expression(request, "query", "KeyConditionExpression"),
                _expression(request, "filter", "FilterExpression"),
            )
            if request.get("limit") is not None:
                query["Limit"] = request["limit"]
            if request.get("nextToken"):
                query["ExclusiveStartKey"] = json.loads(base64.b64decode(request["nextToken"]))
            if request.get("scanIndexForward") is not None:
                query["ScanIndexForward"] = request["scanIndexForward"]
            if request.get("index"):
                query["IndexName"] = request["index"]
            answer = client.query(TableName=table_name, **query)
            last = answer.get("LastEvaluatedKey")
            return {
                "items": [_item(item) for item in answer.get("Items", [])],
                "nextToken": base64.b64encode(json.dumps(last).encode()).decode() if last else None,
                "scannedCount": answer.get("ScannedCount", 0),
            }
    except client.exceptions.ConditionalCheckFailedException as error:
        raise ConditionalCheckFailed(str(error)) from error
    raise ValueError(f"operation {operation!r} is not one this executor runs")
