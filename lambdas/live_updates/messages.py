"""What clients send and receive on the live-updates WebSocket, as plain data.

Client to server (the ``$default`` route), one JSON object per frame::

    {"action": "subscribe", "topics": ["product:p1", "event_type:view", "all"]}
    {"action": "unsubscribe", "topics": ["product:p1"]}
    {"action": "ping"}
    {"action": "snapshot"}                 (then {"action": "snapshot", "cursor": "..."})

answered ``{"type": "subscribed", "topics": [...]}``, ``{"type": "unsubscribed",
"topics": [...]}``, ``{"type": "pong"}``, ``{"type": "snapshot", "counts": [{"product_id":
"p1", "event_type": "view", "count": 42}, ...], "cursor": "..." | null}`` (a page of every
counter's current value; ask again with ``cursor`` until it is null) or ``{"type":
"error", "message": "..."}``.
A connect may subscribe at once with ``?topics=all,product:p1`` (comma-separated).

Server to client, one per change of a counter (:func:`count_message`)::

    {"type": "count", "product_id": "p1", "event_type": "view", "count": 42,
     "sequence": "4000000000001234567890"}

``count`` is the counter's absolute value after the change, so a message delivered twice
(a retried batch) sets the same value again; ``sequence`` (the stream record's sequence
number, ordered per counter) lets a client drop a message older than one it has.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from shop_common.usage_events import EVENT_TYPES

#: Subscribing to this topic receives every counter's changes.
ALL = "all"
#: The most topics one connection may hold, and one message may name.
MAX_TOPICS = 50
_PRODUCT = re.compile(r"^product:[A-Za-z0-9_.:-]{1,128}$")
_ACTIONS = ("subscribe", "unsubscribe", "ping", "snapshot")


class InvalidMessageError(ValueError):
    """A client message the route refuses; its text goes back to the client."""


class ClientMessage(NamedTuple):
    """One parsed client message."""

    action: str
    topics: tuple[str, ...]
    #: Where a snapshot continues (``None``: from the start).
    cursor: str | None = None


def check_topic(topic: Any) -> str:
    """``topic`` if it is ``all``, ``product:<id>`` or ``event_type:<known type>``."""
    if not isinstance(topic, str):
        raise InvalidMessageError(f"a topic must be a string, got {topic!r}")
    if topic == ALL or _PRODUCT.match(topic):
        return topic
    kind, _, value = topic.partition(":")
    if kind == "event_type" and value in EVENT_TYPES:
        return topic
    raise InvalidMessageError(
        f"unknown topic {topic[:140]!r}: use 'all', 'product:<id>' or 'event_type:<one of "
        f"{', '.join(sorted(EVENT_TYPES))}>'"
    )


def check_topics(topics: Any) -> tuple[str, ...]:
    """The distinct valid topics of a list, in order; ``InvalidMessageError`` otherwise."""
    if not isinstance(topics, list) or not topics:
        raise InvalidMessageError("topics must be a non-empty list of topics")
    if len(topics) > MAX_TOPICS:
        raise InvalidMessageError(f"at most {MAX_TOPICS} topics at a time, got {len(topics)}")
    return tuple(dict.fromkeys(check_topic(t) for t in topics))


def parse_client_message(body: str | None) -> ClientMessage:
    """The action and topics of a client frame, or ``InvalidMessageError``."""
    try:
        data = json.loads(body or "")
    except (ValueError, RecursionError) as error:
        raise InvalidMessageError("a message must be a JSON object") from error
    if not isinstance(data, dict):
        raise InvalidMessageError("a message must be a JSON object")
    action = data.get("action")
    if action not in _ACTIONS:
        raise InvalidMessageError(f"action must be one of {', '.join(_ACTIONS)}")
    if action == "ping":
        return ClientMessage("ping", ())
    if action == "snapshot":
        cursor = data.get("cursor")
        if cursor is not None and not isinstance(cursor, str):
            raise InvalidMessageError("cursor must be a string")
        return ClientMessage("snapshot", (), cursor)
    return ClientMessage(action, check_topics(data.get("topics")))


def reply(kind: str, **fields: Any) -> str:
    """A server frame of type ``kind``."""
    return json.dumps({"type": kind, **fields}, separators=(",", ":"))


class Change(NamedTuple):
    """One counter change to push: who gets it (``topics``) and what (``body``)."""

    topics: tuple[str, ...]
    body: bytes


def count_message(new_image: Mapping[str, Any], sequence: str) -> Change | None:
    """The message for a counts-table item (DynamoDB JSON ``NewImage``); ``None`` for an
    item that is not a counter (the aggregator's ledger rows)."""
    product = new_image.get("product_id", {}).get("S")
    event_type = new_image.get("event_type", {}).get("S")
    count = new_image.get("event_count", {}).get("N")
    if not product or event_type not in EVENT_TYPES or count is None:
        return None
    body = reply(
        "count", product_id=product, event_type=event_type, count=int(count), sequence=sequence
    )
    return Change((ALL, f"product:{product}", f"event_type:{event_type}"), body.encode())
