"""``shop_common.router``: the REST handlers' router answers as Powertools'
``APIGatewayRestResolver`` did (the same app on both, the same events, equal responses),
and its own checks."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig
from aws_lambda_powertools.event_handler import Response as PowertoolsResponse
from aws_lambda_powertools.event_handler import exceptions as powertools_errors

from shop_common import http
from shop_common.router import Cors, Response, Router
from tests.support.api_events import rest_event

ORIGIN = "https://shop.example.com"


def ours(cors: Cors | None) -> Router:
    app = Router(cors=cors)

    @app.get("/items")
    def items(request: http.Request) -> dict[str, Any]:
        return {"items": [1, 2], "limit": request.query.get("limit"), "price": Decimal("9.50")}

    @app.get("/items/{item_id}")
    def item(_: http.Request, item_id: str) -> dict[str, Any]:
        if item_id == "missing":
            raise http.NotFoundError(f"no item {item_id}")
        if item_id == "teapot":
            raise http.ServiceError(418, "short and stout")
        return {"id": item_id}

    @app.post("/items")
    def create(request: http.Request) -> Response:
        body = http.json_object(request)
        if "name" not in body:
            raise http.BadRequestError("name is required")
        return Response(201, {"created": body["name"], "key": request.headers.get("X-Key")})

    return app


def powertools(cors: CORSConfig | None) -> APIGatewayRestResolver:
    """The same app on Powertools, as the handlers were written before."""
    app = APIGatewayRestResolver(cors=cors)

    @app.get("/items")
    def items() -> dict[str, Any]:
        query = app.current_event.query_string_parameters or {}
        return {"items": [1, 2], "limit": query.get("limit"), "price": Decimal("9.50")}

    @app.get("/items/<item_id>")
    def item(item_id: str) -> dict[str, Any]:
        if item_id == "missing":
            raise powertools_errors.NotFoundError(f"no item {item_id}")
        if item_id == "teapot":
            raise powertools_errors.ServiceError(418, "short and stout")
        return {"id": item_id}

    @app.post("/items")
    def create() -> PowertoolsResponse[str]:
        event = app.current_event
        raw = event.decoded_body
        if not raw:
            raise powertools_errors.BadRequestError("the request needs a JSON body")
        try:
            body = json.loads(raw)
        except json.JSONDecodeError as error:
            raise powertools_errors.BadRequestError(
                f"the body is not valid JSON: {error.msg}"
            ) from None
        if not isinstance(body, dict):
            raise powertools_errors.BadRequestError("the body must be a JSON object")
        if "name" not in body:
            raise powertools_errors.BadRequestError("name is required")
        created = {"created": body["name"], "key": event.headers.get("X-Key")}
        return PowertoolsResponse(201, "application/json", body=json.dumps(created))

    return app


def _b64(event: dict[str, Any]) -> dict[str, Any]:
    return {
        **event,
        "body": base64.b64encode(event["body"].encode()).decode(),
        "isBase64Encoded": True,
    }


EVENTS = {
    "list": rest_event("GET", "/items", query={"limit": "5"}),
    "one": rest_event("GET", "/items/{item_id}", path_parameters={"item_id": "a-1"}),
    "404 raised": rest_event("GET", "/items/{item_id}", path_parameters={"item_id": "missing"}),
    "418": rest_event("GET", "/items/{item_id}", path_parameters={"item_id": "teapot"}),
    "no route": rest_event("GET", "/nothing"),
    "wrong method": rest_event("DELETE", "/items"),
    "create": rest_event("POST", "/items", body={"name": "lamp"}, headers={"x-key": "k1"}),
    "create b64": _b64(rest_event("POST", "/items", body={"name": "lamp"})),
    "no body": rest_event("POST", "/items"),
    "bad json": rest_event("POST", "/items", body="{nope"),
    "not an object": rest_event("POST", "/items", body=[1]),
    "missing name": rest_event("POST", "/items", body={}),
    "preflight": rest_event("OPTIONS", "/items"),
}
ORIGINS = {"no origin": {}, "allowed": {"Origin": ORIGIN}, "other": {"origin": "https://evil.test"}}
CORS = {
    "none": (None, None),
    "any": (Cors(), CORSConfig()),
    "one origin": (
        Cors(allow_origin=ORIGIN, allow_headers=("Idempotency-Key",), max_age=300),
        CORSConfig(allow_origin=ORIGIN, allow_headers=["Idempotency-Key"], max_age=300),
    ),
}


def _comparable(response: dict[str, Any]) -> dict[str, Any]:
    body = response["body"]
    if body and response["multiValueHeaders"].get("Content-Type") == ["application/json"]:
        body = json.loads(body)
    return {**response, "body": body, "multiValueHeaders": dict(response["multiValueHeaders"])}


@pytest.mark.parametrize("cors", list(CORS))
@pytest.mark.parametrize("origin", list(ORIGINS))
@pytest.mark.parametrize("name", list(EVENTS))
def test_answers_as_powertools_resolver_did(cors: str, origin: str, name: str) -> None:
    ours_cors, powertools_cors = CORS[cors]
    event = EVENTS[name]
    headers = {**event["headers"], **ORIGINS[origin]}
    event = {**event, "headers": headers, "multiValueHeaders": {k: [v] for k, v in headers.items()}}
    expected = _comparable(powertools(powertools_cors).resolve(event, None))  # type: ignore[arg-type]
    assert _comparable(ours(ours_cors).resolve(event, None)) == expected


def test_a_route_is_found_by_path_when_the_resource_is_not_a_route() -> None:
    event = {**EVENTS["one"], "resource": "/{proxy+}", "pathParameters": {"proxy": "items/b-2"}}
    event["path"] = "/items/b-2"
    assert json.loads(ours(None).resolve(event)["body"]) == {"id": "b-2"}


def test_other_errors_propagate() -> None:
    app = Router()

    @app.get("/boom")
    def boom(_: http.Request) -> None:
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError, match="bug"):
        app.resolve(rest_event("GET", "/boom"))


def test_headers_are_looked_up_in_any_case() -> None:
    headers = http.Headers({"Idempotency-Key": "k1"})
    assert headers["idempotency-key"] == headers.get("IDEMPOTENCY-KEY") == "k1"
    assert "idempotency-KEY" in headers
    not_a_name: object = 3
    assert not_a_name not in headers


def test_caller_claims_and_groups() -> None:
    request = http.Request(rest_event("GET", "/", claims={"sub": "u1", "cognito:groups": "a,b"}))
    assert http.caller_claims(request)["sub"] == "u1"
    assert http.caller_groups(request) == {"a", "b"}
    with pytest.raises(http.UnauthorizedError):
        http.caller_claims(http.Request(rest_event("GET", "/")))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("x" * 5, "not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "not usable JSON"),
    ],
)
def test_json_bodies_that_are_no_object_are_bad_requests(body: str, message: str) -> None:
    request = http.Request(rest_event("POST", "/", body=body))
    with pytest.raises(http.BadRequestError, match=message):
        http.json_object(request)


def test_a_body_that_is_not_base64_is_a_bad_request() -> None:
    request = http.Request({**rest_event("POST", "/", body="%%%"), "isBase64Encoded": True})
    with pytest.raises(http.BadRequestError, match="base64"):
        _ = request.body


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: http.ServiceError(200, "fine"), ValueError, "status_code must be .* got 200"),
        (lambda: Cors(allow_origin=""), ValueError, "allow_origin must be .* got ''"),
        (lambda: Cors(max_age=-1), ValueError, "max_age must be .* got -1"),
        (lambda: Router(cors="*"), TypeError, "cors must be a Cors or None, got '\\*'"),  # type: ignore[arg-type]
        (lambda: Router().get("items"), ValueError, "resource must start with '/', got 'items'"),
    ],
)
def test_bad_arguments_are_named(build: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        build()


def test_a_route_cannot_be_declared_twice() -> None:
    app = Router()
    app.get("/a")(lambda _: {})
    with pytest.raises(ValueError, match="GET /a is routed twice"):
        app.get("/a")
