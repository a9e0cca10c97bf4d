"""The stage's customer-managed KMS key for data at rest, one per stack."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from constructs import Construct

from stacks.config import StageConfig

_ID = "DataKey"


def data_key(scope: Construct, config: StageConfig) -> kms.IKey | None:
    """The key that encrypts the buckets of ``scope``'s stack, when the stage asks for
    customer-managed keys (created on first use, rotated yearly); otherwise ``None``
    (AWS-managed encryption)."""
    if not config.customer_managed_keys:
        return None
    stack = cdk.Stack.of(scope)
    existing = stack.node.try_find_child(_ID)
    if isinstance(existing, kms.Key):
        return existing
    return kms.Key(
        stack,
        _ID,
        description=f"Encrypts the data at rest of {stack.stack_name}",
        enable_key_rotation=True,
        removal_policy=config.cdk_removal_policy,
    )


def replica_tables_key_alias(config: StageConfig) -> str:
    """Alias of the key encrypting the stage's global-table replicas in its secondary
    region (created by the ``Replicas`` stack, which deploys before the tables)."""
    return f"alias/shop-{config.name}-tables"


def replica_key_arns(config: StageConfig) -> dict[str, str]:
    """Region -> the alias ARN of the key for global-table replicas there: a key ARN is
    not known before the ``Replicas`` stack is deployed, its alias is."""
    if config.secondary_region is None:
        return {}
    return {
        config.secondary_region: f"arn:{cdk.Aws.PARTITION}:kms:{config.secondary_region}:"
        f"{config.account}:{replica_tables_key_alias(config)}"
    }
