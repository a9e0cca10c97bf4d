"""Scheduled jobs, event-driven workflows, policy enforcement and alarm responses."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from patterns import (
    AlarmResponder,
    ApiCallMatch,
    EventWorkflow,
    PolicyEnforcer,
    ScheduledJob,
    ServerlessFunction,
)

from .existing import ExistingResources, import_function

#: Bucket policy and ACL changes, which could make a bucket public.
BUCKET_ACCESS_CHANGES = ApiCallMatch(
    name="BucketAccessChanged",
    event_source="s3.amazonaws.com",
    event_names=["PutBucketAcl", "PutBucketPolicy", "DeleteBucketPublicAccessBlock"],
)
ORDER_PLACED = events.EventPattern(source=["acme.orders"], detail_type=["Order Placed"])


def with_defaults(scope: Construct, worker: ServerlessFunction, alarm: cloudwatch.Alarm) -> None:
    """Each construct creates its own queue or notifications topic."""
    ScheduledJob(scope, "Nightly", function=worker)
    EventWorkflow(
        scope, "Fulfilment", definition=sfn.Pass(scope, "Accept"), event_pattern=ORDER_PLACED
    )
    PolicyEnforcer(scope, "Guard", function=worker, api_calls=[BUCKET_ACCESS_CHANGES])
    AlarmResponder(scope, "Responder", alarms=[alarm], function=worker)


def with_existing(scope: Construct, existing: ExistingResources, alarm: cloudwatch.Alarm) -> None:
    """Deployed functions, the account's topic, failures queue, event bus and log group."""
    cleanup = import_function(scope, "nightly-cleanup")
    ScheduledJob(
        scope,
        "Nightly",
        function=cleanup,
        schedule="cron(0 3 * * ? *)",
        time_zone=cdk.TimeZone.EUROPE_DUBLIN,
        payload={"task": "cleanup"},
        dead_letter_queue=existing.failures,
        alarm_topic=existing.topic,
    )
    notify = tasks.LambdaInvoke(
        scope, "NotifyCustomer", lambda_function=import_function(scope, "notify-customer")
    )
    EventWorkflow(
        scope,
        "Fulfilment",
        definition=notify.next(sfn.Succeed(scope, "Done")),
        event_pattern=ORDER_PLACED,
        event_bus=existing.event_bus,
        log_group=existing.workflow_logs,
        topic=existing.topic,
    )
    PolicyEnforcer(
        scope,
        "Guard",
        function=import_function(scope, "bucket-remediation"),
        api_calls=[BUCKET_ACCESS_CHANGES],
        topic=existing.topic,
        dead_letter_queue=existing.failures,
    )
    AlarmResponder(
        scope,
        "Responder",
        alarms=[alarm],
        function=import_function(scope, "incident-recorder"),
        topic=existing.topic,
        dead_letter_queue=existing.failures,
    )
