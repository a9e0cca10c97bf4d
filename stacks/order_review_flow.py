"""The order review's workflow definition and the events around it (``OrderReview`` in
``stacks/order_review.py`` builds the rest)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from patterns import wait_for_callback
from patterns.callback_task import TIMEOUT_ERRORS

#: The events of the review: its request (from the pipe) and its close (from the workflow).
SOURCE = "shop.orders"
REQUESTED = "Order review requested"
CLOSED = "Order review closed"
#: What the pipe passes on: inserted order items held for review (``lambdas/orders``).
PENDING_ORDERS = {
    "eventName": ["INSERT"],
    "dynamodb": {
        "NewImage": {"sk": {"S": ["ORDER"]}, "status": {"S": ["PENDING_REVIEW"]}},
    },
}
#: The request event's detail: the order's id, customer and total (a number).
REQUEST_TEMPLATE = (
    '{"order_id": "<$.dynamodb.NewImage.order_id.S>", '
    '"customer": "<$.dynamodb.NewImage.customer.S>", '
    '"total_cents": <$.dynamodb.NewImage.total_cents.N>}'
)
#: The task failure of ``lambdas/order_review/review.py`` for a request the order does
#: not need.
NOT_NEEDED = "ReviewNotNeeded"
_ORDER = "$.detail.order_id"
#: DynamoDB errors a retry can get past.
CLOSE_RETRIES = [
    "DynamoDB.InternalServerErrorException",
    "DynamoDB.ProvisionedThroughputExceededException",
    "DynamoDB.RequestLimitExceeded",
    "DynamoDB.ThrottlingException",
]


def _outcome(scope: Construct, construct_id: str, status: str, reason: str) -> sfn.Pass:
    """Record the decision as ``$.outcome`` (``reason`` a JSONPath or a fixed text)."""
    value = sfn.JsonPath.string_at(reason) if reason.startswith("$") else reason
    return sfn.Pass(
        scope,
        construct_id,
        parameters={"status": status, "reason": value},
        result_path="$.outcome",
    )


def review_definition(
    scope: Construct,
    *,
    table: dynamodb.ITable,
    inbox: sqs.IQueue,
    wait: cdk.Duration,
    heartbeat: cdk.Duration | None,
) -> sfn.IChainable:
    """Await the decision; write the order's outcome; announce it.

    Its input is the ``Order review requested`` event (``detail``: ``order_id``,
    ``customer``, ``total_cents``).
    """
    await_review = wait_for_callback(
        scope,
        "AwaitReview",
        queue=inbox,
        message={
            "order_id": sfn.JsonPath.string_at(_ORDER),
            "customer": sfn.JsonPath.string_at("$.detail.customer"),
            "total_cents": sfn.JsonPath.number_at("$.detail.total_cents"),
            "execution": sfn.JsonPath.execution_id,
        },
        timeout=wait,
        heartbeat=heartbeat,
        result_path="$.review",
        comment="The Inbox function stores the token on the order; an admin answers it",
    )
    approved = _outcome(scope, "Approved", "PLACED", "approved by a reviewer")
    rejected = _outcome(scope, "Refused", "REJECTED", "$.review.reason")
    expired = _outcome(scope, "Expired", "CANCELLED", "not reviewed in time")
    close = tasks.DynamoUpdateItem(
        scope,
        "Close",
        table=table,
        key={
            "pk": tasks.DynamoAttributeValue.from_string(
                sfn.JsonPath.format("ORDER#{}", sfn.JsonPath.string_at(_ORDER))
            ),
            "sk": tasks.DynamoAttributeValue.from_string("ORDER"),
        },
        update_expression="SET #status = :status, #reason = :reason REMOVE review_token",
        condition_expression="#status = :pending",
        expression_attribute_names={"#status": "status", "#reason": "reason"},
        expression_attribute_values={
            ":status": tasks.DynamoAttributeValue.from_string(
                sfn.JsonPath.string_at("$.outcome.status")
            ),
            ":reason": tasks.DynamoAttributeValue.from_string(
                sfn.JsonPath.string_at("$.outcome.reason")
            ),
            ":pending": tasks.DynamoAttributeValue.from_string("PENDING_REVIEW"),
        },
        result_path=sfn.JsonPath.DISCARD,
        comment="Only a pending order changes, and only once",
    )
    announce = tasks.EventBridgePutEvents(
        scope,
        "Announce",
        entries=[
            tasks.EventBridgePutEventsEntry(
                source=SOURCE,
                detail_type=CLOSED,
                detail=sfn.TaskInput.from_object(
                    {
                        "order_id": sfn.JsonPath.string_at(_ORDER),
                        "customer": sfn.JsonPath.string_at("$.detail.customer"),
                        "status": sfn.JsonPath.string_at("$.outcome.status"),
                        "reason": sfn.JsonPath.string_at("$.outcome.reason"),
                    }
                ),
            )
        ],
        result_path=sfn.JsonPath.DISCARD,
    )
    # Transient errors only: a failed condition (the order was settled already) fails the
    # execution, which the workflow's failure rule reports.
    for task, errors in ((close, CLOSE_RETRIES), (announce, ["States.TaskFailed"])):
        task.add_retry(
            errors=errors,
            interval=cdk.Duration.seconds(2),
            max_attempts=3,
            backoff_rate=2,
            jitter_strategy=sfn.JitterType.FULL,
        )
    finish = close.next(announce)
    await_review.add_catch(expired, errors=list(TIMEOUT_ERRORS), result_path="$.error")
    await_review.add_catch(
        sfn.Succeed(scope, "NotNeeded", comment="Another execution reviews this order"),
        errors=[NOT_NEEDED],
        result_path="$.error",
    )
    for outcome in (rejected, expired):
        outcome.next(close)
    approved.next(finish)
    decision = (
        sfn.Choice(scope, "Decision")
        .when(sfn.Condition.string_equals("$.review.decision", "approve"), approved)
        .when(sfn.Condition.string_equals("$.review.decision", "reject"), rejected)
        .otherwise(sfn.Fail(scope, "UnknownDecision", error="UnknownDecision"))
    )
    return await_review.next(decision)
