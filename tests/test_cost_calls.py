"""Counting the handlers' AWS calls against moto: what an order placement really does."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tools.assembly import StackArtifact
from tools.cost.calls import recording
from tools.cost.runs import measure
from tools.cost.scenarios import SCENARIOS


def _templates(stack_artifacts: dict[str, StackArtifact]) -> dict[str, dict[str, Any]]:
    return {
        name.split("/")[-1]: artifact.template()
        for name, artifact in stack_artifacts.items()
        if name.startswith("Dev/")
    }


def _scenario(action: str) -> Any:
    (found,) = [s for s in SCENARIOS if s.action == action]
    return found


def test_order_placement_makes_exactly_the_handlers_dynamodb_calls(
    aws: str, stack_artifacts: dict[str, StackArtifact]
) -> None:
    measured = measure(_scenario("order placed"), _templates(stack_artifacts))
    # Prices both lines in one batch read, claims the key (a conditional put), stores the
    # order, then records the idempotent result on the key.
    assert dict(measured.operations) == {
        ("dynamodb", "BatchGetItem"): 1,
        ("dynamodb", "PutItem"): 2,
        ("dynamodb", "UpdateItem"): 1,
    }
    assert measured.rru == 1.0  # two small products, eventually consistent
    assert measured.wru == 3.0


def test_a_change_to_the_handler_changes_the_counted_calls(
    aws: str, stack_artifacts: dict[str, StackArtifact], monkeypatch: pytest.MonkeyPatch
) -> None:
    from orders.store import PRODUCT_PARTITION, OrderStore

    def one_read_per_line(self: OrderStore, skus: Any) -> dict[str, dict[str, Any]]:
        found = {}
        for sku in sorted(set(skus)):
            item = self._table.get_item(Key={"pk": PRODUCT_PARTITION, "sk": sku}).get("Item")
            if item:
                found[sku] = dict(item)
        return found

    monkeypatch.setattr(OrderStore, "products", one_read_per_line)
    measured = measure(_scenario("order placed"), _templates(stack_artifacts))
    assert measured.operations[("dynamodb", "GetItem")] == 2
    assert ("dynamodb", "BatchGetItem") not in measured.operations


def test_write_units_follow_the_item_size_also_for_an_update(aws: str) -> None:
    client = boto3.client("dynamodb")
    client.create_table(
        TableName="sizes",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    table = boto3.resource("dynamodb").Table("sizes")
    with recording() as calls:
        table.put_item(Item={"pk": "a", "blob": "x" * 3000})  # 3 KB: 3 units
        table.update_item(  # the item stays 3 KB: 3 units, whatever changed
            Key={"pk": "a"}, UpdateExpression="SET n = :n", ExpressionAttributeValues={":n": 1}
        )
        table.get_item(Key={"pk": "a"})  # under 4 KB, eventually consistent: half a unit
        table.put_item(Item={"pk": "b", "blob": "x" * 5000})  # 5 units
        # Billed on the whole 5 KB item read (two 4 KB halves), not on the key it returns.
        table.get_item(Key={"pk": "b"}, ProjectionExpression="pk")
    assert [(c.operation, c.rru, c.wru) for c in calls.calls] == [
        ("PutItem", 0, 3),
        ("UpdateItem", 0, 3),
        ("GetItem", 0.5, 0),
        ("PutItem", 0, 5),
        ("GetItem", 1.0, 0),
    ]


def test_a_catalogued_objects_calls_are_the_indexers_not_the_uploaders(
    aws: str, stack_artifacts: dict[str, StackArtifact]
) -> None:
    measured = measure(_scenario("catalogued object"), _templates(stack_artifacts))
    # The upload that raises the event is priced apart; the indexer reads the tags, finds
    # the object's entries already catalogued (a projected query, billed on whole items),
    # writes its entry and its tags in one transaction.
    assert dict(measured.operations) == {
        ("s3", "GetObjectTagging"): 1,
        ("dynamodb", "Query"): 1,
        ("dynamodb", "TransactWriteItems"): 1,
    }
