"""The routes of the live-updates WebSocket API as plain functions: connect, disconnect
and the client's messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from live_updates.connections import ConnectionStore
from live_updates.messages import (
    InvalidMessageError,
    check_topics,
    parse_client_message,
    reply,
)
from live_updates.snapshot import SnapshotPage

#: A snapshot page from a cursor (``None`` where the API serves no snapshots).
Snapshots = Callable[[str | None], SnapshotPage] | None


def _response(status: int, body: str | None = None) -> dict[str, Any]:
    return {"statusCode": status, **({"body": body} if body is not None else {})}


def route(
    event: dict[str, Any], store: ConnectionStore, snapshots: Snapshots = None
) -> dict[str, Any]:
    """Serve one route event of API Gateway (``requestContext.routeKey``)."""
    context = event["requestContext"]
    connection_id = context["connectionId"]
    key = context["routeKey"]
    if key == "$connect":
        return connect(event, connection_id, store)
    if key == "$disconnect":
        store.forget(connection_id)
        return _response(200)
    return message(event.get("body"), connection_id, store, snapshots)


def connect(event: dict[str, Any], connection_id: str, store: ConnectionStore) -> dict[str, Any]:
    """Record the connection, subscribed to ``?topics=`` (comma-separated) if given; a
    connect naming an unknown topic is refused (400) and nothing is recorded."""
    query = event.get("queryStringParameters") or {}
    wanted = [t for t in (query.get("topics") or "").split(",") if t]
    try:
        topics = check_topics(wanted) if wanted else ()
    except InvalidMessageError as error:
        return _response(400, reply("error", message=str(error)))
    subject = (event["requestContext"].get("authorizer") or {}).get("principalId", "anonymous")
    store.connect(connection_id, str(subject), topics)
    return _response(200)


def message(
    body: str | None, connection_id: str, store: ConnectionStore, snapshots: Snapshots = None
) -> dict[str, Any]:
    """Answer one client frame; the answer is sent back on the socket."""
    try:
        parsed = parse_client_message(body)
        if parsed.action == "snapshot":
            if snapshots is None:
                return _response(400, reply("error", message="this API serves no snapshots"))
            page = snapshots(parsed.cursor)
            return _response(200, reply("snapshot", counts=page.counts, cursor=page.cursor))
    except InvalidMessageError as error:
        return _response(400, reply("error", message=str(error)))
    if parsed.action == "ping":
        return _response(200, reply("pong"))
    if parsed.action == "subscribe":
        try:
            topics = store.subscribe(connection_id, parsed.topics)
        except LookupError:
            return _response(410, reply("error", message="connection is gone; reconnect"))
        return _response(200, reply("subscribed", topics=list(topics)))
    topics = store.unsubscribe(connection_id, parsed.topics)
    return _response(200, reply("unsubscribed", topics=list(topics)))
