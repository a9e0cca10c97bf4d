"""Queues as the queue patterns create them: encrypted, TLS-only, with a dead-letter queue."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns._validation import check_duration, is_token
from patterns.alarms import create_alarm, messages_waiting_alarm
from patterns.serverless_function import ServerlessFunction

#: SQS's retention bounds (60 s..14 days) and its longest visibility timeout (12 h).
MIN_RETENTION_SECONDS = 60
MAX_RETENTION_SECONDS = 14 * 24 * 3600
MAX_VISIBILITY_SECONDS = 12 * 3600
#: AWS's advice for a queue that a Lambda function consumes: a visibility timeout of at
#: least six times the function's timeout (plus the batching window), so that a batch
#: that is retried after throttling is not delivered again while it is still being read.
VISIBILITY_FACTOR = 6
# SQS queue names: 1..80 letters, digits, hyphens, underscores (".fifo" counts).
_QUEUE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,75}(\.fifo)?$")


def check_queue_name(name: str, value: str | None, *, fifo: bool) -> None:
    """Raise ``ValueError`` unless SQS accepts ``value`` as the name of a (FIFO) queue."""
    if value is None or is_token(value):
        return
    if not _QUEUE_NAME.match(value) or len(value) > 80:
        raise ValueError(
            f"{name} must be 1 to 80 letters, digits, '-' or '_' (a FIFO queue's ending in "
            f"'.fifo'), got {value!r}"
        )
    if fifo != value.endswith(".fifo"):
        wanted = "must end in '.fifo' (a FIFO queue)" if fifo else "ends in '.fifo' but fifo=False"
        raise ValueError(f"{name} {value!r} {wanted}")


def function_timeout(function: Any) -> cdk.Duration | None:
    """The timeout of a ``ServerlessFunction``, a ``Function`` or an alias of one; ``None``
    for a function defined elsewhere (imported), whose timeout this app cannot see."""
    if isinstance(function, ServerlessFunction):
        function = function.function
    if isinstance(function, lambda_.Alias):
        function = function.version.lambda_
    if isinstance(function, lambda_.Function):
        return function.timeout or cdk.Duration.seconds(3)  # Lambda's default
    return None


def create_queue(
    scope: Construct,
    construct_id: str,
    *,
    fifo: bool = False,
    queue_name: str | None = None,
    content_based_deduplication: bool = False,
    high_throughput_fifo: bool = False,
    visibility_timeout: cdk.Duration | None = None,
    retention_period: cdk.Duration | None = None,
    encryption_key: kms.IKey | None = None,
    dead_letter_queue: sqs.DeadLetterQueue | None = None,
    removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
) -> sqs.Queue:
    """A queue that denies requests without TLS and encrypts with ``encryption_key`` (or
    SQS's own keys). A dead-letter queue's own ``AwsSolutions-SQS3`` is acknowledged."""
    props: dict[str, Any] = {
        "queue_name": queue_name,
        "encryption": sqs.QueueEncryption.KMS
        if encryption_key
        else sqs.QueueEncryption.SQS_MANAGED,
        "encryption_master_key": encryption_key,
        "enforce_ssl": True,
        "visibility_timeout": visibility_timeout,
        "retention_period": retention_period,
        "dead_letter_queue": dead_letter_queue,
        "removal_policy": removal_policy,
    }
    if fifo:
        props.update(fifo=True, content_based_deduplication=content_based_deduplication or None)
        if high_throughput_fifo:
            props.update(
                deduplication_scope=sqs.DeduplicationScope.MESSAGE_GROUP,
                fifo_throughput_limit=sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
            )
    queue = sqs.Queue(scope, construct_id, **props)
    if dead_letter_queue is None:
        cdk.Validations.of(queue).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-SQS3",
                reason="This queue is itself a dead-letter queue; a queue behind it would "
                "only move the same undeliverable messages one hop further.",
            )
        )
    return queue


def queue_alarms(
    scope: Construct,
    *,
    queue: sqs.IQueue,
    dead_letter_queue: sqs.IQueue | None,
    oldest_message_age: cdk.Duration,
    what: str,
    topic: sns.ITopic | None,
) -> dict[str, cloudwatch.Alarm]:
    """``OldestMessageAgeAlarm`` (the backlog's oldest message older than
    ``oldest_message_age`` for 5 minutes) and ``DeadLetterQueueAlarm`` (any message in the
    dead-letter queue), each with the queue's ``QueueName`` dimension."""
    path = scope.node.path
    minute = cdk.Duration.minutes(1)
    alarms = {
        "oldest_message_age": create_alarm(
            scope,
            "OldestMessageAgeAlarm",
            metric=queue.metric_approximate_age_of_oldest_message(
                period=minute, statistic="Maximum"
            ),
            threshold=oldest_message_age.to_seconds(),
            evaluation_periods=5,
            description=f"{path}: {what} lags; the oldest waiting message is over "
            f"{oldest_message_age.to_human_string()} old",
            topic=topic,
        ),
    }
    if dead_letter_queue is not None:
        alarms["dead_letter_queue"] = messages_waiting_alarm(
            scope,
            "DeadLetterQueueAlarm",
            queue=dead_letter_queue,
            description=f"{path}: messages {what} could not handle are in the dead-letter queue",
            topic=topic,
        )
    return alarms


def refuse_queue_settings(given: Mapping[str, Any]) -> None:
    defaults = {"max_receive_count": 5}
    for name, value in given.items():
        if value not in (None, False, defaults.get(name)):
            shown = f"{value.to_seconds():g} s" if isinstance(value, cdk.Duration) else repr(value)
            raise ValueError(
                f"{name}={shown} configures a new queue, but a queue was given: set it on "
                "that queue (its redrive policy, keys and timeouts are its own)"
            )


def visibility_for(
    given: cdk.Duration | None, timeout: cdk.Duration | None, window: float
) -> cdk.Duration:
    if timeout is None or timeout.is_unresolved():
        if given is None:
            raise ValueError(
                "visibility_timeout is required for a function defined elsewhere: its "
                "timeout is unknown here (AWS advises six times it)"
            )
        return given
    seconds = timeout.to_seconds()
    if given is None:
        return cdk.Duration.seconds(
            min(VISIBILITY_FACTOR * seconds + window, MAX_VISIBILITY_SECONDS)
        )
    if not given.is_unresolved() and given.to_seconds() < seconds:
        raise ValueError(
            f"visibility_timeout {given.to_seconds():g} s is shorter than the function's "
            f"timeout ({seconds:g} s): a message would become visible and be delivered "
            "again while its first invocation still runs; AWS advises at least "
            f"{VISIBILITY_FACTOR * seconds + window:g} s (six times the timeout plus the "
            "batching window)"
        )
    return given


def given_dead_letter_queue(queue: sqs.IQueue, given: sqs.IQueue | None) -> sqs.IQueue:
    if given is not None:
        return given
    own = getattr(queue, "dead_letter_queue", None)
    if isinstance(own, sqs.DeadLetterQueue):
        return own.queue
    raise ValueError(
        "dead_letter_queue is required with this queue: it has no redrive policy that this "
        "app can see, and a queue without one retries a poison message until it expires; "
        "pass the queue its redrive policy names"
    )


def alarm_age(given: cdk.Duration | None, retention: cdk.Duration | None) -> cdk.Duration:
    limit = retention.to_seconds() if retention is not None else MAX_RETENTION_SECONDS
    check_duration("oldest_message_age_alarm", given, 60, limit - 1)
    if given is not None:
        return given
    return cdk.Duration.seconds(min(3600, limit // 2))
