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
        for spec, field in zip(_CRON_FIELDS, fields, strict=True):
            _check_cron_field(name, expression, spec, field)
        return
    allowed = "'rate(<n> <unit>)', 'cron(<six fields>)'" + (
        " or 'at(yyyy-mm-ddThh:mm:ss)'" if one_time else ""
    )
    raise ValueError(f"{name} must be {allowed}, got {expression!r}")


_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
#: Each cron field: its name, its range and the names it accepts for numbers.
_CRON_FIELDS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("minutes", 0, 59, ()),
    ("hours", 0, 23, ()),
    ("day-of-month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 1, 7, _DAYS),
    ("year", 1970, 2199, ()),
)
_CRON_ITEM = re.compile(
    r"^(?P<start>\*|[0-9A-Za-z]+)(?:-(?P<end>[0-9A-Za-z]+))?(?:/(?P<step>\d+))?$"
)


def _check_cron_field(
    name: str, expression: str, spec: tuple[str, int, int, tuple[str, ...]], field: str
) -> None:
    """Raise ``ValueError`` unless every item of one cron field lies within its range."""
    label, low, high, names = spec
    if field == "?" and label in ("day-of-month", "day-of-week"):
        return
    for item in field.split(","):
        special = {
            "day-of-month": re.fullmatch(r"L|LW|(\d{1,2})W", item),
            "day-of-week": re.fullmatch(r"L|(\w+)L|(\w+)#([1-5])", item),
        }.get(label)
        numbers: list[str] = []
        if special is not None:
            numbers = [g for g in special.groups()[:2] if g]
        else:
            match = _CRON_ITEM.match(item)
            if match is None:
                numbers = ["?"]
            else:
                numbers = [v for v in (match["start"], match["end"]) if v and v != "*"]
                if match["step"] is not None and int(match["step"]) < 1:
                    numbers = ["?"]
        for number in numbers:
            value = names.index(number.upper()) + low if number.upper() in names else None
            if value is None and number.isdigit():
                value = int(number)
            if value is None or not low <= value <= high:
                raise ValueError(
                    f"{name} {expression!r}: the {label} field {field!r} must lie within "
                    f"{low}..{high}" + (f" (or {names[0]}..{names[-1]})" if names else "")
                )
