"""Order review end to end in moto: orders placed through the real order handler, the
table's stream read back and passed through the pipe's filter and input template from
the Dev Web template, the review workflow's definition from that template run by moto's
Step Functions interpreter, its task token stored by the real inbox handler and answered
by the real review handler; then the order as ``GET /orders/{id}`` shows it, the
records purchase events' filter lets through, and the workflow's closing event."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import boto3
import pytest

from tests.support.api_events import FakeContext, json_response, rest_event
from tests.support.event_filters import mapping_filters, passes
from tests.support.policies import resources_of
from tests.support.state_machines import ACCOUNT, render_definition
from tests.support.tables import create_table_like
from tools.assembly import StackArtifact
from tools.moto_server import REGION, configure

TABLE, IDEMPOTENCY = "shop", "idempotency"
ADMIN = {"sub": "root", "cognito:groups": "admin"}
ALICE = {"sub": "alice"}
SMALL = {"items": [{"sku": "MUG-1", "quantity": 2}]}
LARGE = {"items": [{"sku": "TV-1", "quantity": 1}]}
_PLACEHOLDER = re.compile(r"<\$\.([A-Za-z0-9_.]+)>")


def _orders_function_environment(web: dict[str, Any]) -> dict[str, str]:
    [props] = [
        f["Properties"]
        for f in resources_of(web, "AWS::Lambda::Function").values()
        if f["Properties"].get("Handler") == "orders.app.handler"
    ]
    variables: dict[str, str] = props["Environment"]["Variables"]
    return variables


def _pipe(web: dict[str, Any]) -> dict[str, Any]:
    [pipe] = resources_of(web, "AWS::Pipes::Pipe").values()
    props: dict[str, Any] = pipe["Properties"]
    return props


class Shop:
    """The Dev Web stack's order review, in moto."""

    def __init__(self, web: StackArtifact, definition_changes: dict[str, Any]) -> None:
        template = web.template()
        self.table = create_table_like(web, "ApiTable", TABLE)
        create_table_like(web, "IdempotencyTable", IDEMPOTENCY)
        for sku, price in (("TV-1", 249_900), ("MUG-1", 850)):
            self.table.put_item(
                Item={"pk": "PRODUCT", "sk": sku, "sku": sku, "name": sku, "price_cents": price}
            )
        self.review_above = int(_orders_function_environment(template)["REVIEW_ABOVE_CENTS"])
        pipe = _pipe(template)
        self.pipe_filters = [
            json.loads(f["Pattern"]) for f in pipe["SourceParameters"]["FilterCriteria"]["Filters"]
        ]
        self.pipe_template: str = pipe["TargetParameters"]["InputTemplate"]
        self.pipe_event = pipe["TargetParameters"]["EventBridgeEventBusParameters"]
        [rule] = [
            r["Properties"]["EventPattern"]
            for logical_id, r in resources_of(template, "AWS::Events::Rule").items()
            if logical_id.startswith("OrderReviewWorkflowRule")
        ]
        self.rule_pattern = rule
        self.purchase_filters = mapping_filters(template, "PurchaseEventsEmitter")
        sqs = boto3.client("sqs")
        self.inbox_queue = sqs.create_queue(QueueName="review-inbox")["QueueUrl"]
        self.closed_queue = sqs.create_queue(QueueName="closed")["QueueUrl"]
        # Whoever follows the customer path: a rule on the default bus.
        events = boto3.client("events")
        events.put_rule(
            Name="closed",
            EventPattern=json.dumps(
                {"source": ["shop.orders"], "detail-type": ["Order review closed"]}
            ),
        )
        closed_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:closed"
        events.put_targets(Rule="closed", Targets=[{"Id": "q", "Arn": closed_arn}])
        definition = render_definition(
            web,
            "OrderReviewWorkflow",
            {"AWS::DynamoDB::Table": TABLE, "AWS::SQS::Queue": self.inbox_queue},
        )
        await_review = definition["States"]["AwaitReview"]
        for name, value in definition_changes.items():
            if value is None:
                await_review.pop(name, None)
            else:
                await_review[name] = value
        self.machine = boto3.client("stepfunctions").create_state_machine(
            name="order-review",
            definition=json.dumps(definition),
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/review",
        )["stateMachineArn"]
        from order_review import app as reviewer
        from order_review import inbox
        from orders import app as orders

        self.orders, self.reviewer, self.inbox = orders, reviewer, inbox
        self._seen = 0

    def clear(self) -> None:
        for cached in (
            self.orders._store,
            self.orders._place_once,
            self.reviewer._store,
            self.inbox._store,
        ):
            cached.cache_clear()

    def place(self, body: Any, key: str) -> dict[str, Any]:
        event = rest_event(
            "POST", "/orders", body=body, headers={"Idempotency-Key": key}, claims=ALICE
        )
        status, order = json_response(self.orders.handler(event, FakeContext()))
        assert status == 201, order
        return dict(order)

    def get(self, order_id: str) -> dict[str, Any]:
        event = rest_event(
            "GET", "/orders/{order_id}", path_parameters={"order_id": order_id}, claims=ALICE
        )
        status, order = json_response(self.orders.handler(event, FakeContext()))
        assert status == 200, order
        return dict(order)

    def review(self, order_id: str, body: Any, claims: dict[str, str] = ADMIN) -> tuple[int, Any]:
        event = rest_event(
            "POST",
            "/orders/{order_id}/review",
            path_parameters={"order_id": order_id},
            body=body,
            claims=claims,
        )
        return json_response(self.reviewer.handler(event, FakeContext()))

    def stream_records(self) -> list[dict[str, Any]]:
        """Every record of the table's stream so far, in order."""
        streams = boto3.client("dynamodbstreams")
        arn = self.table.latest_stream_arn
        records: list[dict[str, Any]] = []
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            iterator = streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            records.extend(streams.get_records(ShardIterator=iterator)["Records"])
        return records

    def pipe(self) -> list[str]:
        """What the pipe does with the stream's new records: each that passes its filter
        becomes an event (its input template applied) that, matching the workflow's rule,
        starts an execution; the executions' ARNs."""
        records = self.stream_records()
        fresh, self._seen = records[self._seen :], len(records)
        started = []
        for record in fresh:
            if not passes(record, self.pipe_filters):
                continue
            event = {
                "source": self.pipe_event["Source"],
                "detail-type": self.pipe_event["DetailType"],
                "detail": json.loads(_render(self.pipe_template, record)),
            }
            assert passes(event, [self.rule_pattern])
            started.append(self.start(event))
        return started

    def start(self, event: dict[str, Any]) -> str:
        # EventBridge names each execution it starts afresh.
        arn: str = boto3.client("stepfunctions").start_execution(
            stateMachineArn=self.machine, name=str(uuid.uuid4()), input=json.dumps(event)
        )["executionArn"]
        return arn

    def deliver_inbox(self, expected: int = 1) -> dict[str, Any]:
        """Lambda's poll of the inbox queue: its messages, one batch, to the inbox handler."""
        sqs = boto3.client("sqs")
        messages: list[dict[str, Any]] = []
        for _ in range(200):
            messages += sqs.receive_message(
                QueueUrl=self.inbox_queue, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if len(messages) >= expected:
                break
            time.sleep(0.05)
        assert len(messages) == expected, messages
        records = [{"messageId": m["MessageId"], "body": m["Body"]} for m in messages]
        answer: dict[str, Any] = self.inbox.handler({"Records": records}, FakeContext())
        return answer

    def purchases(self) -> list[dict[str, Any]]:
        """The stream records purchase events' mapping hands to the emitter."""
        return [r for r in self.stream_records() if passes(r, self.purchase_filters)]

    def closed_events(self) -> list[dict[str, Any]]:
        sqs = boto3.client("sqs")
        found = sqs.receive_message(QueueUrl=self.closed_queue, MaxNumberOfMessages=10)
        return [json.loads(m["Body"])["detail"] for m in found.get("Messages", [])]


def _render(template: str, record: dict[str, Any]) -> str:
    """A pipe's input template applied to ``record`` (its ``<$.path>`` placeholders)."""

    def value(match: re.Match[str]) -> str:
        found: Any = record
        for part in match.group(1).split("."):
            found = found[part]
        return str(found)

    return _PLACEHOLDER.sub(value, template)


def finish(execution: str) -> dict[str, Any]:
    client = boto3.client("stepfunctions")
    for _ in range(400):
        described: dict[str, Any] = client.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError("execution still running")


def states(execution: str) -> list[str]:
    history = boto3.client("stepfunctions").get_execution_history(executionArn=execution)
    return [
        e["stateEnteredEventDetails"]["name"]
        for e in history["events"]
        if "stateEnteredEventDetails" in e
    ]


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
    review_above = _orders_function_environment(web.template())["REVIEW_ABOVE_CENTS"]
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
