"""``AlarmResponder``: alarms to the operations topic and on to a responder function."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns._metadata import mark_pattern
from patterns._ops_common import ops_topic
from patterns._targets import (
    ensure_dead_letter_queue,
    send_async_failures_to,
    target_function,
)
from patterns._types import checked
from patterns.serverless_function import ServerlessFunction


class AlarmResponder(Construct):
    """Route alarms to a topic that a responder function subscribes to.

    Each alarm gets the topic as its ALARM action (and OK action with ``notify_on_ok``)
    unless it already has it, so alarms made with ``create_alarm(..., topic=...)`` can be
    passed too. The function subscribes to the topic; notifications it cannot take land
    in ``DeadLetterQueue``.

    :param alarms: the alarms to respond to (``Alarm`` or ``CompositeAlarm``); at least
        one. Required.
    :param function: the responder: a ``ServerlessFunction`` (its ``live`` alias
        subscribes) or any ``aws_lambda.IFunction``; an imported one must be one CDK can
        permit (in this stack's account and region, or imported with
        ``same_environment=True``), else ``ValueError``. Required.
    :param topic: the operations topic. Default: the topic of a new ``OpsNotifications``
        child ``Notifications``.
    :param notify_on_ok: also notify when an alarm returns to OK. Default: True.
    :param dead_letter_queue: DLQ of the subscription. Default: a new SQS-encrypted,
        TLS-only queue.
    :param removal_policy: what deleting the stack does to a created queue.
        Default: ``RETAIN``.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        alarms: Sequence[cloudwatch.AlarmBase],
        function: ServerlessFunction | lambda_.IFunction,
        topic: sns.ITopic | None = None,
        notify_on_ok: bool = True,
        dead_letter_queue: sqs.IQueue | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        responder = target_function(function, invoked_by="the SNS subscription")
        watched = tuple(alarms)
        if not watched:
            raise ValueError("alarms must hold at least one alarm, got none")
        for alarm in watched:
            if not isinstance(alarm, cloudwatch.AlarmBase) or alarm.node.default_child is None:
                raise TypeError(
                    "alarms must hold cloudwatch.Alarm or CompositeAlarm (an imported alarm "
                    f"cannot take actions), got {type(alarm).__name__}"
                )

        #: The topic the alarms notify.
        self.topic: sns.ITopic = ops_topic(self, topic)
        #: The responder (the ``live`` alias of a ``ServerlessFunction``).
        self.function: lambda_.IFunction = responder
        #: Notifications the responder could not take.
        self.dead_letter_queue: sqs.IQueue = ensure_dead_letter_queue(
            self, "DeadLetterQueue", dead_letter_queue, removal_policy=removal_policy
        )
        send_async_failures_to(function, self.dead_letter_queue)
        #: The alarms routed here.
        self.alarms: tuple[cloudwatch.AlarmBase, ...] = watched
        action = cw_actions.SnsAction(self.topic)
        for alarm in watched:
            if not _has_action(alarm, "alarm_actions", self.topic):
                alarm.add_alarm_action(action)
            if notify_on_ok and not _has_action(alarm, "ok_actions", self.topic):
                alarm.add_ok_action(action)
        self.topic.add_subscription(
            subscriptions.LambdaSubscription(responder, dead_letter_queue=self.dead_letter_queue)
        )


def _has_action(alarm: cloudwatch.AlarmBase, prop: str, topic: sns.ITopic) -> bool:
    """Whether ``alarm`` already notifies ``topic`` (its actions resolved as the stack would)."""
    cfn: Any = alarm.node.default_child
    stack = cdk.Stack.of(alarm)
    actions = stack.resolve(getattr(cfn, prop, None)) or []
    return stack.resolve(topic.topic_arn) in actions
