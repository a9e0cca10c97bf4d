"""Lambda settings, functions, buckets, the operations topic and alarms."""

from __future__ import annotations

import dataclasses

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda_destinations as destinations
from constructs import Construct

from patterns import (
    FunctionDefaults,
    OpsNotifications,
    SecureBucket,
    ServerlessFunction,
    create_alarm,
)

from .existing import HANDLERS, ExistingResources


@dataclasses.dataclass(frozen=True)
class Foundation:
    """What the other areas build on."""

    ops: OpsNotifications
    worker: ServerlessFunction
    alarm: cloudwatch.Alarm


def with_defaults(scope: Construct) -> Foundation:
    """Stage-wide function settings, then each construct with what it cannot guess."""
    FunctionDefaults(service_name="consumer", stage="demo").apply_to(scope)
    ops = OpsNotifications(scope, "Ops")
    worker = ServerlessFunction(scope, "Worker", code_path=HANDLERS / "worker")
    SecureBucket(scope, "Data")
    alarm = create_alarm(
        scope,
        "WorkerThrottles",
        metric=worker.function.metric_throttles(),
        threshold=1,
        description="The worker is throttled",
        topic=ops.topic,
    )
    return Foundation(ops=ops, worker=worker, alarm=alarm)


def with_existing(scope: Construct, existing: ExistingResources) -> cloudwatch.Alarm:
    """The same constructs given the account's key, topic, queue, logs bucket and layer."""
    OpsNotifications(scope, "Ops", master_key=existing.key, emails=["oncall@example.com"])
    ServerlessFunction(
        scope,
        "Worker",
        code_path=HANDLERS / "worker",
        defaults=FunctionDefaults(memory_size=1024, powertools_layer_version=None),
        layers=[existing.layer],
        on_failure=destinations.SqsDestination(existing.failures),
        alarm_topic=existing.topic,
    )
    data = SecureBucket(
        scope, "Data", encryption_key=existing.key, server_access_logs_bucket=existing.access_logs
    )
    cdk.Annotations.of(data).acknowledge_warning(
        "@aws-cdk/aws-s3:accessLogsPolicyNotAdded",
        "The logs bucket's own stack lets the S3 logging service write to it",
    )
    return create_alarm(
        scope,
        "FailuresPileUp",
        metric=existing.failures.metric_approximate_number_of_messages_visible(),
        threshold=10,
        description="Failed invocations pile up in the failures queue",
        topic=existing.topic,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    )
