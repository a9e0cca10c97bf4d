"""The Dev Web stack's order review in moto, for ``tests/handlers/test_order_review.py``:
the shop table (with its stream), the review workflow's definition from the template in
moto's Step Functions interpreter, and what the pipe, the inbox's queue mapping and the
handlers do with them."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import boto3

from tests.support.api_events import FakeContext, json_response, rest_event
from tests.support.policies import resources_of
from tests.support.state_machines import ACCOUNT, render_definition
from tests.support.tables import create_table_like
from tools.assembly import StackArtifact
from tools.event_filters import mapping_filters, passes
from tools.moto_server import REGION
from tools.state_machines import pipe_input

TABLE, IDEMPOTENCY = "shop", "idempotency"
ADMIN = {"sub": "root", "cognito:groups": "admin"}
ALICE = {"sub": "alice"}


def orders_function_environment(web: dict[str, Any]) -> dict[str, str]:
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
        self.review_above = int(orders_function_environment(template)["REVIEW_ABOVE_CENTS"])
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
                "detail": json.loads(pipe_input(self.pipe_template, record)),
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
