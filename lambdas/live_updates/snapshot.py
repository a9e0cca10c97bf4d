"""The counters' current values, a page at a time, for a client that has just connected:
the broadcaster sends only changes, so without this a new dashboard stays empty until
each counter next changes.

A page is one ``Scan`` of at most :data:`PAGE_SIZE` items of the counts table (the
aggregator's ledger rows are left out), projected to the three attributes a client shows,
so it stays far below a WebSocket frame's 32 KB. ``cursor`` is the opaque position of the
next page (``None`` after the last); a client's cursor is checked before use, since it
comes from the socket.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, NamedTuple

import boto3

from live_updates.messages import InvalidMessageError
from shop_common.usage_events import EVENT_TYPES

#: Items read per page (counters of about 100 bytes each in the answer).
PAGE_SIZE = 100
_KEY = ("product_id", "event_type")
_LONGEST_KEY = 256


class SnapshotPage(NamedTuple):
    counts: list[dict[str, Any]]
    cursor: str | None


def encode_cursor(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: Any) -> dict[str, str]:
    """The table key a cursor names; ``InvalidMessageError`` for anything else."""
    try:
        key = json.loads(base64.urlsafe_b64decode(str(cursor).encode()))
    except (ValueError, binascii.Error) as error:
        raise InvalidMessageError("cursor is not one this server gave") from error
    if (
        not isinstance(key, dict)
        or sorted(key) != sorted(_KEY)
        or not all(isinstance(v, str) and 0 < len(v) <= _LONGEST_KEY for v in key.values())
    ):
        raise InvalidMessageError("cursor is not one this server gave")
    return key


class CountsReader:
    """Pages of table ``table_name``'s counters."""

    def __init__(self, table_name: str) -> None:
        self._table: Any = boto3.resource("dynamodb").Table(table_name)

    def page(self, cursor: str | None = None) -> SnapshotPage:
        arguments: dict[str, Any] = {
            "Limit": PAGE_SIZE,
            "ProjectionExpression": "product_id, event_type, event_count",
        }
        if cursor is not None:
            arguments["ExclusiveStartKey"] = decode_cursor(cursor)
        answer = self._table.scan(**arguments)
        counts = [
            {
                "product_id": item["product_id"],
                "event_type": item["event_type"],
                "count": int(item["event_count"]),
            }
            for item in answer.get("Items", [])
            if item.get("event_type") in EVENT_TYPES and "event_count" in item
        ]
        last = answer.get("LastEvaluatedKey")
        return SnapshotPage(counts, encode_cursor(dict(last)) if last else None)
