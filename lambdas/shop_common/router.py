"""A small router for API Gateway REST (Lambda proxy) events, with CORS.

Why not Powertools' ``APIGatewayRestResolver``: importing anything from
``aws_lambda_powertools.event_handler`` runs that package's ``__init__``, which imports
every resolver it has (AppSync with ``asyncio``, Bedrock agents, VPC Lattice, ...) and
Powertools' event data classes: a third of a REST handler's cold start, for code it never
calls. This router does what the shop's handlers use of it, with the same responses:

* routes keyed by method and API Gateway's own route (``GET /products/{sku}``), the path
  parameters passed as keyword arguments (API Gateway has matched and decoded them); an
  event whose ``resource`` is no route's (an event built by hand, a greedy proxy) is
  matched by its ``path``, one segment per parameter;
* a route returns a ``dict`` (200, JSON) or a :class:`Response`; a :class:`ServiceError`
  it raises becomes ``{"statusCode": <status>, "message": <message>}`` with that status;
  any other exception propagates (Lambda records the invocation as failed);
* no route: 404 ``{"statusCode": 404, "message": "Not found"}`` (or the router's own
  ``not_found`` response), except a CORS preflight (``OPTIONS``), which gets 204 with
  ``Access-Control-Allow-Methods``;
* CORS headers on every response to a request whose ``Origin`` is allowed, as Powertools'
  ``CORSConfig`` sets them (see :class:`Cors`);
* the REST proxy response format: ``statusCode``, ``body``, ``isBase64Encoded`` and
  ``multiValueHeaders``.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from shop_common.http import Request, ServiceError

F = TypeVar("F", bound=Callable[..., Any])
JSON = "application/json"
#: Request headers every CORS response allows (API Gateway's signing and key headers).
CORS_REQUIRED_HEADERS = frozenset(
    {"Authorization", "Content-Type", "X-Amz-Date", "X-Api-Key", "X-Amz-Security-Token"}
)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):  # DynamoDB's numbers, as Powertools' encoder writes them
        return float("nan") if value.is_nan() else str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def compact_json(body: Any) -> str:
    """The default serializer: compact JSON, DynamoDB's ``Decimal`` as a string."""
    return json.dumps(body, separators=(",", ":"), default=_json_default)


@dataclass(frozen=True, kw_only=True)
class Cors:
    """Cross-origin settings of a router's responses.

    :param allow_origin: the origin allowed to read responses; ``"*"`` allows any (and is
        answered as ``*``), another value is echoed only to a request from that origin.
        Default: ``"*"``.
    :param allow_headers: request headers allowed besides :data:`CORS_REQUIRED_HEADERS`.
        Default: none.
    :param max_age: seconds a browser may cache a preflight answer; ``None`` leaves
        ``Access-Control-Max-Age`` out. Default: None.
    """

    allow_origin: str = "*"
    allow_headers: tuple[str, ...] = ()
    max_age: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.allow_origin, str) or not self.allow_origin:
            raise ValueError(f"allow_origin must be an origin or '*', got {self.allow_origin!r}")
        if self.max_age is not None and (isinstance(self.max_age, bool) or self.max_age < 0):
            raise ValueError(f"max_age must be a number of seconds >= 0, got {self.max_age!r}")

    def headers(self, origin: str | None) -> dict[str, str]:
        """The CORS response headers for a request from ``origin`` (none if not allowed)."""
        if not origin:
            return {}
        if origin == self.allow_origin:
            allowed = origin
        elif self.allow_origin == "*":
            allowed = "*"
        else:
            return {}
        headers = {
            "Access-Control-Allow-Origin": allowed,
            "Access-Control-Allow-Headers": ",".join(
                sorted(CORS_REQUIRED_HEADERS | set(self.allow_headers))
            ),
        }
        if self.max_age is not None:
            headers["Access-Control-Max-Age"] = str(self.max_age)
        return headers


@dataclass(frozen=True)
class Response:
    """A route's answer: ``body`` is serialized when the content type is JSON and it is not
    already text; bytes are sent base64-encoded. Default: 200, JSON, no extra headers."""

    status_code: int = 200
    body: Any = None
    content_type: str | None = JSON
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Route:
    function: Callable[..., Any]
    pattern: re.Pattern[str]


def _pattern(resource: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", resource)  # literal, name, literal, name, ..., literal
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts)
    )
    return re.compile(f"^{regex}$")


class Router:
    """Routes REST proxy events to functions (see the module docstring).

    :param cors: CORS settings for every response; ``None`` sends no CORS headers and
        answers no preflight. Default: None.
    :param serializer: turns a JSON body into text. Default: :func:`compact_json`.
    :param not_found: the response when no route matches. Default: 404 with
        ``{"statusCode": 404, "message": "Not found"}``.
    """

    def __init__(
        self,
        *,
        cors: Cors | None = None,
        serializer: Callable[[Any], str] = compact_json,
        not_found: Response | None = None,
    ) -> None:
        if cors is not None and not isinstance(cors, Cors):
            raise TypeError(f"cors must be a Cors or None, got {cors!r}")
        self.cors = cors
        self.serializer = serializer
        self.not_found = not_found or Response(404, {"statusCode": 404, "message": "Not found"})
        self._routes: dict[tuple[str, str], _Route] = {}

    def route(self, method: str, resource: str) -> Callable[[F], F]:
        """Register ``function(request, **path_parameters)`` for ``method resource``, where
        ``resource`` is API Gateway's route (``/products/{sku}``)."""
        key = (method.upper(), resource)
        if not resource.startswith("/"):
            raise ValueError(f"resource must start with '/', got {resource!r}")
        if key in self._routes:
            raise ValueError(f"{method.upper()} {resource} is routed twice")

        def register(function: F) -> F:
            self._routes[key] = _Route(function, _pattern(resource))
            return function

        return register

    def get(self, resource: str) -> Callable[[F], F]:
        """``route("GET", resource)``."""
        return self.route("GET", resource)

    def post(self, resource: str) -> Callable[[F], F]:
        """``route("POST", resource)``."""
        return self.route("POST", resource)

    def resolve(self, event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:  # noqa: ARG002
        """The proxy response to ``event`` (``context`` is accepted, as Lambda passes it)."""
        request = Request(event)
        route, arguments = self._match(request)
        if route is not None:
            try:
                response = _as_response(route.function(request, **arguments))
            except ServiceError as error:
                response = Response(
                    error.status_code, {"statusCode": error.status_code, "message": error.message}
                )
        elif self.cors is not None and request.method == "OPTIONS":
            methods = {method for method, _ in self._routes} | {"OPTIONS"}
            allow = {"Access-Control-Allow-Methods": ",".join(sorted(methods))}
            response = Response(204, "", content_type=None, headers=allow)
        else:
            response = self.not_found
        return self._build(request, response)

    def _match(self, request: Request) -> tuple[_Route | None, Mapping[str, str]]:
        route = self._routes.get((request.method, request.resource))
        if route is not None:
            return route, request.path_parameters
        path = str(request.event.get("path") or "")
        for (method, _), candidate in self._routes.items():
            found = candidate.pattern.match(path) if method == request.method else None
            if found is not None:
                return candidate, found.groupdict()
        return None, {}

    def _build(self, request: Request, response: Response) -> dict[str, Any]:
        headers = dict(response.headers)
        if response.content_type is not None:
            headers["Content-Type"] = response.content_type
        if self.cors is not None:
            headers.update(self.cors.headers(request.headers.get("origin")))
        body = response.body
        is_json = (response.content_type or "").startswith(JSON)
        if is_json and body is not None and not isinstance(body, (str, bytes)):
            body = self.serializer(body)
        encoded = isinstance(body, bytes)
        if encoded:
            body = base64.b64encode(body).decode("ascii")
        return {
            "statusCode": response.status_code,
            "body": body,
            "isBase64Encoded": encoded,
            "multiValueHeaders": {name: [value] for name, value in headers.items()},
        }


def _as_response(result: Any) -> Response:
    return result if isinstance(result, Response) else Response(200, result)
