"""API Gateway REST (v1) proxy events and a Lambda context, for handler tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tools.sandbox.events import api_event

#: Invokes the handler with an event; returns status code and decoded body.
Call = Callable[[dict[str, Any]], tuple[int, Any]]


class FakeContext:
    """The parts of a Lambda context Powertools reads."""

    function_name = "shop-api"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:shop-api"
    aws_request_id = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def rest_event(
    method: str,
    resource: str,
    *,
    path_parameters: dict[str, str] | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A proxy event for ``method resource`` (``/products/{sku}``) with the given parts
    (exactly the ``headers`` given); a ``body`` that is not a string is sent as JSON."""
    return api_event(
        method,
        resource,
        path_parameters=path_parameters,
        query=query,
        body=body,
        headers=headers or {},
        claims=claims,
    )


def json_response(response: dict[str, Any]) -> tuple[int, Any]:
    """Status code and decoded JSON body of a proxy response."""
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None
