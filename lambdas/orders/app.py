"""Lambda entry point of the order API (``/orders``), routed by :mod:`shop_common.router`.

``POST /orders`` is idempotent: the client sends an ``Idempotency-Key`` header and a
repeated request with the same key (and body) returns the first order instead of placing
another, in whichever region of the stage it lands. The key is remembered for a day in the
idempotency table.

An order whose total is above ``REVIEW_ABOVE_CENTS`` (the stage's
``order_review_above_cents``) is stored ``PENDING_REVIEW``: the review workflow starts
from the table's stream and an admin's decision places or rejects it
(``lambdas/order_review``). Smaller orders are ``PLACED`` at once, as before.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from orders.orders import (
    PENDING_REVIEW,
    InvalidOrderError,
    check_idempotency_key,
    order_from_item,
    order_item,
    parse_order_lines,
    price_order,
)
from orders.store import OrderStore
from shop_common.http import (
    BadRequestError,
    NotFoundError,
    Request,
    ServiceError,
    caller_claims,
    json_object,
)
from shop_common.observability import logger, metrics, tracer
from shop_common.router import Cors, Response, Router

app = Router(
    cors=Cors(
        allow_origin=os.environ.get("ALLOWED_ORIGIN", "*"),
        allow_headers=("Idempotency-Key",),
        max_age=300,
    )
)
#: A repeated key within this time returns the first result.
IDEMPOTENCY_SECONDS = 24 * 3600
_config = IdempotencyConfig(
    event_key_jmespath="[customer, idempotency_key]",
    payload_validation_jmespath="order",
    raise_on_no_idempotency_key=True,
    expires_after_seconds=IDEMPOTENCY_SECONDS,
)


@cache
def _store() -> OrderStore:
    return OrderStore(os.environ["TABLE_NAME"])


def _review_above() -> int | None:
    """Orders above this total (cents) wait for a review; unset: none do."""
    value = os.environ.get("REVIEW_ABOVE_CENTS")
    return int(value) if value else None


def place_order(request: dict[str, Any]) -> dict[str, Any]:
    """Price and store the order in ``request``; runs once per customer and key."""
    store = _store()
    lines = parse_order_lines(request["order"])
    order = price_order(
        lines,
        store.products(lines),
        customer=request["customer"],
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        review_above_cents=_review_above(),
    )
    store.add_order(order_item(order))
    held = order["status"] == PENDING_REVIEW
    logger.info(
        "Held order for review" if held else "Placed order",
        order_id=order["order_id"],
        total_cents=order["total_cents"],
    )
    metrics.add_metric(
        name="OrdersHeldForReview" if held else "OrdersPlaced", unit=MetricUnit.Count, value=1
    )
    return order


@cache
def _place_once() -> Callable[..., dict[str, Any]]:
    persistence = DynamoDBPersistenceLayer(table_name=os.environ["IDEMPOTENCY_TABLE"])
    placed: Callable[..., dict[str, Any]] = idempotent_function(
        data_keyword_argument="request", config=_config, persistence_store=persistence
    )(place_order)
    return placed


@app.post("/orders")
@tracer.capture_method
def create_order(request: Request) -> Response:
    customer = str(caller_claims(request)["sub"])
    try:
        key = check_idempotency_key(request.headers.get("Idempotency-Key"))
        order = _place_once()(
            request={"customer": customer, "idempotency_key": key, "order": json_object(request)}
        )
    except InvalidOrderError as error:
        raise BadRequestError(str(error)) from None
    except IdempotencyValidationError:
        raise ServiceError(
            409, "this Idempotency-Key was already used for a different order"
        ) from None
    except IdempotencyAlreadyInProgressError:
        raise ServiceError(409, "an order with this Idempotency-Key is being placed") from None
    except IdempotencyPersistenceLayerError:
        # The record store failed (in a multi-region stage also: another region wrote the
        # same key at the same moment, and the SDK's retries ran out). Nothing is lost by
        # retrying: the key still decides whether an order exists.
        logger.exception("Idempotency record store failed")
        raise ServiceError(
            503, "the order could not be confirmed; retry with the same Idempotency-Key"
        ) from None
    return Response(201, order)


@app.get("/orders/{order_id}")
@tracer.capture_method
def get_order(request: Request, order_id: str) -> dict[str, Any]:
    customer = str(caller_claims(request)["sub"])
    item = _store().get_order(order_id)
    # Someone else's order is as unknown to this caller as a missing one.
    if item is None or item.get("customer") != customer:
        raise NotFoundError(f"no order {order_id}")
    return order_from_item(item)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _config.register_lambda_context(context)
    return app.resolve(event, context)
