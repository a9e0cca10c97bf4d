"""The ``Operations`` stack: ops topic, incident log, backups, image workflow, guard rails."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda_destinations as destinations
from constructs import Construct

from patterns import (
    AlarmResponder,
    OpsNotifications,
    ServerlessFunction,
    ensure_dead_letter_queue,
    messages_waiting_alarm,
)
from stacks.base import ShopStack
from stacks.config import StageConfig
from stacks.image_workflow import ImageRecognition
from stacks.lambda_code import handler_function
from stacks.ops_backup import EbsBackup
from stacks.security_policies import SecurityPolicies
from stacks.table_backups import TableBackups
from stacks.tables import stage_table


class OperationsStack(ShopStack):
    """Operations automation for the shop.

    ``Notifications`` is the encrypted topic every alarm of the stage notifies. Beside it:
    ``EbsBackup`` (nightly snapshots), ``ImageRecognition`` (the product-image workflow),
    ``SecurityPolicies`` (remediation of world-open ingress and public buckets) and
    ``Incidents``, an ``AlarmResponder`` that routes every alarm of this stack to the
    ``IncidentRecorder`` function, which records each state change in ``IncidentsTable``.
    Notifications it cannot process land in ``IncidentFailures``, which has its own alarm.
    ``StageConfig.triggers_enabled`` switches every schedule and event rule on or off.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, **kwargs: Any
    ) -> None:
        super().__init__(
            scope, construct_id, config=config, purpose="Shop operations automation", **kwargs
        )
        emails = [config.alarm_email] if config.alarm_email else []
        self.notifications = OpsNotifications(self, "Notifications", emails=emails)
        topic, key = self.notifications.topic, self.notifications.key

        self.incidents = stage_table(
            self,
            "IncidentsTable",
            config=config,
            partition_key="alarm_name",
            sort_key="changed_at",
            time_to_live_attribute="expires_at",
        )
        #: The dead-letter queue of the incident subscription and of the recorder's failed
        #: invocations.
        self.failures = ensure_dead_letter_queue(
            self, "IncidentFailures", None, removal_policy=config.cdk_removal_policy
        )
        self.recorder = ServerlessFunction(
            self,
            "IncidentRecorder",
            **handler_function("incident_recorder"),
            description="Records each CloudWatch alarm state change as an incident",
            environment={"INCIDENTS_TABLE": self.incidents.table_name},
            on_failure=destinations.SqsDestination(self.failures),
            alarm_topic=topic,
        )
        self.incidents.grant_write_data(self.recorder.function)
        self.failures_alarm = messages_waiting_alarm(
            self,
            "IncidentFailuresAlarm",
            queue=self.failures,
            description="Alarm notifications could not be recorded as incidents",
            topic=topic,
        )

        self.backup = EbsBackup(self, "EbsBackup", config=config, topic=topic)
        self.images = ImageRecognition(
            self, "ImageRecognition", config=config, topic=topic, topic_key=key
        )
        self.security = SecurityPolicies(self, "SecurityPolicies", config=config, topic=topic)
        #: The stage's table backups, where the stage asks for them.
        self.table_backups = (
            TableBackups(self, "TableBackups", config=config) if config.table_backups else None
        )
        self.responder = AlarmResponder(
            self,
            "Incidents",
            alarms=[c for c in self.node.find_all() if isinstance(c, cloudwatch.Alarm)],
            function=self.recorder,
            topic=topic,
            dead_letter_queue=self.failures,
        )
        self._quiet_auto_delete_provider()

    def _quiet_auto_delete_provider(self) -> None:
        """Mark the bucket auto-delete provider's redundant DependsOn for cfn-lint."""
        provider = self.node.try_find_child("Custom::S3AutoDeleteObjectsCustomResourceProvider")
        handler = provider.node.try_find_child("Handler") if provider else None
        if isinstance(handler, cdk.CfnResource):
            # CDK's provider depends on its role although Role's GetAtt already does (W3005).
            handler.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})
