"""Lambda entry point: Kinesis batches of usage events -> counters in DynamoDB."""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shop_common.observability import logger, metrics, tracer
from usage_aggregator.aggregation import count_usage_events
from usage_aggregator.counters import CounterStore

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse


@cache
def _store() -> CounterStore:
    return CounterStore(os.environ["COUNTS_TABLE"])


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return count_usage_events(event, _store(), remaining_ms=context.get_remaining_time_in_millis)
