"""Evaluate a synthesized CloudWatch alarm against a series of datapoints, as CloudWatch does.

The alarm looks at its last ``EvaluationPeriods`` datapoints and goes to ALARM when at
least ``DatapointsToAlarm`` of them (default: all) breach. Missing datapoints (``None``)
follow ``TreatMissingData``: ``notBreaching`` (the default here, as in ``create_alarm``)
counts them as good and ``breaching`` as bad; ``ignore`` and ``missing`` also count as
good here (CloudWatch would keep the previous state or report INSUFFICIENT_DATA: never ALARM).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

ALARM, OK = "ALARM", "OK"

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanOrEqualToThreshold": operator.ge,
    "GreaterThanThreshold": operator.gt,
    "LessThanThreshold": operator.lt,
    "LessThanOrEqualToThreshold": operator.le,
}


def alarm_state(alarm: Mapping[str, Any], datapoints: Sequence[float | None]) -> str:
    """The state ``alarm`` (an ``AWS::CloudWatch::Alarm``'s properties) reaches after
    ``datapoints``, one per period, oldest first."""
    periods = int(alarm["EvaluationPeriods"])
    needed = int(alarm.get("DatapointsToAlarm", periods))
    compare = _COMPARE[alarm["ComparisonOperator"]]
    missing = alarm.get("TreatMissingData", "missing")
    window = list(datapoints)[-periods:]
    breaching = 0
    for value in window:
        if value is None:
            breaching += missing == "breaching"
        elif compare(value, float(alarm["Threshold"])):
            breaching += 1
    return ALARM if breaching >= needed else OK


def alarms_on(template: Mapping[str, Any], metric_name: str) -> list[dict[str, Any]]:
    """Properties of every alarm in ``template`` (a dict) on metric ``metric_name``."""
    return [
        r["Properties"]
        for r in template.get("Resources", {}).values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
        and r["Properties"].get("MetricName") == metric_name
    ]


def dimensions(alarm: Mapping[str, Any]) -> dict[str, Any]:
    """The alarm's dimensions as a dict."""
    return {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
