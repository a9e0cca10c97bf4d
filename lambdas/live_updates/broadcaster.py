"""Lambda entry point: the counts table's stream -> every subscribed WebSocket connection.

Records are handled in order (a counter's changes reach a client in order); within a
record the fan-out runs ``FANOUT_CONCURRENCY`` posts at a time. A record is reported as a
batch item failure when a live connection could not be sent its change, so Lambda retries
from it; gone connections are removed and are no failure.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from live_updates.connections import ConnectionStore
from live_updates.fanout import broadcast, management_client
from live_updates.messages import count_message
from shop_common.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


class DeliveryError(RuntimeError):
    """Some live connections were not sent a record's change."""


class Broadcaster:
    """Everything one container reuses: the table, the management client, the pool."""

    def __init__(self, table: str, callback_url: str, api_id: str, concurrency: int) -> None:
        self.store = ConnectionStore(table)
        self.client = management_client(callback_url, concurrency)
        self.pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="post")
        self.api_id = api_id

    def post(self, connection_id: str, body: bytes) -> None:
        self.client.post_to_connection(ConnectionId=connection_id, Data=body)

    def push(self, record: DynamoDBRecord) -> None:
        """Broadcast one stream record; ``DeliveryError`` when a live connection missed it."""
        image = (record.raw_event.get("dynamodb") or {}).get("NewImage")
        sequence = str((record.raw_event.get("dynamodb") or {}).get("SequenceNumber", ""))
        change = count_message(image, sequence) if image else None
        if change is None:
            return  # a removal, or not a counter: nothing to show
        outcome = broadcast(change, store=self.store, post=self.post, pool=self.pool)
        metrics.add_metric("LiveMessagesSent", MetricUnit.Count, len(outcome.delivered))
        metrics.add_metric("LiveConnectionsGone", MetricUnit.Count, len(outcome.gone))
        if outcome.failed:
            metrics.add_metric("LiveDeliveriesFailed", MetricUnit.Count, len(outcome.failed))
            # The LiveUpdates pattern counts these lines (live_updates/api_id) for its alarm.
            logger.warning(
                "delivery failed",
                extra={
                    "live_updates": "delivery_failed",
                    "api_id": self.api_id,
                    "failed": [{"connection": c, "error": e} for c, e in outcome.failed[:20]],
                    "failed_count": len(outcome.failed),
                    "sequence": sequence,
                },
            )
            raise DeliveryError(f"{len(outcome.failed)} connections missed record {sequence}")


@cache
def broadcaster() -> Broadcaster:
    return Broadcaster(
        os.environ["CONNECTIONS_TABLE"],
        os.environ["CALLBACK_URL"],
        os.environ.get("LIVE_API_ID", "unknown"),
        int(os.environ.get("FANOUT_CONCURRENCY", "16")),
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=broadcaster().push, processor=processor, context=context
    )
