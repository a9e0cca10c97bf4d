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
