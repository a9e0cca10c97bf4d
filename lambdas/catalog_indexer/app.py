"""Lambda entry point: one EventBridge S3 object event -> the catalog."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from catalog_indexer.catalog import CatalogTable, LakeObjects
from catalog_indexer.objects import CatalogEntry, MalformedEventError, parse_event
from shop_common.observability import logger, metrics, tracer


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


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    catalog, objects, zones = _adapters()
    return {"outcome": index_event(event, catalog, objects, zones)}
