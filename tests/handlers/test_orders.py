"""The order API handler against DynamoDB in moto, with the tables the Web stack defines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from orders.orders import InvalidOrderError, check_idempotency_key, parse_order_lines

from tests.support.api_events import Call, FakeContext, json_response, rest_event
from tests.support.tables import create_table_like
from tools.assembly import StackArtifact

TABLE = "shop"
IDEMPOTENCY = "idempotency"
ALICE = {"sub": "alice"}
BOB = {"sub": "bob"}
ORDER = {"items": [{"sku": "LAMP-1", "quantity": 2}, {"sku": "MUG-1", "quantity": 1}]}


@pytest.fixture
def tables(aws: str, stack_artifacts: dict[str, StackArtifact]) -> dict[str, Any]:
    web = stack_artifacts["Dev/Web"]
    shop = create_table_like(web, "ApiTable", TABLE)
    for sku, name, price in (("LAMP-1", "Desk lamp", 2999), ("MUG-1", "Mug", 850)):
        shop.put_item(
            Item={"pk": "PRODUCT", "sk": sku, "sku": sku, "name": name, "price_cents": price}
        )
    return {"shop": shop, "idempotency": create_table_like(web, "IdempotencyTable", IDEMPOTENCY)}


@pytest.fixture
def call(tables: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[Call]:
    monkeypatch.setenv("TABLE_NAME", TABLE)
    monkeypatch.setenv("IDEMPOTENCY_TABLE", IDEMPOTENCY)
    from orders import app

    app._store.cache_clear()
    app._place_once.cache_clear()

    def invoke(event: dict[str, Any]) -> tuple[int, Any]:
        return json_response(app.handler(event, FakeContext()))

    yield invoke
    app._store.cache_clear()
    app._place_once.cache_clear()


def place(
    call: Call, body: Any = ORDER, key: str | None = "key-00000001", claims: dict[str, str] = ALICE
) -> tuple[int, Any]:
    headers = {"Idempotency-Key": key} if key else {}
    return call(rest_event("POST", "/orders", body=body, headers=headers, claims=claims))


def orders_in(tables: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in tables["shop"].scan()["Items"] if str(i["pk"]).startswith("ORDER#")]


def test_place_then_read(call: Call, tables: dict[str, Any]) -> None:
    status, order = place(call)
    assert status == 201
    assert order["status"] == "PLACED"
    assert order["customer"] == "alice"
    assert order["total_cents"] == 2 * 2999 + 850
    assert [line["sku"] for line in order["items"]] == ["LAMP-1", "MUG-1"]

    path = {"order_id": order["order_id"]}
    status, found = call(
        rest_event("GET", "/orders/{order_id}", path_parameters=path, claims=ALICE)
    )
    assert status == 200
    assert found == order
    assert len(orders_in(tables)) == 1


def test_repeated_request_with_same_key_places_one_order(
    call: Call, tables: dict[str, Any]
) -> None:
    first = place(call)
    again = place(call)
    assert first[0] == again[0] == 201
    assert again[1]["order_id"] == first[1]["order_id"]
    assert len(orders_in(tables)) == 1
    assert tables["idempotency"].scan()["Count"] == 1


def test_new_key_places_a_new_order(call: Call, tables: dict[str, Any]) -> None:
    place(call, key="key-00000001")
    place(call, key="key-00000002")
    assert len(orders_in(tables)) == 2


def test_key_reused_for_a_different_order_is_409(call: Call, tables: dict[str, Any]) -> None:
    place(call)
    status, body = place(call, body={"items": [{"sku": "MUG-1", "quantity": 5}]})
    assert status == 409
    assert "different order" in body["message"]
    assert len(orders_in(tables)) == 1


def test_same_key_from_another_customer_is_another_order(
    call: Call, tables: dict[str, Any]
) -> None:
    place(call, claims=ALICE)
    status, _ = place(call, claims=BOB)
    assert status == 201
    assert len(orders_in(tables)) == 2


@pytest.mark.parametrize(
    ("body", "key", "message"),
    [
        ("{oops", "key-00000001", "not valid JSON"),
        ({}, "key-00000001", "missing field: items"),
        ({"items": [{"sku": "LAMP-1"}]}, "key-00000001", "needs sku and quantity"),
        ({"items": [{"sku": "LAMP-1", "quantity": 0}]}, "key-00000001", "positive integer"),
        ({"items": [{"sku": "GHOST", "quantity": 1}]}, "key-00000001", "unknown product(s): GHOST"),
        (ORDER, None, "Idempotency-Key header is required"),
        (ORDER, "short", "Idempotency-Key must be"),
    ],
)
def test_invalid_requests_are_400(
    call: Call, tables: dict[str, Any], body: Any, key: str | None, message: str
) -> None:
    status, answer = place(call, body=body, key=key)
    assert status == 400
    assert message in answer["message"]
    assert orders_in(tables) == []


def test_failed_validation_does_not_burn_the_key(call: Call, tables: dict[str, Any]) -> None:
    assert place(call, body={"items": [{"sku": "GHOST", "quantity": 1}]})[0] == 400
    assert place(call)[0] == 201


def test_unknown_or_foreign_order_is_404(call: Call) -> None:
    _, order = place(call, claims=ALICE)
    for order_id, claims in (("does-not-exist", ALICE), (order["order_id"], BOB)):
        path = {"order_id": order_id}
        status, body = call(
            rest_event("GET", "/orders/{order_id}", path_parameters=path, claims=claims)
        )
        assert status == 404
        assert order_id in body["message"]


def test_orders_need_an_identity(call: Call) -> None:
    status, _ = call(
        rest_event("POST", "/orders", body=ORDER, headers={"Idempotency-Key": "k" * 8})
    )
    assert status == 401


def test_lines_add_up_and_are_capped() -> None:
    lines = parse_order_lines({"items": [{"sku": "A", "quantity": 2}, {"sku": "A", "quantity": 3}]})
    assert lines == {"A": 5}
    with pytest.raises(InvalidOrderError, match="at most 100"):
        parse_order_lines({"items": [{"sku": "A", "quantity": 60}, {"sku": "A", "quantity": 41}]})
    assert check_idempotency_key("0b6f8f0e-8f0e-4c47-9d4f-1e1e1e1e1e1e").startswith("0b6f")


def test_header_name_is_case_insensitive(call: Call, tables: dict[str, Any]) -> None:
    event = rest_event(
        "POST", "/orders", body=ORDER, headers={"idempotency-key": "key-lower1"}, claims=ALICE
    )
    first = call(event)
    again = call(event)
    assert first[0] == 201
    assert again[1]["order_id"] == first[1]["order_id"]
    assert len(orders_in(tables)) == 1
