"""Lambda entry point: EventBridge S3 object events -> the catalog, one at a time (from the
rule) or in batches from the indexer's queue (each message's body is one event)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from catalog_indexer.catalog import CatalogTable, LakeObjects
from catalog_indexer.objects import CatalogEntry, MalformedEventError, parse_event
from shop_common.observability import logger, metrics, tracer

if TYPE_CHECKING:  # Powertools' batch package imports asyncio; the handler needs neither
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse


@cache
def _adapters() -> tuple[CatalogTable, LakeObjects, dict[str, str]]:
    zones: dict[str, str] = json.loads(os.environ["LAKE_ZONES"])
    return CatalogTable(os.environ["CATALOG_TABLE"]), LakeObjects(), zones


def index_event(
    event: Mapping[str, Any],
    catalog: CatalogTable,
    objects: LakeObjects,
    zones: Mapping[str, str],
) -> str:
    """Apply one event to the catalog; return what happened."""
    try:
        change = parse_event(event)
    except MalformedEventError as error:
        # Retrying cannot repair the event: say why, loudly, and write nothing.
        logger.error("Rejected a malformed S3 event", reason=str(error), event_id=event.get("id"))
        return "rejected"
    if change.bucket not in zones:
        logger.info("Ignored an object outside the lake", bucket=change.bucket)
        return "ignored"
    if change.action == "deleted":
        outcome = "removed" if catalog.remove(change) else "stale"
    else:
        tags = objects.tags(change.bucket, change.key)
        if tags is None:
            outcome = "stale"  # deleted again before we got here; its delete event follows
        else:
            entry = CatalogEntry(event=change, zone=zones[change.bucket], tags=tags)
            outcome = "indexed" if catalog.put(entry) else "stale"
    logger.info("Catalog updated", outcome=outcome, bucket=change.bucket, key=change.key)
    metrics.add_metric(name=f"Objects{outcome.title()}", unit=MetricUnit.Count, value=1)
    return outcome


def index_messages(
    records: Sequence[Mapping[str, Any]],
    catalog: CatalogTable,
    objects: LakeObjects,
    zones: Mapping[str, str],
) -> PartialItemFailureResponse:
    """Apply each SQS message's event; the response names the messages that failed, which
    SQS delivers again (and, after the queue's receive limit, moves to its dead-letter
    queue). A malformed event fails too: in the dead-letter queue a person sees it, and the
    rest of the batch is not held up. Every write is conditional on the event's sequencer,
    so a message delivered twice changes the catalog once."""
    failures: list[tuple[Mapping[str, Any], Exception]] = []
    for record in records:
        try:
            outcome = index_event(json.loads(record["body"]), catalog, objects, zones)
            if outcome == "rejected":
                raise MalformedEventError("not an S3 object event of EventBridge")
        except Exception as error:
            logger.exception("Message not indexed", message_id=record.get("messageId"))
            failures.append((record, error))
    if records and len(failures) == len(records):
        from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

        # As Powertools' batch processor does: a batch that failed whole is retried whole.
        raise BatchProcessingError(
            f"All {len(records)} messages failed processing",
            [(type(e), e, e.__traceback__) for _, e in failures],
        )
    return {"batchItemFailures": [{"itemIdentifier": str(r["messageId"])} for r, _ in failures]}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> Any:
    catalog, objects, zones = _adapters()
    if "Records" in event:  # a batch from the indexer's queue
        return index_messages(event["Records"], catalog, objects, zones)
    return {"outcome": index_event(event, catalog, objects, zones)}
