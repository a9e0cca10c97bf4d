"""``QueueProcessor``: an SQS queue that a Lambda function drains in batches, for load levelling."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns._aws_limits import check_filters
from patterns._grants import acknowledged
from patterns._metadata import mark_pattern
from patterns._overrides import merged, use_argument
from patterns._queues import (
    MAX_RETENTION_SECONDS,
    MAX_VISIBILITY_SECONDS,
    MIN_RETENTION_SECONDS,
    alarm_age,
    check_queue_name,
    create_queue,
    function_timeout,
    given_dead_letter_queue,
    queue_alarms,
    refuse_queue_settings,
    visibility_for,
)
from patterns._stream_alarms import consumer_errors_alarm
from patterns._targets import acknowledge_synchronous_invocation, target_function
from patterns._types import checked
from patterns._validation import check_duration, check_range
from patterns.serverless_function import ServerlessFunction

#: ``QueueProcessor(event_source_props=...)`` onto ``lambda_.EventSourceMapping``.
QUEUE_SOURCE_GUARDS = {
    "target": use_argument("function"),
    "event_source_arn": use_argument("queue"),
    "batch_size": use_argument("batch_size"),
    "max_concurrency": use_argument("max_concurrency"),
    "report_batch_item_failures": use_argument("report_batch_item_failures"),
}
#: Settings of a new queue, refused with a given one (they belong to that queue).
_QUEUE_SETTINGS = (
    "fifo",
    "queue_name",
    "content_based_deduplication",
    "high_throughput_fifo",
    "visibility_timeout",
    "retention_period",
    "encryption_key",
    "max_receive_count",
)


class QueueProcessor(Construct):
    """An encrypted, TLS-only SQS queue whose messages a Lambda function processes in
    batches, so bursts wait in the queue instead of throttling the function.

    Children: ``DeadLetterQueue`` and ``Queue`` (unless a queue is given),
    ``EventSourceMapping``, and the alarms ``OldestMessageAgeAlarm``,
    ``DeadLetterQueueAlarm`` and ``ErrorsAlarm`` (only for a plain ``IFunction``: a
    ``ServerlessFunction`` brings its own).

    A message whose processing fails becomes visible again after the visibility timeout
    and is retried; after ``max_receive_count`` receipts SQS moves it to the dead-letter
    queue (the redrive policy), so a poison message neither blocks the queue nor is lost.
    With partial batch responses the function returns the ids of the failed messages and
    only those are retried, so the rest of a batch is not processed twice.

    :param function: the consumer: a ``ServerlessFunction`` (its ``live`` alias is invoked)
        or any ``lambda_.IFunction``; an imported one needs its ``role=`` (the consume
        grant lands there). Required.
    :param queue: an existing queue (``sqs.Queue.from_queue_arn`` too); then none is
        created and the queue settings below are refused. Default: a new queue.
    :param dead_letter_queue: with a given ``queue``: the queue its redrive policy moves
        failed messages to (watched by ``DeadLetterQueueAlarm``); required unless the given
        queue is an ``sqs.Queue`` that has one. Default: a new queue (14 days' retention).
    :param fifo: a FIFO queue: exactly-once delivery, order kept per message group (senders
        pass ``MessageGroupId``; the function sees one group's messages in order). Default: False.
    :param queue_name: physical name (a FIFO queue's ends in ``.fifo``). Default: generated.
    :param content_based_deduplication: FIFO only: deduplicate by the body's SHA-256
        instead of the sender's ``MessageDeduplicationId``. Default: False.
    :param high_throughput_fifo: FIFO only: throughput limit and deduplication per message
        group. Default: False.
    :param visibility_timeout: how long a received message stays hidden, at least the
        function's timeout, at most 12 h. Default: six times the function's timeout plus
        the batching window (AWS's advice); required for an imported function.
    :param retention_period: how long messages wait, 60 s..14 days. Default: 4 days.
    :param max_receive_count: receipts before a message moves to the dead-letter queue,
        1..1000. Default: 5 (AWS's advice for Lambda: fewer sends throttled messages there).
    :param encryption_key: customer-managed KMS key of the new queues. Default: SQS-managed
        encryption (SSE-SQS).
    :param removal_policy: for the new queues. Default: RETAIN.
    :param batch_size: messages per invocation, 1..10000 (1..10 for FIFO); above 10 needs a
        ``max_batching_window``. Default: 10.
    :param max_batching_window: wait to fill a batch, 0..300 s (standard queues only).
        Default: none (0 s).
    :param max_concurrency: most concurrent invocations the queue causes, 2..1000: a cap
        that levels the load on whatever the function writes to. Default: none (Lambda
        scales up to the account's or the function's reserved concurrency).
    :param report_batch_item_failures: the function returns the failed messages (partial
        batch response) instead of failing the whole batch. Default: True.
    :param filters: event filter patterns; messages that match none are deleted
        unprocessed. Default: none.
    :param enabled: whether the mapping polls the queue. Default: True.
    :param oldest_message_age_alarm: ``OldestMessageAgeAlarm`` fires when the oldest waiting
        message is older than this for 5 minutes; less than the retention. Default: 1 hour
        (or half the retention, when that is shorter).
    :param alarm_topic: SNS topic the alarms notify. Default: no action.
    :param event_source_props: escape hatch merged last into ``lambda_.EventSourceMapping``;
        keys an argument above sets are refused. Default: none.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: ServerlessFunction | lambda_.IFunction,
        queue: sqs.IQueue | None = None,
        dead_letter_queue: sqs.IQueue | None = None,
        fifo: bool = False,
        queue_name: str | None = None,
        content_based_deduplication: bool = False,
        high_throughput_fifo: bool = False,
        visibility_timeout: cdk.Duration | None = None,
        retention_period: cdk.Duration | None = None,
        max_receive_count: int = 5,
        encryption_key: kms.IKey | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        batch_size: int = 10,
        max_batching_window: cdk.Duration | None = None,
        max_concurrency: int | None = None,
        report_batch_item_failures: bool = True,
        filters: Sequence[Mapping[str, Any]] | None = None,
        enabled: bool = True,
        oldest_message_age_alarm: cdk.Duration | None = None,
        alarm_topic: sns.ITopic | None = None,
        event_source_props: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        given = {k: v for k, v in locals().items() if k in _QUEUE_SETTINGS}
        if queue is not None:
            refuse_queue_settings(given)
            fifo = bool(getattr(queue, "fifo", False))
        check_queue_name("queue_name", queue_name, fifo=fifo)
        for name in ("content_based_deduplication", "high_throughput_fifo"):
            if given.get(name) and not fifo:
                raise ValueError(f"{name}=True needs fifo=True (it applies to FIFO queues only)")
        check_range("batch_size", batch_size, 1, 10 if fifo else 10_000, "messages")
        check_duration("max_batching_window", max_batching_window, 0, 300)
        window = 0 if max_batching_window is None else max_batching_window.to_seconds()
        if fifo and window:
            raise ValueError("max_batching_window is not supported with a FIFO queue; leave it out")
        if batch_size > 10 and window == 0 and not cdk.Token.is_unresolved(batch_size):
            raise ValueError(
                f"batch_size {batch_size} needs max_batching_window of at least 1 second "
                "(Lambda requires one for SQS batches of more than 10 messages)"
            )
        check_range("max_concurrency", max_concurrency, 2, 1000, "concurrent invocations")
        check_range("max_receive_count", max_receive_count, 1, 1000, "receipts")
        check_duration(
            "retention_period", retention_period, MIN_RETENTION_SECONDS, MAX_RETENTION_SECONDS
        )
        check_duration("visibility_timeout", visibility_timeout, 0, MAX_VISIBILITY_SECONDS)
        check_filters("filters", filters)
        retention = retention_period or cdk.Duration.days(4)

        #: The function the mapping invokes: the ``live`` alias of a ``ServerlessFunction``.
        self.function: lambda_.IFunction = target_function(
            function, grants="consuming the queue", invoked_by="the event source mapping"
        )
        acknowledge_synchronous_invocation(function, "The SQS event source mapping")
        timeout = function_timeout(function)
        if queue is None:
            visibility = visibility_for(visibility_timeout, timeout, window)
            #: Where messages go after ``max_receive_count`` failed receipts.
            self.dead_letter_queue: sqs.IQueue = create_queue(
                self,
                "DeadLetterQueue",
                fifo=fifo,
                encryption_key=encryption_key,
                retention_period=cdk.Duration.days(14),
                removal_policy=removal_policy,
            )
            #: The queue the function drains (given or created).
            self.queue: sqs.IQueue = create_queue(
                self,
                "Queue",
                fifo=fifo,
                queue_name=queue_name,
                content_based_deduplication=content_based_deduplication,
                high_throughput_fifo=high_throughput_fifo,
                visibility_timeout=visibility,
                retention_period=retention,
                encryption_key=encryption_key,
                dead_letter_queue=sqs.DeadLetterQueue(
                    queue=self.dead_letter_queue, max_receive_count=max_receive_count
                ),
                removal_policy=removal_policy,
            )
        else:
            self.queue = queue
            self.dead_letter_queue = given_dead_letter_queue(queue, dead_letter_queue)
        consume = self.queue.grant_consume_messages(self.function)

        props: dict[str, Any] = {
            "target": self.function,
            "event_source_arn": self.queue.queue_arn,
            "batch_size": batch_size,
            "max_batching_window": max_batching_window,
            "max_concurrency": max_concurrency,
            "report_batch_item_failures": report_batch_item_failures,
            "filters": list(filters) if filters else None,
            "enabled": enabled,
        }
        props = merged("event_source_props", props, event_source_props, QUEUE_SOURCE_GUARDS)
        #: The event source mapping (SQS to the function).
        self.event_source = lambda_.EventSourceMapping(self, "EventSourceMapping", **props)
        # Lambda checks the role's access to the queue when it creates the mapping.
        consume.apply_before(self.event_source)

        age = alarm_age(oldest_message_age_alarm, retention if queue is None else None)
        #: Alarms by name: ``oldest_message_age``, ``dead_letter_queue``, ``errors``.
        self.alarms: dict[str, cloudwatch.Alarm] = queue_alarms(
            self,
            queue=self.queue,
            dead_letter_queue=self.dead_letter_queue,
            oldest_message_age=age,
            what="the queue's consumer",
            topic=alarm_topic,
        )
        self.alarms["errors"] = consumer_errors_alarm(
            self,
            "ErrorsAlarm",
            function=function,
            target=self.function,
            description=f"{self.node.path}: the queue consumer failed batches",
            topic=alarm_topic,
        )

    def grant_send_messages(self, grantee: iam.IGrantable) -> iam.Grant:
        """Send messages to the queue (and encrypt them with its key). A FIFO queue's
        senders pass ``MessageGroupId`` (and a ``MessageDeduplicationId`` unless the queue
        deduplicates by content)."""
        return acknowledged(
            lambda: self.queue.grant_send_messages(grantee), grantee, f"sends to {self.node.path}"
        )

    def metric_oldest_message_age(self, **kwargs: Any) -> cloudwatch.Metric:
        """Age of the oldest waiting message (seconds). Default: maximum over 5 minutes."""
        return self.queue.metric_approximate_age_of_oldest_message(
            **{"statistic": "Maximum", **kwargs}
        )

    def metric_visible_messages(self, **kwargs: Any) -> cloudwatch.Metric:
        """Messages waiting to be received (the backlog). Default: maximum over 5 minutes."""
        return self.queue.metric_approximate_number_of_messages_visible(
            **{"statistic": "Maximum", **kwargs}
        )
