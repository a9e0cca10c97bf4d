#!/usr/bin/env python3
"""A CDK app outside this repository that uses the installed ``patterns`` wheel.

Every public pattern appears twice: once with its defaults (it creates what it needs)
and once with existing resources passed in (imported by name or ARN). The test suite
builds the wheel, installs it into a fresh virtual environment and runs this file there.

    cdk synth --app "python consumer_app.py"     # or: CDK_OUTDIR=cdk.out python consumer_app.py
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from patterns import (
    FunctionDefaults,
    OpsNotifications,
    SecureBucket,
    ServerlessFunction,
    create_alarm,
)

ACCOUNT, REGION = "123456789012", "eu-west-1"
WORKER_CODE = Path(__file__).resolve().parent / "consumer_src" / "worker"


class WithDefaults(cdk.Stack):
    """Each pattern with no arguments beyond what it cannot guess."""

    def __init__(self, scope: cdk.App, construct_id: str) -> None:
        super().__init__(scope, construct_id, env=cdk.Environment(account=ACCOUNT, region=REGION))
        FunctionDefaults(service_name="consumer", stage="demo").apply_to(self)
        ops = OpsNotifications(self, "Ops")
        worker = ServerlessFunction(self, "Worker", code_path=WORKER_CODE)
        SecureBucket(self, "Data")
        create_alarm(
            self,
            "WorkerThrottles",
            metric=worker.function.metric_throttles(),
            threshold=1,
            description="The worker is throttled",
            topic=ops.topic,
        )


class WithExistingResources(cdk.Stack):
    """Each pattern given resources that already exist elsewhere."""

    def __init__(self, scope: cdk.App, construct_id: str) -> None:
        super().__init__(scope, construct_id, env=cdk.Environment(account=ACCOUNT, region=REGION))
        key = kms.Key.from_key_arn(
            self, "Key", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        )
        topic = sns.Topic.from_topic_arn(self, "Topic", f"arn:aws:sns:{REGION}:{ACCOUNT}:ops")
        failures = sqs.Queue.from_queue_arn(
            self, "Failures", f"arn:aws:sqs:{REGION}:{ACCOUNT}:worker-failures"
        )
        logs = s3.Bucket.from_bucket_name(self, "AccessLogs", "existing-access-logs")
        defaults = FunctionDefaults(memory_size=1024, powertools_layer_version=None)
        OpsNotifications(self, "Ops", master_key=key, emails=["oncall@example.com"])
        ServerlessFunction(
            self,
            "Worker",
            code_path=WORKER_CODE,
            defaults=defaults,
            layers=[
                lambda_.LayerVersion.from_layer_version_arn(
                    self, "Shared", f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:shared:3"
                )
            ],
            alarm_topic=topic,
        )
        SecureBucket(self, "Data", encryption_key=key, server_access_logs_bucket=logs)
        create_alarm(
            self,
            "QueueDepth",
            metric=failures.metric_approximate_number_of_messages_visible(),
            threshold=10,
            description="Failures pile up",
            topic=topic,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        )


def main() -> None:
    app = cdk.App()
    WithDefaults(app, "ConsumerDefaults")
    WithExistingResources(app, "ConsumerExisting")
    app.synth()


if __name__ == "__main__":
    main()
