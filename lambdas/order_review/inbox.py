"""Lambda entry point of the review queue: each message is the review workflow's request
for one order, with its task token, which this stores on the order for the admin's
decision to answer.

A message delivered twice stores the same token again (a no-op). A second workflow for
the same order (its start is at least once) finds the first one's token there: its task
is failed with :data:`~order_review.review.NOT_NEEDED`, which that workflow ends on
quietly; so is the request of an order no longer pending. Failed messages are reported
as partial batch failures and retried by SQS, then kept in its dead-letter queue.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from contextlib import suppress
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from order_review.review import NOT_NEEDED, parse_request
from order_review.store import ReviewClosedError, ReviewStore
from shop_common.observability import logger, metrics, tracer


@cache
def _store() -> ReviewStore:
    return ReviewStore(os.environ["TABLE_NAME"])


def open_review(body: Mapping[str, Any], store: ReviewStore) -> str:
    """Store one request's token; what happened (``opened`` or ``not_needed``)."""
    request = parse_request(body)
    if store.keep_token(request.order_id, request.task_token, request.execution):
        return "opened"
    with suppress(ReviewClosedError):  # that workflow is over already
        store.fail(request.task_token, NOT_NEEDED, "the order has a review, or is not pending")
    return "not_needed"


def open_reviews(records: Sequence[Mapping[str, Any]], store: ReviewStore) -> dict[str, Any]:
    """Each message's request; the partial batch response names those that failed."""
    failures = []
    for record in records:
        try:
            outcome = open_review(json.loads(record["body"]), store)
            logger.info("Review request", outcome=outcome, message_id=record.get("messageId"))
            metrics.add_metric(
                name=f"ReviewRequests{outcome.title().replace('_', '')}",
                unit=MetricUnit.Count,
                value=1,
            )
        except Exception:
            logger.exception("Review request not opened", message_id=record.get("messageId"))
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return open_reviews(event.get("Records", []), _store())
