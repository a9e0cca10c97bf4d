"""Lambda entry point: the counts table's stream -> every subscribed WebSocket connection.

Records are handled in order (a counter's changes reach a client in order); within a
record the fan-out runs ``FANOUT_CONCURRENCY`` posts at a time, to the subscribers of its
topics read once per batch (``fanout.Subscribers``). A record is reported as a
batch item failure when a live connection could not be sent its change, so Lambda retries
from it; gone connections are removed and are no failure.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from live_updates.connections import ConnectionStore
from live_updates.fanout import Subscribers, broadcast, management_client
from live_updates.messages import count_message
from shop_common.observability import logger, metrics, tracer

if TYPE_CHECKING:  # Powertools' batch package imports asyncio; the handler needs neither
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse


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

    def push(self, record: Mapping[str, Any], subscribers: Subscribers | None = None) -> None:
        """Broadcast one stream record; ``DeliveryError`` when a live connection missed it.
        ``subscribers``: the batch's (default: read for this record)."""
        image = (record.get("dynamodb") or {}).get("NewImage")
        sequence = _sequence(record)
        change = count_message(image, sequence) if image else None
        if change is None:
            return  # a removal, or not a counter: nothing to show
        outcome = broadcast(
            change, store=self.store, post=self.post, pool=self.pool, subscribers=subscribers
        )
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
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:  # noqa: ARG001
    """Push every record; the response names the records that failed (Lambda retries from
    the first). When every record failed, Powertools' ``BatchProcessingError`` is raised,
    as its batch processor does, so that the whole invocation is retried."""
    records = event.get("Records") or []
    failures: list[tuple[Mapping[str, Any], Exception]] = []
    subscribers = Subscribers(broadcaster().store)
    for record in records:
        try:
            broadcaster().push(record, subscribers)
        except Exception as error:
            logger.exception("record not broadcast", extra={"sequence": _sequence(record)})
            failures.append((record, error))
    if records and len(failures) == len(records):
        from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

        raise BatchProcessingError(
            f"All {len(records)} records failed processing",
            [(type(e), e, e.__traceback__) for _, e in failures],
        )
    return {"batchItemFailures": [{"itemIdentifier": _sequence(r)} for r, _ in failures]}


def _sequence(record: Mapping[str, Any]) -> str:
    return str((record.get("dynamodb") or {}).get("SequenceNumber", ""))
