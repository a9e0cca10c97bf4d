"""The APIs' request parameters and stage cache, as API Gateway applies the templates.

Every Lambda route's real handler runs against moto with an event whose query strings and
headers record what it reads: each read must be declared by the route, and, where a stage
caches the route, be in its cache key, or the cache answers one request with another's
response. A page-2 read goes through a stage cache keyed as the template says, and health
checks are never cached.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import boto3
import pytest

from tests.support.api_cache import ApiMethod, Request, StageCache, api_methods
from tests.support.api_events import FakeContext, json_response, rest_event
from tests.support.recording import EVERY, Reads, follow_powertools_copies, recording_event
from tests.support.state_machines import ACCOUNT
from tests.support.tables import create_table_like
from tools.assembly import StackArtifact
from tools.moto_server import configure

#: What API Gateway hands a Lambda proxy integration from a browser on the storefront.
BROWSER_HEADERS = {
    "Accept": "application/json",
    "Accept-Encoding": "gzip, deflate, br",
    "Accept-Language": "en-GB,en;q=0.9",
    "CloudFront-Viewer-Country": "GB",
    "Content-Type": "application/json",
    "Host": "api.shop.example.com",
    "Origin": "https://shop.example.com",
    "User-Agent": "Mozilla/5.0",
    "X-Amzn-Trace-Id": "Root=1-5f84c7a9-0123456789abcdef01234567",
    "X-Api-Key": "partner-key",
    "X-Forwarded-For": "198.51.100.7",
}
#: The moto tables the handlers use: environment variable, table name, and the template
#: (stack, logical id prefix) it is created like.
TABLES = {
    "TABLE_NAME": ("shop", "Dev/Web", "ApiTable"),
    "IDEMPOTENCY_TABLE": ("idempotency", "Dev/Web", "IdempotencyTable"),
    "CATALOG_TABLE": ("catalog", "Dev/DataLake", "CatalogTable"),
}
ADMIN = {"sub": "admin-1", "cognito:groups": "admin"}
ALICE = {"sub": "alice"}
LISTING = "products.app.handler"

Invoke = Callable[[str, dict[str, Any]], tuple[int, Any]]


@dataclass(frozen=True)
class Example:
    """A request a route answers with 2XX; ``request.headers`` add to the browser's."""

    request: Request = field(default_factory=Request)
    body: Any = None
    claims: Mapping[str, str] | None = None


@pytest.fixture
def invoke(
    aws: str, stack_artifacts: dict[str, StackArtifact], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Invoke]:
    """Calls a handler (``products.app.handler``) against the tables, in moto (which runs
    state machines meanwhile, for the order review's callback task)."""
    configure(aws, {"stepfunctions": {"execute_state_machine": True}})
    monkeypatch.setenv("MOTO_PORT", str(urlparse(aws).port))
    for variable, (name, stack, prefix) in TABLES.items():
        create_table_like(stack_artifacts[stack], prefix, name)
        monkeypatch.setenv(variable, name)
    # GET /live-token signs with this secret.
    secret = boto3.client("secretsmanager").create_secret(Name="live-token", SecretString="k")
    monkeypatch.setenv("TOKEN_SECRET_ARN", secret["ARN"])
    called: list[Any] = []

    def forget(module: Any) -> None:
        # Adapters are cached per container, with the table names of the test before.
        for value in vars(module).values():
            getattr(value, "cache_clear", lambda: None)()

    def call(handler: str, event: dict[str, Any]) -> tuple[int, Any]:
        module_name, function_name = handler.rsplit(".", 1)
        module = importlib.import_module(module_name)
        if module not in called:
            forget(module)
            called.append(module)
        return json_response(getattr(module, function_name)(event, FakeContext()))

    yield call
    for module in called:
        forget(module)
    configure(aws, {"stepfunctions": {"execute_state_machine": False}})


def add_products(invoke: Invoke, count: int) -> None:
    for index in range(count):
        body = {"sku": f"ITEM-{index}", "name": f"Item {index}", "price_cents": 100}
        status, _ = invoke(LISTING, rest_event("POST", "/products", body=body, claims=ADMIN))
        assert status == 201


def held_order(table_name: str) -> str:
    """An order awaiting review whose stored token is a running callback task's, as the
    order review's inbox leaves it (moto must run state machines)."""
    queue = boto3.client("sqs").create_queue(QueueName="review-inbox")["QueueUrl"]
    definition = {
        "StartAt": "Wait",
        "States": {
            "Wait": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token"}},
                # As the review's task: a heartbeat deadline (moto ignores beats without).
                "HeartbeatSeconds": 3600,
                "TimeoutSeconds": 7200,
                "End": True,
            }
        },
    }
    states = boto3.client("stepfunctions")
    machine = states.create_state_machine(
        name="review", definition=json.dumps(definition), roleArn=f"arn:aws:iam::{ACCOUNT}:role/r"
    )["stateMachineArn"]
    states.start_execution(stateMachineArn=machine, name="held", input="{}")
    token = None
    for _ in range(200):
        messages = boto3.client("sqs").receive_message(QueueUrl=queue).get("Messages", [])
        if messages:
            token = json.loads(messages[0]["Body"])["token"]
            break
        time.sleep(0.05)
    assert token, "the callback task sent no token"
    boto3.resource("dynamodb").Table(table_name).put_item(
        Item={
            "pk": "ORDER#held-1",
            "sk": "ORDER",
            "status": "PENDING_REVIEW",
            "review_token": token,
        }
    )
    return "held-1"


def examples(invoke: Invoke) -> dict[str, Example]:
    """A 2XX request of each route, after adding the data they need."""
    add_products(invoke, 3)
    held = held_order(TABLES["TABLE_NAME"][0])
    _, first = invoke(LISTING, rest_event("GET", "/products", query={"limit": "2"}))
    order = {"items": [{"sku": "ITEM-0", "quantity": 2}]}
    placed = rest_event(
        "POST", "/orders", body=order, headers={"Idempotency-Key": "key-setup-1"}, claims=ALICE
    )
    _, existing = invoke("orders.app.handler", placed)
    return {
        "GET /products": Example(Request(query={"limit": "2", "cursor": first["cursor"]})),
        "GET /products/{sku}": Example(Request(path_parameters={"sku": "ITEM-1"})),
        "GET /partner/products": Example(Request(query={"limit": "2", "cursor": first["cursor"]})),
        "GET /partner/products/{sku}": Example(Request(path_parameters={"sku": "ITEM-1"})),
        "POST /products": Example(
            body={"sku": "NEW-1", "name": "New", "price_cents": 5}, claims=ADMIN
        ),
        "POST /orders": Example(
            Request(headers={"Idempotency-Key": "key-example-1"}), body=order, claims=ALICE
        ),
        "GET /orders/{order_id}": Example(
            Request(path_parameters={"order_id": existing["order_id"]}), claims=ALICE
        ),
        # A hold (a heartbeat) answers the task and leaves it waiting for the decision.
        "POST /orders/{order_id}/review": Example(
            Request(path_parameters={"order_id": held}), body={"decision": "hold"}, claims=ADMIN
        ),
        "GET /health": Example(),
        "GET /live-token": Example(claims=ALICE),
        "GET /datasets": Example(Request(query={"tag": "team=shop", "limit": "5"})),
        "GET /datasets/{dataset}/objects": Example(
            Request(path_parameters={"dataset": "sales"}, query={"from": "2026-01-01"})
        ),
    }


def lambda_methods(artifacts: dict[str, StackArtifact]) -> list[ApiMethod]:
    return [m for s in artifacts.values() for m in api_methods(s) if m.handler is not None]


def record(invoke: Invoke, method: ApiMethod, example: Example) -> Reads:
    """What ``method``'s handler reads of the query strings and headers of ``example``."""
    assert method.handler is not None
    request = example.request
    reads = Reads()
    event = rest_event(
        method.http_method,
        method.path,
        path_parameters=dict(request.path_parameters) or None,
        query=dict(request.query),
        body=example.body,
        claims=dict(example.claims) if example.claims else None,
    )
    headers = {**BROWSER_HEADERS, **request.headers}
    with follow_powertools_copies():
        status, body = invoke(method.handler, recording_event(event, reads, headers=headers))
    assert 200 <= status < 300, f"{method.key}: the example must succeed, got {status} {body}"
    return reads


def test_handlers_read_only_what_routes_declare_and_caches_key_on(
    invoke: Invoke, stack_artifacts: dict[str, StackArtifact]
) -> None:
    methods = lambda_methods(stack_artifacts)
    assert any(m.cached for m in methods), "no stage caches a route: this would prove nothing"
    requests = examples(invoke)
    reads: dict[tuple[str, str], Reads] = {}
    for method in methods:
        where = f"{method.stack.display_name} {method.key}"
        assert method.key in requests, f"{where}: add an example request of it"
        assert method.handler is not None
        # The same handler and route in another stage reads the same: run it once.
        done = reads.get((method.handler, method.key))
        if done is None:
            done = reads[(method.handler, method.key)] = record(
                invoke, method, requests[method.key]
            )
        query = done.of("queryStringParameters", "multiValueQueryStringParameters")
        headers = done.of("headers", "multiValueHeaders")
        assert EVERY not in query | headers, f"{where}: the handler enumerates a request part"
        assert query <= method.declared_names("querystring"), where
        assert headers <= method.declared_names("header"), where
        if method.cached:
            assert query <= method.cache_key_names("querystring"), f"{where}: not in cache key"
            assert headers <= method.cache_key_names("header"), f"{where}: not in cache key"


def page(invoke: Invoke, request: Request) -> list[str]:
    event = rest_event("GET", "/products", query=dict(request.query))
    status, body = invoke(LISTING, event)
    assert status == 200
    return [product["sku"] for product in body["products"]]


def test_page_two_is_not_served_page_one_from_the_cache(
    invoke: Invoke, stack_artifacts: dict[str, StackArtifact]
) -> None:
    listings = [m for m in lambda_methods(stack_artifacts) if m.key == "GET /products"]
    cached = {m.stack.display_name for m in listings if m.cached}
    assert cached >= {"Prod/Web", "Prod/WebSecondary"}, "Prod caches the listing"
    add_products(invoke, 3)
    first = Request(query={"limit": "2"}, headers=BROWSER_HEADERS)
    _, body = invoke(LISTING, rest_event("GET", "/products", query={"limit": "2"}))
    second = Request(query={"limit": "2", "cursor": body["cursor"]}, headers=BROWSER_HEADERS)
    for listing in listings:
        cache = StageCache(lambda request: page(invoke, request))
        assert cache.get(listing, first) == ["ITEM-0", "ITEM-1"]
        assert cache.get(listing, second) == ["ITEM-2"], listing.stack.display_name
        # ... and page 1 again is the cached entry, so the cache does serve.
        assert cache.get(listing, first) == ["ITEM-0", "ITEM-1"]
        assert len(cache.entries) == (2 if listing.cached else 0)


def test_health_checks_are_never_cached(stack_artifacts: dict[str, StackArtifact]) -> None:
    health = [m for m in lambda_methods(stack_artifacts) if m.key == "GET /health"]
    assert {m.stack.display_name for m in health} >= {"Prod/Web", "Prod/WebSecondary"}
    assert [m.stack.display_name for m in health if m.cached] == []
    for check in health:
        # Route 53's checker sends no parameters: a required one would fail every check.
        assert not any(check.request_parameters.values()), check.stack.display_name
