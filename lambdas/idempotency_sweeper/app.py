"""Lambda entry point: the hourly sweep of the order idempotency table.

DynamoDB has no TTL on multi-Region strongly consistent tables, so expired records stay
until deleted. Powertools already ignores them (a new attempt overwrites an expired
record), so the sweep only keeps the table from growing; a late or missed run is harmless.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from idempotency_sweeper.sweep import sweep
from shop_common.observability import logger, metrics, tracer


@cache
def _table() -> Any:
    """The table's resource, made once per execution environment (not per sweep)."""
    return boto3.resource("dynamodb").Table(os.environ["IDEMPOTENCY_TABLE"])


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = sweep(
        _table(),
        now=int(time.time()),
        time_left=lambda: context.get_remaining_time_in_millis() / 1000,
    )
    logger.info("Swept expired idempotency records", **asdict(result))
    metrics.add_metric(name="ExpiredRecordsDeleted", unit=MetricUnit.Count, value=result.deleted)
    return asdict(result)
