"""Lambda entry point of the product API (``/products``), routed by :mod:`shop_common.router`."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from products.catalog import (
    InvalidProductError,
    parse_new_product,
    parse_page_size,
    product_from_item,
)
from products.store import ProductStore
from shop_common.http import (
    ADMIN_GROUP,
    BadRequestError,
    NotFoundError,
    Request,
    ServiceError,
    json_object,
    require_group,
)
from shop_common.observability import logger, metrics, tracer
from shop_common.router import Cors, Response, Router

app = Router(cors=Cors(allow_origin=os.environ.get("ALLOWED_ORIGIN", "*"), max_age=300))


@cache
def _store() -> ProductStore:
    return ProductStore(os.environ["TABLE_NAME"])


@app.get("/health")
def health(_: Request) -> dict[str, str]:
    """Route 53's health checks: proves API Gateway and this function answer, cheaply
    (no table access, no metrics), so a region that cannot serve is taken out of DNS."""
    return {"status": "ok"}


@app.get("/products")
@app.get("/partner/products")  # the same catalogue, metered per partner API key
@tracer.capture_method
def list_products(request: Request) -> dict[str, Any]:
    query = request.query
    try:
        limit = parse_page_size(query.get("limit"))
        items, cursor = _store().page(limit, query.get("cursor"))
    except InvalidProductError as error:
        raise BadRequestError(str(error)) from None
    return {"products": [product_from_item(item) for item in items], "cursor": cursor}


@app.get("/products/{sku}")
@app.get("/partner/products/{sku}")
@tracer.capture_method
def get_product(_: Request, sku: str) -> dict[str, Any]:
    item = _store().get(sku)
    if item is None:
        raise NotFoundError(f"no product {sku}")
    return product_from_item(item)


@app.post("/products")
@tracer.capture_method
def create_product(request: Request) -> Response:
    require_group(request, ADMIN_GROUP, to="create products")
    try:
        product = parse_new_product(json_object(request), datetime.now(UTC))
    except InvalidProductError as error:
        raise BadRequestError(str(error)) from None
    if not _store().add(product.to_item()):
        raise ServiceError(409, f"product {product.sku} already exists")
    logger.info("Created product", sku=product.sku)
    metrics.add_metric(name="ProductsCreated", unit=MetricUnit.Count, value=1)
    return Response(201, product.to_json())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
