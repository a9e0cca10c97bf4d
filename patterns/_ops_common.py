"""Pieces the operations-automation patterns share: targets, topics, queues, schedules."""

from __future__ import annotations

import re
from datetime import datetime

import aws_cdk as cdk
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns._validation import check_duration, check_range, is_token
from patterns.ops_notifications import OpsNotifications

#: Retry attempts EventBridge Scheduler and rule targets accept.
MAX_RETRY_ATTEMPTS = 185
#: Event ages EventBridge Scheduler and rule targets accept, in seconds.
MIN_EVENT_AGE_SECONDS = 60
MAX_EVENT_AGE_SECONDS = 24 * 3600

_RATE = re.compile(r"^rate\((?P<value>\d+) (?P<unit>minutes?|hours?|days?)\)$")
_AT = re.compile(r"^at\((?P<moment>[^()]+)\)$")
_CRON = re.compile(r"^cron\((?P<fields>[^()]+)\)$")
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?,/\-#L W]+$")


def check_retry_policy(retry_attempts: int, max_event_age: cdk.Duration) -> None:
    """Raise ``ValueError`` unless EventBridge accepts the retries and the event age."""
    check_range("retry_attempts", retry_attempts, 0, MAX_RETRY_ATTEMPTS)
    check_duration("max_event_age", max_event_age, MIN_EVENT_AGE_SECONDS, MAX_EVENT_AGE_SECONDS)


def ops_topic(scope: Construct, topic: sns.ITopic | None) -> sns.ITopic:
    """``topic``, or the topic of a new ``OpsNotifications`` named ``Notifications``."""
    if topic is not None:
        return topic
    return OpsNotifications(scope, "Notifications").topic


def check_schedule_expression(name: str, expression: str, *, one_time: bool = False) -> None:
    """Raise ``ValueError`` unless ``expression`` is an EventBridge ``rate(...)``/``cron(...)``,
    or (``one_time``: EventBridge Scheduler only) ``at(yyyy-mm-ddThh:mm:ss)``.

    A rate is a positive whole number and a unit (singular only for 1); a cron has six
    fields (minutes hours day-of-month month day-of-week year) and one of day-of-month and
    day-of-week must be ``?``.
    """
    if not isinstance(expression, str):
        raise TypeError(f"{name} must be a string, got {type(expression).__name__}")
    if is_token(expression):
        return
    at = _AT.match(expression)
    if at:
        if not one_time:
            raise ValueError(
                f"{name} {expression!r}: one-time at(...) schedules need EventBridge "
                "Scheduler; EventBridge rules take rate(...) or cron(...)"
            )
        try:
            datetime.strptime(at["moment"], "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            raise ValueError(
                f"{name} {expression!r} is not a valid at(...) schedule: it needs a real "
                "date and time, at(yyyy-mm-ddThh:mm:ss)"
            ) from None
        return
    rate = _RATE.match(expression)
    if rate:
        value, unit = int(rate["value"]), rate["unit"]
        if value < 1 or (value == 1) == unit.endswith("s"):
            raise ValueError(
                f"{name} {expression!r} is not a valid rate: use a positive whole number and "
                "a singular unit for 1 (rate(1 day)) or a plural unit otherwise (rate(5 minutes))"
            )
        return
    cron = _CRON.match(expression)
    if cron:
        fields = cron["fields"].split()
        if len(fields) != 6 or not all(_CRON_FIELD.match(f) for f in fields):
            raise ValueError(
                f"{name} {expression!r} is not a valid cron expression: it needs six fields "
                "(minutes hours day-of-month month day-of-week year)"
            )
        if (fields[2] == "?") == (fields[4] == "?"):
            raise ValueError(
                f"{name} {expression!r} is not a valid cron expression: exactly one of "
                "day-of-month and day-of-week must be '?'"
            )
        return
    allowed = "'rate(<n> <unit>)', 'cron(<six fields>)'" + (
        " or 'at(yyyy-mm-ddThh:mm:ss)'" if one_time else ""
    )
    raise ValueError(f"{name} must be {allowed}, got {expression!r}")
