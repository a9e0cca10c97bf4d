"""Order review end to end in moto: orders placed through the real order handler, the
table's stream read back and passed through the pipe's filter and input template from
the Dev Web template, the review workflow's definition from that template run by moto's
Step Functions interpreter, its task token stored by the real inbox handler and answered
by the real review handler; then the order as ``GET /orders/{id}`` shows it, the
records purchase events' filter lets through, and the workflow's closing event."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import boto3
import pytest

from tests.support.api_events import FakeContext
from tests.support.order_review import (
    ALICE,
    IDEMPOTENCY,
    TABLE,
    Shop,
    finish,
    orders_function_environment,
    states,
)
from tools.assembly import StackArtifact
from tools.moto_server import configure

SMALL = {"items": [{"sku": "MUG-1", "quantity": 2}]}
LARGE = {"items": [{"sku": "TV-1", "quantity": 1}]}


def _shop(
    aws: str,
    stack_artifacts: dict[str, StackArtifact],
    monkeypatch: pytest.MonkeyPatch,
    changes: dict[str, Any],
) -> Iterator[Shop]:
    configure(aws, {"stepfunctions": {"execute_state_machine": True}})
    # The interpreter's own calls (SQS, DynamoDB, EventBridge) go to this server.
    monkeypatch.setenv("MOTO_PORT", str(urlparse(aws).port))
    web = stack_artifacts["Dev/Web"]
    monkeypatch.setenv("TABLE_NAME", TABLE)
    monkeypatch.setenv("IDEMPOTENCY_TABLE", IDEMPOTENCY)
    review_above = orders_function_environment(web.template())["REVIEW_ABOVE_CENTS"]
    monkeypatch.setenv("REVIEW_ABOVE_CENTS", review_above)
    shop = Shop(web, changes)
    shop.clear()
    try:
        yield shop
    finally:
        shop.clear()
        configure(aws, {"stepfunctions": {"execute_state_machine": False}})


@pytest.fixture
def shop(
    aws: str,
    stack_artifacts: dict[str, StackArtifact],
    metrics_namespace: None,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Shop]:
    """The review as the template defines it (deadlines of days: nothing times out)."""
    yield from _shop(aws, stack_artifacts, monkeypatch, {})


def test_a_small_order_is_placed_at_once_and_never_reviewed(shop: Shop) -> None:
    order = shop.place(SMALL, "key-00000001")
    assert order["total_cents"] <= shop.review_above
    assert order["status"] == "PLACED"
    assert shop.pipe() == []  # no review starts
    assert len(shop.purchases()) == 1  # counted at once, as before


def test_an_approved_order_is_placed_and_counted_once(shop: Shop) -> None:
    order = shop.place(LARGE, "key-00000001")
    assert order["total_cents"] > shop.review_above
    assert order["status"] == "PENDING_REVIEW"
    assert shop.get(order["order_id"])["status"] == "PENDING_REVIEW"
    assert shop.purchases() == []  # not counted while it waits
    [execution] = shop.pipe()
    assert shop.deliver_inbox() == {"batchItemFailures": []}
    assert shop.get(order["order_id"]) == order  # the token is stored, never shown

    status, answer = shop.review(order["order_id"], {"decision": "approve"})
    assert (status, answer) == (202, {"order_id": order["order_id"], "decision": "approve"})
    assert finish(execution)["status"] == "SUCCEEDED"
    assert states(execution) == ["AwaitReview", "Decision", "Approved", "Close", "Announce"]
    placed = shop.get(order["order_id"])
    assert (placed["status"], placed["reason"]) == ("PLACED", "approved by a reviewer")
    # The one record that placed it is counted; the token's write and the close before it
    # are not, and a second decision changes nothing.
    [purchase] = shop.purchases()
    assert purchase["eventName"] == "MODIFY"
    assert shop.review(order["order_id"], {"decision": "approve"})[0] == 409
    assert len(shop.purchases()) == 1
    assert shop.closed_events() == [
        {
            "order_id": order["order_id"],
            "customer": "alice",
            "status": "PLACED",
            "reason": "approved by a reviewer",
        }
    ]
    assert shop.pipe() == []  # the review's own writes start no other review


def test_a_rejected_order_is_rejected_with_its_reason_and_never_counted(shop: Shop) -> None:
    order = shop.place(LARGE, "key-00000001")
    [execution] = shop.pipe()
    shop.deliver_inbox()
    status, _ = shop.review(order["order_id"], {"decision": "reject", "reason": "address"})
    assert status == 202
    assert finish(execution)["status"] == "SUCCEEDED"
    assert states(execution) == ["AwaitReview", "Decision", "Refused", "Close", "Announce"]
    rejected = shop.get(order["order_id"])
    assert (rejected["status"], rejected["reason"]) == ("REJECTED", "address")
    assert shop.purchases() == []
    assert [e["status"] for e in shop.closed_events()] == ["REJECTED"]


def test_only_admins_decide(shop: Shop) -> None:
    order = shop.place(LARGE, "key-00000001")
    [execution] = shop.pipe()
    shop.deliver_inbox()
    for claims in (ALICE, {"sub": "bob", "cognito:groups": "staff"}):
        status, answer = shop.review(order["order_id"], {"decision": "approve"}, claims)
        assert status == 403, answer
    assert shop.review(order["order_id"], {"decision": "ship"})[0] == 400
    assert shop.review("no-such-order", {"decision": "approve"})[0] == 404
    assert shop.review(order["order_id"], {"decision": "hold"})[0] == 202
    assert (
        boto3.client("stepfunctions").describe_execution(executionArn=execution)["status"]
        == "RUNNING"
    )
    assert shop.get(order["order_id"])["status"] == "PENDING_REVIEW"


def test_a_decision_before_the_review_opens_is_refused(shop: Shop) -> None:
    order = shop.place(LARGE, "key-00000001")
    shop.pipe()
    status, answer = shop.review(order["order_id"], {"decision": "approve"})
    assert status == 409
    assert "not opened" in answer["message"]


def test_a_second_review_of_the_same_order_ends_quietly(shop: Shop) -> None:
    """The pipe delivers at least once: a repeated event starts a second execution."""
    order = shop.place(LARGE, "key-00000001")
    [first] = shop.pipe()
    shop.deliver_inbox()
    detail = {"order_id": order["order_id"], "customer": "alice", "total_cents": 249_900}
    second = shop.start(
        {"source": "shop.orders", "detail-type": "Order review requested", "detail": detail}
    )
    shop.deliver_inbox()
    assert finish(second)["status"] == "SUCCEEDED"
    assert states(second) == ["AwaitReview", "NotNeeded"]
    shop.review(order["order_id"], {"decision": "approve"})
    assert finish(first)["status"] == "SUCCEEDED"
    assert shop.get(order["order_id"])["status"] == "PLACED"
    assert len(shop.purchases()) == 1


@pytest.mark.parametrize(
    "changes",
    [
        # Nobody looks (no decision, no hold) within the heartbeat deadline.
        {"HeartbeatSeconds": 1},
        # Nobody decides within the review's deadline.
        {"TimeoutSeconds": 1, "HeartbeatSeconds": None},
    ],
    ids=["heartbeat", "timeout"],
)
def test_an_order_nobody_reviews_in_time_is_cancelled(
    aws: str,
    stack_artifacts: dict[str, StackArtifact],
    metrics_namespace: None,
    monkeypatch: pytest.MonkeyPatch,
    changes: dict[str, Any],
) -> None:
    """The definition from the template, its deadline shortened from days to a second."""
    for shop in _shop(aws, stack_artifacts, monkeypatch, changes):
        order = shop.place(LARGE, "key-00000001")
        [execution] = shop.pipe()
        shop.deliver_inbox()
        assert finish(execution)["status"] == "SUCCEEDED"
        assert states(execution) == ["AwaitReview", "Expired", "Close", "Announce"]
        cancelled = shop.get(order["order_id"])
        assert (cancelled["status"], cancelled["reason"]) == ("CANCELLED", "not reviewed in time")
        assert shop.purchases() == []
        assert [e["status"] for e in shop.closed_events()] == ["CANCELLED"]
        status, answer = shop.review(order["order_id"], {"decision": "approve"})
        assert status == 409
        assert "CANCELLED" in answer["message"]


@pytest.mark.parametrize(
    ("review_above", "status"),
    [(None, "PLACED"), (1_700, "PLACED"), (1_699, "PENDING_REVIEW"), (0, "PENDING_REVIEW")],
)
def test_only_a_total_above_the_amount_is_held(review_above: int | None, status: str) -> None:
    from orders.orders import price_order

    products = {"MUG-1": {"name": "Mug", "price_cents": 850}}
    order = price_order(
        {"MUG-1": 2}, products, customer="c", created_at="t", review_above_cents=review_above
    )
    assert (order["total_cents"], order["status"]) == (1_700, status)


def test_a_message_the_inbox_cannot_read_is_retried_alone(shop: Shop) -> None:
    order = shop.place(LARGE, "key-00000001")
    [execution] = shop.pipe()
    sqs = boto3.client("sqs")
    for _ in range(200):
        messages = sqs.receive_message(QueueUrl=shop.inbox_queue).get("Messages", [])
        if messages:
            break
        time.sleep(0.05)
    good = {"messageId": messages[0]["MessageId"], "body": messages[0]["Body"]}
    bad = {"messageId": "garbled", "body": json.dumps({"order_id": order["order_id"]})}
    answer = shop.inbox.handler({"Records": [bad, good]}, FakeContext())
    assert answer == {"batchItemFailures": [{"itemIdentifier": "garbled"}]}
    assert shop.review(order["order_id"], {"decision": "approve"})[0] == 202
    assert finish(execution)["status"] == "SUCCEEDED"
