"""The ``Foundation`` stacks: what an account and region need before any other stack of
the stage deploys there."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from patterns import ApiGatewayAccount
from stacks.base import ShopStack
from stacks.config import StageConfig


class FoundationStack(ShopStack):
    """Account- and region-level prerequisites of one region of a stage.

    Today that is API Gateway's account setting for logging (``ApiGateway``): every API
    stage of the app logs, and API Gateway refuses such a stage until the setting exists.
    The stage makes each of its stacks in this region depend on this one, so
    ``cdk deploy "<Stage>/*"`` deploys it first.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, config: StageConfig, **kwargs: Any
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            config=config,
            purpose="Shop account and region prerequisites",
            **kwargs,
        )
        #: API Gateway's CloudWatch Logs role, set for the account in this region.
        self.api_gateway = ApiGatewayAccount(self, "ApiGateway")

    def required_by(self, stack: cdk.Stack) -> None:
        """Deploy ``stack`` (of this region) after this one."""
        self.api_gateway.required_by(stack)
