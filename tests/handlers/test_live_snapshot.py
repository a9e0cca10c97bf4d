"""A dashboard's snapshot of the counters (``{"action": "snapshot"}`` on the live-updates
socket), against the counts table as the Dev Streaming stack defines it, filled by the
real aggregator: every counter read exactly once across the pages, the ledger left out,
hostile cursors refused."""

from __future__ import annotations

import base64
import json
from collections import Counter
from typing import Any

import pytest

from tests.support.live_updates import route_event
from tests.support.tables import create_table_like
from tests.support.usage_counts import TABLE, count, new_store
from tests.support.usage_events import KinesisBatch, usage_event
from tools.assembly import StackArtifact

CONNECTIONS = "live-connections-snapshot"


@pytest.fixture
def tables(aws: str, stack_artifacts: dict[str, StackArtifact]) -> tuple[Any, Any]:
    streaming = stack_artifacts["Dev/Streaming"]
    counts = create_table_like(streaming, "CountsTable", TABLE)
    connections = create_table_like(streaming, "LiveConnectionsTable", CONNECTIONS)
    return counts, connections


def _send(message: Any) -> dict[str, Any]:
    from live_updates.connections import ConnectionStore
    from live_updates.routes import route
    from live_updates.snapshot import CountsReader

    body = message if isinstance(message, str) else json.dumps(message)
    event = route_event("$default", "c1", body=body)
    return route(event, ConnectionStore(CONNECTIONS), CountsReader(TABLE).page)


def _aggregate(events: list[dict[str, Any]]) -> None:
    batch = KinesisBatch()
    for event in events:
        batch.add_event(event)
    assert count(batch.event(), new_store())["batchItemFailures"] == []


def _snapshot_all() -> tuple[list[dict[str, Any]], int]:
    """Every page, following the cursors as the dashboard does; and how many pages."""
    seen: list[dict[str, Any]] = []
    message: dict[str, Any] = {"action": "snapshot"}
    for pages in range(1, 100):
        answer = _send(message)
        assert answer["statusCode"] == 200, answer
        body = json.loads(answer["body"])
        assert body["type"] == "snapshot"
        assert len(answer["body"].encode()) < 32 * 1024  # one WebSocket frame
        seen.extend(body["counts"])
        if body["cursor"] is None:
            return seen, pages
        message = {"action": "snapshot", "cursor": body["cursor"]}
    raise AssertionError("the cursors never ended")


def test_every_counter_once_across_pages_and_no_ledger_row(
    tables: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from live_updates import snapshot
    from usage_aggregator.counters import CounterKey

    monkeypatch.setattr(snapshot, "PAGE_SIZE", 7)
    events = [
        usage_event(f"e{n}", f"p{n % 9}", ("view", "add_to_cart", "purchase")[n % 4 % 3])
        for n in range(60)
    ]
    _aggregate(events)
    # The aggregator's failure path writes ledger rows into the same table.
    new_store().record_ledger("shardId-000000000000", 1, 5, [(CounterKey("s", "p1", "view"), 3)])
    seen, pages = _snapshot_all()
    expected = Counter((e["product_id"], e["event_type"]) for e in events)
    assert sorted((c["product_id"], c["event_type"], c["count"]) for c in seen) == sorted(
        (product, kind, n) for (product, kind), n in expected.items()
    )
    assert pages > 2


def test_an_empty_table_is_one_empty_page(tables: tuple[Any, Any]) -> None:
    assert _snapshot_all() == ([], 1)


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        base64.urlsafe_b64encode(b"{not json").decode(),
        base64.urlsafe_b64encode(b'["product_id"]').decode(),
        base64.urlsafe_b64encode(b'{"product_id": "p1"}').decode(),
        base64.urlsafe_b64encode(b'{"product_id": "p1", "event_type": {"S": "x"}}').decode(),
        base64.urlsafe_b64encode(
            json.dumps({"product_id": "p" * 300, "event_type": "view"}).encode()
        ).decode(),
        7,
    ],
)
def test_a_cursor_the_server_did_not_give_is_refused(tables: tuple[Any, Any], cursor: Any) -> None:
    answer = _send({"action": "snapshot", "cursor": cursor})
    assert answer["statusCode"] == 400
    assert json.loads(answer["body"])["type"] == "error"


def test_without_a_counts_table_the_route_says_so(tables: tuple[Any, Any]) -> None:
    from live_updates.connections import ConnectionStore
    from live_updates.routes import route

    answer = route(
        route_event("$default", "c1", body='{"action": "snapshot"}'), ConnectionStore(CONNECTIONS)
    )
    assert answer["statusCode"] == 400
    assert "no snapshots" in json.loads(answer["body"])["message"]
