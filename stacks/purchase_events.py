"""``PurchaseEvents``: every order placed in the API table becomes ``purchase`` usage events.

An outbox read from the table's stream rather than a write in the order function: the
event exists exactly when the order item does (no order without its event when a call
fails between the two writes, no event for a request retried with its key), the order's
response does not wait for Kinesis, and orders placed in the secondary region arrive
through the global table's replication (the primary replica's stream carries them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns import (
    ServerlessFunction,
    StreamProcessor,
    create_alarm,
    ensure_dead_letter_queue,
    messages_waiting_alarm,
)
from patterns.acknowledgements import acknowledge_stream_listing, acknowledge_synchronous_invocation
from stacks.config import StageConfig
from stacks.lambda_code import handler_function

#: Orders per invocation; an order is at most 50 lines, so at most 5,000 events.
BATCH_SIZE = 100
#: The oldest unsent order before its alarm (ms): purchases should count within seconds.
ITERATOR_AGE_ALARM_MS = 60_000


def _placed(event_name: str) -> Mapping[str, Any]:
    return lambda_.FilterCriteria.filter(
        {
            "eventName": lambda_.FilterRule.is_equal(event_name),
            "dynamodb": {
                "NewImage": {
                    "sk": {"S": lambda_.FilterRule.is_equal("ORDER")},
                    "status": {"S": lambda_.FilterRule.is_equal("PLACED")},
                }
            },
        }
    )


#: Orders as they become placed, what the handler turns into events: an order stored
#: ``PLACED`` (an INSERT), or a reviewed one that its review placed (a MODIFY to
#: ``PLACED``). Each order matches once: an order is stored once, a held one
#: (``PENDING_REVIEW``) makes no events until the review workflow's one conditional write
#: from ``PENDING_REVIEW`` places it (``stacks/order_review.py``; the inbox's write of the
#: task token keeps it pending), and nothing writes a placed order again (a write that
#: changes nothing makes no stream record). A new writer of placed orders must keep that.
NEW_ORDERS = [_placed("INSERT"), _placed("MODIFY")]


class PurchaseEvents(Construct):
    """``Emitter`` reads ``table``'s stream (orders as they are placed), writes one ``purchase``
    event per order line to ``events``' stream; ``Failures`` holds the positions of
    batches it gave up on, with alarms on them and on the iterator age."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        table: dynamodb.ITable,
        events: StreamProcessor,
        alarm_topic: sns.ITopic | None,
    ) -> None:
        super().__init__(scope, construct_id)
        #: The positions of the batches of orders the mapping gave up on.
        self.failures = ensure_dead_letter_queue(
            self, "Failures", None, removal_policy=config.cdk_removal_policy
        )
        self.emitter = ServerlessFunction(
            self,
            "Emitter",
            **handler_function("purchase_events"),
            description="Turns each new order into purchase usage events in the stream",
            environment={"STREAM_NAME": events.stream.stream_name},
            timeout=cdk.Duration.seconds(60),
            alarm_topic=alarm_topic,
        )
        events.grant_put_records(self.emitter.function)
        # Batches it gives up on go to the mapping's on-failure queue (Failures).
        acknowledge_synchronous_invocation(self.emitter, "Lambda's table-stream mapping")
        role = self.emitter.function.role
        assert role is not None
        acknowledge_stream_listing(
            role.node.find_child("DefaultPolicy"), reader="the event source mapping"
        )
        self.emitter.function.add_event_source(
            event_sources.DynamoEventSource(
                table,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=BATCH_SIZE,
                bisect_batch_on_error=True,
                retry_attempts=10,
                max_record_age=cdk.Duration.hours(24),
                report_batch_item_failures=True,
                on_failure=event_sources.SqsDlq(self.failures),
                filters=NEW_ORDERS,
                enabled=config.triggers_enabled,
            )
        )
        minute = cdk.Duration.minutes(1)
        self.alarms: dict[str, cloudwatch.Alarm] = {
            "iterator_age": create_alarm(
                self,
                "IteratorAgeAlarm",
                metric=self.emitter.function.metric(
                    "IteratorAge", statistic="Maximum", period=minute
                ),
                threshold=ITERATOR_AGE_ALARM_MS,
                evaluation_periods=3,
                description=f"{self.node.path}: new orders are counted late",
                topic=alarm_topic,
            ),
            "failures": messages_waiting_alarm(
                self,
                "FailuresAlarm",
                queue=self.failures,
                description=f"{self.node.path}: orders were never counted as purchases; "
                "their stream positions are in the failure queue",
                topic=alarm_topic,
            ),
        }
