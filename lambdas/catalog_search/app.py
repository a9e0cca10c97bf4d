"""Lambda entry point: the catalog's search routes (API Gateway REST, proxy)."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from catalog_search.search import (
    BadRequestError,
    CatalogSearch,
    Page,
    parse_date,
    parse_limit,
)
from shop_common.http import BadRequestError as HttpBadRequest
from shop_common.http import Request
from shop_common.observability import logger, metrics, tracer
from shop_common.router import Response, Router


@cache
def _search() -> CatalogSearch:
    return CatalogSearch(os.environ["CATALOG_TABLE"])


def _json(body: Any) -> str:
    return json.dumps(body, default=lambda v: int(v) if isinstance(v, Decimal) else str(v))


app = Router(
    serializer=_json,
    not_found=Response(404, '{"message": "Not found"}'),
)


def _page(key: str, page: Page) -> dict[str, Any]:
    return {key: page.items, "next": page.next_token}


@app.get("/datasets")
def datasets_by_tag(request: Request) -> dict[str, Any]:
    params = request.query
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


@app.get("/datasets/{dataset}/objects")
def objects_of_dataset(request: Request, dataset: str) -> dict[str, Any]:
    params = request.query
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


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
