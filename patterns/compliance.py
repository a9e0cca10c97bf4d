"""Aspects that make a whole scope meet what the HIPAA and PCI DSS rule packs demand.

Both apply to every matching resource below the scope they are added to, including the
ones CDK creates on its own (default policies of grants, custom-resource handlers):

- :class:`ManagedPolicies`: every inline IAM policy (``AWS::IAM::Policy``, which CDK's
  grants write) becomes a customer-managed policy with the same statements and
  attachments, at the same construct path and logical id.
- :class:`EncryptLogGroups`: every CloudWatch log group without a key is encrypted with a
  customer-managed KMS key (one per stack, rotated yearly, usable only by CloudWatch Logs
  in that stack's account and region).

    cdk.Aspects.of(stage).add(ManagedPolicies())
    cdk.Aspects.of(stage).add(EncryptLogGroups(removal_policy=cdk.RemovalPolicy.RETAIN))
"""

from __future__ import annotations

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct

from patterns._types import checked

#: Construct id of the key :class:`EncryptLogGroups` adds to each stack.
LOGS_KEY_ID = "LogsKey"


@jsii.implements(cdk.IAspect)
class ManagedPolicies:
    """Turn every inline IAM policy below the scope into a customer-managed policy.

    HIPAA Security and PCI DSS 3.2.1 (cdk-nag ``IAMNoInlinePolicy``) ask for managed
    policies: they are versioned, listed and reusable, and a change to one is its own
    CloudTrail event. The statements, and the roles, users and groups the policy is
    attached to, stay the same; so do the construct path and the logical id, so
    dependencies on the old policy now point at the managed one. A policy whose document
    is empty (CDK would not synthesize it) is left alone.
    """

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, iam.CfnPolicy):
            return
        stack = cdk.Stack.of(node)
        if not (stack.resolve(node.policy_document) or {}).get("Statement"):
            return
        scope = node.node.scope
        if not isinstance(scope, Construct):
            raise TypeError(f"{node.node.path} has no construct scope to hold its policy")
        construct_id = node.node.id
        scope.node.try_remove_child(construct_id)
        managed = iam.CfnManagedPolicy(
            scope,
            construct_id,
            policy_document=node.policy_document,
            roles=node.roles,
            users=node.users,
            groups=node.groups,
            description=f"Permissions of {scope.node.path}",
        )
        for entry in node.node.metadata:
            if entry.type == "aws:cdk:logicalId":
                continue
            managed.node.add_metadata(entry.type, entry.data)


@jsii.implements(cdk.IAspect)
class EncryptLogGroups:
    """Encrypt every log group below the scope that has no KMS key.

    :param key: the key to use everywhere. Default: one key per stack, created on first
        use as ``LogsKey`` (rotation on, a key policy that lets CloudWatch Logs use it only
        for that stack's log groups).
    :param removal_policy: removal policy of the created keys. Default: ``RETAIN``
        (logs encrypted with a deleted key are lost).
    """

    @checked
    def __init__(
        self,
        *,
        key: kms.IKey | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        self._key = key
        self._removal_policy = removal_policy

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, logs.CfnLogGroup) and node.kms_key_id is None:
            node.kms_key_id = self.key_for(node).key_arn

    def key_for(self, node: IConstruct) -> kms.IKey:
        """The key for log groups in ``node``'s stack (created there on first use)."""
        if self._key is not None:
            return self._key
        stack = cdk.Stack.of(node)
        existing = stack.node.try_find_child(LOGS_KEY_ID)
        if isinstance(existing, kms.Key):
            return existing
        key = kms.Key(
            stack,
            LOGS_KEY_ID,
            description=f"Encrypts the CloudWatch log groups of {stack.stack_name}",
            enable_key_rotation=True,
            removal_policy=self._removal_policy,
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name="*",
                            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                        )
                    }
                },
            )
        )
        return key
