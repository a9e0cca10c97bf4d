"""``StreamArchive``: Kinesis Data Firehose delivering a stream's records to S3."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns._metadata import mark_pattern
from patterns._nag import KEY_ENCRYPT_DECRYPT_ACTIONS, acknowledge_wildcards
from patterns._override_guards import DELIVERY_STREAM_GUARDS
from patterns._overrides import merged
from patterns._targets import acknowledge_synchronous_invocation
from patterns._types import checked
from patterns._validation import check_duration, check_range
from patterns.alarms import create_alarm
from patterns.secure_bucket import SecureBucket, access_logs_bucket
from patterns.serverless_function import ServerlessFunction

#: Hive-style time partitions Firehose fills from each record's arrival time.
# Id of the mapping of Firehose CIDR blocks that the L2 adds to the stack ("/" becomes "--").
_CIDR_MAPPING = "@aws-cdk--aws-kinesisfirehose.CidrBlocks"
TIME_PARTITIONS = (
    "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/"
)


class StreamArchive(Construct):
    """A Firehose delivery stream that lands records in S3 under time-partitioned keys.

    Objects land under ``<data_prefix>year=YYYY/month=MM/day=DD/hour=HH/``; records Firehose
    could not deliver or transform under ``<error_prefix><error type>/year=.../``. With a
    transformation function, the untransformed source records are also backed up under
    ``<backup_prefix>year=.../`` so a faulty transformation can be replayed. Children:
    ``Bucket`` (unless given), ``AccessLogsBucket`` (when creating the bucket without a
    ``server_access_logs_bucket``), ``LogGroup`` (Firehose's delivery errors), ``Resource``
    (the delivery stream) and ``FreshnessAlarm``.

    :param source_stream: Kinesis stream Firehose reads. Default: none (direct put; producers
        call ``PutRecord``/``PutRecordBatch``, see ``grant_put_records``).
    :param bucket: destination bucket, e.g. ``Bucket.from_bucket_name``. Default: a new
        ``SecureBucket``.
    :param removal_policy: for the new buckets and the log group. Default: RETAIN.
    :param server_access_logs_bucket: where the new bucket's S3 server access logs go.
        Default: a new ``AccessLogsBucket`` (logs kept one year) when the bucket is created.
    :param buffering_size: object size that triggers a delivery, 1..128 MiB. Default: 64 MiB
        (larger objects: fewer S3 PUTs and fewer, larger files for queries).
    :param buffering_interval: longest wait before a delivery, 0..900 s. Default: 300 s.
    :param compression: object compression. Default: GZIP.
    :param transformation: function that transforms each batch (a ``ServerlessFunction``'s
        ``live`` alias is invoked). Default: none (records are stored as sent).
    :param transformation_buffer_size: input per transformation call, 1..3 MiB. Default: 3 MiB
        (the most, so the fewest invocations).
    :param transformation_buffer_interval: longest wait for a transformation call, 60..900 s.
        Default: 60 s.
    :param data_prefix: key prefix of delivered objects, ending in ``/``. Default: ``"data/"``.
    :param error_prefix: key prefix of failed records, ending in ``/``. Default: ``"errors/"``.
    :param backup_prefix: key prefix of source records backed up when transforming, ending in
        ``/``. Default: ``"source/"``.
    :param encryption_key: KMS key for the new bucket's objects and, with direct put, for the
        delivery stream. Default: SSE-S3 objects; direct put uses an AWS-owned key. (With a
        source stream, the stream's own encryption covers the records at rest.)
    :param log_retention: retention of the delivery error logs. Default: one month.
    :param alarm_topic: SNS topic notified by the freshness alarm. Default: no action.
    :param freshness_threshold: age of the oldest undelivered record that raises the alarm,
        60 s..24 h. Default: twice ``buffering_interval``, at least 15 minutes.
    :param delivery_stream_props: escape hatch: keyword arguments merged last into
        ``firehose.DeliveryStream``. A key that would weaken a secure default, or that an argument
        above sets, is refused with a ``ValueError`` saying what to pass instead.
        Default: none.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        source_stream: kinesis.IStream | None = None,
        bucket: s3.IBucket | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        server_access_logs_bucket: s3.IBucket | None = None,
        buffering_size: cdk.Size | None = None,
        buffering_interval: cdk.Duration | None = None,
        compression: firehose.Compression | None = None,
        transformation: ServerlessFunction | lambda_.IFunction | None = None,
        transformation_buffer_size: cdk.Size | None = None,
        transformation_buffer_interval: cdk.Duration | None = None,
        data_prefix: str = "data/",
        error_prefix: str = "errors/",
        backup_prefix: str = "source/",
        encryption_key: kms.IKey | None = None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        alarm_topic: sns.ITopic | None = None,
        freshness_threshold: cdk.Duration | None = None,
        delivery_stream_props: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        size = buffering_size or cdk.Size.mebibytes(64)
        interval = buffering_interval or cdk.Duration.seconds(300)
        _check_size("buffering_size", size, 1, 128)
        check_duration("buffering_interval", interval, 0, 900)
        _check_size("transformation_buffer_size", transformation_buffer_size, 1, 3)
        check_duration("transformation_buffer_interval", transformation_buffer_interval, 60, 900)
        check_duration("freshness_threshold", freshness_threshold, 60, 24 * 3600)
        for name, prefix in (
            ("data_prefix", data_prefix),
            ("error_prefix", error_prefix),
            ("backup_prefix", backup_prefix),
        ):
            _check_prefix(name, prefix)
        if len({data_prefix, error_prefix, backup_prefix}) < 3:
            raise ValueError(
                "data_prefix, error_prefix and backup_prefix must differ, got "
                f"{data_prefix!r}, {error_prefix!r}, {backup_prefix!r}"
            )
        if transformation is None and (
            transformation_buffer_size or transformation_buffer_interval
        ):
            raise ValueError("transformation_buffer_size/interval need a transformation function")

        #: Bucket receiving the new bucket's server access logs (``None`` for a given bucket).
        self.access_logs_bucket: s3.IBucket | None = None
        if bucket is None and server_access_logs_bucket is None:
            self.access_logs_bucket = self._new_access_logs_bucket(removal_policy)
        #: The destination bucket (given or created).
        self.bucket: s3.IBucket = (
            bucket
            or SecureBucket(
                self,
                "Bucket",
                encryption_key=encryption_key,
                removal_policy=removal_policy,
                server_access_logs_bucket=server_access_logs_bucket or self.access_logs_bucket,
            ).bucket
        )
        log_group = logs.LogGroup(
            self, "LogGroup", retention=log_retention, removal_policy=removal_policy
        )
        logging = firehose.EnableLogging(log_group)
        processor = None
        backup = None
        if transformation is not None:
            acknowledge_synchronous_invocation(transformation, "Kinesis Data Firehose")
            target = (
                transformation.alias
                if isinstance(transformation, ServerlessFunction)
                else transformation
            )
            processor = firehose.LambdaFunctionProcessor(
                target,
                buffer_size=transformation_buffer_size or cdk.Size.mebibytes(3),
                buffer_interval=transformation_buffer_interval,
            )
            backup = firehose.DestinationS3BackupProps(
                mode=firehose.BackupMode.ALL,
                bucket=self.bucket,
                data_output_prefix=backup_prefix + TIME_PARTITIONS,
                error_output_prefix=f"{error_prefix}backup/!{{firehose:error-output-type}}/",
                buffering_size=size,
                buffering_interval=interval,
                compression=compression or firehose.Compression.GZIP,
                logging_config=logging,
            )
        destination = firehose.S3Bucket(
            self.bucket,
            buffering_size=size,
            buffering_interval=interval,
            compression=compression or firehose.Compression.GZIP,
            data_output_prefix=data_prefix + TIME_PARTITIONS,
            error_output_prefix=f"{error_prefix}!{{firehose:error-output-type}}/"
            + TIME_PARTITIONS.split("hour=")[0],
            logging_config=logging,
            processors=[processor] if processor else None,
            s3_backup=backup,
        )
        props: dict[str, Any] = {"destination": destination}
        if source_stream is not None:
            props["source"] = firehose.KinesisStreamSource(source_stream)
        elif encryption_key is not None:
            props["encryption"] = firehose.StreamEncryption.customer_managed_key(encryption_key)
        else:
            props["encryption"] = firehose.StreamEncryption.aws_owned_key()
        props = merged(
            "delivery_stream_props", props, delivery_stream_props, DELIVERY_STREAM_GUARDS
        )
        stack = cdk.Stack.of(self)
        had_cidr_mapping = stack.node.try_find_child(_CIDR_MAPPING) is not None
        #: The Firehose delivery stream.
        self.delivery_stream = firehose.DeliveryStream(self, "Resource", **props)
        if not had_cidr_mapping:
            # The L2 looks up Firehose's CIDR blocks for ``connections`` (VPC destinations);
            # in a region-agnostic stack that renders a mapping nothing here references, which
            # cfn-lint and CloudFormation Validate report as W7001. An S3 destination never
            # needs it; a later VPC destination in the stack creates it again.
            stack.node.try_remove_child(_CIDR_MAPPING)
        if source_stream is not None:
            cdk.Validations.of(self.delivery_stream).acknowledge(
                cdk.Acknowledgment(
                    id="AwsSolutions-KDF1",
                    reason="Firehose rejects its own server-side encryption for a Kinesis "
                    "stream source; the source stream's KMS encryption protects the records.",
                )
            )
        self._acknowledge_role_wildcards()

        threshold = freshness_threshold or cdk.Duration.seconds(max(2 * interval.to_seconds(), 900))
        #: Alarm when records wait longer than ``freshness_threshold`` to reach S3.
        self.freshness_alarm = create_alarm(
            self,
            "FreshnessAlarm",
            metric=self.delivery_stream.metric(
                "DeliveryToS3.DataFreshness", statistic="Maximum", period=cdk.Duration.minutes(5)
            ),
            threshold=threshold.to_seconds(),
            evaluation_periods=3,
            description=f"{self.node.path}: records are not reaching S3 in time (delivery "
            "fails or falls behind)",
            topic=alarm_topic,
        )

    def grant_put_records(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` put records directly (only useful without a source stream)."""
        return self.delivery_stream.grant_put_records(grantee)

    def metric_data_freshness(self, **kwargs: Any) -> cloudwatch.Metric:
        """Age of the oldest record not yet delivered to S3 (s). Default: maximum over 5
        minutes."""
        return self.delivery_stream.metric(
            "DeliveryToS3.DataFreshness", **{"statistic": "Maximum", **kwargs}
        )

    def metric_incoming_records(self, **kwargs: Any) -> cloudwatch.Metric:
        """Records received. Default: sum over 5 minutes."""
        return self.delivery_stream.metric_incoming_records(**kwargs)

    def _new_access_logs_bucket(self, removal_policy: cdk.RemovalPolicy) -> s3.IBucket:
        return access_logs_bucket(self, "AccessLogsBucket", removal_policy=removal_policy).bucket

    def _acknowledge_role_wildcards(self) -> None:
        """Acknowledge, one by one, the wildcards of ``bucket.grant_read_write`` on the role."""
        role = self.delivery_stream.node.try_find_child("S3 Destination Role")
        if role is None:  # a role given through delivery_stream_props
            return
        acknowledge_wildcards(
            role,
            actions=[
                "s3:Abort*",
                "s3:DeleteObject*",
                "s3:GetBucket*",
                "s3:GetObject*",
                "s3:List*",
                *(KEY_ENCRYPT_DECRYPT_ACTIONS if self.bucket.encryption_key else ()),
            ],
            resources=[self.bucket.arn_for_objects("*")],
            reason="Firehose's S3 destination grant (bucket.grant_read_write) on the one "
            "archive bucket: it writes generated keys and aborts or retries multipart uploads.",
        )


def _check_size(name: str, size: cdk.Size | None, low_mib: int, high_mib: int) -> None:
    if size is None:
        return
    if not isinstance(size, cdk.Size):
        raise TypeError(f"{name} must be an aws_cdk.Size, got {type(size).__name__}")
    if size.is_unresolved():
        return
    check_range(name, size.to_kibibytes() / 1024, low_mib, high_mib, "MiB")


def _check_prefix(name: str, prefix: str) -> None:
    if not prefix or not prefix.endswith("/") or prefix.startswith("/") or "!{" in prefix:
        raise ValueError(
            f"{name} must be a non-empty key prefix ending in '/', not starting with '/', "
            f"without Firehose expressions (time partitions are added); got {prefix!r}"
        )
