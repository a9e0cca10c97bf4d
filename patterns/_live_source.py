"""What feeds a ``LiveUpdates`` broadcaster: a DynamoDB stream or a Kinesis stream, and
the alarms on its delivery."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from patterns._nag import acknowledge_stream_listing
from patterns._stream_alarms import consumer_errors_alarm, dead_letter_alarm
from patterns.alarms import create_alarm
from patterns.serverless_function import ServerlessFunction

#: Stream view types that carry the new image the broadcaster pushes.
NEW_IMAGE_VIEWS = frozenset({"NEW_IMAGE", "NEW_AND_OLD_IMAGES"})
#: Namespace of the delivery-failure metric the log filter counts.
METRICS_NAMESPACE = "ServerlessPatterns/LiveUpdates"
#: The JSON log field (and its value) with which a broadcaster reports a message that
#: could not be delivered for a reason other than a gone connection; ``api_id`` names
#: the API (the metric's dimension).
DELIVERY_FAILED_FIELD, DELIVERY_FAILED_VALUE = "live_updates", "delivery_failed"


def check_source(
    source_table: dynamodb.ITable | None, source_stream: kinesis.IStream | None
) -> str:
    """The ARN the mapping reads: the table's stream or the Kinesis stream (exactly one)."""
    if (source_table is None) == (source_stream is None):
        shown = [None if s is None else s.node.path for s in (source_table, source_stream)]
        raise ValueError(
            "give exactly one of source_table (a DynamoDB table with a stream) and "
            f"source_stream (a Kinesis stream); got source_table={shown[0]}, "
            f"source_stream={shown[1]}"
        )
    if source_stream is not None:
        return source_stream.stream_arn
    table: Any = source_table
    arn = table.table_stream_arn
    if arn is None:
        raise ValueError(
            f"source_table {table.node.path} has no stream: create it with "
            "stream=dynamodb.StreamViewType.NEW_IMAGE, or import it with "
            "Table.from_table_attributes(..., table_stream_arn=...)"
        )
    spec = getattr(table.node.default_child, "stream_specification", None)
    view = getattr(spec, "stream_view_type", None)
    if isinstance(view, str) and view not in NEW_IMAGE_VIEWS:
        raise ValueError(
            f"source_table {table.node.path} streams {view}, which carries no new image to "
            f"push; use one of {', '.join(sorted(NEW_IMAGE_VIEWS))}"
        )
    return str(arn)


def add_source(
    scope: Construct,
    *,
    target: lambda_.IFunction,
    source_table: dynamodb.ITable | None,
    source_stream: kinesis.IStream | None,
    source_arn: str,
    dead_letter_queue: sqs.IQueue,
    options: dict[str, Any],
    grants_scope: IConstruct,
) -> lambda_.EventSourceMapping:
    """The mapping ``EventSourceMapping`` from the stream to ``target``, with read grants:
    partial batch responses, bisect on error, bounded retries and record age, failures
    described in ``dead_letter_queue``; ``grants_scope`` holds the read grant's policy."""
    if source_table is not None:
        source_table.grant_stream_read(target)
        acknowledge_stream_listing(grants_scope, reader="the event source mapping")
    if source_stream is not None:
        source_stream.grant_read(target)
    return lambda_.EventSourceMapping(
        scope,
        "EventSourceMapping",
        target=target,
        event_source_arn=source_arn,
        report_batch_item_failures=True,
        on_failure=event_sources.SqsDlq(dead_letter_queue),
        **options,
    )


def broadcaster_alarms(
    scope: Construct,
    *,
    function: Any,
    target: lambda_.IFunction,
    dead_letter_queue: sqs.IQueue,
    api_id: str,
    topic: sns.ITopic | None,
    iterator_age: cdk.Duration,
) -> dict[str, cloudwatch.Alarm]:
    """Iterator age, failure queue, errors (a ``ServerlessFunction``'s own alarm, else a new
    ``BroadcasterErrorsAlarm``) and, from a ``ServerlessFunction``'s log group, failed
    deliveries. ``function`` is what the caller passed, ``target`` what the mapping invokes."""
    minute, five_minutes = cdk.Duration.minutes(1), cdk.Duration.minutes(5)
    path = scope.node.path
    alarms = {
        "iterator_age": create_alarm(
            scope,
            "IteratorAgeAlarm",
            metric=target.metric("IteratorAge", statistic="Maximum", period=minute),
            threshold=iterator_age.to_milliseconds(),
            evaluation_periods=3,
            description=f"{path}: changes reach clients late; the oldest unsent change is "
            f"over {iterator_age.to_human_string()} old",
            topic=topic,
        ),
        "dead_letter_queue": dead_letter_alarm(
            scope,
            dead_letter_queue,
            f"{path}: changes were never broadcast; their positions are in the dead-letter queue",
            topic,
        ),
        "broadcaster_errors": consumer_errors_alarm(
            scope,
            "BroadcasterErrorsAlarm",
            function=function,
            target=target,
            description=f"{path}: the broadcaster failed batches",
            topic=topic,
        ),
    }
    if not isinstance(function, ServerlessFunction):
        return alarms
    filter_ = logs.MetricFilter(
        scope,
        "DeliveryFailures",
        log_group=function.log_group,
        filter_pattern=logs.FilterPattern.string_value(
            f"$.{DELIVERY_FAILED_FIELD}", "=", DELIVERY_FAILED_VALUE
        ),
        metric_namespace=METRICS_NAMESPACE,
        metric_name="DeliveryFailures",
        metric_value="1",
        dimensions={"ApiId": "$.api_id"},
    )
    alarms["delivery_failures"] = create_alarm(
        scope,
        "DeliveryFailuresAlarm",
        metric=filter_.metric(
            statistic="Sum", period=five_minutes, dimensions_map={"ApiId": api_id}
        ),
        threshold=1,
        description=f"{path}: PostToConnection failed for live connections (not gone ones)",
        topic=topic,
    )
    return alarms
