"""The counts table behind a small adapter: the only module here that talks to AWS.

Each counter item (``product_id``, ``event_type``) holds ``event_count`` and
``last_sequence``, the highest Kinesis sequence number already counted into it. A batch
that Lambda delivers again (after a partial failure, a retry or a timeout) therefore
never counts a record twice: the update is conditional on the watermark, and on a
conflict only the records above the stored watermark are counted.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

#: Error codes after which the same request may succeed if sent again later.
RETRYABLE = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)
#: Width sequence numbers are zero-padded to, so that string order is numeric order.
SEQUENCE_WIDTH = 128


class CounterConflictError(RuntimeError):
    """The watermark kept moving under this update (another writer on the same key)."""


def padded(sequence_number: str) -> str:
    """A Kinesis sequence number as a fixed-width string that sorts numerically."""
    return sequence_number.rjust(SEQUENCE_WIDTH, "0")


class CounterStore:
    """Adds counted events to one counter item per (product, event type).

    :param table_name: the counts table.
    :param client: a DynamoDB client. Default: a new one.
    :param max_attempts: tries of one request while DynamoDB throttles. Default: 6.
    :param base_delay: first backoff ceiling in seconds; it doubles per retry (full jitter).
    :param max_delay: largest backoff ceiling in seconds.
    :param sleep: how to wait (tests pass a recorder). Default: ``time.sleep``.
    """

    def __init__(
        self,
        table_name: str,
        *,
        client: DynamoDBClient | None = None,
        max_attempts: int = 6,
        base_delay: float = 0.05,
        max_delay: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.table_name = table_name
        self.client: DynamoDBClient = client or boto3.client("dynamodb")
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self._random = random.Random()
        #: Requests sent (including retries), for the benchmark and the logs.
        self.requests = 0

    def add(self, product_id: str, event_type: str, entries: Sequence[tuple[str, bool]]) -> int:
        """Count the ``entries`` (padded sequence number, counts) not yet in the item.

        Returns how many events were added. Raises ``ClientError`` when DynamoDB still
        throttles after ``max_attempts``, ``CounterConflictError`` on repeated conflicts.
        """
        if not entries:
            return 0
        key = {"product_id": {"S": product_id}, "event_type": {"S": event_type}}
        pending = list(entries)
        watermark: str | None = None  # unknown until a conflict makes us read it
        for _ in range(3):
            count = sum(1 for _, counts in pending if counts)
            values = {
                ":count": {"N": str(count)},
                ":newest": {"S": max(sequence for sequence, _ in pending)},
                ":now": {"S": datetime.now(UTC).isoformat(timespec="milliseconds")},
            }
            if watermark is None:
                condition = "attribute_not_exists(last_sequence) OR last_sequence < :first"
                values[":first"] = {"S": min(sequence for sequence, _ in pending)}
            else:
                condition = "last_sequence = :watermark"
                values[":watermark"] = {"S": watermark}
            try:
                self._call(
                    self.client.update_item,
                    TableName=self.table_name,
                    Key=key,
                    UpdateExpression="ADD event_count :count "
                    "SET last_sequence = :newest, updated_at = :now",
                    ConditionExpression=condition,
                    ExpressionAttributeValues=values,
                )
                return count
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
            # Part of this key's events were counted by an earlier delivery of the batch.
            watermark = self._watermark(key)
            pending = [entry for entry in entries if entry[0] > watermark]
            if not pending:
                return 0
        raise CounterConflictError(f"counter {product_id}/{event_type} kept changing")

    def _watermark(self, key: dict[str, Any]) -> str:
        item = self._call(
            self.client.get_item,
            TableName=self.table_name,
            Key=key,
            ConsistentRead=True,
            ProjectionExpression="last_sequence",
        ).get("Item", {})
        return str(item.get("last_sequence", {}).get("S", ""))

    def _call(self, operation: Callable[..., Any], **kwargs: Any) -> Any:
        """Send a request, backing off exponentially (full jitter) while DynamoDB throttles."""
        for attempt in range(1, self.max_attempts + 1):
            self.requests += 1
            try:
                return operation(**kwargs)
            except ClientError as error:
                code = error.response["Error"]["Code"]
                if code not in RETRYABLE or attempt == self.max_attempts:
                    raise
                ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
                self._sleep(self._random.uniform(0, ceiling))
        raise AssertionError("unreachable")  # pragma: no cover
