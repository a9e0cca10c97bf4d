"""Lambda entry point: SNS alarm notifications -> incident items."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from incident_recorder.incidents import InvalidNotificationError, parse_alarm_message
from incident_recorder.store import IncidentStore
from shop_common.observability import logger, metrics, tracer


@cache
def _store() -> IncidentStore:
    return IncidentStore(os.environ["INCIDENTS_TABLE"])


def record_notifications(event: Mapping[str, Any], store: IncidentStore) -> dict[str, int]:
    """Record every alarm notification in an SNS event; count what happened to each."""
    counts = {"recorded": 0, "duplicates": 0, "skipped": 0}
    for record in event.get("Records", []):
        message = record.get("Sns", {}).get("Message", "")
        try:
            incident = parse_alarm_message(message)
        except InvalidNotificationError as error:
            # Retrying cannot fix a message that is not an alarm: log it and move on.
            logger.warning("Skipping a notification that is not an alarm", reason=str(error))
            counts["skipped"] += 1
            continue
        if store.add(incident.to_item()):
            counts["recorded"] += 1
            logger.info(
                "Recorded incident",
                alarm_name=incident.alarm_name,
                state=incident.state,
                changed_at=incident.changed_at,
            )
        else:
            counts["duplicates"] += 1
    metrics.add_metric(name="IncidentsRecorded", unit=MetricUnit.Count, value=counts["recorded"])
    return counts


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    return record_notifications(event, _store())
