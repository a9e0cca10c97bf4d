"""Order placement across Prod's two regions, each running the real order handler.

A client whose ``POST /orders`` times out retries with the same ``Idempotency-Key``; the
latency record may send the retry to the other region, inside the replication lag. The
tables, their names in each region and each table's consistency mode come from the Prod
templates; :mod:`tests.support.global_tables` makes moto behave as DynamoDB does for that
mode. The guarantee stated in the README: a key places one order, whichever regions its
attempts land in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.api_events import FakeContext, json_response, rest_event
from tests.support.global_tables import GlobalTables, global_tables
from tests.support.manifest import stage_stacks

ORDER = {"items": [{"sku": "LAMP-1", "quantity": 2}]}
ALICE = {"sub": "alice"}
KEY = "retry-key-0001"
Place = Callable[[str], tuple[int, Any]]


class LambdaTimedOut(BaseException):
    """The function's sandbox stopped mid-request (a timeout): no ``except Exception`` runs."""


def _order_functions(stacks: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Per region: the order function's table names, as the templates give them."""
    found = {}
    for stack in stacks.values():
        resources = stack["template"]["Resources"]
        for logical_id, resource in resources.items():
            if resource["Type"] != "AWS::Lambda::Function":
                continue
            variables = resource["Properties"].get("Environment", {}).get("Variables", {})
            if not logical_id.startswith("Orders") or "IDEMPOTENCY_TABLE" not in variables:
                continue
            names = {}
            for variable in ("TABLE_NAME", "IDEMPOTENCY_TABLE"):
                value = variables[variable]
                if isinstance(value, dict):  # a Ref to the table in the same stack
                    value = resources[value["Ref"]]["Properties"]["TableName"]
                names[variable] = value
            found[stack["region"]] = names
    return found


@pytest.fixture(scope="module")
def prod(assembly_dir: Path) -> dict[str, Any]:
    """Prod's global tables (name -> properties), home region and order functions."""
    stacks = stage_stacks(assembly_dir, "Prod")
    web = stacks["Prod/Web"]
    tables = {
        r["Properties"]["TableName"]: r["Properties"]
        for r in web["template"]["Resources"].values()
        if r["Type"] == "AWS::DynamoDB::GlobalTable"
    }
    return {"tables": tables, "home": web["region"], "functions": _order_functions(stacks)}


def _modes(prod: dict[str, Any]) -> dict[str, str]:
    return {
        name: props.get("MultiRegionConsistency", "EVENTUAL")
        for name, props in prod["tables"].items()
    }


@contextmanager
def _regions(
    aws: str, prod: dict[str, Any], modes: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[GlobalTables, Callable[[str], Place]]]:
    regions = tuple(sorted(prod["functions"]))
    with global_tables(aws, modes=modes, home=prod["home"], regions=regions) as tables:
        for name, props in prod["tables"].items():
            definition = {k: props[k] for k in ("KeySchema", "AttributeDefinitions")}
            tables.create({**definition, "BillingMode": "PAY_PER_REQUEST"}, name)
        shop = prod["functions"][prod["home"]]["TABLE_NAME"]
        product = {"pk": "PRODUCT", "sk": "LAMP-1", "name": "Desk lamp", "price_cents": 2999}
        tables.client(prod["home"]).put_item(
            TableName=shop,
            Item={k: {"N": str(v)} if isinstance(v, int) else {"S": v} for k, v in product.items()},
        )
        tables.replicate(shop, ("pk", "sk"))
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", tables.endpoint)
        from orders import app

        def in_region(region: str) -> Place:
            def place(key: str) -> tuple[int, Any]:
                monkeypatch.setenv("AWS_REGION", region)
                monkeypatch.setenv("AWS_DEFAULT_REGION", region)
                for variable, name in prod["functions"][region].items():
                    monkeypatch.setenv(variable, name)
                app._store.cache_clear()
                app._place_once.cache_clear()
                event = rest_event(
                    "POST", "/orders", body=ORDER, headers={"Idempotency-Key": key}, claims=ALICE
                )
                return json_response(app.handler(event, ShortContext()))

            return place

        try:
            yield tables, in_region
        finally:
            app._store.cache_clear()
            app._place_once.cache_clear()


class ShortContext(FakeContext):
    """A function with 1.5 s left: an attempt cut off then is in progress for that long."""

    def get_remaining_time_in_millis(self) -> int:
        return 1_500


def orders_placed(tables: GlobalTables, prod: dict[str, Any]) -> set[str]:
    """Distinct order ids in every region's copy of the shop table, after replication."""
    shop = prod["functions"][prod["home"]]["TABLE_NAME"]
    tables.replicate(shop, ("pk", "sk"))
    return {
        item["order_id"]["S"]
        for region in tables.regions
        for item in tables.items(shop, region)
        if item["pk"]["S"].startswith("ORDER#")
    }


def test_prod_keeps_order_keys_in_a_strongly_consistent_table(prod: dict[str, Any]) -> None:
    """Every region's order function checks keys in one table, in STRONG mode."""
    used = {names["IDEMPOTENCY_TABLE"] for names in prod["functions"].values()}
    assert len(prod["functions"]) == 2
    [table] = used
    assert _modes(prod)[table] == "STRONG"


def test_a_retry_in_the_other_region_returns_the_first_order(
    aws: str, prod: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    with _regions(aws, prod, _modes(prod), monkeypatch) as (tables, in_region):
        first, second = sorted(prod["functions"])
        status, order = in_region(first)(KEY)
        assert status == 201
        status, retried = in_region(second)(KEY)  # before any replication
        assert (status, retried["order_id"]) == (201, order["order_id"])
        assert orders_placed(tables, prod) == {order["order_id"]}


def test_an_attempt_cut_off_in_one_region_holds_the_key_in_the_other(
    aws: str, prod: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first region's function dies after claiming the key: a retry elsewhere is told
    the order is being placed until the claim runs out, then places it, once."""
    from orders.store import OrderStore

    with _regions(aws, prod, _modes(prod), monkeypatch) as (tables, in_region):
        first, second = sorted(prod["functions"])
        products = OrderStore.products

        def cut_off(self: OrderStore, skus: Any) -> Any:
            raise LambdaTimedOut

        monkeypatch.setattr(OrderStore, "products", cut_off)
        with pytest.raises(LambdaTimedOut):
            in_region(first)(KEY)
        monkeypatch.setattr(OrderStore, "products", products)
        status, body = in_region(second)(KEY)
        assert (status, body["message"]) == (
            409,
            "an order with this Idempotency-Key is being placed",
        )
        time.sleep(1.6)  # the claim lasts as long as the first attempt had left to run
        status, order = in_region(second)(KEY)
        assert status == 201
        status, again = in_region(first)(KEY)
        assert (status, again["order_id"]) == (201, order["order_id"])
        assert orders_placed(tables, prod) == {order["order_id"]}


def test_a_write_conflict_between_regions_is_retried_and_places_one_order(
    aws: str, prod: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """MRSC answers a write racing another region's with ReplicatedWriteConflictException;
    the SDK's default retries take it, and the key still settles once."""
    with _regions(aws, prod, _modes(prod), monkeypatch) as (tables, in_region):
        first, second = sorted(prod["functions"])
        key_table = prod["functions"][first]["IDEMPOTENCY_TABLE"]
        tables.conflicts[key_table] = 2
        status, order = in_region(first)(KEY)
        assert status == 201
        assert tables.conflicts_sent == 2
        status, retried = in_region(second)(KEY)
        assert (status, retried["order_id"]) == (201, order["order_id"])
        assert orders_placed(tables, prod) == {order["order_id"]}


def test_conflicts_past_the_sdk_retries_ask_the_client_to_retry(
    aws: str, prod: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    with _regions(aws, prod, _modes(prod), monkeypatch) as (tables, in_region):
        first, _ = sorted(prod["functions"])
        tables.conflicts[prod["functions"][first]["IDEMPOTENCY_TABLE"]] = 2
        status, body = in_region(first)(KEY)
        assert status == 503
        assert "retry with the same Idempotency-Key" in body["message"]
        assert orders_placed(tables, prod) == set()
        status, _ = in_region(first)(KEY)
        assert status == 201
        assert len(orders_placed(tables, prod)) == 1


def test_with_eventually_consistent_keys_the_retry_places_a_second_order(
    aws: str, prod: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The defect this design removes, reproduced: with the keys in an EVENTUAL global
    table, each region's conditional write sees only its own replica."""
    modes = dict.fromkeys(_modes(prod), "EVENTUAL")
    with _regions(aws, prod, modes, monkeypatch) as (tables, in_region):
        first, second = sorted(prod["functions"])
        assert in_region(first)(KEY)[0] == 201
        assert in_region(second)(KEY)[0] == 201
        assert len(orders_placed(tables, prod)) == 2
