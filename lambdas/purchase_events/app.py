"""Lambda entry point: new orders in the API table's stream -> ``purchase`` usage events.

The event source mapping passes only the records of order items (``sk = ORDER``) that
become ``PLACED``: stored so (``INSERT``), or placed by their review (the one ``MODIFY``
from ``PENDING_REVIEW``, see ``stacks/purchase_events.py``). So a purchase event is
written when, and only when, an order is placed: a request retried with its
``Idempotency-Key`` stores nothing new and so makes no event, an order held for review
makes none until it is approved (and none if it is rejected or cancelled), and orders
placed in a secondary region reach the primary replica's stream by replication.

Every event of the batch goes to Kinesis in ``PutRecords`` calls (partition key: the
product, as the ingest API does); entries Kinesis refuses (throttled) are retried here a
few times. What is still refused is reported as partial batch failures: the first stream
record with an unwritten event and every record after it, since Lambda retries a
DynamoDB stream from the lowest reported record. Items that are not orders are logged,
counted and skipped: a retry cannot change them.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from boto3.dynamodb.types import TypeDeserializer

from purchase_events.events import NotAnOrderError, purchase_events
from purchase_events.writer import StreamWriter
from shop_common.observability import logger, metrics, tracer

_deserialize = TypeDeserializer().deserialize


@cache
def _writer() -> StreamWriter:
    return StreamWriter(os.environ["STREAM_NAME"])


def emit(event: dict[str, Any], writer: StreamWriter) -> dict[str, list[dict[str, str]]]:
    """Write the purchase events of the batch's orders; the partial batch response."""
    records = event.get("Records", [])
    owners: list[int] = []  # for each event, the position of its stream record
    events = []
    for position, record in enumerate(records):
        image = record.get("dynamodb", {}).get("NewImage") or {}
        try:
            made = purchase_events({name: _deserialize(value) for name, value in image.items()})
        except NotAnOrderError as error:
            logger.warning(
                "Skipped a stream record", reason=str(error), eventID=record.get("eventID")
            )
            metrics.add_metric(name="PurchaseRecordsSkipped", unit=MetricUnit.Count, value=1)
            continue
        events.extend(made)
        owners.extend([position] * len(made))
    unwritten = writer.put(events)
    written = len(events) - len(unwritten)
    metrics.add_metric(name="PurchaseEventsWritten", unit=MetricUnit.Count, value=written)
    if not unwritten:
        return {"batchItemFailures": []}
    first = min(owners[index] for index in unwritten)
    logger.error("Purchase events not written", unwritten=len(unwritten), retried_from=first)
    return {
        "batchItemFailures": [
            {"itemIdentifier": record["dynamodb"]["SequenceNumber"]} for record in records[first:]
        ]
    }


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, list[dict[str, str]]]:
    return emit(event, _writer())
