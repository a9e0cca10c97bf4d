"""``ApiGatewayAccount``: the account- and region-level setting API Gateway needs before
any stage may log."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from patterns._metadata import mark_pattern
from patterns._types import checked
from patterns._validation import check_instance
from patterns.api.stage import PUSH_TO_LOGS_POLICY, acknowledge_push_to_logs


class ApiGatewayAccount(Construct):
    """The role API Gateway writes CloudWatch logs with, set as the account's setting in
    the stack's region (``AWS::ApiGateway::Account``).

    API Gateway rejects a stage with execution or access logging ("CloudWatch Logs role
    ARN must be set in account settings to enable logging") until this setting exists in
    its account and region. There is one setting per account and region: create this once
    per region, in a stack that every stack with an API deploys after, and declare each
    such stack (or stage) with :meth:`required_by`. ``ServerlessApi(cloud_watch_role=True)``
    does the same inside one stack; prefer this construct when several stacks or stages
    share an account.

    :param removal_policy: of the role and the setting; default ``RETAIN``, because APIs of
        other stacks and stages in the account keep logging through the role after this
        stack is gone.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        check_instance("removal_policy", removal_policy, cdk.RemovalPolicy)
        #: The role API Gateway assumes to write logs.
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description="API Gateway: write execution and access logs to CloudWatch Logs",
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(PUSH_TO_LOGS_POLICY)],
        )
        self.role.apply_removal_policy(removal_policy)
        acknowledge_push_to_logs(self.role)
        #: The account's setting (``AWS::ApiGateway::Account``) naming the role.
        self.resource = apigateway.CfnAccount(
            self, "Resource", cloud_watch_role_arn=self.role.role_arn
        )
        self.resource.apply_removal_policy(removal_policy)

    def required_by(self, *dependents: IConstruct) -> None:
        """Make each of ``dependents`` (a stage, an API, a whole stack) deploy after the
        setting exists. In another stack of the same app this becomes a stack dependency,
        so ``cdk deploy`` deploys this stack first."""
        for dependent in dependents:
            check_instance("dependents", dependent, Construct)
            dependent.node.add_dependency(self.resource)
