"""``SecurityPolicies``: world-open ingress is revoked and public buckets are blocked again."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns import ApiCallMatch, PolicyEnforcer, ServerlessFunction
from patterns.acknowledgements import flatten
from stacks.config import StageConfig
from stacks.lambda_code import handler_function

#: Ports that may be open to 0.0.0.0/0 or ::/0.
ALLOWED_PORTS = (80, 443)
API_CALLS = (
    ApiCallMatch(
        name="OpenIngress",
        event_source="ec2.amazonaws.com",
        event_names=["AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules"],
    ),
    ApiCallMatch(
        name="PublicBucket",
        event_source="s3.amazonaws.com",
        event_names=[
            "PutBucketPolicy",
            "PutBucketAcl",
            "DeleteBucketPublicAccessBlock",
            "PutBucketPublicAccessBlock",
        ],
    ),
)


class SecurityPolicies(Construct):
    """``Remediation`` (the function) run by ``Enforcer`` on the API calls above.

    The function may only describe security groups, revoke ingress, set buckets'
    public-access blocks and publish to the operations topic.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        self.function = ServerlessFunction(
            self,
            "Remediation",
            **handler_function("sg_remediation"),
            description="Revokes world-open ingress and blocks public buckets again",
            environment={
                "REPORT_TOPIC_ARN": topic.topic_arn,
                "ALLOWED_PORTS": ",".join(str(p) for p in ALLOWED_PORTS),
            },
            alarm_topic=topic,
        )
        # Publishing to the encrypted topic also grants its key (kms:GenerateDataKey*).
        topic.grant_publish(self.function.function)
        cdk.Validations.of(self.function.role.node.find_child("DefaultPolicy")).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
                reason="SNS's own grant_publish on the KMS-encrypted operations topic: the "
                "wildcard covers only the GenerateDataKey variants on that one key.",
            )
        )
        self._grant_remediation()
        self.enforcer = PolicyEnforcer(
            self,
            "Enforcer",
            function=self.function,
            api_calls=API_CALLS,
            topic=topic,
            enabled=config.triggers_enabled,
            removal_policy=config.cdk_removal_policy,
        )

    def _grant_remediation(self) -> None:
        stack = cdk.Stack.of(self)
        groups = stack.format_arn(service="ec2", resource="security-group", resource_name="*")
        policy = iam.Policy(
            self,
            "RemediationPolicy",
            roles=[self.function.role],
            statements=[
                iam.PolicyStatement(actions=["ec2:DescribeSecurityGroups"], resources=["*"]),
                iam.PolicyStatement(actions=["ec2:RevokeSecurityGroupIngress"], resources=[groups]),
                iam.PolicyStatement(
                    actions=["s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"],
                    resources=[f"arn:{stack.partition}:s3:::*"],
                ),
            ],
        )
        for resource, reason in (
            (
                "*",
                "ec2:DescribeSecurityGroups supports no resource-level permissions; "
                "the statement holds only that read action.",
            ),
            (
                flatten(self, groups),
                "Any security group of the account may be opened to the world, so any may "
                "need its ingress revoked.",
            ),
            (
                flatten(self, f"arn:{stack.partition}:s3:::*"),
                "Any bucket of the account may be made public, "
                "so any may need its public-access block restored.",
            ),
        ):
            cdk.Validations.of(policy).acknowledge(
                cdk.Acknowledgment(id=f"AwsSolutions-IAM5[Resource::{resource}]", reason=reason)
            )
