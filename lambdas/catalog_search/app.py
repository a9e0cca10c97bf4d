"""Lambda entry point: the catalog's search routes (API Gateway REST, proxy)."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import BadRequestError as HttpBadRequest
from aws_lambda_powertools.utilities.typing import LambdaContext

from catalog_search.search import (
    BadRequestError,
    CatalogSearch,
    Page,
    parse_date,
    parse_limit,
)
from shop_common.observability import logger, metrics, tracer


@cache
def _search() -> CatalogSearch:
    return CatalogSearch(os.environ["CATALOG_TABLE"])


def _json(body: Any) -> str:
    return json.dumps(body, default=lambda v: int(v) if isinstance(v, Decimal) else str(v))


app = APIGatewayRestResolver(serializer=_json)


def _page(key: str, page: Page) -> dict[str, Any]:
    return {key: page.items, "next": page.next_token}


@app.get("/datasets")
def datasets_by_tag() -> dict[str, Any]:
    params = app.current_event.query_string_parameters or {}
    tag = params.get("tag")
    if not tag or "=" not in tag:
        raise HttpBadRequest("tag is required, as key=value (e.g. tag=team=shop)")
    try:
        page = _search().datasets_with_tag(
            tag, parse_limit(params.get("limit")), params.get("next")
        )
    except BadRequestError as error:
        raise HttpBadRequest(str(error)) from None
    return _page("datasets", page)


@app.get("/datasets/<dataset>/objects")
def objects_of_dataset(dataset: str) -> dict[str, Any]:
    params = app.current_event.query_string_parameters or {}
    try:
        page = _search().objects_of_dataset(
            dataset,
            parse_date("from", params.get("from"), "0001-01-01"),
            parse_date("to", params.get("to"), "9999-12-31"),
            parse_limit(params.get("limit")),
            params.get("next"),
        )
    except BadRequestError as error:
        raise HttpBadRequest(str(error)) from None
    return _page("objects", page)


@app.not_found
def not_found(_: Exception) -> Response[str]:
    return Response(
        status_code=404,
        content_type=content_types.APPLICATION_JSON,
        body='{"message": "Not found"}',
    )


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
