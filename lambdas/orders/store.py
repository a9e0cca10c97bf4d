"""The shop table behind a small adapter: the only module here that talks to AWS."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import boto3

from orders.orders import ORDER_SORT_KEY, order_partition

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import DynamoDBServiceResource, Table

#: Where product items live (written by the product API).
PRODUCT_PARTITION = "PRODUCT"


class OrderStore:
    """Reads products and writes orders in the shop table."""

    def __init__(self, table_name: str, *, resource: DynamoDBServiceResource | None = None) -> None:
        self._resource = resource or boto3.resource("dynamodb")
        self._name = table_name
        self._table: Table = self._resource.Table(table_name)

    def products(self, skus: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Product items by SKU for the SKUs that exist."""
        keys = [{"pk": PRODUCT_PARTITION, "sk": sku} for sku in sorted(set(skus))]
        found: dict[str, dict[str, Any]] = {}
        request: dict[str, Any] = {self._name: {"Keys": keys}}
        while request:
            response = self._resource.batch_get_item(RequestItems=request)
            for item in response["Responses"].get(self._name, []):
                found[str(item["sk"])] = dict(item)
            request = dict(response.get("UnprocessedKeys") or {})
        return found

    def add_order(self, item: dict[str, Any]) -> None:
        """Store a new order (order ids are fresh UUIDs, so the condition guards a bug)."""
        self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")

    def get_order(self, order_id: str) -> dict[str, Any] | None:
        """The order item, or ``None``."""
        response = self._table.get_item(Key={"pk": order_partition(order_id), "sk": ORDER_SORT_KEY})
        return response.get("Item")
