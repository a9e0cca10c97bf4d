"""The reference app's DynamoDB tables: on-demand, encrypted, protected as the stage says."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct, IConstruct

from stacks.config import StageConfig


def stage_table(
    scope: Construct,
    construct_id: str,
    *,
    config: StageConfig,
    partition_key: str,
    sort_key: str | None = None,
    time_to_live_attribute: str | None = None,
) -> dynamodb.Table:
    """A string-keyed table with the stage's point-in-time recovery and removal policy."""
    table = dynamodb.Table(
        scope,
        construct_id,
        partition_key=dynamodb.Attribute(name=partition_key, type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name=sort_key, type=dynamodb.AttributeType.STRING)
        if sort_key
        else None,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=config.point_in_time_recovery
        ),
        deletion_protection=config.termination_protection,
        removal_policy=config.cdk_removal_policy,
        time_to_live_attribute=time_to_live_attribute,
    )
    acknowledge_no_pitr(table, config, ": its tables are disposable and deleted with the stack.")
    return table


def acknowledge_no_pitr(table: IConstruct, config: StageConfig, consequence: str) -> None:
    """Acknowledge cdk-nag's point-in-time-recovery rule (AwsSolutions-DDB3) on ``table``
    when the stage turns recovery off; ``consequence`` ends the reason (``": ..."``),
    saying why losing the table's history is acceptable."""
    if config.point_in_time_recovery:
        return
    cdk.Validations.of(table).acknowledge(
        cdk.Acknowledgment(
            id="AwsSolutions-DDB3",
            reason=f"Stage {config.name!r} turns point-in-time recovery off{consequence}",
        )
    )


def global_table(
    scope: Construct,
    construct_id: str,
    *,
    config: StageConfig,
    partition_key: str,
    sort_key: str | None = None,
    time_to_live_attribute: str | None = None,
    strongly_consistent: bool = False,
) -> dynamodb.TableV2:
    """A string-keyed DynamoDB global table with a replica in the stage's secondary region.

    Every replica gets the stage's point-in-time recovery and deletion protection; the
    table is on-demand with AWS-managed encryption, like :func:`stage_table`.

    :param strongly_consistent: multi-Region strong consistency (MRSC) with the stage's
        ``witness_region``: a write (conditional ones included) is acknowledged once a
        second region has it, and every region reads the latest write. MRSC tables have no
        TTL and no transactions. Default: eventual consistency (last writer wins).
    """
    if config.secondary_region is None:
        raise ValueError(f"stage {config.name!r} names no secondary_region for a replica")
    if strongly_consistent and time_to_live_attribute is not None:
        raise ValueError(
            f"time_to_live_attribute: DynamoDB has no TTL on strongly consistent global "
            f"tables; got {time_to_live_attribute!r} (delete expired items instead)"
        )
    return dynamodb.TableV2(
        scope,
        construct_id,
        partition_key=dynamodb.Attribute(name=partition_key, type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name=sort_key, type=dynamodb.AttributeType.STRING)
        if sort_key
        else None,
        billing=dynamodb.Billing.on_demand(),
        encryption=dynamodb.TableEncryptionV2.aws_managed_key(),
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=config.point_in_time_recovery
        ),
        deletion_protection=config.termination_protection,
        removal_policy=config.cdk_removal_policy,
        time_to_live_attribute=time_to_live_attribute,
        replicas=[dynamodb.ReplicaTableProps(region=config.secondary_region)],
        multi_region_consistency=dynamodb.MultiRegionConsistency.STRONG
        if strongly_consistent
        else None,
        witness_region=config.witness_region if strongly_consistent else None,
    )
