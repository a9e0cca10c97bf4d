"""``EncryptServiceData``: customer-managed keys for tables, queues and functions' variables.

Each key is used by one service only: its key policy lets any principal of the account use
it *through* that service (``kms:ViaService``), the way the AWS-managed ``aws/dynamodb``,
``aws/sqs`` and ``aws/lambda`` keys do, so who may read the data is decided by the table's,
queue's or function's own permissions, while nobody (not even an administrator whose IAM
policy allows ``kms:*``) can call KMS with the key directly. The account root keeps the
key-administration actions only, so the key stays manageable (and its policy changeable).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import aws_cdk as cdk
import jsii
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from patterns._aws_limits import check_kms_arn, check_region
from patterns._types import checked

#: What the account root may do with a service key: administer it, never use it.
KEY_ADMINISTRATION = (
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
)
#: What a service does with the key on behalf of a caller.
KEY_USE = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:CreateGrant",
    "kms:DescribeKey",
)
#: Services that deliver into SQS queues themselves (subscription and rule dead-letter
#: queues, rule targets): they need the queue key's data keys.
QUEUE_SENDERS = ("sns.amazonaws.com", "events.amazonaws.com")
#: Construct id of each stack's key, by the service it serves.
KEY_IDS = {"dynamodb": "TablesKey", "sqs": "QueuesKey", "lambda": "FunctionsKey"}


def service_key(
    scope: Construct,
    construct_id: str,
    *,
    service: str,
    senders: Sequence[str] = (),
    alias: str | None = None,
    removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
) -> kms.Key:
    """A rotated key that only ``service`` (``dynamodb``, ``sqs``, ``lambda``) uses, in the
    stack's account and region, for any caller of the account it serves; ``senders`` are
    service principals that may also use it to deliver into the service."""
    if service not in KEY_IDS:
        raise ValueError(f"service must be one of {', '.join(KEY_IDS)}, got {service!r}")
    stack = cdk.Stack.of(scope)
    policy = iam.PolicyDocument(
        statements=[
            iam.PolicyStatement(
                sid="KeyAdministration",
                principals=[iam.AccountRootPrincipal()],
                actions=list(KEY_ADMINISTRATION),
                resources=["*"],
            ),
            iam.PolicyStatement(
                sid=f"UseThrough{service.title()}",
                principals=[iam.AnyPrincipal()],
                actions=list(KEY_USE),
                resources=["*"],
                conditions={
                    "StringEquals": {
                        "kms:CallerAccount": stack.account,
                        "kms:ViaService": f"{service}.{stack.region}.amazonaws.com",
                    }
                },
            ),
        ]
    )
    if senders:
        policy.add_statements(
            iam.PolicyStatement(
                sid="DeliverInto",
                principals=[iam.ServicePrincipal(s) for s in senders],
                actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            )
        )
    return kms.Key(
        scope,
        construct_id,
        description=f"Encrypts the {service} data of {stack.stack_name}",
        enable_key_rotation=True,
        policy=policy,
        alias=alias,
        removal_policy=removal_policy,
    )


@jsii.implements(cdk.IAspect)
class EncryptServiceData:
    """Encrypt every DynamoDB table (and global-table replica), SQS queue and Lambda
    function's environment variables below the scope with customer-managed keys, one per
    stack and service (``TablesKey``, ``QueuesKey``, ``FunctionsKey``; see the module).

    :param replica_key_arns: region -> key ARN (or alias ARN) encrypting global-table
        replicas in that region, for regions other than the table's own; a replica in a
        region missing here raises ``ValueError``. Default: none.
    :param removal_policy: removal policy of the created keys. Default: ``RETAIN`` (data
        encrypted with a deleted key is lost).
    """

    @checked
    def __init__(
        self,
        *,
        replica_key_arns: Mapping[str, str] | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        for region, arn in (replica_key_arns or {}).items():
            check_region("replica_key_arns key", region)
            check_kms_arn(f"replica_key_arns[{region!r}]", arn)
        self._replica_key_arns = dict(replica_key_arns or {})
        self._removal_policy = removal_policy

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, dynamodb.CfnTable):
            node.sse_specification = dynamodb.CfnTable.SSESpecificationProperty(
                sse_enabled=True, sse_type="KMS", kms_master_key_id=self.key_for(node, "dynamodb")
            )
        elif isinstance(node, dynamodb.CfnGlobalTable):
            self._encrypt_global_table(node)
        elif isinstance(node, sqs.CfnQueue):
            node.sqs_managed_sse_enabled = None
            node.kms_master_key_id = self.key_for(node, "sqs")
        elif isinstance(node, lambda_.CfnFunction):
            node.kms_key_arn = self.key_for(node, "lambda")

    def _encrypt_global_table(self, node: dynamodb.CfnGlobalTable) -> None:
        stack = cdk.Stack.of(node)
        node.add_property_override("SSESpecification", {"SSEEnabled": True, "SSEType": "KMS"})
        for index, replica in enumerate(stack.resolve(node.replicas)):
            region = replica.get("region", replica.get("Region"))
            if region == stack.region:
                key_arn = self.key_for(node, "dynamodb")
            elif region in self._replica_key_arns:
                key_arn = self._replica_key_arns[region]
            else:
                raise ValueError(
                    f"global table {node.node.path} has a replica in {region!r}, for which "
                    f"replica_key_arns names no key; it names: {sorted(self._replica_key_arns)}"
                )
            node.add_property_override(
                f"Replicas.{index}.SSESpecification", {"KMSMasterKeyId": key_arn}
            )

    def key_for(self, node: IConstruct, service: str) -> str:
        """The ARN of ``service``'s key in ``node``'s stack (created there on first use)."""
        stack = cdk.Stack.of(node)
        existing = stack.node.try_find_child(KEY_IDS[service])
        if not isinstance(existing, kms.Key):
            existing = service_key(
                stack,
                KEY_IDS[service],
                service=service,
                senders=QUEUE_SENDERS if service == "sqs" else (),
                removal_policy=self._removal_policy,
            )
        return existing.key_arn
