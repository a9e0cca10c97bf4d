"""``ScheduledJob``: a schedule that invokes a function, with retries, a DLQ and an alarm."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns._aws_limits import check_length, check_time_zone
from patterns._metadata import mark_pattern
from patterns._nag import acknowledge_wildcards
from patterns._ops_common import check_retry_policy, check_schedule_expression
from patterns._targets import (
    ensure_dead_letter_queue,
    send_async_failures_to,
    target_function,
)
from patterns._types import checked
from patterns.alarms import create_alarm
from patterns.serverless_function import ServerlessFunction


class ScheduledJob(Construct):
    """Invoke a function on a rate or cron schedule.

    By default the schedule is an EventBridge Scheduler schedule (``Resource``, in the
    default schedule group) that supports a time zone; with ``use_rule=True`` it is an
    EventBridge rule (``Resource``, always UTC) instead. Invocations the target cannot
    take after the retries land in the encrypted ``DeadLetterQueue``. ``FailureAlarm``
    fires when the function reports an error or an event reaches the queue.

    Switch a job off while troubleshooting with ``enabled=False``: the schedule is
    deployed ``DISABLED`` (the rule disabled) and nothing else changes.

    :param function: what to invoke: a ``ServerlessFunction`` (its ``live`` alias is
        invoked) or any ``aws_lambda.IFunction``, including an imported one that CDK can
        permit (in this stack's account and region, or imported with
        ``same_environment=True``; else ``ValueError``). Required.
    :param schedule: ``rate(<n> <unit>)`` or ``cron(<min> <hour> <dom> <month> <dow>
        <year>)``. Default: ``"rate(1 day)"``.
    :param time_zone: time zone of a cron schedule (Scheduler only). Default: UTC.
    :param use_rule: use an EventBridge rule instead of EventBridge Scheduler. Default: False.
    :param payload: JSON object the function receives. Default: Scheduler's/the rule's
        own event.
    :param retry_attempts: retries of a failed invocation, 0..185. Default: 2.
    :param max_event_age: how long an event is retried, 60 s..24 h. Default: 1 hour.
    :param dead_letter_queue: queue for events that could not be delivered. Default: a new
        SQS-encrypted, TLS-only queue keeping messages 14 days.
    :param enabled: whether the schedule runs. Default: True.
    :param description: description of the schedule. Default: none.
    :param alarm_topic: SNS topic the failure alarm notifies. Default: no action.
    :param removal_policy: what deleting the stack does to a created queue.
        Default: ``RETAIN``.
    :param schedule_props: escape hatch: keyword arguments merged last into
        ``scheduler.Schedule`` (or ``events.Rule``). Default: none.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: ServerlessFunction | lambda_.IFunction,
        schedule: str = "rate(1 day)",
        time_zone: cdk.TimeZone | None = None,
        use_rule: bool = False,
        payload: Mapping[str, Any] | None = None,
        retry_attempts: int = 2,
        max_event_age: cdk.Duration | None = None,
        dead_letter_queue: sqs.IQueue | None = None,
        enabled: bool = True,
        description: str | None = None,
        alarm_topic: sns.ITopic | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        schedule_props: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        target = target_function(
            function,
            invoked_by="the EventBridge rule" if use_rule else "EventBridge Scheduler's role",
        )
        check_schedule_expression("schedule", schedule, one_time=not use_rule)
        max_event_age = max_event_age or cdk.Duration.hours(1)
        check_retry_policy(retry_attempts, max_event_age)
        check_time_zone("time_zone", time_zone)
        check_length("description", description, 512)
        if use_rule and time_zone is not None:
            raise ValueError(
                "time_zone needs EventBridge Scheduler: EventBridge rules run in UTC; "
                "drop time_zone or set use_rule=False"
            )

        #: The function invoked (the ``live`` alias of a ``ServerlessFunction``).
        self.function: lambda_.IFunction = target
        #: Where undeliverable invocations go.
        self.dead_letter_queue: sqs.IQueue = ensure_dead_letter_queue(
            self, "DeadLetterQueue", dead_letter_queue, removal_policy=removal_policy
        )
        send_async_failures_to(function, self.dead_letter_queue)
        #: The Scheduler schedule (``None`` with ``use_rule=True``).
        self.schedule: scheduler.Schedule | None = None
        #: The EventBridge rule (``None`` unless ``use_rule=True``).
        self.rule: events.Rule | None = None
        if use_rule:
            self.rule = events.Rule(
                self,
                "Resource",
                **{
                    "schedule": events.Schedule.expression(schedule),
                    "enabled": enabled,
                    "description": description,
                    "targets": [
                        targets.LambdaFunction(
                            target,
                            event=events.RuleTargetInput.from_object(payload)
                            if payload is not None
                            else None,
                            dead_letter_queue=self.dead_letter_queue,
                            retry_attempts=retry_attempts,
                            max_event_age=max_event_age,
                        )
                    ],
                    **(schedule_props or {}),
                },
            )
        else:
            self.schedule = scheduler.Schedule(
                self,
                "Resource",
                **{
                    "schedule": scheduler.ScheduleExpression.expression(schedule, time_zone),
                    "enabled": enabled,
                    "description": description,
                    "target": scheduler_targets.LambdaInvoke(
                        target,
                        input=scheduler.ScheduleTargetInput.from_object(payload)
                        if payload is not None
                        else None,
                        dead_letter_queue=self.dead_letter_queue,
                        retry_attempts=retry_attempts,
                        max_event_age=max_event_age,
                    ),
                    **(schedule_props or {}),
                },
            )
            self._acknowledge_scheduler_role(target)
        #: Fires on a function error or an event in the dead-letter queue.
        self.failure_alarm = create_alarm(
            self,
            "FailureAlarm",
            metric=cloudwatch.MathExpression(
                expression="FILL(errors, 0) + FILL(undelivered, 0)",
                label="Failed runs",
                period=cdk.Duration.minutes(5),
                using_metrics={
                    "errors": target.metric_errors(statistic="Sum"),
                    "undelivered": (
                        self.dead_letter_queue.metric_approximate_number_of_messages_visible(
                            statistic="Maximum"
                        )
                    ),
                },
            ),
            threshold=1,
            description=f"{self.node.path}: a scheduled run failed or was not delivered",
            topic=alarm_topic,
        )

    def _acknowledge_scheduler_role(self, target: lambda_.IFunction) -> None:
        """CDK's Scheduler target role (one per stack and target, ``SchedulerRoleForTarget-*``)
        may invoke an unqualified function in any version (``<arn>:*``)."""
        for child in cdk.Stack.of(self).node.children:
            if not child.node.id.startswith("SchedulerRoleForTarget-"):
                continue
            policy = child.node.try_find_child("DefaultPolicy")
            if policy is not None:
                acknowledge_wildcards(
                    policy,
                    reason="EventBridge Scheduler invokes the scheduled function, in whichever "
                    "version is published; the grant names this function only.",
                    resources=[f"{target.function_arn}:*"],
                )
