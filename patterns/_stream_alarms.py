"""The alarms of a ``StreamProcessor``: its consumer, its stream and its failure queue."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns.alarms import create_alarm, messages_waiting_alarm
from patterns.serverless_function import ServerlessFunction

#: Read throttling that alarms: CloudWatch's recommended alarm on the stream's
#: ``ReadProvisionedThroughputExceeded`` (the share of GetRecords calls throttled, as an
#: average), above 1% in each of 15 consecutive minutes.
READ_THROTTLE_FRACTION = 0.01
READ_THROTTLE_MINUTES = 15


def processor_alarms(
    scope: Construct,
    *,
    function: ServerlessFunction | lambda_.IFunction,
    target: lambda_.IFunction,
    stream: kinesis.IStream,
    dead_letter_queue: sqs.IQueue,
    topic: sns.ITopic | None,
    iterator_age_seconds: float,
) -> dict[str, cloudwatch.Alarm]:
    """The alarms by name, each notifying ``topic`` when one is given.

    ``function`` is what the caller passed (a ``ServerlessFunction`` brings its own errors
    alarm); ``target`` is what the mapping invokes (its metrics carry the alias).
    """
    minute, five_minutes = cdk.Duration.minutes(1), cdk.Duration.minutes(5)
    path = scope.node.path
    return {
        "iterator_age": create_alarm(
            scope,
            "IteratorAgeAlarm",
            metric=target.metric(
                "IteratorAge", statistic="Maximum", period=minute, unit=cloudwatch.Unit.MILLISECONDS
            ),
            threshold=round(iterator_age_seconds * 1000),
            evaluation_periods=5,
            description=f"{path}: processing lags; the oldest unread record is "
            f"over {iterator_age_seconds:g} s old and records may be lost",
            topic=topic,
        ),
        "throttles": create_alarm(
            scope,
            "ThrottlesAlarm",
            metric=target.metric_throttles(period=five_minutes, statistic="Sum"),
            threshold=1,
            description=f"{path}: the stream consumer was throttled",
            topic=topic,
        ),
        "read_throttles": create_alarm(
            scope,
            "ReadThrottlesAlarm",
            metric=stream.metric_read_provisioned_throughput_exceeded(
                period=minute, statistic="Average"
            ),
            threshold=READ_THROTTLE_FRACTION,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=READ_THROTTLE_MINUTES,
            description=f"{path}: over {READ_THROTTLE_FRACTION:.0%} of the stream's reads "
            f"were throttled for {READ_THROTTLE_MINUTES} minutes; its readers share each "
            "shard's read limit and fall behind",
            topic=topic,
        ),
        "dead_letter_queue": dead_letter_alarm(
            scope,
            dead_letter_queue,
            f"{path}: records could not be processed; their positions are in the dead-letter queue",
            topic,
        ),
        "errors": consumer_errors_alarm(
            scope,
            "ErrorsAlarm",
            function=function,
            target=target,
            description=f"{path}: the stream consumer failed batches",
            topic=topic,
        ),
    }


def dead_letter_alarm(
    scope: Construct, queue: sqs.IQueue, description: str, topic: sns.ITopic | None
) -> cloudwatch.Alarm:
    """``DeadLetterQueueAlarm``: any message visible in an event source's failure queue."""
    return messages_waiting_alarm(
        scope, "DeadLetterQueueAlarm", queue=queue, description=description, topic=topic
    )


def consumer_errors_alarm(
    scope: Construct,
    construct_id: str,
    *,
    function: ServerlessFunction | lambda_.IFunction,
    target: lambda_.IFunction,
    description: str,
    topic: sns.ITopic | None,
) -> cloudwatch.Alarm:
    """A ``ServerlessFunction``'s own errors alarm, else a new one on ``target`` (what the
    event source mapping invokes): any error in a minute."""
    if isinstance(function, ServerlessFunction):
        return function.errors_alarm
    return create_alarm(
        scope,
        construct_id,
        metric=target.metric_errors(period=cdk.Duration.minutes(1), statistic="Sum"),
        threshold=1,
        description=description,
        topic=topic,
    )
