"""``OrderReview``: an order above the stage's amount waits for an admin's decision.

The order function stores such an order ``PENDING_REVIEW``. ``Requests`` (an EventBridge
pipe) reads the table's stream, keeps only those inserts and puts one ``Order review
requested`` event each on the default bus, which starts ``Workflow`` (a standard
``EventWorkflow``): so a review starts exactly when a pending order exists, as purchase
events do for placed ones (``stacks/purchase_events.py``), and the order's response does
not wait for it. The workflow's ``AwaitReview`` callback task sends its task token to the
``Inbox`` queue, whose function stores it on the order; ``POST /orders/{id}/review`` (the
``admin`` group's ``Reviewer`` function) answers it with the decision: approved, the
workflow marks the order ``PLACED`` (the stream's update then makes its purchase events); rejected,
``REJECTED``; no decision within ``order_review_hours`` (or no first look or ``hold``
within ``order_review_heartbeat_hours``), ``CANCELLED``. Every close is conditional on
the order still being pending and is announced as an ``Order review closed`` event on the
default bus (the customer path's notice), with the order, its status and the reason.
"""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from patterns import (
    EventWorkflow,
    QueueProcessor,
    ServerlessFunction,
    ensure_dead_letter_queue,
    retention_from_days,
    wait_for_callback,
)
from patterns.acknowledgements import acknowledge_wildcards
from patterns.callback_task import TIMEOUT_ERRORS
from stacks.config import StageConfig
from stacks.lambda_code import handler_function

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


class OrderReview(Construct):
    """``Requests`` (pipe) -> ``Workflow`` -> ``Inbox`` (queue and function); ``reviewer``
    (the API's review function) and the inbox may answer this workflow's tasks only.

    :param table: the shop table, with a stream carrying new images.
    :param reviewer: the function behind ``POST /orders/{id}/review``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        table: dynamodb.ITable,
        reviewer: ServerlessFunction,
        alarm_topic: sns.ITopic | None,
    ) -> None:
        super().__init__(scope, construct_id)
        removal = config.cdk_removal_policy
        self.inbox_function = ServerlessFunction(
            self,
            "InboxFunction",
            **handler_function("order_review", "inbox"),
            description="Stores each order review's task token on its order",
            environment={"TABLE_NAME": table.table_name},
            alarm_topic=alarm_topic,
        )
        table.grant(self.inbox_function.function, "dynamodb:GetItem", "dynamodb:UpdateItem")
        #: The review requests (task tokens) on their way to the orders.
        self.inbox = QueueProcessor(
            self,
            "Inbox",
            function=self.inbox_function,
            batch_size=10,
            removal_policy=removal,
            alarm_topic=alarm_topic,
        )
        hours = config.order_review_hours
        beat = config.order_review_heartbeat_hours
        self.workflow = EventWorkflow(
            self,
            "Workflow",
            definition=review_definition(
                self,
                table=table,
                inbox=self.inbox.queue,
                wait=cdk.Duration.hours(hours),
                heartbeat=cdk.Duration.hours(beat) if beat is not None else None,
            ),
            event_pattern=events.EventPattern(source=[SOURCE], detail_type=[REQUESTED]),
            log_level=sfn.LogLevel[config.workflow_log_level],
            include_execution_data=config.workflow_log_execution_data,
            log_retention=retention_from_days(config.log_retention_days),
            # The wait, and the close and its announcement after it.
            timeout=cdk.Duration.hours(hours + 1),
            enabled=config.triggers_enabled,
            topic=alarm_topic,
            removal_policy=removal,
        )
        for answerer in (reviewer, self.inbox_function):
            self.workflow.grant_task_response(answerer.function)
        self.pipe = self._pipe(config, table)

    def _pipe(self, config: StageConfig, table: dynamodb.ITable) -> pipes.CfnPipe:
        """The pipe from the table's stream (pending orders) to the default bus."""
        assert table.table_stream_arn is not None, "the shop table needs a stream"
        role = iam.Role(
            self, "RequestsRole", assumed_by=iam.ServicePrincipal("pipes.amazonaws.com")
        )
        table.grant_stream_read(role)
        acknowledge_wildcards(
            role.node.find_child("DefaultPolicy"),
            reason="dynamodb:ListStreams takes no resource ARN (the pipe's source needs it); "
            "the table's stream itself is read through its own ARN.",
            resources=["*"],
        )
        bus = events.EventBus.from_event_bus_name(self, "DefaultBus", "default")
        bus.grant_put_events_to(role)
        #: Stream batches the pipe gave up on (their positions).
        self.failures = ensure_dead_letter_queue(
            self, "RequestsFailures", None, removal_policy=config.cdk_removal_policy
        )
        self.failures.grant_send_messages(role)
        return pipes.CfnPipe(
            self,
            "Requests",
            role_arn=role.role_arn,
            source=table.table_stream_arn,
            source_parameters=pipes.CfnPipe.PipeSourceParametersProperty(
                dynamo_db_stream_parameters=pipes.CfnPipe.PipeSourceDynamoDBStreamParametersProperty(
                    starting_position="TRIM_HORIZON",
                    batch_size=10,
                    maximum_retry_attempts=10,
                    maximum_record_age_in_seconds=24 * 3600,
                    dead_letter_config=pipes.CfnPipe.DeadLetterConfigProperty(
                        arn=self.failures.queue_arn
                    ),
                ),
                filter_criteria=pipes.CfnPipe.FilterCriteriaProperty(
                    filters=[pipes.CfnPipe.FilterProperty(pattern=json.dumps(PENDING_ORDERS))]
                ),
            ),
            target=bus.event_bus_arn,
            target_parameters=pipes.CfnPipe.PipeTargetParametersProperty(
                input_template=REQUEST_TEMPLATE,
                event_bridge_event_bus_parameters=pipes.CfnPipe.PipeTargetEventBridgeEventBusParametersProperty(
                    source=SOURCE, detail_type=REQUESTED
                ),
            ),
            desired_state="RUNNING" if config.triggers_enabled else "STOPPED",
            description="Orders held for review -> Order review requested events",
        )
