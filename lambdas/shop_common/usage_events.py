"""The shop's usage events: what a valid one looks like, and its normal form.

The ingest API's request model checks the same shape (``stacks/streaming.py``); these
functions are the authority, since records can reach the stream by other paths too.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: Event types the shop emits.
EVENT_TYPES = frozenset({"view", "click", "add_to_cart", "remove_from_cart", "purchase"})
#: Longest product or event id accepted.
MAX_ID_LENGTH = 128


class InvalidUsageEventError(ValueError):
    """The record is not a usage event (bad encoding, not JSON, or a field is wrong)."""


@dataclass(frozen=True)
class UsageEvent:
    """One valid, normalised usage event."""

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
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidUsageEventError("data is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise InvalidUsageEventError(f"data is not JSON: {error.msg}") from None
    if not isinstance(body, dict):
        raise InvalidUsageEventError("event is not a JSON object")
    missing = [k for k in ("event_id", "product_id", "event_type", "occurred_at") if k not in body]
    if missing:
        raise InvalidUsageEventError(f"event lacks {', '.join(missing)}")
    event_type = _text(body, "event_type").lower()
    if event_type not in EVENT_TYPES:
        raise InvalidUsageEventError(
            f"event_type {event_type!r} is not one of {', '.join(sorted(EVENT_TYPES))}"
        )
    return UsageEvent(
        event_id=_text(body, "event_id"),
        product_id=_text(body, "product_id"),
        event_type=event_type,
        occurred_at=_timestamp(body["occurred_at"]),
    )


def _text(body: dict[str, Any], field: str) -> str:
    value = body[field]
    if not isinstance(value, str) or not value.strip():
        raise InvalidUsageEventError(f"{field} must be a non-empty string")
    value = value.strip()
    if len(value) > MAX_ID_LENGTH:
        raise InvalidUsageEventError(f"{field} is longer than {MAX_ID_LENGTH} characters")
    return value


def _timestamp(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidUsageEventError("occurred_at must be an ISO 8601 timestamp string")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidUsageEventError(f"occurred_at {value!r} is not a timestamp") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
