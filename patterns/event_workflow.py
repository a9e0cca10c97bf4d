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
from patterns._workflow_parts import definition_body, failure_rule, observe
from patterns.alarms import create_alarm
from patterns.choices import WorkflowType

#: Longest execution Step Functions allows: a standard workflow's year, an express one's
#: five minutes.
MAX_TIMEOUT_SECONDS = {"STANDARD": 365 * 24 * 3600, "EXPRESS": 300}
#: Longest execution by default.
DEFAULT_TIMEOUT_SECONDS = {"STANDARD": 3600, "EXPRESS": 300}


class EventWorkflow(Construct):
    """Start a Step Functions state machine on matching events or on a schedule.

    Children: ``LogGroup`` (the execution log), ``Resource`` (the state machine: X-Ray
    tracing on, logging to ``LogGroup``), ``Rule`` (the trigger), ``FailureRule`` (sends
    every FAILED, TIMED_OUT or ABORTED execution of this state machine to the topic;
    standard workflows only, as Step Functions sends those events for them only) and
    ``FailedAlarm``, ``ThrottledAlarm``, ``AbortedAlarm`` (and ``TimedOutAlarm`` for an
    express workflow) on the state machine's metrics.
    ``enabled=False`` disables ``Rule`` only: executions started by hand still notify.

    A workflow that waits for a person or another system uses :func:`wait_for_callback`
    tasks and :meth:`grant_task_response` for whoever answers.

    :param definition: the workflow: an ``sfn.IChainable`` (a state or chain) or an
        ``sfn.DefinitionBody``. Required.
    :param event_pattern: events that start an execution (the event is its input).
        Give this or ``schedule``.
    :param event_bus: bus the pattern listens on. Default: the account's default bus.
    :param schedule: ``rate(...)`` or ``cron(...)`` that starts an execution (UTC).
        Give this or ``event_pattern``.
    :param workflow_type: ``STANDARD`` (up to a year, exactly once per start) or
        ``EXPRESS`` (up to five minutes, at least once, for short high-volume flows, and
        started synchronously with :meth:`grant_start_sync_execution`).
        Default: ``STANDARD``.
    :param log_level: what the execution log records. Default: ``ALL`` for a standard
        workflow, ``ERROR`` for an express one (every execution of a high-volume flow
        would be logged in full otherwise).
    :param include_execution_data: log state inputs and outputs; turn off where they
        carry personal data. Default: True for a standard workflow, False for an express
        one.
    :param log_group: where executions log. Default: a new group kept ``log_retention``.
    :param log_retention: retention of a created log group. Default: one month.
    :param timeout: longest an execution may run, up to one year (five minutes for an
        express workflow). Default: one hour (five minutes for an express workflow).
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
        workflow_type: WorkflowType = "STANDARD",
        log_level: sfn.LogLevel | None = None,
        include_execution_data: bool | None = None,
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
        body = definition_body(definition)
        express = workflow_type == "EXPRESS"
        if log_level is None:
            log_level = sfn.LogLevel.ERROR if express else sfn.LogLevel.ALL
        if log_level == sfn.LogLevel.OFF:
            raise ValueError(
                "log_level OFF leaves failed executions without a record; use ERROR (the "
                "least an execution log keeps) or FATAL"
            )
        if include_execution_data is None:
            include_execution_data = not express
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
        timeout = timeout or cdk.Duration.seconds(DEFAULT_TIMEOUT_SECONDS[workflow_type])
        check_duration("timeout", timeout, 1, MAX_TIMEOUT_SECONDS[workflow_type])
        topic = ops_topic(self, topic)

        #: The execution log.
        self.log_group: logs.ILogGroup = log_group or logs.LogGroup(
            self, "LogGroup", retention=log_retention, removal_policy=removal_policy
        )
        props: dict[str, Any] = {"definition_body": body, "timeout": timeout}
        if express:
            props["state_machine_type"] = sfn.StateMachineType.EXPRESS
        #: ``STANDARD`` or ``EXPRESS``.
        self.workflow_type: WorkflowType = workflow_type
        props = merged("state_machine_props", props, state_machine_props, STATE_MACHINE_GUARDS)
        #: The state machine.
        self.state_machine = sfn.StateMachine(self, "Resource", **props)
        cfn_machine = cfn_child(self.state_machine, sfn.CfnStateMachine)
        observe(
            self,
            self.state_machine,
            cfn_machine,
            log_group=self.log_group,
            level=log_level,
            include_execution_data=include_execution_data,
        )
        # The L2 adds DependsOn on the role that the RoleArn GetAtt already implies;
        # cfn-lint reports that redundancy as W3005 and nothing else is hidden.
        cfn_machine.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})

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
        #: The rule that notifies ``topic`` of failed, timed-out and aborted executions
        #: (standard workflows; an express workflow's failures reach it through alarms).
        self.failure_rule: events.Rule | None = (
            None if express else failure_rule(self, self.state_machine, topic)
        )
        #: Alarms on failed, throttled and aborted (and, express, timed-out) executions.
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
                *((("TimedOut", self.state_machine.metric_timed_out),) if express else ()),
            )
        ]

    def grant_start_execution(self, grantee: iam.IGrantable) -> iam.Grant:
        """Start executions of the workflow."""
        return self.state_machine.grant_start_execution(grantee)

    def grant_start_sync_execution(self, grantee: iam.IGrantable) -> iam.Grant:
        """Run an execution and wait for its result (``StartSyncExecution``, for
        request/response flows, e.g. behind API Gateway); express workflows only."""
        if self.workflow_type != "EXPRESS":
            raise ValueError(
                f"{self.node.path} is a {self.workflow_type} workflow; only EXPRESS "
                "workflows start synchronously (create it with workflow_type='EXPRESS')"
            )
        return self.state_machine.grant_start_sync_execution(grantee)

    def grant_task_response(self, grantee: iam.IGrantable) -> iam.Grant:
        """Answer this workflow's callback tasks (``SendTaskSuccess``, ``SendTaskFailure``,
        ``SendTaskHeartbeat``) and nothing of any other state machine."""
        return self.state_machine.grant_task_response(grantee)

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
