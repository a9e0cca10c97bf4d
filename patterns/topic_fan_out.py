"""``TopicFanOut``: an SNS topic delivering each message to several SQS queues, filtered."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns._grants import acknowledged
from patterns._metadata import mark_pattern
from patterns._queues import create_queue, queue_alarms
from patterns._types import check_fields, checked
from patterns._validation import check_duration
from patterns.alarms import create_alarm
from patterns.ops_notifications import TOPIC_ACTIONS

_NAME = re.compile(r"^[A-Z][A-Za-z0-9]{0,63}$")
#: SNS's limit on the keys of one filter policy.
MAX_FILTER_KEYS = 5


@dataclasses.dataclass(frozen=True, kw_only=True)
class Subscriber:
    """One queue subscribed to a :class:`TopicFanOut`'s topic.

    :param name: PascalCase id of the subscriber (its constructs and alarms). Required.
    :param queue: an existing queue; its policy must let the topic send when it is imported
        (CDK cannot change an imported queue's policy). Default: a new encrypted, TLS-only
        queue whose failed messages go to the subscriber's dead-letter queue.
    :param filter_policy: deliver only messages whose attributes match
        (``{"kind": sns.SubscriptionFilter.string_filter(allowlist=["order"])}``).
        Default: every message.
    :param filter_policy_with_message_body: deliver only messages whose JSON body matches
        (``FilterPolicyScope: MessageBody``); not with ``filter_policy``. Default: none.
    :param raw_message_delivery: the queue receives the message as published, not wrapped
        in SNS's JSON envelope (attributes become SQS message attributes). Default: False.
    :param dead_letter_queue: where SNS puts messages it could not deliver to the queue
        (a deleted queue, a policy or key that refuses SNS). Default: a new queue, which is
        also the new queue's redrive target.
    """

    name: str
    queue: sqs.IQueue | None = None
    filter_policy: Mapping[str, sns.SubscriptionFilter] | None = None
    filter_policy_with_message_body: Mapping[str, sns.FilterOrPolicy] | None = None
    raw_message_delivery: bool = False
    dead_letter_queue: sqs.IQueue | None = None

    def __post_init__(self) -> None:
        check_fields(self, f"subscriber {self.name!r}")
        if not _NAME.match(self.name):
            raise ValueError(
                f"subscriber name must be PascalCase letters and digits (1..64), got {self.name!r}"
            )
        if self.filter_policy is not None and self.filter_policy_with_message_body is not None:
            raise ValueError(
                f"subscriber {self.name!r}: give filter_policy (attributes) or "
                "filter_policy_with_message_body (the body), not both: a subscription has one scope"
            )
        for field in ("filter_policy", "filter_policy_with_message_body"):
            policy = getattr(self, field)
            if policy is not None and not 1 <= len(policy) <= MAX_FILTER_KEYS:
                raise ValueError(
                    f"subscriber {self.name!r}: {field} must have 1 to {MAX_FILTER_KEYS} keys "
                    f"(SNS's limit), got {len(policy)}"
                )


class TopicFanOut(Construct):
    """An encrypted, TLS-only SNS topic whose messages reach several SQS queues, each
    subscriber with its own filter, delivery format and dead-letter queue.

    Children: ``Key`` and ``Topic`` (unless a topic is given), ``NotificationsFailedAlarm``,
    and per subscriber a construct named after it holding ``DeadLetterQueue`` (unless one
    is given), ``Queue`` (unless one is given), the subscription, ``OldestMessageAgeAlarm``
    and ``DeadLetterQueueAlarm``.

    Each queue's policy lets only this topic send to it (``aws:SourceArn``), and denies
    every request without TLS; the topic denies every action without TLS too.

    :param subscribers: the queues, at least one, names unique. Required.
    :param topic: an existing topic (``sns.Topic.from_topic_arn`` too). Default: a new one.
    :param master_key: customer-managed KMS key of the new topic. Default: a new key with
        yearly rotation.
    :param queue_encryption_key: customer-managed KMS key of the new queues (SNS may use
        it). Default: SQS-managed encryption.
    :param retention_period: retention of the new queues, 60 s..14 days. Default: 4 days.
    :param removal_policy: for the new queues. Default: RETAIN.
    :param oldest_message_age_alarm: each queue's ``OldestMessageAgeAlarm`` threshold, at
        least 60 s. Default: 1 hour.
    :param alarm_topic: SNS topic the alarms notify. Default: no action.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        subscribers: Sequence[Subscriber],
        topic: sns.ITopic | None = None,
        master_key: kms.IKey | None = None,
        queue_encryption_key: kms.IKey | None = None,
        retention_period: cdk.Duration | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        oldest_message_age_alarm: cdk.Duration | None = None,
        alarm_topic: sns.ITopic | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        if not subscribers:
            raise ValueError("subscribers must name at least one queue, got none")
        names = [s.name for s in subscribers]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"subscribers must have unique names, got {duplicates} twice")
        if topic is not None and master_key is not None:
            raise ValueError("master_key applies to a new topic; the given topic has its own key")
        check_duration("retention_period", retention_period, 60, 14 * 24 * 3600)
        check_duration("oldest_message_age_alarm", oldest_message_age_alarm, 60, 14 * 24 * 3600)
        age = oldest_message_age_alarm or cdk.Duration.hours(1)

        #: The topic's key (created or given), ``None`` for a given topic.
        self.key: kms.IKey | None = None
        if topic is None:
            self.key = master_key or kms.Key(
                self,
                "Key",
                enable_key_rotation=True,
                description=f"Encrypts the messages of {self.node.path}",
            )
            topic = sns.Topic(self, "Topic", master_key=self.key)
            topic.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="DenyWithoutTls",
                    effect=iam.Effect.DENY,
                    principals=[iam.AnyPrincipal()],
                    actions=list(TOPIC_ACTIONS),
                    resources=[topic.topic_arn],
                    conditions={"Bool": {"aws:SecureTransport": "false"}},
                )
            )
        #: The topic (given or created).
        self.topic: sns.ITopic = topic
        #: Each subscriber's queue, by subscriber name.
        self.queues: dict[str, sqs.IQueue] = {}
        #: Each subscriber's dead-letter queue (SNS's failed deliveries), by name.
        self.dead_letter_queues: dict[str, sqs.IQueue] = {}
        #: Each subscription, by subscriber name.
        self.subscriptions: dict[str, sns.Subscription] = {}
        #: Alarms: ``notifications_failed``, and ``<name>/oldest_message_age`` and
        #: ``<name>/dead_letter_queue`` per subscriber.
        self.alarms: dict[str, cloudwatch.Alarm] = {
            "notifications_failed": create_alarm(
                self,
                "NotificationsFailedAlarm",
                metric=self.topic.metric_number_of_notifications_failed(
                    period=cdk.Duration.minutes(5), statistic="Sum"
                ),
                threshold=1,
                description=f"{self.node.path}: SNS could not deliver messages to a subscriber",
                topic=alarm_topic,
            )
        }
        for subscriber in subscribers:
            self._subscribe(
                subscriber,
                key=queue_encryption_key,
                retention=retention_period,
                removal_policy=removal_policy,
                age=age,
                alarm_topic=alarm_topic,
            )

    def _subscribe(
        self,
        subscriber: Subscriber,
        *,
        key: kms.IKey | None,
        retention: cdk.Duration | None,
        removal_policy: cdk.RemovalPolicy,
        age: cdk.Duration,
        alarm_topic: sns.ITopic | None,
    ) -> None:
        scope = Construct(self, subscriber.name)
        dead_letters = subscriber.dead_letter_queue or create_queue(
            scope,
            "DeadLetterQueue",
            encryption_key=key,
            retention_period=cdk.Duration.days(14),
            removal_policy=removal_policy,
        )
        queue = subscriber.queue or create_queue(
            scope,
            "Queue",
            encryption_key=key,
            retention_period=retention,
            dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=5),
            removal_policy=removal_policy,
        )
        if key is not None and subscriber.dead_letter_queue is None:
            # SNS writes failed deliveries into the dead-letter queue with the queue's key.
            key.grant(
                iam.ServicePrincipal("sns.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*"
            )
        options: dict[str, Any] = {
            "raw_message_delivery": subscriber.raw_message_delivery,
            "dead_letter_queue": dead_letters,
        }
        if subscriber.filter_policy is not None:
            options["filter_policy"] = dict(subscriber.filter_policy)
        if subscriber.filter_policy_with_message_body is not None:
            options["filter_policy_with_message_body"] = dict(
                subscriber.filter_policy_with_message_body
            )
        self.subscriptions[subscriber.name] = self.topic.add_subscription(
            subscriptions.SqsSubscription(queue, **options)
        )
        self.queues[subscriber.name] = queue
        self.dead_letter_queues[subscriber.name] = dead_letters
        for name, alarm in queue_alarms(
            scope,
            queue=queue,
            dead_letter_queue=dead_letters,
            oldest_message_age=age,
            what=f"subscriber {subscriber.name}",
            topic=alarm_topic,
        ).items():
            self.alarms[f"{subscriber.name}/{name}"] = alarm

    def grant_publish(self, grantee: iam.IGrantable) -> iam.Grant:
        """Publish to the topic (and encrypt with its key)."""
        return acknowledged(
            lambda: self.topic.grant_publish(grantee), grantee, f"publishes to {self.node.path}"
        )

    def metric_notifications_failed(self, **kwargs: Any) -> cloudwatch.Metric:
        """Messages SNS could not deliver. Default: sum over 5 minutes."""
        return self.topic.metric_number_of_notifications_failed(**kwargs)
