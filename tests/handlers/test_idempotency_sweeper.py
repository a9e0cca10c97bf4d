"""The sweep of expired idempotency records, against moto, on a table shaped like Prod's
strongly consistent one (which has no TTL, so nothing else ever deletes a record)."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest
from idempotency_sweeper.sweep import sweep

from tests.support.manifest import stage_stacks

NOW = 1_800_000_000
FOREVER = lambda: 900.0  # noqa: E731 (time left in a 15-minute run)


@pytest.fixture
def table(aws: str, assembly_dir: Any) -> Any:
    web = stage_stacks(assembly_dir, "Prod")["Prod/Web"]["template"]["Resources"]
    [props] = [
        r["Properties"]
        for k, r in web.items()
        if r["Type"] == "AWS::DynamoDB::GlobalTable" and k.startswith("IdempotencyStrongTable")
    ]
    assert "TimeToLiveSpecification" not in props
    created = boto3.resource("dynamodb").create_table(
        TableName="idempotency",
        KeySchema=props["KeySchema"],
        AttributeDefinitions=props["AttributeDefinitions"],
        BillingMode="PAY_PER_REQUEST",
    )
    created.wait_until_exists()
    return created


def record(key: str, expiration: int, status: str = "COMPLETED") -> dict[str, Any]:
    """A record as Powertools' DynamoDBPersistenceLayer writes it."""
    return {"id": key, "expiration": expiration, "status": status, "data": '{"order_id": "x"}'}


def keys(table: Any) -> set[str]:
    return {str(item["id"]) for item in table.scan()["Items"]}


def test_expired_records_go_and_live_ones_stay(table: Any) -> None:
    for n in range(5):
        table.put_item(Item=record(f"old-{n}", NOW - 1 - n))
    table.put_item(Item=record("due-now", NOW))  # expires at NOW: Powertools still honours it
    table.put_item(Item=record("live", NOW + 3600, status="INPROGRESS"))
    result = sweep(table, now=NOW, time_left=FOREVER)
    assert (result.deleted, result.refreshed, result.complete) == (5, 0, True)
    assert result.scanned == 7
    assert keys(table) == {"due-now", "live"}


def test_a_record_rewritten_after_the_scan_is_kept(table: Any) -> None:
    """A new attempt with an expired key rewrites its record between the sweep's scan and
    its delete: the conditional delete leaves the new record alone."""
    table.put_item(Item=record("reused", NOW - 10))
    table.put_item(Item=record("stale", NOW - 10))
    rewritten: list[str] = []

    def new_attempt(params: dict[str, Any], **_: Any) -> None:
        if params["Key"]["id"] in ("reused", {"S": "reused"}) and not rewritten:
            rewritten.append("reused")
            boto3.resource("dynamodb").Table("idempotency").put_item(
                Item=record("reused", NOW + 86_400, status="INPROGRESS")
            )

    table.meta.client.meta.events.register("provide-client-params.dynamodb.DeleteItem", new_attempt)
    result = sweep(table, now=NOW, time_left=FOREVER)
    assert rewritten == ["reused"]
    assert (result.deleted, result.refreshed) == (1, 1)
    [kept] = table.scan()["Items"]
    assert (kept["id"], kept["status"]) == ("reused", "INPROGRESS")


def test_a_run_short_of_time_stops_between_pages_and_the_next_finishes(table: Any) -> None:
    for n in range(25):
        table.put_item(Item=record(f"old-{n:02}", NOW - 60))
    left = iter([5.0])  # seconds left after the first page: under the reserve
    first = sweep(table, now=NOW, time_left=lambda: next(left), page_size=10)
    assert (first.deleted, first.complete) == (10, False)
    assert len(keys(table)) == 15
    second = sweep(table, now=NOW, time_left=FOREVER, page_size=10)
    assert (second.deleted, second.complete) == (15, True)
    assert keys(table) == set()


def test_the_handler_sweeps_the_table_its_environment_names(
    table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from idempotency_sweeper import app

    from tests.support.api_events import FakeContext

    now = int(time.time())
    table.put_item(Item=record("old", now - 5))
    table.put_item(Item=record("live", now + 3600))
    monkeypatch.setenv("IDEMPOTENCY_TABLE", "idempotency")
    result = app.handler({}, FakeContext())
    assert result == {"scanned": 2, "deleted": 1, "refreshed": 0, "complete": True}
    assert keys(table) == {"live"}
