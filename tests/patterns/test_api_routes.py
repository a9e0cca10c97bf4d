"""Routes' query strings and headers: request parameters, cache keys, health routes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from patterns import Route, ServerlessApi, ServerlessFunction, Throttle
from tests.support.templates import method_for, resources

MINUTE = cdk.Duration.minutes(1)


@pytest.fixture
def fn(stack: cdk.Stack, code_dir: Path) -> ServerlessFunction:
    return ServerlessFunction(stack, "Products", code_path=code_dir)


def stage_settings(template: Template) -> dict[tuple[str, str], dict[str, Any]]:
    """The stage's method settings by (HTTP method, resource path)."""
    [stage] = resources(template, "AWS::ApiGateway::Stage")
    return {(m["HttpMethod"], m["ResourcePath"]): m for m in stage["Properties"]["MethodSettings"]}


def test_declared_parameters_are_validated_and_key_a_cached_route(
    stack: cdk.Stack, fn: ServerlessFunction
) -> None:
    route = Route(
        "GET",
        "/shops/{shop}/products",
        fn,
        auth="none",
        query_strings={"cursor": False, "category": True},
        headers=("Accept-Language",),
    )
    ServerlessApi(stack, "Api", cache_ttl=MINUTE, routes=[route])
    template = Template.from_stack(stack)

    method = method_for(template, "GET", "products")
    assert method["RequestParameters"] == {
        "method.request.path.shop": True,
        "method.request.querystring.cursor": False,
        "method.request.querystring.category": True,
        "method.request.header.Accept-Language": False,
    }
    assert method["Integration"]["CacheKeyParameters"] == list(method["RequestParameters"])
    # Required parameters are checked by API Gateway before the function runs.
    [validator] = resources(template, "AWS::ApiGateway::RequestValidator")
    assert validator["Properties"]["ValidateRequestParameters"] is True
    assert method["RequestValidatorId"] == {"Ref": template_id(template, validator)}
    # The route says it is cached itself rather than relying on the stage-wide setting.
    own = stage_settings(template)[("GET", "/~1shops~1{shop}~1products")]
    assert (own["CachingEnabled"], own["CacheTtlInSeconds"], own["CacheDataEncrypted"]) == (
        True,
        60,
        True,
    )


def template_id(template: Template, resource: dict[str, Any]) -> str:
    found = template.find_resources(resource["Type"])
    return next(logical_id for logical_id, r in found.items() if r == resource)


def test_uncached_routes_declare_parameters_without_a_cache_key(
    stack: cdk.Stack, fn: ServerlessFunction
) -> None:
    ServerlessApi(
        stack,
        "Api",
        cache_ttl=MINUTE,
        routes=[
            Route("GET", "/me", fn, auth="iam", headers=("Accept-Language",)),
            Route("POST", "/orders", fn, auth="iam", headers={"Idempotency-Key": True}),
        ],
    )
    template = Template.from_stack(stack)
    me = method_for(template, "GET", "me")
    assert me["RequestParameters"] == {"method.request.header.Accept-Language": False}
    assert "CacheKeyParameters" not in me["Integration"]
    orders = method_for(template, "POST", "orders")
    assert orders["RequestParameters"] == {"method.request.header.Idempotency-Key": True}
    assert "CacheKeyParameters" not in orders["Integration"]
    settings = stage_settings(template)
    assert settings[("GET", "/~1me")]["CachingEnabled"] is False
    assert settings[("POST", "/~1orders")]["CachingEnabled"] is False


def test_without_a_cache_routes_have_parameters_and_no_cache_settings(
    stack: cdk.Stack, fn: ServerlessFunction
) -> None:
    ServerlessApi(
        stack,
        "Api",
        routes=[Route("GET", "/products", fn, auth="none", query_strings=("cursor",))],
    )
    template = Template.from_stack(stack)
    method = method_for(template, "GET", "products")
    assert method["RequestParameters"] == {"method.request.querystring.cursor": False}
    assert "CacheKeyParameters" not in method["Integration"]
    assert list(stage_settings(template)) == [("*", "/*")]
    assert "CachingEnabled" not in stage_settings(template)[("*", "/*")]


def test_a_health_route_is_never_cached(stack: cdk.Stack, fn: ServerlessFunction) -> None:
    health = Route("GET", "/health", fn, auth="none", health_check=True, headers=("Origin",))
    assert health.served_from_cache("none") is False
    ServerlessApi(stack, "Api", cache_ttl=MINUTE, routes=[health])
    template = Template.from_stack(stack)
    method = method_for(template, "GET", "health")
    assert "CacheKeyParameters" not in method["Integration"]
    assert stage_settings(template)[("GET", "/~1health")]["CachingEnabled"] is False


def test_a_throttled_route_keeps_its_cache_setting(
    stack: cdk.Stack, fn: ServerlessFunction
) -> None:
    throttle = Throttle(rate_limit=5, burst_limit=10)
    ServerlessApi(
        stack,
        "Api",
        cache_ttl=MINUTE,
        routes=[
            Route("GET", "/me", fn, auth="iam", throttle=throttle),
            Route("GET", "/products", fn, auth="none", throttle=throttle),
        ],
    )
    settings = stage_settings(Template.from_stack(stack))
    for path, cached in (("/~1me", False), ("/~1products", True)):
        setting = settings[("GET", path)]
        assert setting["CachingEnabled"] is cached
        assert (setting["ThrottlingRateLimit"], setting["ThrottlingBurstLimit"]) == (5, 10)


@pytest.mark.parametrize(
    ("auth", "cacheable", "method", "cached"),
    [
        ("none", None, "GET", True),
        ("iam", None, "GET", False),
        ("iam", True, "GET", True),
        ("none", False, "GET", False),
        ("none", None, "POST", False),
    ],
)
def test_which_routes_a_cache_may_answer(
    fn: ServerlessFunction, auth: str, cacheable: bool | None, method: str, cached: bool
) -> None:
    route = Route(method, "/a", fn, cacheable=cacheable)
    assert route.served_from_cache(auth) is cached


def test_a_sequence_declares_optional_parameters(fn: ServerlessFunction) -> None:
    route = Route("GET", "/a/{id}", fn, query_strings=["limit"], headers=["Origin"])
    assert route.query_strings == {"limit": False}
    assert route.request_parameters == {
        "method.request.path.id": True,
        "method.request.querystring.limit": False,
        "method.request.header.Origin": False,
    }


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        (
            {"query_strings": "cursor"},
            TypeError,
            "query_strings must be a sequence \\(not a single string\\) of str",
        ),
        (
            {"headers": 3},
            TypeError,
            "headers must be a sequence .* of str or a mapping of str to bool, got 3",
        ),
        ({"query_strings": (1,)}, TypeError, r"query_strings\[0\] must be a str, got 1"),
        ({"query_strings": ("page size",)}, ValueError, "'page size' must be 1-128 letters"),
        ({"query_strings": ("a/b",)}, ValueError, "query_strings name 'a/b' must be"),
        ({"query_strings": ("",)}, ValueError, "query_strings name '' must be"),
        ({"headers": ("X Api",)}, ValueError, "headers name 'X Api' must be 1-128 letters"),
        ({"headers": ("Ö",)}, ValueError, "headers name 'Ö' must be"),
        ({"query_strings": ("a", "a")}, ValueError, r"names must be unique, got \['a', 'a'\]"),
        ({"headers": ("Origin", "origin")}, ValueError, "'Origin' and 'origin' are the same"),
        (
            {"headers": {"Origin": "yes"}},
            TypeError,
            r"headers\['Origin'\] must be a bool, got 'yes'",
        ),
    ],
)
def test_bad_parameter_declarations(
    fn: ServerlessFunction, options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message) as raised:
        Route("GET", "/a", fn, **options)
    assert "route GET /a" in str(raised.value)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"method": "POST"}, "method must be GET, got 'POST'"),
        ({"auth": None}, "auth must be 'none', got None"),
        ({"auth": "iam"}, "auth must be 'none', got 'iam'"),
        ({"api_key_required": True}, "api_key_required must be False"),
        ({"cacheable": True}, "cacheable must not be True"),
        ({"query_strings": {"token": True}}, r"no parameter may be required, got \['token'\]"),
        ({"headers": {"X-Check": True}}, r"no parameter may be required, got \['X-Check'\]"),
    ],
)
def test_bad_health_routes(fn: ServerlessFunction, options: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"method": "GET", "auth": "none", **options}
    method = arguments.pop("method")
    with pytest.raises(ValueError, match=f"health_check route's {message}"):
        Route(method, "/health", fn, health_check=True, **arguments)


def test_new_options_are_keyword_only(fn: ServerlessFunction) -> None:
    with pytest.raises(TypeError):
        Route("GET", "/a", fn, "none", None, (), None, False, None, None, ("cursor",))  # type: ignore[call-arg]
