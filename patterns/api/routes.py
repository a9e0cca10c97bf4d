"""Routes as data: what a ``ServerlessApi`` serves, and the checks on it."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from aws_cdk import aws_lambda as lambda_

from patterns._types import check_fields
from patterns._validation import check_range
from patterns.api.request_parameters import check_parameters, method_request_parameters
from patterns.choices import AuthType, TableAccess, values
from patterns.serverless_function import ServerlessFunction

#: HTTP methods a route may declare (``ANY`` matches every method).
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"})
#: Table access a route may need: the grant its function gets.
TABLE_ACCESS = frozenset(values(TableAccess))
#: Authorization a route may use; ``None`` on a route means the API's default.
AUTH_TYPES = frozenset(values(AuthType))

_LITERAL = re.compile(r"^[A-Za-z0-9._~-]+$")
_VARIABLE = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)(\+?)\}$")

#: What serves a route: a ``ServerlessFunction`` (its ``live`` alias is invoked) or any
#: ``lambda_.IFunction``, including one imported with ``Function.from_function_arn``.
RouteTarget = ServerlessFunction | lambda_.IFunction


@dataclasses.dataclass(frozen=True)
class Throttle:
    """Steady-state requests per second and the burst (the token bucket's size). API
    Gateway accepts a burst below the rate (the bucket then caps each second's requests
    at the burst), so both are only range-checked."""

    rate_limit: float
    burst_limit: int

    def __post_init__(self) -> None:
        check_fields(self)
        check_range("rate_limit", self.rate_limit, 0, 1_000_000, "requests per second")
        check_range("burst_limit", self.burst_limit, 0, 1_000_000, "requests")


@dataclasses.dataclass(frozen=True)
class Route:
    """One method on one path and the function that serves it.

    :param method: HTTP method, one of :data:`METHODS` (case-insensitive).
    :param path: resource path starting with ``/``; ``{name}`` segments are path
        parameters and a last ``{name+}`` segment is a greedy one.
    :param function: a ``ServerlessFunction`` or any ``lambda_.IFunction``.
    :param table_access: ``none``, ``read``, ``write`` or ``read_write``: the table grant
        the function gets. Default: ``"none"``.
    :param auth: ``none``, ``iam``, ``cognito`` or ``lambda``. Default: ``None``, the API's
        ``default_auth``.
    :param authorization_scopes: OAuth scopes a Cognito access token must carry.
        Default: none (an ID token is accepted).
    :param request_schema: JSON Schema (draft 4) of the JSON body; API Gateway rejects
        bodies that do not match with 400. Default: no body model.
    :param api_key_required: callers must send an API key of a usage plan. A key
        identifies a caller (for quotas and throttles), it does not authenticate one: keys
        travel in a plain header and are shared with integrators, so with ``auth="none"``
        the route is public to anyone holding a key. Default: False.
    :param throttle: this method's own throttling, overriding the stage's. Default: the
        stage's.
    :param cacheable: whether the stage cache (when the API has one) may answer this route.
        Only GET routes can be cached. Default: ``None``, meaning GET routes without
        authentication only: the cache key does not include the caller, so a signed-in
        caller could otherwise be given another caller's cached response. The API key is
        not in the cache key either: a public route with ``api_key_required`` is cached, so
        its responses must be the same for every key.
    :param query_strings: (keyword-only, like ``headers`` and ``health_check``) the query
        string parameters the function reads: a sequence of names (all optional) or a
        mapping of name to required. API Gateway answers 400 when a required one is
        missing, and a cached route's cache key holds every declared one, so a cached route
        must declare everything its function reads (``cursor`` and ``limit`` of a paged
        list), or one page is served for all. Default: none.
    :param headers: the request headers the function reads, declared like
        ``query_strings`` and keyed on the same way (``Origin`` where the function answers
        CORS itself). Default: none.
    :param health_check: the route answers Route 53 health checks (``RegionalApiRecord``):
        it is never cached, so a broken region is seen at the next check, and it must be a
        GET with ``auth="none"``, no API key and no required parameters, since the checker
        sends none. Default: False.
    """

    method: str
    path: str
    function: RouteTarget
    table_access: TableAccess = "none"
    auth: AuthType | None = None
    authorization_scopes: tuple[str, ...] = ()
    request_schema: Mapping[str, Any] | None = None
    api_key_required: bool = False
    throttle: Throttle | None = None
    cacheable: bool | None = None
    _: dataclasses.KW_ONLY
    query_strings: Sequence[str] | Mapping[str, bool] = ()
    headers: Sequence[str] | Mapping[str, bool] = ()
    health_check: bool = False

    def __post_init__(self) -> None:
        check_fields(self, f"route {self.method} {self.path}")
        method = self.method.upper() if isinstance(self.method, str) else self.method
        if method not in METHODS:
            raise ValueError(
                f"route method must be one of {', '.join(sorted(METHODS))}; got {self.method!r}"
            )
        object.__setattr__(self, "method", method)
        object.__setattr__(self, "path", normalise_path(self.path))
        if self.table_access not in TABLE_ACCESS:
            raise ValueError(
                f"route {self.key}: table_access must be one of "
                f"{', '.join(sorted(TABLE_ACCESS))}; got {self.table_access!r}"
            )
        if self.auth is not None and self.auth not in AUTH_TYPES:
            raise ValueError(
                f"route {self.key}: auth must be one of {', '.join(sorted(AUTH_TYPES))} "
                f"or None; got {self.auth!r}"
            )
        if self.cacheable and self.method != "GET":
            raise ValueError(f"route {self.key}: only GET routes can be cacheable")
        for argument in ("query_strings", "headers"):
            declared = check_parameters(argument, getattr(self, argument), self.key)
            object.__setattr__(self, argument, declared)
        if self.health_check:
            self._check_health_route()
        if isinstance(self.authorization_scopes, str):
            raise TypeError(f"route {self.key}: authorization_scopes must be a sequence")
        object.__setattr__(self, "authorization_scopes", tuple(self.authorization_scopes))
        if self.request_schema is not None:
            if not isinstance(self.request_schema, Mapping):
                raise TypeError(f"route {self.key}: request_schema must be a JSON Schema mapping")
            object.__setattr__(self, "request_schema", MappingProxyType(dict(self.request_schema)))
        if self.authorization_scopes and self.auth not in (None, "cognito"):
            raise ValueError(f"route {self.key}: authorization_scopes need auth='cognito'")
        if not isinstance(self.function, ServerlessFunction) and not hasattr(
            self.function, "function_arn"
        ):
            raise TypeError(
                f"route {self.key}: function must be a ServerlessFunction or a "
                f"lambda_.IFunction, got {type(self.function).__name__}"
            )

    def _check_health_route(self) -> None:
        # Route 53's HTTPS checkers send a bare GET: no credentials, key or parameters.
        required = [
            name
            for argument in ("query_strings", "headers")
            for name, needed in self._declared(argument).items()
            if needed
        ]
        problems = {
            f"method must be GET, got {self.method!r}": self.method != "GET",
            f"auth must be 'none', got {self.auth!r}": self.auth != "none",
            "api_key_required must be False": self.api_key_required,
            "cacheable must not be True (health checks are never cached)": bool(self.cacheable),
            f"no parameter may be required, got {required}": bool(required),
        }
        for problem, found in problems.items():
            if found:
                raise ValueError(f"route {self.key}: a health_check route's {problem}")

    def _declared(self, argument: str) -> Mapping[str, bool]:
        declared: Mapping[str, bool] = getattr(self, argument)
        return declared

    def served_from_cache(self, auth: str) -> bool:
        """Whether a stage cache may answer this route when its effective auth (the
        route's, or the API's default) is ``auth``."""
        # A cached write would be answered without running the function, a cached
        # signed-in read could be served to another caller (the key ignores the caller),
        # and a cached health check would report a region healthy after it broke.
        if self.health_check:
            return False
        if self.cacheable is not None:
            return self.cacheable
        return self.method == "GET" and auth == "none"

    @property
    def request_parameters(self) -> dict[str, bool]:
        """The method's ``RequestParameters``: ``{"method.request.path.sku": True,
        "method.request.querystring.cursor": False, ...}`` (``True``: required); also the
        cache key parameters of a cached route."""
        return method_request_parameters(
            self.path_parameters,
            {argument: self._declared(argument) for argument in ("query_strings", "headers")},
        )

    @property
    def key(self) -> str:
        """``"GET /products/{id}"``."""
        return f"{self.method} {self.path}"

    @property
    def path_parameters(self) -> tuple[str, ...]:
        """Names of the path's parameters, in order."""
        names = []
        for segment in self.path.split("/"):
            match = _VARIABLE.match(segment)
            if match:
                names.append(match.group(1))
        return tuple(names)


def normalise_path(path: str) -> str:
    """The path without a trailing ``/``; ``ValueError`` when it is not a valid path."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError(f"route path must start with '/', got {path!r}")
    trimmed = path.rstrip("/") or "/"
    segments = [] if trimmed == "/" else trimmed[1:].split("/")
    for index, segment in enumerate(segments):
        match = _VARIABLE.match(segment)
        if match and match.group(2) and index != len(segments) - 1:
            raise ValueError(f"route path {path!r}: a greedy {segment} must be the last segment")
        if not match and not _LITERAL.match(segment):
            raise ValueError(
                f"route path {path!r}: segment {segment!r} must be letters, digits, '._~-' "
                "or a {parameter}"
            )
    return trimmed


def check_sibling_parameters(paths: list[str]) -> None:
    """API Gateway allows one parameter name per position: ``/a/{id}`` vs ``/a/{key}`` fails."""
    seen: dict[str, str] = {}
    for path in paths:
        parent = ""
        for segment in [] if path == "/" else path[1:].split("/"):
            if _VARIABLE.match(segment):
                other = seen.setdefault(parent, segment)
                if other != segment:
                    raise ValueError(
                        f"route paths {parent or '/'}/{other} and {parent or '/'}/{segment} "
                        "use different parameter names at the same position"
                    )
            parent = f"{parent}/{segment}"
