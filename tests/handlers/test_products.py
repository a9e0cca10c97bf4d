"""The product API handler against DynamoDB in moto, with the table the Web stack defines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from products.catalog import InvalidProductError, parse_new_product, parse_page_size
from products.store import ProductStore

from tests.support.api_events import Call, FakeContext, json_response, rest_event
from tests.support.tables import create_table_like
from tools.assembly import StackArtifact

TABLE = "shop"
ADMIN = {"sub": "admin-1", "cognito:groups": "admin"}
CUSTOMER = {"sub": "customer-1"}
LAMP = {"sku": "LAMP-1", "name": "Desk lamp", "price_cents": 2999, "description": "Warm light"}


@pytest.fixture
def table(aws: str, stack_artifacts: dict[str, StackArtifact]) -> Any:
    return create_table_like(stack_artifacts["Dev/Web"], "ApiTable", TABLE)


@pytest.fixture
def call(table: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Call]:
    monkeypatch.setenv("TABLE_NAME", TABLE)
    from products import app

    app._store.cache_clear()

    def invoke(event: dict[str, Any]) -> tuple[int, Any]:
        return json_response(app.handler(event, FakeContext()))

    yield invoke
    app._store.cache_clear()


def create(call: Call, body: Any, claims: dict[str, str] = ADMIN) -> tuple[int, Any]:
    return call(rest_event("POST", "/products", body=body, claims=claims))


def test_create_then_read_and_list(call: Call) -> None:
    status, created = create(call, LAMP)
    assert status == 201
    assert created["sku"] == "LAMP-1"
    assert created["price_cents"] == 2999

    status, found = call(rest_event("GET", "/products/{sku}", path_parameters={"sku": "LAMP-1"}))
    assert status == 200
    assert found == created

    create(call, {"sku": "CHAIR-1", "name": "Chair", "price_cents": 12900})
    status, listed = call(rest_event("GET", "/products"))
    assert status == 200
    assert [p["sku"] for p in listed["products"]] == ["CHAIR-1", "LAMP-1"]
    assert listed["cursor"] is None


def test_list_pages_with_a_cursor(call: Call) -> None:
    for index in range(3):
        create(call, {"sku": f"ITEM-{index}", "name": f"Item {index}", "price_cents": 100})
    status, first = call(rest_event("GET", "/products", query={"limit": "2"}))
    assert status == 200
    assert [p["sku"] for p in first["products"]] == ["ITEM-0", "ITEM-1"]
    status, second = call(
        rest_event("GET", "/products", query={"limit": "2", "cursor": first["cursor"]})
    )
    assert [p["sku"] for p in second["products"]] == ["ITEM-2"]


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "abc"}, {"cursor": "%%%"}])
def test_bad_paging_is_400(call: Call, query: dict[str, str]) -> None:
    status, body = call(rest_event("GET", "/products", query=query))
    assert status == 400
    assert body["message"]


def test_unknown_product_is_404(call: Call) -> None:
    status, body = call(rest_event("GET", "/products/{sku}", path_parameters={"sku": "NOPE"}))
    assert status == 404
    assert "NOPE" in body["message"]


def test_duplicate_sku_is_409(call: Call, table: Any) -> None:
    assert create(call, LAMP)[0] == 201
    status, body = create(call, {**LAMP, "name": "Another lamp"})
    assert status == 409
    assert "already exists" in body["message"]
    assert table.get_item(Key={"pk": "PRODUCT", "sk": "LAMP-1"})["Item"]["name"] == "Desk lamp"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        (None, "needs a JSON body"),
        ({"sku": "LAMP-1", "name": "Lamp"}, "missing field(s): price_cents"),
        ({**LAMP, "price_cents": "12"}, "price_cents"),
        ({**LAMP, "sku": "lower"}, "sku"),
    ],
)
def test_invalid_body_is_400(call: Call, table: Any, body: Any, message: str) -> None:
    status, answer = create(call, body)
    assert status == 400
    assert message in answer["message"]
    assert table.scan()["Count"] == 0


def test_only_admins_create_products(call: Call, table: Any) -> None:
    status, body = create(call, LAMP, claims=CUSTOMER)
    assert status == 403
    assert "'admin'" in body["message"]
    assert table.scan()["Count"] == 0
    status, _ = call(rest_event("POST", "/products", body=LAMP))
    assert status == 401


def test_parse_new_product_trims_and_stamps() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    product = parse_new_product({**LAMP, "name": "  Lamp  "}, now)
    assert product.name == "Lamp"
    assert product.to_item()["pk"] == "PRODUCT"
    assert product.created_at == "2026-11-23T12:00:00+00:00"


def test_page_size_bounds() -> None:
    assert parse_page_size(None) == 20
    assert parse_page_size("100") == 100
    with pytest.raises(InvalidProductError):
        parse_page_size("101")


def test_store_add_reports_existing(table: Any) -> None:
    store = ProductStore(TABLE)
    item = parse_new_product(LAMP, datetime.now(UTC)).to_item()
    assert store.add(item) is True
    assert store.add(item) is False


def test_health_answers_without_touching_the_table(
    monkeypatch: pytest.MonkeyPatch, aws: str
) -> None:
    # No table exists in the emulator: the health route must not need one.
    monkeypatch.setenv("TABLE_NAME", "no-such-table")
    from products import app

    app._store.cache_clear()
    status, body = json_response(app.handler(rest_event("GET", "/health"), FakeContext()))
    app._store.cache_clear()
    assert (status, body) == (200, {"status": "ok"})
