"""The shop's API stage cache, as API Gateway would apply the synthesized templates.

Every cached route's real handler runs against DynamoDB in moto with an event whose query
strings and headers record what the handler reads: each read must be in the route's cache
key, or the cache answers one request with another's response. A page-2 read goes through
a stage cache keyed as the template says, and health checks are never cached.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.api_cache import ApiMethod, Request, StageCache, api_methods
from tests.support.api_events import FakeContext, json_response, rest_event
from tests.support.recording import (
    EVERY,
    Reads,
    follow_powertools_copies,
    recording_event,
)
from tests.support.tables import create_table_like
from tools.assembly import StackArtifact

TABLE = "shop"
#: What API Gateway passes a Lambda proxy integration from a browser on the storefront.
BROWSER_HEADERS = {
    "Accept": "application/json",
    "Accept-Encoding": "gzip, deflate, br",
    "Accept-Language": "en-GB,en;q=0.9",
    "CloudFront-Viewer-Country": "GB",
    "Host": "api.shop.example.com",
    "Origin": "https://shop.example.com",
    "User-Agent": "Mozilla/5.0",
    "X-Amzn-Trace-Id": "Root=1-5f84c7a9-0123456789abcdef01234567",
    "X-Api-Key": "partner-key",
    "X-Forwarded-For": "198.51.100.7",
}
#: Handler packages this test can call: the environment and data each needs.
TABLE_HANDLERS = frozenset({"products"})

Invoke = Callable[[str, dict[str, Any]], tuple[int, Any]]


def stacks_with_apis(artifacts: dict[str, StackArtifact]) -> list[StackArtifact]:
    return [s for s in artifacts.values() if any(True for _ in api_methods(s))]


@pytest.fixture
def invoke(
    aws: str, stack_artifacts: dict[str, StackArtifact], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Invoke]:
    """Calls ``<package>.app.handler`` against a shop table in moto (the Web stack's)."""
    create_table_like(stack_artifacts["Dev/Web"], "ApiTable", TABLE)
    monkeypatch.setenv("TABLE_NAME", TABLE)
    called: list[Any] = []

    def call(handler: str, event: dict[str, Any]) -> tuple[int, Any]:
        module_name, function_name = handler.rsplit(".", 1)
        module = importlib.import_module(module_name)
        if module not in called:
            module._store.cache_clear()  # the table name is read once per container
            called.append(module)
        return json_response(getattr(module, function_name)(event, FakeContext()))

    yield call
    for module in called:
        module._store.cache_clear()


def add_products(invoke: Invoke, count: int) -> None:
    admin = {"sub": "admin-1", "cognito:groups": "admin"}
    for index in range(count):
        body = {"sku": f"ITEM-{index}", "name": f"Item {index}", "price_cents": 100}
        status, _ = invoke(
            "products.app.handler", rest_event("POST", "/products", body=body, claims=admin)
        )
        assert status == 201


def examples(invoke: Invoke) -> dict[str, Request]:
    """A request each cached route serves with 200: data added, page 1 read for a cursor."""
    add_products(invoke, 3)
    _, first = invoke("products.app.handler", rest_event("GET", "/products", query={"limit": "2"}))
    return {
        "GET /products": Request(query={"limit": "2", "cursor": first["cursor"]}),
        "GET /products/{sku}": Request(path_parameters={"sku": "ITEM-1"}),
    }


def cached_methods(artifacts: dict[str, StackArtifact]) -> list[ApiMethod]:
    return [m for stack in artifacts.values() for m in api_methods(stack) if m.cached]


def test_cached_handlers_read_only_their_cache_keys(
    invoke: Invoke, stack_artifacts: dict[str, StackArtifact], monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = cached_methods(stack_artifacts)
    assert cached, "no stage caches a route: the test would prove nothing"
    requests = examples(invoke)
    for method in cached:
        where = f"{method.stack.display_name} {method.key}"
        assert method.handler is not None, f"{where}: a cached route that is not a Lambda proxy"
        package = method.handler.split(".")[0]
        assert package in TABLE_HANDLERS, f"{where}: teach this test to call {package}"
        assert method.key in requests, f"{where}: add an example request for it"
        request = requests[method.key]
        reads = Reads()
        event = recording_event(
            rest_event(
                method.http_method,
                method.path,
                path_parameters=dict(request.path_parameters) or None,
                query=dict(request.query),
            ),
            reads,
            headers=BROWSER_HEADERS,
        )
        with follow_powertools_copies(monkeypatch):
            status, _ = invoke(method.handler, event)
        assert status == 200, f"{where}: the example request must succeed"

        read_query = reads.of("queryStringParameters", "multiValueQueryStringParameters")
        read_headers = reads.of("headers", "multiValueHeaders")
        assert EVERY not in read_query | read_headers, f"{where}: the handler enumerates them"
        assert read_query <= method.cache_key_names("querystring"), where
        assert read_headers <= {h.lower() for h in method.cache_key_names("header")}, where


def page(invoke: Invoke, request: Request) -> list[str]:
    status, body = invoke(
        "products.app.handler", rest_event("GET", "/products", query=dict(request.query))
    )
    assert status == 200
    return [product["sku"] for product in body["products"]]


def test_page_two_is_not_served_page_one_from_the_cache(
    invoke: Invoke, stack_artifacts: dict[str, StackArtifact]
) -> None:
    listings = [
        m for m in cached_methods(stack_artifacts) if m.key == "GET /products"
    ]
    assert {m.stack.display_name for m in listings} >= {"Prod/Web", "Prod/WebSecondary"}
    add_products(invoke, 3)
    first = Request(query={"limit": "2"}, headers=BROWSER_HEADERS)
    _, body = invoke("products.app.handler", rest_event("GET", "/products", query={"limit": "2"}))
    second = Request(query={"limit": "2", "cursor": body["cursor"]}, headers=BROWSER_HEADERS)
    for listing in listings:
        cache = StageCache(lambda request: page(invoke, request))
        assert cache.get(listing, first) == ["ITEM-0", "ITEM-1"]
        assert cache.get(listing, second) == ["ITEM-2"], listing.stack.display_name


def test_health_checks_are_never_cached(stack_artifacts: dict[str, StackArtifact]) -> None:
    health = [
        m
        for stack in stack_artifacts.values()
        for m in api_methods(stack)
        if m.key == "GET /health"
    ]
    assert {m.stack.display_name for m in health} >= {"Prod/Web", "Prod/WebSecondary"}
    assert [m.stack.display_name for m in health if m.cached] == []
