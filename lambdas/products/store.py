"""The product table behind a small adapter: the only module here that talks to AWS."""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

import boto3
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from products.catalog import PRODUCT_PARTITION, InvalidProductError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


class ProductStore:
    """Reads and writes product items (partition ``PRODUCT``, sort key the SKU)."""

    def __init__(self, table_name: str, *, table: Table | None = None) -> None:
        self._table = table or boto3.resource("dynamodb").Table(table_name)

    def get(self, sku: str) -> dict[str, Any] | None:
        """The item of ``sku``, or ``None``."""
        response = self._table.get_item(Key={"pk": PRODUCT_PARTITION, "sk": sku})
        return response.get("Item")

    def page(self, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
        """Up to ``limit`` products in SKU order after ``cursor``; and the next cursor."""
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(PRODUCT_PARTITION),
            "Limit": limit,
        }
        if cursor:
            query["ExclusiveStartKey"] = {"pk": PRODUCT_PARTITION, "sk": _decode(cursor)}
        response = self._table.query(**query)
        last = response.get("LastEvaluatedKey")
        return list(response.get("Items", [])), _encode(str(last["sk"])) if last else None

    def add(self, item: dict[str, Any]) -> bool:
        """Store a new product; False when the SKU already exists."""
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(sk)")
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True


def _encode(sku: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"sku": sku}).encode()).decode()


def _decode(cursor: str) -> str:
    try:
        sku = json.loads(base64.urlsafe_b64decode(cursor.encode()))["sku"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise InvalidProductError("cursor is not one this API returned") from None
    if not isinstance(sku, str):
        raise InvalidProductError("cursor is not one this API returned")
    return sku
