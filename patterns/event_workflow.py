"""``EventWorkflow``: an EventBridge rule starting a traced, logged Step Functions workflow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from patterns._aws_limits import check_event_pattern
from patterns._grants import acknowledged
from patterns._imported import check_event_bridge_bucket, s3_event_buckets
from patterns._metadata import mark_pattern
from patterns._ops_common import check_schedule_expression, ops_topic
from patterns._override_guards import STATE_MACHINE_GUARDS
from patterns._overrides import merged
from patterns._types import checked
from patterns._validation import cfn_child, check_duration
from patterns.alarms import create_alarm

#: Execution statuses that notify the operations topic.
FAILED_STATUSES = ("FAILED", "TIMED_OUT", "ABORTED")
#: What Step Functions needs to deliver execution logs and traces (no resource ARNs).
OBSERVABILITY_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
)
#: Longest execution Step Functions allows (a standard workflow's one year).
MAX_TIMEOUT_SECONDS = 365 * 24 * 3600


class EventWorkflow(Construct):
    """Start a Step Functions state machine on matching events or on a schedule.

    Children: ``LogGroup`` (the execution log), ``Resource`` (the state machine: X-Ray
    tracing on, logging to ``LogGroup``), ``Rule`` (the trigger), ``FailureRule`` (sends
    every FAILED, TIMED_OUT or ABORTED execution of this state machine to the topic) and
    ``FailedAlarm``, ``ThrottledAlarm``, ``AbortedAlarm`` on the state machine's metrics.
    ``enabled=False`` disables ``Rule`` only: executions started by hand still notify.

    :param definition: the workflow: an ``sfn.IChainable`` (a state or chain) or an
        ``sfn.DefinitionBody``. Required.
    :param event_pattern: events that start an execution (the event is its input).
        Give this or ``schedule``.
    :param event_bus: bus the pattern listens on. Default: the account's default bus.
    :param schedule: ``rate(...)`` or ``cron(...)`` that starts an execution (UTC).
        Give this or ``event_pattern``.
    :param log_level: what the execution log records. Default: ``ALL``.
    :param include_execution_data: log state inputs and outputs; turn off where they
        carry personal data. Default: True.
    :param log_group: where executions log. Default: a new group kept ``log_retention``.
    :param log_retention: retention of a created log group. Default: one month.
    :param timeout: longest an execution may run, up to one year. Default: one hour.
    :param enabled: whether the trigger rule starts executions. Default: True.
    :param topic: SNS topic notified of failed executions and by the alarms. Default: the
        topic of a new ``OpsNotifications`` child ``Notifications``.
    :param removal_policy: what deleting the stack does to a created log group.
        Default: ``RETAIN``.
    :param state_machine_props: escape hatch: keyword arguments merged last into
        ``sfn.StateMachine``. A key that would weaken a secure default, or that an argument
        above sets, is refused with a ``ValueError`` saying what to pass instead.
        Default: none.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        definition: sfn.IChainable | sfn.DefinitionBody,
        event_pattern: events.EventPattern | None = None,
        event_bus: events.IEventBus | None = None,
        schedule: str | None = None,
        log_level: sfn.LogLevel = sfn.LogLevel.ALL,
        include_execution_data: bool = True,
        log_group: logs.ILogGroup | None = None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        timeout: cdk.Duration | None = None,
        enabled: bool = True,
        topic: sns.ITopic | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        state_machine_props: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        body = _definition_body(definition)
        if (event_pattern is None) == (schedule is None):
            raise ValueError(
                "give exactly one of event_pattern and schedule to start the workflow; got "
                f"{'both' if event_pattern is not None else 'neither'}"
            )
        check_event_pattern("event_pattern", event_pattern)
        for bucket in s3_event_buckets(event_pattern):
            check_event_bridge_bucket(bucket, "event_pattern's bucket")
        if schedule is not None:
            check_schedule_expression("schedule", schedule)
            if event_bus is not None:
                raise ValueError(
                    "event_bus applies to event_pattern; schedules use the default bus"
                )
        timeout = timeout or cdk.Duration.hours(1)
        check_duration("timeout", timeout, 1, MAX_TIMEOUT_SECONDS)
        topic = ops_topic(self, topic)

        #: The execution log.
        self.log_group: logs.ILogGroup = log_group or logs.LogGroup(
            self, "LogGroup", retention=log_retention, removal_policy=removal_policy
        )
        props: dict[str, Any] = {"definition_body": body, "timeout": timeout}
        props = merged("state_machine_props", props, state_machine_props, STATE_MACHINE_GUARDS)
        #: The state machine.
        self.state_machine = sfn.StateMachine(self, "Resource", **props)
        cfn_machine = cfn_child(self.state_machine, sfn.CfnStateMachine)
        self._observe(cfn_machine, log_level, include_execution_data)
        # The L2 adds DependsOn on the role that the RoleArn GetAtt already implies;
        # cfn-lint reports that redundancy as W3005 and nothing else is hidden.
        cfn_machine.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})
        self._acknowledge_logging(log_level)

        #: The rule that starts executions.
        self.rule = events.Rule(
            self,
            "Rule",
            event_pattern=event_pattern,
            event_bus=event_bus,
            schedule=events.Schedule.expression(schedule) if schedule is not None else None,
            enabled=enabled,
            targets=[targets.SfnStateMachine(self.state_machine)],
        )
        #: The rule that notifies ``topic`` of failed, timed-out and aborted executions.
        self.failure_rule = events.Rule(
            self,
            "FailureRule",
            event_pattern=events.EventPattern(
                source=["aws.states"],
                detail_type=["Step Functions Execution Status Change"],
                detail={
                    "status": list(FAILED_STATUSES),
                    "stateMachineArn": [self.state_machine.state_machine_arn],
                },
            ),
            targets=[
                targets.SnsTopic(
                    topic,
                    message=events.RuleTargetInput.from_text(
                        f"Execution {events.EventField.from_path('$.detail.name')} of "
                        f"{events.EventField.from_path('$.detail.stateMachineArn')} ended "
                        f"{events.EventField.from_path('$.detail.status')}: "
                        f"{events.EventField.from_path('$.detail.error')}"
                    ),
                )
            ],
        )
        #: Alarms on failed, throttled and aborted executions.
        self.alarms: list[cloudwatch.Alarm] = [
            create_alarm(
                self,
                f"{name}Alarm",
                metric=metric(period=cdk.Duration.minutes(5), statistic="Sum"),
                threshold=1,
                description=f"{self.node.path}: executions {name.lower()}",
                topic=topic,
            )
            for name, metric in (
                ("Failed", self.state_machine.metric_failed),
                ("Throttled", self.state_machine.metric_throttled),
                ("Aborted", self.state_machine.metric_aborted),
            )
        ]

    def grant_start_execution(self, grantee: iam.IGrantable) -> iam.Grant:
        """Start executions of the workflow."""
        return self.state_machine.grant_start_execution(grantee)

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """List and describe the workflow's executions and their history."""
        return acknowledged(
            lambda: self.state_machine.grant_read(grantee), grantee, f"reads of {self.node.path}"
        )

    def metric_failed(self, **kwargs: Any) -> cloudwatch.Metric:
        """Executions that failed. Default: sum over 5 minutes."""
        return self.state_machine.metric_failed(**kwargs)

    def metric_timed_out(self, **kwargs: Any) -> cloudwatch.Metric:
        """Executions that timed out. Default: sum over 5 minutes."""
        return self.state_machine.metric_timed_out(**kwargs)

    def metric_succeeded(self, **kwargs: Any) -> cloudwatch.Metric:
        """Executions that succeeded. Default: sum over 5 minutes."""
        return self.state_machine.metric_succeeded(**kwargs)

    def _observe(
        self, cfn: sfn.CfnStateMachine, level: sfn.LogLevel, include_execution_data: bool
    ) -> None:
        """Tracing and the execution log, with their permissions in ``ObservabilityPolicy``
        of their own: they take no resource ARN, so its ``*`` is acknowledged alone and a
        wildcard the definition's tasks add to the role stays the user's to judge."""
        cfn.tracing_configuration = sfn.CfnStateMachine.TracingConfigurationProperty(enabled=True)
        cfn.logging_configuration = sfn.CfnStateMachine.LoggingConfigurationProperty(
            destinations=[
                sfn.CfnStateMachine.LogDestinationProperty(
                    cloud_watch_logs_log_group=sfn.CfnStateMachine.CloudWatchLogsLogGroupProperty(
                        log_group_arn=self.log_group.log_group_arn
                    )
                )
            ],
            include_execution_data=include_execution_data,
            level=level.value,
        )
        policy = iam.Policy(
            self,
            "ObservabilityPolicy",
            roles=[self.state_machine.role],
            statements=[iam.PolicyStatement(actions=list(OBSERVABILITY_ACTIONS), resources=["*"])],
        )
        # Step Functions checks log delivery when it creates the state machine (the
        # machine only: its role is a child of the L2 and the policy names the role).
        cfn.node.add_dependency(policy)
        cdk.Validations.of(policy).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="Step Functions' log delivery and X-Ray actions support no "
                "resource-level permissions; this policy holds only those.",
            )
        )

    def _acknowledge_logging(self, level: sfn.LogLevel) -> None:
        if level == sfn.LogLevel.ALL:
            return
        cdk.Validations.of(self.state_machine).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-SF1",
                reason=f"The caller chose log level {level.value} for this workflow's "
                "execution log instead of ALL.",
            )
        )


def _definition_body(definition: Any) -> sfn.DefinitionBody:
    if isinstance(definition, sfn.DefinitionBody):
        return definition
    if hasattr(definition, "start_state") and hasattr(definition, "end_states"):
        return sfn.DefinitionBody.from_chainable(definition)
    raise TypeError(
        "definition must be an aws_stepfunctions.IChainable or DefinitionBody, "
        f"got {type(definition).__name__}"
    )
