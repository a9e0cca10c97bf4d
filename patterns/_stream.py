"""The encrypted Kinesis data stream the stream patterns create when they are given none."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from constructs import Construct

from patterns._validation import check_duration, check_range

#: Kinesis keeps records at least this long; it is the default retention.
MIN_RETENTION = cdk.Duration.hours(24)
#: The longest retention Kinesis accepts (365 days).
MAX_RETENTION_HOURS = 8760


def check_stream_options(
    *,
    stream: kinesis.IStream | None,
    stream_mode: kinesis.StreamMode | None,
    shard_count: int | None,
    retention_period: cdk.Duration | None,
    encryption_key: kms.IKey | None,
) -> None:
    """Reject stream options that contradict each other, before anything is created."""
    check_range("shard_count", shard_count, 1, 10_000, "shards")
    check_duration("retention_period", retention_period, 24 * 3600, MAX_RETENTION_HOURS * 3600)
    if stream is not None:
        given = [
            name
            for name, value in (
                ("stream_mode", stream_mode),
                ("shard_count", shard_count),
                ("encryption_key", encryption_key),
            )
            if value is not None
        ]
        if given:
            raise ValueError(
                f"{', '.join(given)} only configure a stream this construct creates; "
                "got them together with an existing stream"
            )
    if shard_count is not None and stream_mode in (None, kinesis.StreamMode.ON_DEMAND):
        raise ValueError(
            f"shard_count ({shard_count}) needs stream_mode=StreamMode.PROVISIONED; "
            "an on-demand stream scales its shards itself"
        )


def create_encrypted_stream(
    scope: Construct,
    construct_id: str,
    *,
    stream_mode: kinesis.StreamMode | None,
    shard_count: int | None,
    retention_period: cdk.Duration | None,
    encryption_key: kms.IKey | None,
    removal_policy: cdk.RemovalPolicy,
) -> kinesis.Stream:
    """A stream encrypted at rest: with the AWS-managed ``aws/kinesis`` key unless a key is given.

    The managed key is cdk-nag's recommendation (KDS3), costs nothing and needs no key
    grants. On-demand unless ``stream_mode`` says provisioned (then ``shard_count``,
    default 1).
    """
    mode = stream_mode or kinesis.StreamMode.ON_DEMAND
    stream = kinesis.Stream(
        scope,
        construct_id,
        stream_mode=mode,
        shard_count=(shard_count or 1) if mode == kinesis.StreamMode.PROVISIONED else None,
        retention_period=retention_period or MIN_RETENTION,
        encryption=(
            kinesis.StreamEncryption.KMS if encryption_key else kinesis.StreamEncryption.MANAGED
        ),
        encryption_key=encryption_key,
        removal_policy=removal_policy,
    )
    if encryption_key is not None:
        cdk.Validations.of(stream).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-KDS3",
                reason="The caller passed a customer-managed key on purpose, for the key "
                "policy control that the aws/kinesis key does not offer.",
            )
        )
    return stream
