"""``StreamProcessor``: a Kinesis data stream consumed by a Lambda function, with alarms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from patterns._aws_limits import check_filters
from patterns._grants import acknowledged
from patterns._imported import stream_retention
from patterns._metadata import mark_pattern
from patterns._override_guards import EVENT_SOURCE_GUARDS
from patterns._overrides import merged
from patterns._stream import MIN_RETENTION, check_stream_options, create_encrypted_stream
from patterns._stream_alarms import processor_alarms
from patterns._targets import (
    acknowledge_synchronous_invocation,
    ensure_dead_letter_queue,
    target_function,
)
from patterns._types import checked
from patterns._validation import cfn_child, check_duration, check_range
from patterns.serverless_function import ServerlessFunction

#: Lambda's longest maximum record age for stream sources (7 days).
MAX_RECORD_AGE_SECONDS = 7 * 24 * 3600


class StreamProcessor(Construct):
    """An encrypted Kinesis data stream whose records a Lambda function processes in batches.

    Children: ``Stream`` (unless a stream is given), ``Consumer`` (with
    enhanced fan-out), ``DeadLetterQueue`` (unless one is given), ``EventSourceMapping`` and
    the alarms ``IteratorAgeAlarm``, ``ErrorsAlarm`` (only for a plain ``IFunction``: a
    ``ServerlessFunction`` brings its own), ``ThrottlesAlarm``, ``ReadThrottlesAlarm`` and
    ``DeadLetterQueueAlarm``.

    ``ReadThrottlesAlarm`` watches the stream's own ``ReadProvisionedThroughputExceeded``
    (dimension ``StreamName``): every shared-throughput reader of the stream (this mapping,
    a Firehose archive, other consumers) shares each shard's 5 reads and 2 MB per second,
    and a throttled reader falls behind without failing. It fires when more than 1% of the
    stream's reads are throttled for 15 minutes in a row (CloudWatch's recommended alarm),
    so the occasional throttled poll that the readers retry does not page anyone.

    Failed batches are split (bisect) and retried a bounded number of times; records that
    still fail, or grow older than ``max_record_age``, are described in the dead-letter
    queue (Lambda sends the shard and sequence numbers, not the data: the records stay in
    the stream for its retention period).

    :param function: the consumer: a ``ServerlessFunction`` (its ``live`` alias is invoked)
        or any ``lambda_.IFunction``; an imported one needs its ``role=`` (the read grants land
        there) and must be in this stack's account and region (``same_environment=True``
        in an environment-agnostic stack), else ``ValueError``. Required.
    :param stream: an existing stream, e.g. ``Stream.from_stream_arn``. Default: a new one.
    :param stream_mode: mode of the new stream. Default: ``ON_DEMAND``.
    :param shard_count: shards of a new ``PROVISIONED`` stream. Default: 1.
    :param retention_period: retention of the new stream, 24 h..365 days; for a given
        stream, its retention, so the alarms and record age fit (required for an imported
        stream). Default: 24 h, or a given ``kinesis.Stream``'s own.
    :param encryption_key: customer-managed KMS key of the new stream. Default: the
        AWS-managed ``aws/kinesis`` key.
    :param removal_policy: for the new stream and the new queue. Default: RETAIN.
    :param batch_size: records per invocation, 1..10000. Default: 100.
    :param max_batching_window: wait to fill a batch, 0..300 s. Default: none (0 s).
    :param parallelization_factor: concurrent batches per shard, 1..10. Default: 1 (order
        per shard; above 1 order is kept per partition key only).
    :param starting_position: where a new mapping starts reading. Default: ``TRIM_HORIZON``
        (nothing already in the stream is skipped).
    :param starting_position_timestamp: Unix time for ``AT_TIMESTAMP``, required with it only.
    :param bisect_batch_on_error: split a failing batch to isolate bad records. Default: True.
    :param retry_attempts: retries of a failing batch, 0..10000, or -1 (until records
        expire) together with ``allow_infinite_retries=True``. Default: 3.
    :param allow_infinite_retries: the explicit consent ``retry_attempts=-1`` needs.
        Default: False.
    :param max_record_age: records older than this go to the dead-letter queue, 60 s..7 days.
        Default: the stream's retention, at most 7 days.
    :param report_batch_item_failures: the function returns the failed records (partial
        batch response) instead of failing the whole batch. Default: True.
    :param dead_letter_queue: on-failure destination. Default: a new SSE-encrypted,
        TLS-only queue keeping messages 14 days.
    :param tumbling_window: aggregation window of stateful processing, 0..900 s. Default: none.
    :param filters: event filter patterns (``lambda_.FilterCriteria.filter({...})``); records
        that match none are dropped unprocessed. Default: none (every record is processed).
    :param enhanced_fan_out: read through a dedicated consumer (its own 2 MB/s per shard and
        push delivery: lower latency, more readers, at extra cost). Default: False.
    :param enabled: whether the mapping reads the stream. Default: True.
    :param alarm_topic: SNS topic notified by the alarms. Default: no action. (The errors
        alarm of a ``ServerlessFunction`` is its own: it notifies that function's topic.)
    :param iterator_age_alarm_fraction: the iterator-age alarm fires when the oldest unread
        record is older than this fraction of the time a record can wait before it is lost
        (the retention, or ``max_record_age`` when shorter), 0.05..1. Default: 0.5.
    :param event_source_props: escape hatch: keyword arguments merged last into
        ``lambda_.EventSourceMapping``. A key that would weaken a secure default, or that
        an argument above sets, is refused with a ``ValueError`` saying what to pass instead.
        Default: none.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: ServerlessFunction | lambda_.IFunction,
        stream: kinesis.IStream | None = None,
        stream_mode: kinesis.StreamMode | None = None,
        shard_count: int | None = None,
        retention_period: cdk.Duration | None = None,
        encryption_key: kms.IKey | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        batch_size: int = 100,
        max_batching_window: cdk.Duration | None = None,
        parallelization_factor: int = 1,
        starting_position: lambda_.StartingPosition = lambda_.StartingPosition.TRIM_HORIZON,
        starting_position_timestamp: float | None = None,
        bisect_batch_on_error: bool = True,
        retry_attempts: int = 3,
        allow_infinite_retries: bool = False,
        max_record_age: cdk.Duration | None = None,
        report_batch_item_failures: bool = True,
        dead_letter_queue: sqs.IQueue | None = None,
        tumbling_window: cdk.Duration | None = None,
        filters: Sequence[Mapping[str, Any]] | None = None,
        enhanced_fan_out: bool = False,
        enabled: bool = True,
        alarm_topic: sns.ITopic | None = None,
        iterator_age_alarm_fraction: float = 0.5,
        event_source_props: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        check_stream_options(
            stream=stream,
            stream_mode=stream_mode,
            shard_count=shard_count,
            retention_period=retention_period,
            encryption_key=encryption_key,
        )
        check_range("batch_size", batch_size, 1, 10_000, "records")
        check_duration("max_batching_window", max_batching_window, 0, 300)
        check_range("parallelization_factor", parallelization_factor, 1, 10)
        check_range("retry_attempts", retry_attempts, -1, 10_000)
        if retry_attempts == -1 and not allow_infinite_retries:
            raise ValueError(
                "retry_attempts=-1 retries a failing batch until its records expire and blocks "
                "the shard meanwhile; pass allow_infinite_retries=True to ask for it explicitly"
            )
        check_duration("max_record_age", max_record_age, 60, MAX_RECORD_AGE_SECONDS)
        check_duration("tumbling_window", tumbling_window, 0, 900)
        check_range("iterator_age_alarm_fraction", iterator_age_alarm_fraction, 0.05, 1)
        check_filters("filters", filters)
        _check_starting_position(starting_position, starting_position_timestamp)
        if not isinstance(function, ServerlessFunction) and not hasattr(function, "function_arn"):
            raise TypeError(
                "function must be a ServerlessFunction or a lambda_.IFunction, "
                f"got {type(function).__name__}"
            )

        #: The stream (given or created).
        self.stream: kinesis.IStream = stream or create_encrypted_stream(
            self,
            "Stream",
            stream_mode=stream_mode,
            shard_count=shard_count,
            retention_period=retention_period,
            encryption_key=encryption_key,
            removal_policy=removal_policy,
        )
        #: The function the mapping invokes: the ``live`` alias of a ``ServerlessFunction``.
        self.function: lambda_.IFunction = target_function(
            function, grants="reading the stream", invoked_by="the event source mapping"
        )
        acknowledge_synchronous_invocation(function, "The Kinesis event source mapping")
        #: Where descriptions of records that could not be processed go.
        self.dead_letter_queue: sqs.IQueue = ensure_dead_letter_queue(
            self, "DeadLetterQueue", dead_letter_queue, removal_policy=removal_policy
        )
        #: The enhanced fan-out consumer, when asked for.
        self.consumer: kinesis.StreamConsumer | None = None
        source_arn = self.stream.stream_arn
        if enhanced_fan_out:
            consumer_id = "Consumer"
            self.consumer = kinesis.StreamConsumer(
                self,
                consumer_id,
                stream=self.stream,
                stream_consumer_name=cdk.Names.unique_resource_name(
                    self, max_length=100, separator="-"
                )
                + f"-{consumer_id}",
            )
            self.consumer.grant_read(self.function)
            source_arn = self.consumer.stream_consumer_arn
        else:
            self.stream.grant_read(self.function)

        retention = stream_retention(stream, retention_period, MIN_RETENTION)
        lifetime = min(retention.to_seconds(), MAX_RECORD_AGE_SECONDS)
        age = max_record_age or cdk.Duration.seconds(lifetime)
        props: dict[str, Any] = {
            "target": self.function,
            "event_source_arn": source_arn,
            "batch_size": batch_size,
            "max_batching_window": max_batching_window,
            "parallelization_factor": parallelization_factor,
            "starting_position": starting_position,
            "starting_position_timestamp": starting_position_timestamp,
            "bisect_batch_on_error": bisect_batch_on_error,
            # CDK rejects -1; leaving it out is CloudFormation's "infinite" (-1), set below.
            "retry_attempts": None if retry_attempts == -1 else retry_attempts,
            "max_record_age": age,
            "report_batch_item_failures": report_batch_item_failures,
            "on_failure": event_sources.SqsDlq(self.dead_letter_queue),
            "tumbling_window": tumbling_window,
            "filters": list(filters) if filters else None,
            "enabled": enabled,
        }
        props = merged("event_source_props", props, event_source_props, EVENT_SOURCE_GUARDS)
        #: The event source mapping.
        self.event_source_mapping = lambda_.EventSourceMapping(self, "EventSourceMapping", **props)
        if retry_attempts == -1:
            cfn_mapping = cfn_child(self.event_source_mapping, lambda_.CfnEventSourceMapping)
            cfn_mapping.maximum_retry_attempts = -1

        wait_limit = min(lifetime, age.to_seconds()) if not age.is_unresolved() else lifetime
        #: Alarms by name: ``iterator_age``, ``errors``, ``throttles``,
        #: ``read_throttles`` and ``dead_letter_queue``.
        self.alarms: dict[str, cloudwatch.Alarm] = processor_alarms(
            self,
            function=function,
            target=self.function,
            stream=self.stream,
            dead_letter_queue=self.dead_letter_queue,
            topic=alarm_topic,
            iterator_age_seconds=wait_limit * iterator_age_alarm_fraction,
        )

    def grant_put_records(self, grantee: iam.IGrantable) -> iam.Grant:
        """Write records to the stream (and encrypt them with its key)."""
        return acknowledged(
            lambda: self.stream.grant_write(grantee), grantee, f"writes to {self.node.path}"
        )

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Read the stream (and decrypt it with its key)."""
        return acknowledged(
            lambda: self.stream.grant_read(grantee), grantee, f"reads of {self.node.path}"
        )

    def metric_iterator_age(self, **kwargs: Any) -> cloudwatch.Metric:
        """How far behind the stream's newest record the function is (ms). Default:
        maximum over 1 minute."""
        return self.function.metric(
            "IteratorAge", **{"statistic": "Maximum", "period": cdk.Duration.minutes(1), **kwargs}
        )

    def metric_incoming_records(self, **kwargs: Any) -> cloudwatch.Metric:
        """Records put into the stream. Default: sum over 5 minutes."""
        return self.stream.metric_incoming_records(**kwargs)


def _check_starting_position(position: lambda_.StartingPosition, timestamp: float | None) -> None:
    if position == lambda_.StartingPosition.AT_TIMESTAMP:
        if timestamp is None:
            raise ValueError("starting_position AT_TIMESTAMP needs starting_position_timestamp")
    elif timestamp is not None:
        raise ValueError(
            f"starting_position_timestamp only applies to AT_TIMESTAMP, got {position}"
        )
