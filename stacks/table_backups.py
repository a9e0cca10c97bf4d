"""``TableBackups``: an AWS Backup plan that covers every DynamoDB table of the stage."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from patterns.acknowledgements import KEY_ENCRYPT_DECRYPT_ACTIONS, acknowledge_wildcards
from stacks.config import StageConfig
from stacks.keys import data_key

_POLICIES = ("AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores")


class TableBackups(Construct):
    """A vault and a plan (daily, kept 35 days; monthly, kept a year) with the role AWS
    Backup uses. :meth:`select_tables` adds, to a stack, a selection naming that stack's
    tables one by one, so an auditor (and cdk-nag's ``DynamoDBInBackupPlan``) sees each
    table in the plan. Point-in-time recovery gives the 1-second RPO; these backups keep
    copies beyond its 35-day window and survive the table's deletion.

    In stages with ``customer_managed_keys``, the vault is encrypted with the stack's
    customer-managed key (``stacks.keys.data_key``), which the backup role may use;
    otherwise with AWS Backup's AWS-managed key."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        key = data_key(self, config)
        self.vault = backup.BackupVault(
            self, "Vault", removal_policy=config.cdk_removal_policy, encryption_key=key
        )
        self.plan = backup.BackupPlan.daily_monthly1_year_retention(
            self, "Plan", backup_vault=self.vault
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("backup.amazonaws.com"),
            description="AWS Backup backs up and restores the stage's tables with this role",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(f"service-role/{name}")
                for name in _POLICIES
            ],
        )
        cdk.Validations.of(self.role).acknowledge(
            *(
                cdk.Acknowledgment(
                    id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/"
                    f"service-role/{name}]",
                    reason="AWS Backup's own service-role policy for taking and restoring "
                    "backups; it is what the service documents for backup selections.",
                )
                for name in _POLICIES
            )
        )
        if key is not None:
            key.grant_encrypt_decrypt(self.role)
            acknowledge_wildcards(
                self.role,
                reason="AWS Backup encrypts and re-encrypts recovery points in the vault with "
                "this key's data keys; the grant names the key alone.",
                actions=KEY_ENCRYPT_DECRYPT_ACTIONS,
            )

    def select_tables(self, stack: cdk.Stack) -> backup.BackupSelection | None:
        """Put every DynamoDB table (or global table's local replica) defined in ``stack``
        under the plan (a selection in
        ``stack`` listing their ARNs); ``None`` when the stack has no table."""
        tables = [
            c
            for c in stack.node.find_all()
            if isinstance(c, (dynamodb.CfnTable, dynamodb.CfnGlobalTable))
        ]
        if not tables:
            return None
        return backup.BackupSelection(
            stack,
            "TableBackupSelection",
            backup_plan=self.plan,
            role=self.role,
            resources=[backup.BackupResource.from_arn(table.attr_arn) for table in tables],
        )
