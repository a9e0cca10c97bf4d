"""Turning alarm notifications into incidents: plain functions, no AWS calls."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

#: How long an incident item is kept (DynamoDB TTL on ``expires_at``).
RETENTION = timedelta(days=400)
_STATES = frozenset({"ALARM", "OK", "INSUFFICIENT_DATA"})


class InvalidNotificationError(ValueError):
    """The SNS message is not a CloudWatch alarm state change."""


@dataclass(frozen=True)
class Incident:
    """One alarm state change."""

    alarm_name: str
    changed_at: str
    state: str
    previous_state: str
    reason: str
    region: str
    account: str
    metric: str
    dimensions: Mapping[str, str]

    @property
    def status(self) -> str:
        """``open`` while the alarm fires, ``resolved`` otherwise."""
        return "open" if self.state == "ALARM" else "resolved"

    def to_item(self) -> dict[str, Any]:
        """The DynamoDB item (plain Python types) for this incident."""
        changed = datetime.fromisoformat(self.changed_at.replace("Z", "+00:00"))
        return {
            "alarm_name": self.alarm_name,
            "changed_at": self.changed_at,
            "state": self.state,
            "previous_state": self.previous_state,
            "status": self.status,
            "reason": self.reason,
            "region": self.region,
            "account": self.account,
            "metric": self.metric,
            "dimensions": dict(self.dimensions),
            "expires_at": int((changed + RETENTION).timestamp()),
        }


def parse_alarm_message(message: str) -> Incident:
    """Parse the JSON CloudWatch puts in an SNS message.

    Raises ``InvalidNotificationError`` when the message is not an alarm state change.
    """
    try:
        body = json.loads(message)
    except json.JSONDecodeError as error:
        raise InvalidNotificationError(f"message is not JSON: {error.msg}") from None
    if not isinstance(body, dict):
        raise InvalidNotificationError("message is not a JSON object")
    missing = [key for key in ("AlarmName", "NewStateValue", "StateChangeTime") if key not in body]
    if missing:
        raise InvalidNotificationError(f"message lacks {', '.join(missing)}")
    state = body["NewStateValue"]
    if state not in _STATES:
        raise InvalidNotificationError(f"NewStateValue {state!r} is not an alarm state")
    changed_at = _normalise_time(body["StateChangeTime"])
    trigger = body.get("Trigger") or {}
    dimensions = {
        str(d.get("name")): str(d.get("value"))
        for d in trigger.get("Dimensions") or []
        if isinstance(d, dict)
    }
    metric = "/".join(p for p in (trigger.get("Namespace"), trigger.get("MetricName")) if p)
    return Incident(
        alarm_name=str(body["AlarmName"]),
        changed_at=changed_at,
        state=state,
        previous_state=str(body.get("OldStateValue", "")),
        reason=str(body.get("NewStateReason", "")),
        region=str(body.get("Region", "")),
        account=str(body.get("AWSAccountId", "")),
        metric=metric,
        dimensions=dimensions,
    )


def _normalise_time(value: Any) -> str:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidNotificationError(f"StateChangeTime {value!r} is not a timestamp") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="milliseconds")
