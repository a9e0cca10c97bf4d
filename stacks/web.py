"""The ``Web`` stack: the shop's storefront and its product/order API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3_deployment as s3_deployment
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns import ApiUsagePlan, Route, ServerlessApi, ServerlessFunction, StaticWebsite, Throttle
from stacks.base import ShopStack
from stacks.config import StageConfig
from stacks.keys import data_key
from stacks.lambda_code import handler_code
from stacks.tables import stage_table
from stacks.web_settings import api_protection

#: The storefront's files.
STOREFRONT_DIR = Path(__file__).resolve().parent.parent / "web" / "storefront"
#: Cognito group allowed to change the catalogue (the product handler checks it).
ADMIN_GROUP = "admin"
_STRING = dynamodb.AttributeType.STRING

PRODUCT_SCHEMA = {
    "type": "object",
    "required": ["sku", "name", "price_cents"],
    "properties": {
        "sku": {"type": "string", "pattern": "^[A-Z0-9][A-Z0-9-]{1,31}$"},
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "price_cents": {"type": "integer", "minimum": 1, "maximum": 10000000},
        "description": {"type": "string", "maxLength": 2000},
    },
}
ORDER_SCHEMA = {
    "type": "object",
    "required": ["items"],
    "properties": {
        "items": {
            "type": "array",
            "minItems": 1,
            "maxItems": 50,
            "items": {
                "type": "object",
                "required": ["sku", "quantity"],
                "properties": {
                    "sku": {"type": "string", "minLength": 1},
                    "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
                },
            },
        }
    },
}


class WebStack(ShopStack):
    """The storefront (``Storefront``) and the product/order API (``Api``).

    ``Api`` keeps products and orders in one table (``pk``/``sk``). Product reads need an
    API key of the ``Partner`` usage plan (metered, throttled, with a monthly quota);
    creating products needs a Cognito user of the ``admin`` group; orders need a signed-in
    Cognito user and are placed idempotently (``IdempotencyTable``).

    :param alarm_topic: topic every alarm of the stack notifies. Default: none.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        alarm_topic: sns.ITopic | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            config=config,
            purpose="Shop storefront and product/order API",
            **kwargs,
        )
        removal = config.cdk_removal_policy
        # CloudFront web ACLs exist only in us-east-1: elsewhere the storefront (static
        # files) goes without, while the API below has its regional one.
        self.storefront = StaticWebsite(
            self,
            "Storefront",
            removal_policy=removal,
            waf=config.region == "us-east-1",
            encryption_key=data_key(self, config),
        )

        self.products = ServerlessFunction(
            self,
            "Products",
            code=handler_code("products"),
            handler="products.app.handler",
            description="Product catalogue API: list, read and create products",
            environment={"ALLOWED_ORIGIN": self.storefront.url},
            alarm_topic=alarm_topic,
        )
        self.orders = ServerlessFunction(
            self,
            "Orders",
            code=handler_code("orders"),
            handler="orders.app.handler",
            description="Order API: idempotent order placement and order lookup",
            environment={"ALLOWED_ORIGIN": self.storefront.url},
            alarm_topic=alarm_topic,
        )
        self.idempotency = self._idempotency_table(config)
        self.idempotency.grant_read_write_data(self.orders.function)
        self.orders.function.add_environment("IDEMPOTENCY_TABLE", self.idempotency.table_name)

        self.api = ServerlessApi(
            self,
            "Api",
            partition_key=dynamodb.Attribute(name="pk", type=_STRING),
            sort_key=dynamodb.Attribute(name="sk", type=_STRING),
            point_in_time_recovery=config.point_in_time_recovery,
            deletion_protection=config.termination_protection,
            removal_policy=removal,
            default_auth="cognito",
            create_user_pool=True,
            cors_origins=[self.storefront.url],
            cors_allow_headers=["Content-Type", "Authorization", "Idempotency-Key", "X-Api-Key"],
            cloud_watch_role=True,
            alarm_topic=alarm_topic,
            **api_protection(config),
            usage_plans=[
                ApiUsagePlan(
                    "Partner",
                    throttle=Throttle(rate_limit=10, burst_limit=20),
                    quota=100_000,
                    quota_period="MONTH",
                    api_keys=("ExamplePartner",),
                )
            ],
            routes=[
                Route(
                    "GET", "/products", self.products, "read", auth="none", api_key_required=True
                ),
                Route(
                    "GET",
                    "/products/{sku}",
                    self.products,
                    "read",
                    auth="none",
                    api_key_required=True,
                ),
                Route("POST", "/products", self.products, "write", request_schema=PRODUCT_SCHEMA),
                Route("POST", "/orders", self.orders, "read_write", request_schema=ORDER_SCHEMA),
                Route("GET", "/orders/{order_id}", self.orders, "read"),
            ],
        )
        assert self.api.user_pool is not None
        cognito.CfnUserPoolGroup(
            self,
            "AdminGroup",
            user_pool_id=self.api.user_pool.user_pool_id,
            group_name=ADMIN_GROUP,
            description="May create and change products",
        )
        if not config.point_in_time_recovery:
            for table in (self.api.table, self.idempotency):
                assert table is not None
                cdk.Validations.of(table).acknowledge(
                    cdk.Acknowledgment(
                        id="AwsSolutions-DDB3",
                        reason=f"Stage {config.name!r} turns point-in-time recovery off: its "
                        "data is disposable test data deleted with the stack.",
                    )
                )
        # Deployed last: config.json tells the page where the API is.
        self.storefront.add_content(
            STOREFRONT_DIR,
            [
                s3_deployment.Source.json_data(
                    "config.json", {"apiUrl": self.api.url, "stage": config.name}
                )
            ],
        )
        cdk.CfnOutput(self, "StorefrontUrl", value=self.storefront.url)
        cdk.CfnOutput(self, "ApiUrl", value=self.api.url)

    def _idempotency_table(self, config: StageConfig) -> dynamodb.Table:
        """Powertools' idempotency records: key ``id``, expiring through TTL."""
        return stage_table(
            self,
            "IdempotencyTable",
            config=config,
            partition_key="id",
            time_to_live_attribute="expiration",
        )
