"""The connections table behind a small adapter: the only module here that talks to DynamoDB.

Layout (``pk``/``sk`` strings, TTL ``expires_at`` in epoch seconds), so that a topic's
connections are one query, with neither a scan nor an eventually consistent index:

- a connection: ``pk = "connection#<id>"``, ``sk = "connection"``, ``topics`` (a string
  set), ``subject`` (who the authorizer let in);
- a subscription: ``pk = "topic#<topic>"``, ``sk = <connection id>``.

Both expire with the connection (API Gateway closes a socket after 2 hours at most), so a
``$disconnect`` that never came leaves nothing behind for long.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key

CONNECTION_SK = "connection"


def connection_key(connection_id: str) -> dict[str, str]:
    return {"pk": f"connection#{connection_id}", "sk": CONNECTION_SK}


def subscription_key(topic: str, connection_id: str) -> dict[str, str]:
    return {"pk": f"topic#{topic}", "sk": connection_id}


class ConnectionStore:
    """Connections and their subscriptions in table ``table_name``."""

    def __init__(self, table_name: str, ttl_seconds: int = 3 * 3600) -> None:
        self._table: Any = boto3.resource("dynamodb").Table(table_name)
        self._ttl = ttl_seconds

    def _expires(self) -> int:
        return int(time.time()) + self._ttl

    def connect(self, connection_id: str, subject: str, topics: Iterable[str] = ()) -> None:
        """Record a new connection (and its first subscriptions). A repeated ``$connect``
        of the same id writes the same items."""
        item: dict[str, Any] = {
            **connection_key(connection_id),
            "subject": subject,
            "expires_at": self._expires(),
        }
        self._table.put_item(Item=item)
        self.subscribe(connection_id, topics)

    def subscribe(self, connection_id: str, topics: Iterable[str]) -> tuple[str, ...]:
        """Add ``topics`` to the connection; ``LookupError`` when it is not connected."""
        wanted = tuple(topics)
        if not wanted:
            return ()
        try:
            self._table.update_item(
                Key=connection_key(connection_id),
                UpdateExpression="ADD topics :t",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":t": set(wanted)},
            )
        except self._table.meta.client.exceptions.ConditionalCheckFailedException as error:
            raise LookupError(f"connection {connection_id} is not connected") from error
        expires = self._expires()
        with self._table.batch_writer() as batch:
            for topic in wanted:
                batch.put_item(
                    Item={**subscription_key(topic, connection_id), "expires_at": expires}
                )
        return wanted

    def unsubscribe(self, connection_id: str, topics: Iterable[str]) -> tuple[str, ...]:
        """Remove ``topics`` from the connection (topics it never had are no error)."""
        gone = tuple(topics)
        if not gone:
            return ()
        # A connection gone already may still have subscriptions to delete below.
        with contextlib.suppress(
            self._table.meta.client.exceptions.ConditionalCheckFailedException
        ):
            self._table.update_item(
                Key=connection_key(connection_id),
                UpdateExpression="DELETE topics :t",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":t": set(gone)},
            )
        with self._table.batch_writer() as batch:
            for topic in gone:
                batch.delete_item(Key=subscription_key(topic, connection_id))
        return gone

    def forget(self, connection_id: str) -> None:
        """Delete the connection and every subscription of it; forgetting twice is fine."""
        found = self._table.get_item(Key=connection_key(connection_id), ConsistentRead=True)
        topics = found.get("Item", {}).get("topics", set())
        with self._table.batch_writer() as batch:
            for topic in topics:
                batch.delete_item(Key=subscription_key(topic, connection_id))
            batch.delete_item(Key=connection_key(connection_id))

    def subscribers(self, topic: str) -> list[str]:
        """Connection ids subscribed to ``topic`` (strongly consistent, every page)."""
        ids: list[str] = []
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(f"topic#{topic}"),
            "ProjectionExpression": "sk",
            "ConsistentRead": True,
        }
        while True:
            page = self._table.query(**query)
            ids.extend(item["sk"] for item in page["Items"])
            if "LastEvaluatedKey" not in page:
                return ids
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
