"""Finding and deleting expired idempotency records, page by page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

#: Powertools' record key and expiry (epoch seconds) attributes.
KEY_ATTRIBUTE = "id"
EXPIRY_ATTRIBUTE = "expiration"


@dataclass
class SweepResult:
    """What one run did: items examined and deleted, and whether it saw the whole table."""

    scanned: int = 0
    deleted: int = 0
    refreshed: int = 0
    complete: bool = False


def sweep(
    table: Table,
    *,
    now: int,
    time_left: Callable[[], float],
    page_size: int | None = None,
    reserve_seconds: float = 10,
) -> SweepResult:
    """Delete every record of ``table`` whose expiry is before ``now``.

    Each delete is conditional on the record still being expired, so a record that a
    request rewrote since the scan (a new attempt with the same key) is kept. Stops between
    pages when ``time_left()`` (seconds) is under ``reserve_seconds``; the next run starts
    over. ``page_size`` caps the items a scan page examines (default: DynamoDB's 1 MB).
    """
    result = SweepResult()
    expired = Attr(EXPIRY_ATTRIBUTE).lt(now)
    request: dict[str, Any] = {
        "FilterExpression": expired,
        "ProjectionExpression": "#key",
        "ExpressionAttributeNames": {"#key": KEY_ATTRIBUTE},
        "ConsistentRead": True,
    }
    if page_size is not None:
        request["Limit"] = page_size
    while True:
        page = table.scan(**request)
        result.scanned += int(page.get("ScannedCount", 0))
        for item in page.get("Items", []):
            try:
                table.delete_item(
                    Key={KEY_ATTRIBUTE: item[KEY_ATTRIBUTE]}, ConditionExpression=expired
                )
                result.deleted += 1
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                result.refreshed += 1
        if "LastEvaluatedKey" not in page:
            result.complete = True
            return result
        if time_left() < reserve_seconds:
            return result
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
