"""The shop's usage events: what a valid one looks like, and its normal form.

The ingest API's request model checks the same shape (``stacks/streaming.py``); these
functions are the authority, since records can reach the stream by other paths too. Both
consumers (the counting aggregator and the archive's transformer) accept exactly the
events these functions accept, so the counters agree with the archive.

Whatever the bytes are, parsing either returns an event or raises
``InvalidUsageEventError``: the standard library's own failures on hostile input
(``RecursionError`` for deeply nested JSON, ``ValueError`` for integers past the
digit limit, ``OverflowError`` for timestamps at the datetime limits with an offset) are
translated here, so no caller can be sunk by one record.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any, NamedTuple

#: Event types the shop emits.
EVENT_TYPES = frozenset({"view", "click", "add_to_cart", "remove_from_cart", "purchase"})
#: Longest product or event id accepted.
MAX_ID_LENGTH = 128
_FIELDS = ("event_id", "product_id", "event_type", "occurred_at")


class InvalidUsageEventError(ValueError):
    """The record is not a usage event (bad encoding, not JSON, or a field is wrong)."""


class UsageEvent(NamedTuple):
    """One valid, normalised usage event (a tuple: cheap to build once per record)."""

    event_id: str
    product_id: str
    event_type: str
    occurred_at: str  # ISO 8601 in UTC with milliseconds, e.g. 2026-11-23T10:15:00.123Z

    def to_json(self) -> str:
        """The event as one compact JSON object (keys sorted)."""
        return json.dumps(
            {
                "event_id": self.event_id,
                "event_type": self.event_type,
                "occurred_at": self.occurred_at,
                "product_id": self.product_id,
            },
            sort_keys=True,
            separators=(",", ":"),
        )


def decode_usage_event(data: str) -> UsageEvent:
    """Parse a base64-encoded record (as Kinesis and Firehose deliver it) into an event."""
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise InvalidUsageEventError("data is not valid base64") from None
    return parse_usage_event(raw)


def parse_usage_event(raw: bytes) -> UsageEvent:
    """Parse the JSON bytes of one event; ``InvalidUsageEventError`` says what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidUsageEventError("data is not UTF-8 text") from None
    try:
        body = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidUsageEventError(f"data is not JSON: {error.msg}") from None
    except RecursionError:
        raise InvalidUsageEventError("data is JSON nested too deeply") from None
    except ValueError as error:  # e.g. an integer longer than Python's digit limit
        raise InvalidUsageEventError(f"data is not usable JSON: {error}") from None
    if not isinstance(body, dict):
        raise InvalidUsageEventError("event is not a JSON object")
    try:
        event_id, product_id, event_type, occurred_at = (body[name] for name in _FIELDS)
    except KeyError:
        missing = [name for name in _FIELDS if name not in body]
        raise InvalidUsageEventError(f"event lacks {', '.join(missing)}") from None
    event_type = _text("event_type", event_type).lower()
    if event_type not in EVENT_TYPES:
        raise InvalidUsageEventError(
            f"event_type {event_type!r} is not one of {', '.join(sorted(EVENT_TYPES))}"
        )
    return UsageEvent(
        _text("event_id", event_id),
        _text("product_id", product_id),
        event_type,
        _timestamp(occurred_at),
    )


def _text(field: str, value: Any) -> str:
    if not isinstance(value, str) or not (value := value.strip()):
        raise InvalidUsageEventError(f"{field} must be a non-empty string")
    if len(value) > MAX_ID_LENGTH:
        raise InvalidUsageEventError(f"{field} is longer than {MAX_ID_LENGTH} characters")
    return value


def _timestamp(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidUsageEventError("occurred_at must be an ISO 8601 timestamp string")
    try:
        parsed = datetime.fromisoformat(value.strip())
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        # Converting to UTC overflows at the datetime limits (0001-01-01 with a positive
        # offset, 9999-12-31 with a negative one): such an event is invalid, not fatal.
        normal = parsed.astimezone(UTC).isoformat(timespec="milliseconds")
    except (ValueError, OverflowError):
        raise InvalidUsageEventError(f"occurred_at {value[:40]!r} is not a timestamp") from None
    return normal.replace("+00:00", "Z")
