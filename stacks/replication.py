"""Cross-region replication of the stage's primary data: the ``Replicas`` stack in the
secondary region and the replication rule each source bucket gets."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from patterns import SecureBucket, access_logs_bucket
from patterns.acknowledgements import acknowledge_packs, acknowledge_wildcards
from patterns.service_keys import service_key
from stacks.base import ShopStack
from stacks.config import StageConfig
from stacks.keys import replica_tables_key_alias

#: The buckets that hold primary data, by the name of their replica.
REPLICATED = ("Images", "Raw", "Site")


class ReplicaStack(ShopStack):
    """Versioned, KMS-encrypted destination buckets in the stage's secondary region, one
    per name in :data:`REPLICATED`, with their access logs. Replicas are always retained:
    they are what is left after the primary region is lost."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        assert config.secondary_region is not None
        super().__init__(
            scope,
            construct_id,
            config=config,
            purpose="Replicas of the shop's primary data",
            env=cdk.Environment(account=config.account, region=config.secondary_region),
        )
        #: Alias of the replica key; replication rules name the key by it.
        self.key_alias = f"alias/shop-{config.name}-replicas"
        self.key = kms.Key(
            self,
            "Key",
            description=f"Encrypts the {config.name} stage's replicas",
            enable_key_rotation=True,
            alias=self.key_alias,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        #: Encrypts the global tables' replicas here, with customer-managed keys.
        self.tables_key = (
            service_key(
                self,
                "TablesKey",
                service="dynamodb",
                alias=replica_tables_key_alias(config),
                removal_policy=cdk.RemovalPolicy.RETAIN,
            )
            if config.customer_managed_keys
            else None
        )
        logs = access_logs_bucket(self, "AccessLogs", removal_policy=cdk.RemovalPolicy.RETAIN)
        #: Destination bucket by name.
        self.buckets: dict[str, s3.IBucket] = {}
        for name in REPLICATED:
            replica = SecureBucket(
                self,
                name,
                encryption_key=self.key,
                server_access_logs_bucket=logs.bucket,
                bucket_props={"bucket_name": cdk.PhysicalName.GENERATE_IF_NEEDED},
            ).bucket
            acknowledge_packs(
                replica,
                "S3BucketReplicationEnabled",
                "This bucket is itself the cross-region replica; replicating it again would "
                "only copy the copy.",
            )
            self.buckets[name] = replica

    def key_arn_pattern(self) -> str:
        """ARN pattern of keys in the secondary region (narrowed by the alias condition)."""
        return f"arn:{cdk.Aws.PARTITION}:kms:{self.region}:{self.account}:key/*"


def replicate(bucket: s3.IBucket, *, name: str, replicas: ReplicaStack | None) -> None:
    """Replicate ``bucket`` (a versioned bucket defined in this app) into the replica
    ``name`` in the secondary region: every object version, deletions and tags, within 15
    minutes (S3 Replication Time Control, with its metrics). Without a secondary region,
    the HIPAA/PCI replication finding is acknowledged as not applicable to the stage."""
    cfn = bucket.node.default_child
    assert isinstance(cfn, s3.CfnBucket)
    if replicas is None:
        acknowledge_packs(
            bucket,
            "S3BucketReplicationEnabled",
            "The stage names no secondary region, so there is nowhere to replicate to; "
            "versioning and retention protect the data here.",
        )
        return
    destination = replicas.buckets[name]
    assert isinstance(bucket, Construct)
    role = iam.Role(
        bucket,
        "ReplicationRole",
        assumed_by=iam.ServicePrincipal("s3.amazonaws.com"),
        description=f"S3 replicates {bucket.node.path} into the secondary region",
    )
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["s3:GetReplicationConfiguration", "s3:ListBucket"],
            resources=[bucket.bucket_arn],
        )
    )
    role.add_to_policy(
        iam.PolicyStatement(
            actions=[
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionAcl",
                "s3:GetObjectVersionTagging",
            ],
            resources=[bucket.arn_for_objects("*")],
        )
    )
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
            resources=[destination.arn_for_objects("*")],
        )
    )
    key_arns = [replicas.key_arn_pattern()]
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["kms:Encrypt", "kms:GenerateDataKey"],
            resources=key_arns,
            conditions={"ForAnyValue:StringEquals": {"kms:ResourceAliases": replicas.key_alias}},
        )
    )
    if bucket.encryption_key is not None:
        bucket.encryption_key.grant_decrypt(role)
    acknowledge_wildcards(
        role,
        reason="S3 replication reads every object version of the source and writes the "
        "same keys into its replica; the replica key is named by its alias condition.",
        resources=[bucket.arn_for_objects("*"), destination.arn_for_objects("*"), *key_arns],
    )
    encryption: dict[str, Any] = {}
    selection: dict[str, Any] = {}
    if bucket.encryption_key is not None:
        # SSE-KMS objects are replicated only when selected, re-encrypted with the replica key.
        selection = {
            "source_selection_criteria": s3.CfnBucket.SourceSelectionCriteriaProperty(
                sse_kms_encrypted_objects=s3.CfnBucket.SseKmsEncryptedObjectsProperty(
                    status="Enabled"
                )
            )
        }
        encryption = {
            "encryption_configuration": s3.CfnBucket.EncryptionConfigurationProperty(
                replica_kms_key_id=f"arn:{cdk.Aws.PARTITION}:kms:{replicas.region}:"
                f"{replicas.account}:{replicas.key_alias}"
            )
        }
    fifteen_minutes = s3.CfnBucket.ReplicationTimeValueProperty(minutes=15)
    cfn.replication_configuration = s3.CfnBucket.ReplicationConfigurationProperty(
        role=role.role_arn,
        rules=[
            s3.CfnBucket.ReplicationRuleProperty(
                id="ToSecondaryRegion",
                status="Enabled",
                priority=0,
                filter=s3.CfnBucket.ReplicationRuleFilterProperty(prefix=""),
                delete_marker_replication=s3.CfnBucket.DeleteMarkerReplicationProperty(
                    status="Enabled"
                ),
                destination=s3.CfnBucket.ReplicationDestinationProperty(
                    bucket=destination.bucket_arn,
                    replication_time=s3.CfnBucket.ReplicationTimeProperty(
                        status="Enabled", time=fifteen_minutes
                    ),
                    metrics=s3.CfnBucket.MetricsProperty(
                        status="Enabled", event_threshold=fifteen_minutes
                    ),
                    **encryption,
                ),
                **selection,
            )
        ],
    )
