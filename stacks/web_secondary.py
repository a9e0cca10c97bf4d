"""The ``WebSecondary`` stack: the product/order API again, in the secondary region."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from patterns import FunctionDefaults, OpsNotifications
from stacks.base import ShopStack
from stacks.config import StageConfig
from stacks.foundation import partner_key_secret_name
from stacks.network import PrivateNetwork
from stacks.shop_api import ShopApi
from stacks.web import WebStack


class WebSecondaryStack(ShopStack):
    """The shop's API in the stage's secondary region, on the replicas of ``primary``'s
    global tables, behind the same custom domain.

    Alarms here notify ``Notifications``, this region's own operations topic (CloudWatch
    alarms can only notify a topic of their region), with the stage's alarm e-mail.
    Signed-in routes use the primary region's user pool (API Gateway accepts a pool of
    another region). The user pool's ARN, the storefront's URL and the tables' names come
    from ``primary``'s outputs (the app's weak cross-stack references read them with
    ``Fn::GetStackOutput``, which names the producer's region), so this stack deploys
    after it.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        primary: WebStack,
        **kwargs: Any,
    ) -> None:
        region = config.secondary_region
        if region is None or primary.api_table is None:
            raise ValueError(f"stage {config.name!r} names no secondary_region")
        super().__init__(
            scope,
            construct_id,
            config=config,
            purpose="Shop product/order API, secondary region",
            env=config.secondary_environment,
            **kwargs,
        )
        if config.private_network:
            # A VPC belongs to one region: this one gets its own network.
            network = PrivateNetwork(self, "Network", config=config, region=region)
            network.function_defaults(FunctionDefaults.of(self)).apply_to(self)
        emails = [config.alarm_email] if config.alarm_email else []
        self.notifications = OpsNotifications(self, "Notifications", emails=emails)
        idempotency = primary.idempotency
        assert isinstance(idempotency, cdk.aws_dynamodb.TableV2)
        self.shop_api = ShopApi(
            self,
            config=config,
            table=primary.api_table.replica(region),
            idempotency=idempotency.replica(region),
            user_pool=primary.api.user_pool,
            allowed_origin=primary.storefront.url,
            alarm_topic=self.notifications.topic,
            # The replica of the primary region's secret: one key value in both regions.
            partner_key=secretsmanager.Secret.from_secret_name_v2(
                self, "PartnerApiKey", partner_key_secret_name(config)
            ),
        )
        self.api = self.shop_api.api
        url = self.shop_api.serve_on_domain(self, config=config, primary=False)
        cdk.CfnOutput(self, "ApiUrl", value=url)
        cdk.CfnOutput(self, "RegionalApiUrl", value=self.api.url)
