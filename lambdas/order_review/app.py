"""Lambda entry point of ``POST /orders/{order_id}/review``: an admin's decision on an
order awaiting review, sent to the review workflow's waiting task (the workflow, not this
function, changes the order's status; ``GET /orders/{order_id}`` shows it)."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from order_review.review import (
    DEFAULT_REJECTION,
    PENDING,
    TOKEN_ATTRIBUTE,
    InvalidDecisionError,
    parse_review,
)
from order_review.store import ReviewClosedError, ReviewStore
from shop_common.http import (
    ADMIN_GROUP,
    BadRequestError,
    NotFoundError,
    Request,
    ServiceError,
    caller_claims,
    json_object,
    require_group,
)
from shop_common.observability import logger, metrics, tracer
from shop_common.router import Cors, Response, Router

app = Router(cors=Cors(allow_origin=os.environ.get("ALLOWED_ORIGIN", "*"), max_age=300))


@cache
def _store() -> ReviewStore:
    return ReviewStore(os.environ["TABLE_NAME"])


@app.post("/orders/{order_id}/review")
@tracer.capture_method
def review_order(request: Request, order_id: str) -> Response:
    reviewer = str(caller_claims(request)["sub"])
    require_group(request, ADMIN_GROUP, to="review orders")
    try:
        review = parse_review(json_object(request))
    except InvalidDecisionError as error:
        raise BadRequestError(str(error)) from None
    store = _store()
    order = store.order(order_id)
    if order is None:
        raise NotFoundError(f"no order {order_id}")
    if order.get("status") != PENDING:
        raise ServiceError(409, f"order {order_id} is {order.get('status')}, not under review")
    token = order.get(TOKEN_ATTRIBUTE)
    if not token:
        # The workflow's request is still on its way through the review queue.
        raise ServiceError(409, f"order {order_id}'s review has not opened yet; retry shortly")
    try:
        if review.decision == "hold":
            store.beat(str(token))
        else:
            reason = review.reason or (DEFAULT_REJECTION if review.decision == "reject" else "")
            store.succeed(
                str(token),
                {"decision": review.decision, "reviewer": reviewer, "reason": reason},
            )
    except ReviewClosedError:
        raise ServiceError(409, f"order {order_id}'s review is closed") from None
    logger.info("Order reviewed", order_id=order_id, decision=review.decision)
    metrics.add_metric(name=f"OrderReview{review.decision.title()}", unit=MetricUnit.Count, value=1)
    return Response(202, {"order_id": order_id, "decision": review.decision})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
