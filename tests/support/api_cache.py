"""What API Gateway's stage cache does with a synthesized REST API.

Read from the template as API Gateway reads it: a method is cached when its stage has a
cache cluster and the most specific method setting for it enables caching (``*/*`` caches
GET methods only: AWS's default for the other methods is off); its responses are keyed on
the HTTP method, the resource path and the values of the integration's
``CacheKeyParameters``, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tools.assembly import StackArtifact

#: Where a ``method.request.<location>.<name>`` parameter is read from in a request.
_PARTS = {"path": "path_parameters", "querystring": "query", "header": "headers"}


@dataclass(frozen=True)
class Request:
    """The parts of one request that a cache key can hold."""

    path_parameters: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)

    def value(self, parameter: str) -> str | None:
        """The request's value of ``method.request.<location>.<name>``."""
        _, _, location, name = parameter.split(".", 3)
        values: Mapping[str, str] = getattr(self, _PARTS[location])
        if location == "header":  # header names are case-insensitive
            return {k.lower(): v for k, v in values.items()}.get(name.lower())
        return values.get(name)


@dataclass(frozen=True)
class ApiMethod:
    """One ``AWS::ApiGateway::Method`` of a synthesized stack."""

    stack: StackArtifact
    logical_id: str
    http_method: str
    path: str  # "/products/{sku}"
    properties: Mapping[str, Any]
    cached: bool
    handler: str | None  # "products.app.handler" for a Lambda proxy method

    @property
    def key(self) -> str:
        return f"{self.http_method} {self.path}"

    @property
    def cache_key_parameters(self) -> list[str]:
        return list(self.properties.get("Integration", {}).get("CacheKeyParameters", []))

    def cache_key_names(self, location: str) -> set[str]:
        """Names of the cache key's parameters at ``location`` (``querystring``, ...)."""
        return _names(self.cache_key_parameters, location)

    def declared_names(self, location: str) -> set[str]:
        """Names of the method's ``RequestParameters`` at ``location``."""
        return _names(self.properties.get("RequestParameters", {}), location)

    @property
    def request_parameters(self) -> Mapping[str, bool]:
        """The method's ``RequestParameters``: name -> required."""
        return dict(self.properties.get("RequestParameters", {}))

    def cache_key(self, request: Request) -> tuple[Any, ...] | None:
        """API Gateway's cache key of ``request``, or ``None`` when it is never cached."""
        if not self.cached:
            return None
        values = tuple((p, request.value(p)) for p in self.cache_key_parameters)
        return (self.http_method, self.path, values)


def api_methods(stack: StackArtifact) -> Iterator[ApiMethod]:
    """Every REST API method of ``stack``, with whether its stage caches it."""
    resources = stack.template()["Resources"]
    stages = {
        _ref(r["Properties"]["RestApiId"]): r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::ApiGateway::Stage"
    }
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::ApiGateway::Method":
            continue
        props = resource["Properties"]
        path = _path(resources, props["ResourceId"])
        stage = stages.get(_ref(props["RestApiId"]), {})
        yield ApiMethod(
            stack=stack,
            logical_id=logical_id,
            http_method=props["HttpMethod"],
            path=path,
            properties=props,
            cached=_caches(stage, props["HttpMethod"], path),
            handler=_handler(resources, props.get("Integration", {})),
        )


def _names(parameters: Iterable[str], location: str) -> set[str]:
    """``{"cursor"}`` of ``["method.request.querystring.cursor"]``; header names lower-cased,
    as HTTP compares them."""
    found = {p.split(".", 3)[3] for p in parameters if p.split(".", 3)[2] == location}
    return {name.lower() for name in found} if location == "header" else found


def _ref(value: Any) -> str:
    return str(value.get("Ref")) if isinstance(value, dict) else str(value)


def _path(resources: Mapping[str, Any], resource_id: Any) -> str:
    if "Fn::GetAtt" in resource_id:  # the API's root resource
        return "/"
    props = resources[resource_id["Ref"]]["Properties"]
    parent = _path(resources, props["ParentId"])
    return f"{parent.rstrip('/')}/{props['PathPart']}"


def _caches(stage: Mapping[str, Any], http_method: str, path: str) -> bool:
    if not stage.get("CacheClusterEnabled"):
        return False
    settings = stage.get("MethodSettings", [])
    escaped = "/" + path.replace("/", "~1")
    stage_wide: Mapping[str, Any] = next(
        (s for s in settings if (s["HttpMethod"], s["ResourcePath"]) == ("*", "/*")), {}
    )
    for method in (http_method, "*"):
        for setting in settings:
            if (setting["HttpMethod"], setting["ResourcePath"]) == (method, escaped):
                return bool(setting.get("CachingEnabled", stage_wide.get("CachingEnabled")))
    return bool(stage_wide.get("CachingEnabled")) and http_method == "GET"


def _handler(resources: Mapping[str, Any], integration: Mapping[str, Any]) -> str | None:
    """The ``Handler`` of the function (or alias) a Lambda proxy integration invokes."""
    if integration.get("Type") != "AWS_PROXY":
        return None
    refs = [part["Ref"] for part in integration["Uri"]["Fn::Join"][1] if isinstance(part, dict)]
    for ref in refs:
        target = resources.get(ref, {})
        if target.get("Type") == "AWS::Lambda::Alias":
            target = resources[_ref(target["Properties"]["FunctionName"])]
        if target.get("Type") == "AWS::Lambda::Function":
            return str(target["Properties"]["Handler"])
    return None


@dataclass
class StageCache:
    """A stage cache in front of a handler: a request whose key is cached is answered
    from the cache, without reaching the handler (TTLs are not modelled: every test
    request falls inside one)."""

    invoke: Callable[[Request], Any]
    entries: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    def get(self, method: ApiMethod, request: Request) -> Any:
        key = method.cache_key(request)
        if key is None:
            return self.invoke(request)
        if key not in self.entries:
            self.entries[key] = self.invoke(request)
        return self.entries[key]
