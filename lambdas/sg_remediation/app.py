"""Lambda entry point: remediate a CloudTrail API call that broke the security policy."""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from sg_remediation.aws import BLOCK_ALL, Remediator
from sg_remediation.policy import Target, offending_permissions, parse_ports, target_of
from shop_common.observability import logger, metrics, tracer


@cache
def _remediator() -> Remediator:
    return Remediator(os.environ["REPORT_TOPIC_ARN"])


@cache
def _allowed_ports() -> Collection[int]:
    """The ports the policy allows, parsed once per execution environment."""
    return parse_ports(os.environ.get("ALLOWED_PORTS", "443"))


def remediate(
    event: Mapping[str, Any], remediator: Remediator, allowed_ports: Collection[int]
) -> dict[str, Any]:
    """Fix what the event's call broke and report it; a no-op for events not owned here.

    Both fixes read the resource's current state rather than trusting the event, so a
    repeated event finds nothing left to fix and reports nothing.
    """
    target = target_of(event)
    if target is None:
        logger.info("Ignoring an event this function does not own")
        return {"action": "ignored"}
    if target.kind == "security-group":
        return _close_ingress(target, remediator, allowed_ports)
    return _block_bucket(target, remediator)


def _close_ingress(
    target: Target, remediator: Remediator, allowed_ports: Collection[int]
) -> dict[str, Any]:
    offending = offending_permissions(
        remediator.ingress_permissions(target.resource), allowed_ports
    )
    if not offending:
        return {"action": "none", "group_id": target.resource}
    remediator.revoke_ingress(target.resource, offending)
    result = {"action": "revoked", "group_id": target.resource, "revoked": offending}
    remediator.report(
        f"Revoked world-open ingress on {target.resource}",
        {**result, "event": target.event_name, "caller": target.caller},
    )
    metrics.add_metric(name="IngressRulesRevoked", unit=MetricUnit.Count, value=len(offending))
    logger.warning("Revoked world-open ingress", extra=result)
    return result


def _block_bucket(target: Target, remediator: Remediator) -> dict[str, Any]:
    before = remediator.public_access_block(target.resource)
    if all(before.get(setting) for setting in BLOCK_ALL):
        return {"action": "none", "bucket": target.resource}
    remediator.block_public_access(target.resource)
    result = {"action": "blocked", "bucket": target.resource, "before": before}
    remediator.report(
        f"Blocked public access to bucket {target.resource}",
        {**result, "event": target.event_name, "caller": target.caller},
    )
    metrics.add_metric(name="BucketsReblocked", unit=MetricUnit.Count, value=1)
    logger.warning("Blocked public access again", extra=result)
    return result


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return remediate(event, _remediator(), _allowed_ports())
