"""The request side of the shop's REST handlers: errors that map to a status, the request.

API Gateway (REST, Lambda proxy) hands a handler one event; :class:`Request` reads what
the handlers need of it (method, route, path parameters, query strings, headers, a JSON
body, the Cognito claims API Gateway verified) without copying parts it does not read.
Nothing here imports more than the standard library: a cold start pays for what a REST
handler uses, not for Powertools' other resolvers (see :mod:`shop_common.router`).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any


class ServiceError(Exception):
    """An HTTP error: the response is ``status_code`` with ``{"statusCode", "message"}``."""

    def __init__(self, status_code: int, message: str) -> None:
        if not 400 <= status_code <= 599:
            raise ValueError(
                f"status_code must be an HTTP error status (400-599), got {status_code}"
            )
        super().__init__(message)
        self.status_code = status_code
        self.message = message


class BadRequestError(ServiceError):
    """400: the request is malformed or a value is out of range."""

    def __init__(self, message: str) -> None:
        super().__init__(400, message)


class UnauthorizedError(ServiceError):
    """401: the request carries no verified identity."""

    def __init__(self, message: str) -> None:
        super().__init__(401, message)


class ForbiddenError(ServiceError):
    """403: the caller may not do this."""

    def __init__(self, message: str) -> None:
        super().__init__(403, message)


class NotFoundError(ServiceError):
    """404: nothing is there (or nothing this caller may see)."""

    def __init__(self, message: str = "Not found") -> None:
        super().__init__(404, message)


class Headers(Mapping[str, str]):
    """A request's headers, looked up by name in any case (HTTP names are case-insensitive).

    Built once per request from the event's ``headers`` (API Gateway keeps the case the
    client sent; a repeated header there holds its last value).
    """

    def __init__(self, raw: Mapping[str, str] | None) -> None:
        self._values = {name.lower(): value for name, value in (raw or {}).items()}

    def __getitem__(self, name: str) -> str:
        return self._values[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


class Request:
    """One API Gateway REST proxy event, read lazily."""

    def __init__(self, event: Mapping[str, Any]) -> None:
        self.event = event

    @property
    def method(self) -> str:
        return str(self.event.get("httpMethod") or "").upper()

    @property
    def resource(self) -> str:
        """The route API Gateway matched, in its own syntax (``/products/{sku}``)."""
        return str(self.event.get("resource") or self.event.get("path") or "")

    @property
    def path_parameters(self) -> Mapping[str, str]:
        return self.event.get("pathParameters") or {}

    @property
    def query(self) -> Mapping[str, str]:
        """Query string parameters (the last value of a repeated one); empty without any."""
        return self.event.get("queryStringParameters") or {}

    @cached_property
    def headers(self) -> Headers:
        return Headers(self.event.get("headers"))

    @property
    def body(self) -> str | None:
        """The body as text (decoded when API Gateway base64-encoded it)."""
        body = self.event.get("body")
        if body and self.event.get("isBase64Encoded"):
            try:
                return base64.b64decode(body, validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                raise BadRequestError("the body is not valid base64 UTF-8 text") from None
        return body if isinstance(body, str) else None

    @property
    def claims(self) -> Mapping[str, Any]:
        """The Cognito claims API Gateway verified; empty on a route without a user pool."""
        context = self.event.get("requestContext") or {}
        authorizer = context.get("authorizer") or {}
        return authorizer.get("claims") or {}


def json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object; ``BadRequestError`` (400) otherwise."""
    raw = request.body
    if not raw:
        raise BadRequestError("the request needs a JSON body")
    try:
        body = json.loads(raw)
    except json.JSONDecodeError as error:
        raise BadRequestError(f"the body is not valid JSON: {error.msg}") from None
    except (RecursionError, ValueError):  # nested too deeply, or an integer past the limit
        raise BadRequestError("the body is not usable JSON") from None
    if not isinstance(body, dict):
        raise BadRequestError("the body must be a JSON object")
    return body


def caller_claims(request: Request) -> dict[str, Any]:
    """The Cognito claims API Gateway verified; ``UnauthorizedError`` (401) without them."""
    claims = request.claims
    if not claims.get("sub"):
        raise UnauthorizedError("the request carries no verified identity")
    return dict(claims)


#: The Cognito group of the shop's administrators (the ``Web`` stack's ``AdminGroup``).
ADMIN_GROUP = "admin"


def require_group(request: Request, group: str, *, to: str) -> None:
    """``ForbiddenError`` (403) unless the verified caller is a member of ``group``
    (``UnauthorizedError`` without a verified caller); ``to`` says what members may do."""
    if group not in caller_groups(request):
        raise ForbiddenError(f"only members of {group!r} may {to}")


def caller_groups(request: Request) -> set[str]:
    """The caller's Cognito groups (``cognito:groups`` is a space- or comma-separated string
    in REST API claims)."""
    raw = caller_claims(request).get("cognito:groups") or ""
    if isinstance(raw, list):
        return {str(group) for group in raw}
    return {group for group in str(raw).replace(",", " ").strip("[]").split() if group}
