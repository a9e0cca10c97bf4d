"""The ``Operations`` stack: the ops topic and the incident log fed by it."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns import OpsNotifications, ServerlessFunction, create_alarm
from stacks.config import StageConfig
from stacks.lambda_code import handler_code


class OperationsStack(cdk.Stack):
    """Operations automation for the shop.

    ``Notifications`` is the encrypted topic every alarm of the stage notifies; the
    ``IncidentRecorder`` function subscribes to it and records each alarm state change as
    an item of ``IncidentsTable``. Notifications it cannot deliver or process land in
    ``IncidentFailures``, which has its own alarm.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, **kwargs: Any
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"Shop operations automation ({config.name})",
            termination_protection=config.termination_protection,
            **kwargs,
        )
        emails = [config.alarm_email] if config.alarm_email else []
        self.notifications = OpsNotifications(self, "Notifications", emails=emails)
        topic = self.notifications.topic

        self.incidents = dynamodb.Table(
            self,
            "IncidentsTable",
            partition_key=dynamodb.Attribute(name="alarm_name", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="changed_at", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=config.point_in_time_recovery
            ),
            deletion_protection=config.termination_protection,
            removal_policy=config.cdk_removal_policy,
            time_to_live_attribute="expires_at",
        )
        if not config.point_in_time_recovery:
            cdk.Validations.of(self.incidents).acknowledge(
                cdk.Acknowledgment(
                    id="AwsSolutions-DDB3",
                    reason=f"Stage {config.name!r} turns point-in-time recovery off: its "
                    "incident log is disposable and deleted with the stack.",
                )
            )

        self.failures = sqs.Queue(
            self,
            "IncidentFailures",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(14),
            removal_policy=config.cdk_removal_policy,
        )
        cdk.Validations.of(self.failures).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-SQS3",
                reason="This queue is itself the dead-letter queue of the incident "
                "subscription and of the recorder's failed invocations.",
            )
        )

        self.recorder = ServerlessFunction(
            self,
            "IncidentRecorder",
            code=handler_code("incident_recorder"),
            handler="incident_recorder.app.handler",
            description="Records each CloudWatch alarm state change as an incident",
            environment={"INCIDENTS_TABLE": self.incidents.table_name},
            on_failure=destinations.SqsDestination(self.failures),
            alarm_topic=topic,
        )
        self.incidents.grant_write_data(self.recorder.function)
        topic.add_subscription(
            subscriptions.LambdaSubscription(self.recorder.alias, dead_letter_queue=self.failures)
        )
        self.failures_alarm = create_alarm(
            self,
            "IncidentFailuresAlarm",
            metric=self.failures.metric_approximate_number_of_messages_visible(
                period=cdk.Duration.minutes(5), statistic="Maximum"
            ),
            threshold=1,
            description="Alarm notifications could not be recorded as incidents",
            topic=topic,
        )
