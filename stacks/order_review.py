"""``OrderReview``: an order above the stage's amount waits for an admin's decision.

The order function stores such an order ``PENDING_REVIEW``. ``Requests`` (an EventBridge
pipe) reads the table's stream, keeps only those inserts and puts one ``Order review
requested`` event each on the default bus, which starts ``Workflow`` (a standard
``EventWorkflow``): so a review starts exactly when a pending order exists, as purchase
events do for placed ones (``stacks/purchase_events.py``), and the order's response does
not wait for it. The workflow's ``AwaitReview`` callback task sends its task token to the
``Inbox`` queue, whose function stores it on the order (``stacks/order_review_flow.py``
holds the definition); ``POST /orders/{id}/review`` (the ``admin`` group's ``Reviewer``
function) answers it with the decision. Approved, the workflow marks the order
``PLACED`` (the stream's update then makes its purchase events); rejected, ``REJECTED``;
no decision within ``order_review_hours`` (or no first look or ``hold`` within
``order_review_heartbeat_hours``), ``CANCELLED``. Every close is conditional on the
order still being pending and is announced as an ``Order review closed`` event on the
default bus (the customer path's notice), with the order, its status and the reason.
"""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from patterns import (
    EventWorkflow,
    QueueProcessor,
    ServerlessFunction,
    create_alarm,
    ensure_dead_letter_queue,
    messages_waiting_alarm,
    retention_from_days,
)
from patterns.acknowledgements import acknowledge_stream_listing
from stacks.config import StageConfig
from stacks.function_settings import admin_paced
from stacks.lambda_code import handler_function
from stacks.order_review_flow import (
    PENDING_ORDERS,
    REQUEST_TEMPLATE,
    REQUESTED,
    SOURCE,
    review_definition,
)


class OrderReview(Construct):
    """``Requests`` (pipe) -> ``Workflow`` -> ``Inbox`` (queue and function); ``reviewer``
    (the API's review function) and the inbox may answer this workflow's tasks only.

    Alarms: the workflow's own (failed, throttled, aborted executions), the inbox's (its
    function, dead-letter queue and oldest message), ``RequestsFailuresAlarm`` (stream
    batches the pipe gave up on) and ``TimedOutAlarm``: reviews that ran out of time
    (timeout or missed heartbeat). Those executions succeed (the order is cancelled), so
    the workflow's alarms do not see them; Step Functions counts them per service
    integration, ``sqs:sendMessage.waitForTaskToken`` in the account and region, which
    in this app only the review's task uses.

    :param config: the stage: ``order_review_hours`` and ``order_review_heartbeat_hours``,
        the workflows' log settings, removal policy and ``triggers_enabled``.
    :param table: the shop table, with a stream carrying new images.
    :param reviewer: the function behind ``POST /orders/{id}/review``.
    :param alarm_topic: where every alarm goes, and ``RequestedNotice`` (a rule) tells
        the admins of each order awaiting review. Default (``None``): the workflow's own
        notifications topic for its alarms, no action for the others, no notice.
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
            defaults=admin_paced(self),
        )
        table.grant(self.inbox_function.function, "dynamodb:UpdateItem")
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
        #: Tells the operations topic (the admins) of each order awaiting review.
        self.notice: events.Rule | None = None
        if alarm_topic is not None:
            detail = events.EventField.from_path
            self.notice = events.Rule(
                self,
                "RequestedNotice",
                event_pattern=events.EventPattern(source=[SOURCE], detail_type=[REQUESTED]),
                enabled=config.triggers_enabled,
                targets=[
                    targets.SnsTopic(
                        alarm_topic,
                        message=events.RuleTargetInput.from_text(
                            f"Order {detail('$.detail.order_id')} "
                            f"({detail('$.detail.total_cents')} cents) awaits review: "
                            f"POST /orders/{detail('$.detail.order_id')}/review"
                        ),
                    )
                ],
            )
        five_minutes = cdk.Duration.minutes(5)
        self.alarms: dict[str, cloudwatch.Alarm] = {
            "requests_failures": messages_waiting_alarm(
                self,
                "RequestsFailuresAlarm",
                queue=self.failures,
                description=f"{self.node.path}: orders held for review never started one; "
                "their stream positions are in the pipe's failure queue",
                topic=alarm_topic,
            ),
            "timed_out": create_alarm(
                self,
                "TimedOutAlarm",
                metric=cloudwatch.Metric(
                    namespace="AWS/States",
                    metric_name="ServiceIntegrationsTimedOut",
                    dimensions_map={
                        "ServiceIntegrationResourceArn": f"arn:{cdk.Aws.PARTITION}:states:::"
                        "sqs:sendMessage.waitForTaskToken"
                    },
                    period=five_minutes,
                    statistic="Sum",
                ),
                threshold=1,
                description=f"{self.node.path}: orders were cancelled, nobody reviewed "
                "them in time",
                topic=alarm_topic,
            ),
        }

    def _pipe(self, config: StageConfig, table: dynamodb.ITable) -> pipes.CfnPipe:
        """The pipe from the table's stream (pending orders) to the default bus."""
        assert table.table_stream_arn is not None, "the shop table needs a stream"
        role = iam.Role(
            self, "RequestsRole", assumed_by=iam.ServicePrincipal("pipes.amazonaws.com")
        )
        table.grant_stream_read(role)
        acknowledge_stream_listing(role.node.find_child("DefaultPolicy"), reader="the pipe")
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
