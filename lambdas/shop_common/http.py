"""Small helpers shared by the API handlers: the JSON body and the caller's identity."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler.exceptions import BadRequestError, UnauthorizedError
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent


def json_object(event: APIGatewayProxyEvent) -> dict[str, Any]:
    """The request body as a JSON object; ``BadRequestError`` (400) otherwise."""
    raw = event.decoded_body
    if not raw:
        raise BadRequestError("the request needs a JSON body")
    try:
        body = json.loads(raw)
    except json.JSONDecodeError as error:
        raise BadRequestError(f"the body is not valid JSON: {error.msg}") from None
    if not isinstance(body, dict):
        raise BadRequestError("the body must be a JSON object")
    return body


def caller_claims(event: APIGatewayProxyEvent) -> dict[str, Any]:
    """The Cognito claims API Gateway verified; ``UnauthorizedError`` (401) without them."""
    claims = event.request_context.authorizer.claims or {}
    if not claims.get("sub"):
        raise UnauthorizedError("the request carries no verified identity")
    return dict(claims)


def caller_groups(event: APIGatewayProxyEvent) -> set[str]:
    """The caller's Cognito groups (``cognito:groups`` is a space- or comma-separated string
    in REST API claims)."""
    raw = caller_claims(event).get("cognito:groups") or ""
    if isinstance(raw, list):
        return {str(group) for group in raw}
    return {group for group in str(raw).replace(",", " ").strip("[]").split() if group}
