"""``EbsBackup``: the nightly job that snapshots tagged EBS volumes and prunes old snapshots."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns import ScheduledJob, ServerlessFunction
from patterns.acknowledgements import flatten
from stacks.config import StageConfig
from stacks.lambda_code import handler_function

#: Volumes carrying this tag (key, value) are backed up.
BACKUP_TAG = ("backup", "true")
#: Tag the job puts on its snapshots; it only ever deletes snapshots carrying it.
MANAGED_BY = ("managed-by", "ebs-snapshots")
RETENTION_DAYS = 7


class EbsBackup(Construct):
    """``Function`` (the snapshot handler) run by ``Job`` every night at 02:00 UTC.

    The function may snapshot only volumes tagged ``backup=true``, tag only the
    snapshots it creates, and delete only snapshots tagged as its own.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, topic: sns.ITopic
    ) -> None:
        super().__init__(scope, construct_id)
        self.function = ServerlessFunction(
            self,
            "Function",
            **handler_function("ebs_snapshots"),
            description="Snapshots EBS volumes tagged for backup and prunes expired snapshots",
            timeout=cdk.Duration.minutes(5),
            environment={
                "BACKUP_TAG_KEY": BACKUP_TAG[0],
                "BACKUP_TAG_VALUE": BACKUP_TAG[1],
                "RETENTION_DAYS": str(RETENTION_DAYS),
            },
            retry_attempts=0,
            alarm_topic=topic,
        )
        self._grant_snapshots()
        self.job = ScheduledJob(
            self,
            "Job",
            function=self.function,
            schedule="cron(0 2 * * ? *)",
            description="Nightly EBS snapshots",
            # The run is idempotent per day, so a retry after a failure is safe.
            retry_attempts=2,
            max_event_age=cdk.Duration.hours(2),
            enabled=config.triggers_enabled,
            alarm_topic=topic,
            removal_policy=config.cdk_removal_policy,
        )

    def _grant_snapshots(self) -> None:
        stack = cdk.Stack.of(self)
        snapshots = stack.format_arn(
            service="ec2", account="", resource="snapshot", resource_name="*"
        )
        volumes = stack.format_arn(service="ec2", resource="volume", resource_name="*")
        policy = iam.Policy(
            self,
            "Ec2Policy",
            roles=[self.function.role],
            statements=[
                iam.PolicyStatement(
                    actions=["ec2:DescribeVolumes", "ec2:DescribeSnapshots"], resources=["*"]
                ),
                iam.PolicyStatement(
                    actions=["ec2:CreateSnapshot"],
                    resources=[volumes],
                    conditions={
                        "StringEquals": {f"aws:ResourceTag/{BACKUP_TAG[0]}": BACKUP_TAG[1]}
                    },
                ),
                iam.PolicyStatement(
                    actions=["ec2:CreateSnapshot"],
                    resources=[snapshots],
                    conditions={"StringEquals": {f"aws:RequestTag/{MANAGED_BY[0]}": MANAGED_BY[1]}},
                ),
                iam.PolicyStatement(
                    actions=["ec2:CreateTags"],
                    resources=[snapshots],
                    conditions={"StringEquals": {"ec2:CreateAction": "CreateSnapshot"}},
                ),
                iam.PolicyStatement(
                    actions=["ec2:DeleteSnapshot"],
                    resources=[snapshots],
                    conditions={
                        "StringEquals": {f"aws:ResourceTag/{MANAGED_BY[0]}": MANAGED_BY[1]}
                    },
                ),
            ],
        )
        for resource, reason in (
            (
                "*",
                "ec2:DescribeVolumes and ec2:DescribeSnapshots support no resource-level "
                "permissions; the statement holds only those two read actions.",
            ),
            (
                flatten(self, snapshots),
                "Snapshot ids are not "
                "known in advance; every snapshot statement is limited by a tag or "
                "create-action condition.",
            ),
            (
                flatten(self, volumes),
                "Volumes "
                "are chosen by tag at run time; the statement only allows volumes tagged "
                "backup=true.",
            ),
        ):
            cdk.Validations.of(policy).acknowledge(
                cdk.Acknowledgment(id=f"AwsSolutions-IAM5[Resource::{resource}]", reason=reason)
            )
