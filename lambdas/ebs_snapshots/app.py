"""Lambda entry point: the nightly EBS snapshot run."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ebs_snapshots.ec2 import Ec2Snapshots
from ebs_snapshots.plan import plan_backups
from shop_common.observability import logger, metrics, tracer


@cache
def _ec2() -> Ec2Snapshots:
    return Ec2Snapshots()


@cache
def _settings() -> dict[str, Any]:
    """The run's settings from the environment, read once per execution environment."""
    return {
        "tag_key": os.environ.get("BACKUP_TAG_KEY", "backup"),
        "tag_value": os.environ.get("BACKUP_TAG_VALUE", "true"),
        "retention_days": int(os.environ.get("RETENTION_DAYS", "7")),
    }


def run_backups(
    ec2: Ec2Snapshots, *, today: date, tag_key: str, tag_value: str, retention_days: int
) -> dict[str, Any]:
    """Snapshot today's volumes, delete expired snapshots, publish the counts as metrics."""
    plan = plan_backups(
        ec2.tagged_volumes(tag_key, tag_value),
        ec2.managed_snapshots(),
        today=today,
        retention_days=retention_days,
    )
    created = [ec2.create_snapshot(volume, today) for volume in plan.to_create]
    for snapshot_id in plan.to_delete:
        ec2.delete_snapshot(snapshot_id)
    logger.info(
        "Backup run finished",
        # Not "created": that name belongs to logging.LogRecord.
        snapshots_created=created,
        snapshots_deleted=list(plan.to_delete),
        volumes_already_done=list(plan.already_done),
    )
    metrics.add_metric(name="SnapshotsCreated", unit=MetricUnit.Count, value=len(created))
    metrics.add_metric(name="SnapshotsDeleted", unit=MetricUnit.Count, value=len(plan.to_delete))
    return {"created": created, "deleted": list(plan.to_delete), "skipped": list(plan.already_done)}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return run_backups(_ec2(), today=datetime.now(UTC).date(), **_settings())
