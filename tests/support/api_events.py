"""API Gateway REST (v1) proxy events and a Lambda context, for handler tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

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
    """A proxy event for ``method resource`` (``/products/{sku}``) with the given parts.

    A ``body`` that is not a string is sent as JSON.
    """
    path = resource
    for name, value in (path_parameters or {}).items():
        path = path.replace(f"{{{name}}}", value)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers or {},
        "multiValueHeaders": {k: [v] for k, v in (headers or {}).items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/v1{path}",
            "stage": "v1",
            "requestId": "request-1",
            "identity": {"sourceIp": "192.0.2.1"},
            "authorizer": {"claims": claims} if claims else None,
        },
        "body": body if body is None or isinstance(body, str) else json.dumps(body),
        "isBase64Encoded": False,
    }


def json_response(response: dict[str, Any]) -> tuple[int, Any]:
    """Status code and decoded JSON body of a proxy response."""
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None
