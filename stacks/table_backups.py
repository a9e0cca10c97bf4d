"""``TableBackups``: an AWS Backup plan for every DynamoDB table of the stage."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from constructs import Construct

from stacks.config import StageConfig

#: Tag that puts a table under the stage's backup plan (set on every table by ShopStage).
BACKUP_TAG = ("backup", "daily")


class TableBackups(Construct):
    """A vault and a plan (daily, kept 35 days; monthly, kept a year) that select the stage's
    tables by the ``backup=daily`` tag, so tables of every stack are covered without
    cross-stack references. Point-in-time recovery gives the 1-second RPO; these backups
    keep copies beyond its 35-day window and survive the table's deletion."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        self.vault = backup.BackupVault(self, "Vault", removal_policy=config.cdk_removal_policy)
        self.plan = backup.BackupPlan.daily_monthly1_year_retention(
            self, "Plan", backup_vault=self.vault
        )
        self.plan.add_selection(
            "Tables",
            resources=[backup.BackupResource.from_tag(*BACKUP_TAG)],
            allow_restores=True,
        )
        cdk.Validations.of(self).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSBackupServiceRolePolicyForBackup]",
                reason="AWS Backup's own service-role policy for taking backups; it is "
                "what the service documents for backup selections.",
            ),
            cdk.Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSBackupServiceRolePolicyForRestores]",
                reason="AWS Backup's own service-role policy for restoring the selected "
                "tables; needed for the recovery the plan exists for.",
            ),
        )
