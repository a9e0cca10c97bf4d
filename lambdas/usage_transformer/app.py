"""Lambda entry point: Firehose transformation of usage events before they are archived."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import KinesisFirehoseEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from shop_common.observability import logger, metrics, tracer
from usage_transformer.transform import transform_records


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_source(data_class=KinesisFirehoseEvent)
def handler(event: KinesisFirehoseEvent, context: LambdaContext) -> dict[str, Any]:
    response, results = transform_records(event.records)
    metrics.add_metric(name="ArchiveRecordsOk", unit=MetricUnit.Count, value=results["Ok"])
    metrics.add_metric(
        name="ArchiveRecordsFailed", unit=MetricUnit.Count, value=results["ProcessingFailed"]
    )
    if results["ProcessingFailed"]:
        logger.warning("Records failed validation", failed=results["ProcessingFailed"])
    return response.asdict()
