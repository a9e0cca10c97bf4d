"""The counts table behind a small adapter: the only module here that talks to DynamoDB.

Counter items (``product_id``, ``event_type``) hold ``event_count`` and, per Kinesis shard
that ever wrote to them, a watermark ``seq#<shard id>``: the highest sequence number of
that shard counted into the item. Sequence numbers are ordered only within a shard, so a
watermark is never compared with another shard's records. Besides the counters, the
table holds the *ledger* under the reserved partition ``#ledger#<shard id>`` (event
types are never numeric ranges, so no counter can collide with it); see ``aggregation``
for what it records and ``replay`` for how it is read.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

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
#: Width sequence numbers are zero-padded to (Kinesis allows up to 129 digits), so that
#: DynamoDB's string order is numeric order.
SEQUENCE_WIDTH = 129
LEDGER_PREFIX = "#ledger#"


class CounterKey(NamedTuple):
    """One counter as one shard writes it."""

    shard_id: str
    product_id: str
    event_type: str

    def label(self) -> str:
        """The counter (without the shard) as one string, for ledger sets."""
        return json.dumps([self.product_id, self.event_type], separators=(",", ":"))


class LedgerEntry(NamedTuple):
    """For a range ``first..last`` of one shard: per counter, the sequence number up to
    which its records in the range are counted (``last`` for all of them)."""

    first: int
    last: int
    through: dict[str, int]  # by CounterKey.label()

    def covers(self, key: CounterKey, sequence: int) -> bool:
        return self.first <= sequence <= min(self.last, self.through.get(key.label(), -1))


class CounterConflictError(RuntimeError):
    """The watermark kept moving under this update (another writer on the same key)."""


def padded(sequence_number: int) -> str:
    """A sequence number as a fixed-width string that sorts numerically."""
    return str(sequence_number).rjust(SEQUENCE_WIDTH, "0")


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

    def add(self, key: CounterKey, sequences: Sequence[int]) -> int:
        """Count the records (sequence numbers of ``key.shard_id``) not yet in the counter.

        One conditional update when none of them was counted before (the normal path);
        after a redelivery, the watermark is read and only the records above it count.
        Returns how many were added. Raises ``ClientError`` when DynamoDB still throttles
        after ``max_attempts``, ``CounterConflictError`` on repeated conflicts.
        """
        names = {"#w": f"seq#{key.shard_id}"}
        pending = list(sequences)
        condition = "attribute_not_exists(#w) OR #w < :first"
        values = {":first": {"S": padded(min(pending))}}
        for _ in range(3):
            values |= {
                ":n": {"N": str(len(pending))},
                ":last": {"S": padded(max(pending))},
            }
            try:
                self._update(key, "ADD event_count :n SET #w = :last", condition, names, values)
                return len(pending)
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
            # An earlier delivery of these records counted part (or all) of them.
            watermark = self.watermark(key)
            pending = [sequence for sequence in sequences if sequence > watermark]
            if not pending:
                return 0
            condition, values = "#w = :w", {":w": {"S": padded(watermark)}}
        raise CounterConflictError(f"counter {key} kept changing")

    def add_replayed(self, key: CounterKey, count: int, token: str) -> int:
        """Add ``count`` records recovered by the replay ``token``, once per token.

        Watermarks are left alone: they describe the shard's normal progress. Returns
        ``count``, or 0 when this token was already applied (a replay run twice).
        """
        try:
            self._update(
                key,
                "ADD event_count :n, replays :tokens",
                "NOT contains(replays, :token)",
                None,
                {":n": {"N": str(count)}, ":tokens": {"SS": [token]}, ":token": {"S": token}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return 0
        return count

    def record_ledger(
        self, shard_id: str, first: int, last: int, through: Iterable[tuple[CounterKey, int]]
    ) -> None:
        """Record that each counter's records in ``first..last`` are counted up to its
        sequence number in ``through``. Entries only ever add facts (a set union), so
        attempts on the same range can all write theirs."""
        labels = sorted({f"{sequence}:{key.label()}" for key, sequence in through})
        if not labels:
            return  # nothing is known to be counted: the absence says the same
        self._call(
            self.client.update_item,
            TableName=self.table_name,
            Key=self._ledger_key(shard_id, f"{first}-{last}"),
            UpdateExpression="ADD counted :labels",
            ExpressionAttributeValues={":labels": {"SS": labels}},
        )

    def ledger(self, shard_id: str, first: int, last: int) -> list[LedgerEntry]:
        """The ledger entries of ``shard_id`` that overlap ``first..last``."""
        entries: list[LedgerEntry] = []
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "product_id = :p",
            "ExpressionAttributeValues": {":p": {"S": LEDGER_PREFIX + shard_id}},
            "ConsistentRead": True,
        }
        while True:
            page = self._call(self.client.query, **request)
            for item in page["Items"]:
                low, _, high = item["event_type"]["S"].partition("-")
                through: dict[str, int] = {}
                for fact in item["counted"]["SS"]:
                    sequence, _, label = fact.partition(":")
                    through[label] = max(int(sequence), through.get(label, -1))
                entry = LedgerEntry(int(low), int(high), through)
                if entry.first <= last and entry.last >= first:
                    entries.append(entry)
            if "LastEvaluatedKey" not in page:
                return entries
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _ledger_key(self, shard_id: str, sort_key: str) -> dict[str, Any]:
        return {"product_id": {"S": LEDGER_PREFIX + shard_id}, "event_type": {"S": sort_key}}

    def _update(
        self,
        key: CounterKey,
        expression: str,
        condition: str,
        names: dict[str, str] | None,
        values: dict[str, Any],
    ) -> None:
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": {"product_id": {"S": key.product_id}, "event_type": {"S": key.event_type}},
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeValues": values,
        }
        if names:
            request["ExpressionAttributeNames"] = names
        self._call(self.client.update_item, **request)

    def watermark(self, key: CounterKey) -> int:
        """The highest sequence number of ``key.shard_id`` counted into the counter (0: none)."""
        names = {"#w": f"seq#{key.shard_id}"}
        item = self._call(
            self.client.get_item,
            TableName=self.table_name,
            Key={"product_id": {"S": key.product_id}, "event_type": {"S": key.event_type}},
            ConsistentRead=True,
            ProjectionExpression="#w",
            ExpressionAttributeNames=names,
        ).get("Item", {})
        return int(item.get(names["#w"], {}).get("S", "0"))

    def _call(self, operation: Callable[..., Any], **kwargs: Any) -> Any:
        """Send a request, backing off exponentially (full jitter) while DynamoDB throttles."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                return operation(**kwargs)
            except ClientError as error:
                code = error.response["Error"]["Code"]
                if code not in RETRYABLE or attempt == self.max_attempts:
                    raise
                ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
                self._sleep(self._random.uniform(0, ceiling))
        raise AssertionError("unreachable")  # pragma: no cover
