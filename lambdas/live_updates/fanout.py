"""Pushing one change to every connection subscribed to it, a bounded number at a time.

``PostToConnection`` answers 410 (``GoneException``) for a connection that closed without
a ``$disconnect`` reaching us: that connection is forgotten and counts as handled. Any
other failure (throttling, a 5XX) leaves the change undelivered to that connection:
:func:`broadcast` reports it so the record is retried (a client may then receive the
change twice; messages carry absolute values, see ``messages``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from live_updates.connections import ConnectionStore
from live_updates.messages import Change

#: Error code of a connection that no longer exists (HTTP 410).
GONE = "GoneException"


class Outcome(NamedTuple):
    """What happened to one change: delivered, gone (and forgotten) and failed connections."""

    delivered: tuple[str, ...]
    gone: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]  # (connection id, error code)


def management_client(callback_url: str, concurrency: int) -> Any:
    """The ``apigatewaymanagementapi`` client of the stage at ``callback_url`` (``https://
    <api>.execute-api.<region>.amazonaws.com/<stage>``), with a connection per worker.
    Botocore retries throttling itself (standard mode, 3 attempts)."""
    return boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=callback_url,
        config=Config(
            max_pool_connections=concurrency, retries={"mode": "standard", "max_attempts": 3}
        ),
    )


class Subscribers:
    """Each topic's subscribers, read once for a whole batch of records: a batch of 100
    changes of one counter, or of any counter for the ``all`` topic, queries the table
    once, not 100 times. A connection that subscribes while the batch runs misses its
    later records; it was opened after they were written, so its snapshot (``snapshot``)
    already holds them. Connections found gone are dropped for the rest of the batch."""

    def __init__(self, store: ConnectionStore) -> None:
        self.store = store
        self._found: dict[str, list[str]] = {}
        self._gone: set[str] = set()
        #: How many topics were read from the table.
        self.queries = 0

    def of(self, topics: Iterable[str]) -> list[str]:
        """Connections subscribed to any of ``topics``, each once, in the order found."""
        found: list[str] = []
        for topic in topics:
            if topic not in self._found:
                self.queries += 1
                self._found[topic] = self.store.subscribers(topic)
            found.extend(self._found[topic])
        return [c for c in dict.fromkeys(found) if c not in self._gone]

    def forget(self, connection_id: str) -> None:
        """Forget a gone connection: in the table, and for this batch."""
        self._gone.add(connection_id)
        self.store.forget(connection_id)


def subscribed(store: ConnectionStore, topics: Iterable[str]) -> list[str]:
    """Connections subscribed to any of ``topics``, each once, in the order found."""
    return Subscribers(store).of(topics)


def broadcast(
    change: Change,
    *,
    store: ConnectionStore,
    post: Callable[[str, bytes], None],
    pool: ThreadPoolExecutor,
    subscribers: Subscribers | None = None,
) -> Outcome:
    """Send ``change`` to each subscribed connection through ``post`` (at most the pool's
    workers at a time); forget the gone ones. ``subscribers``: the batch's (default: read
    for this change alone)."""
    subscribers = subscribers or Subscribers(store)

    def send(connection_id: str) -> tuple[str, str | None]:
        try:
            post(connection_id, change.body)
        except ClientError as error:
            return connection_id, str(error.response.get("Error", {}).get("Code", "Unknown"))
        return connection_id, None

    delivered: list[str] = []
    gone: list[str] = []
    failed: list[tuple[str, str]] = []
    for connection_id, code in pool.map(send, subscribers.of(change.topics)):
        if code is None:
            delivered.append(connection_id)
        elif code == GONE:
            gone.append(connection_id)
        else:
            failed.append((connection_id, code))
    for connection_id in gone:
        subscribers.forget(connection_id)
    return Outcome(tuple(delivered), tuple(gone), tuple(failed))
