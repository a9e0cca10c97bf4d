"""The incident table behind a small adapter: the only module here that talks to AWS."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


class IncidentStore:
    """Writes incident items once: a redelivered notification does not duplicate one."""

    def __init__(self, table_name: str, *, table: Table | None = None) -> None:
        self._table = table or boto3.resource("dynamodb").Table(table_name)

    def add(self, item: dict[str, Any]) -> bool:
        """Store ``item``; False when an item with the same key already exists."""
        try:
            self._table.put_item(
                Item=item,
                ConditionExpression="attribute_not_exists(alarm_name)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True
