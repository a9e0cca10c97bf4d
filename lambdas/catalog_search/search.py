"""Catalog queries behind a small adapter, and the page tokens they hand out."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import boto3
from boto3.dynamodb.types import TypeDeserializer

from shop_common import catalog_keys as keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

_deserialize = TypeDeserializer().deserialize
MAX_LIMIT = 100
OBJECT_FIELDS = ("bucket", "key", "zone", "dataset", "date", "partition", "size", "tags")


class BadRequestError(ValueError):
    """A query parameter is invalid; the message says which and why."""


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_token: str | None


def encode_token(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, sort_keys=True).encode()).decode()


def decode_token(token: str | None) -> Any:
    if token is None:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadRequestError("next is not a token this API handed out") from None


def parse_limit(raw: str | None, default: int = 25) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequestError(f"limit must be a whole number from 1 to {MAX_LIMIT}, got {raw!r}")
    return int(raw)


def parse_date(name: str, raw: str | None, default: str) -> str:
    value = raw or default
    try:
        date.fromisoformat(value)
    except ValueError:
        raise BadRequestError(f"{name} must be a date like 2026-11-23, got {value!r}") from None
    return value


class CatalogSearch:
    """Read-only queries over the catalog table's two indexes."""

    def __init__(self, table_name: str, *, client: DynamoDBClient | None = None) -> None:
        self._name = table_name
        self._client = client or boto3.client("dynamodb")

    def datasets_with_tag(self, tag: str, limit: int, token: str | None) -> Page:
        """Distinct datasets having ``tag``, in name order: one index read per dataset."""
        after = decode_token(token)
        if after is not None and not isinstance(after, str):
            raise BadRequestError("next is not a token of this listing")
        found: list[str] = []
        while len(found) <= limit:
            dataset = self._next_dataset(tag, after)
            if dataset is None:
                return Page(found, None)
            if len(found) == limit:
                return Page(found, encode_token(found[-1]))
            found.append(dataset)
            after = dataset
        return Page(found, None)  # pragma: no cover - the loop always returns

    def _next_dataset(self, tag: str, after: str | None) -> str | None:
        condition = "gsi2pk = :tag"
        values: dict[str, Any] = {":tag": {"S": keys.tag_pk(tag)}}
        if after is not None:
            condition += " AND gsi2sk > :after"
            # Skip every entry of the dataset already returned.
            values[":after"] = {"S": keys.dataset_prefix(after) + "\uffff"}
        response = self._client.query(
            TableName=self._name,
            IndexName=keys.BY_TAG,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            Limit=1,
        )
        items = response["Items"]
        return str(_deserialize(items[0]["dataset"])) if items else None

    def objects_of_dataset(
        self, dataset: str, start: str, end: str, limit: int, token: str | None
    ) -> Page:
        """Objects of ``dataset`` whose date lies in ``start``..``end``, oldest first."""
        if start > end:
            raise BadRequestError(f"from ({start}) must not be after to ({end})")
        request: dict[str, Any] = {
            "TableName": self._name,
            "IndexName": keys.BY_DATASET,
            "KeyConditionExpression": "gsi1pk = :ds AND gsi1sk BETWEEN :start AND :end",
            "ExpressionAttributeValues": {
                ":ds": {"S": keys.dataset_pk(dataset)},
                ":start": {"S": start},
                ":end": {"S": f"{end}#\uffff"},
            },
            "Limit": limit,
        }
        exclusive_start = decode_token(token)
        if exclusive_start is not None:
            if not isinstance(exclusive_start, dict):
                raise BadRequestError("next is not a token of this listing")
            request["ExclusiveStartKey"] = exclusive_start
        response = self._client.query(**request)
        objects = [
            {field: _deserialize(item[field]) for field in OBJECT_FIELDS if field in item}
            for item in response["Items"]
        ]
        last = response.get("LastEvaluatedKey")
        return Page(objects, encode_token(last) if last else None)
