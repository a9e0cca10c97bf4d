"""The shop's product/order API, built into a stack of the primary or the secondary region."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns

from patterns import (
    ApiCustomDomain,
    ApiUsagePlan,
    RegionalApiRecord,
    Route,
    ServerlessApi,
    ServerlessFunction,
    Throttle,
)
from stacks.config import StageConfig
from stacks.lambda_code import handler_function
from stacks.traffic_checks import Probe, add_traffic_check
from stacks.web_settings import CORS_RESOLVER_HEADERS, api_protection

#: Cognito group allowed to change the catalogue (the product handler checks it).
ADMIN_GROUP = "admin"
#: The route Route 53 health checks call in each region (served by the product function
#: without touching the table, so a check costs one cheap invocation).
HEALTH_PATH = "/health"
_STRING = dynamodb.AttributeType.STRING
#: The query strings of ``GET /products``: a page size and the cursor of the next page.
PAGING = ("cursor", "limit")
#: Where partners read the catalogue with their API key (metered by the ``Partner`` plan).
PARTNER_PREFIX = "/partner"

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

#: ``lambdas/order_review/review.py`` checks the same, with its own messages.
REVIEW_SCHEMA = {
    "type": "object",
    "required": ["decision"],
    "properties": {
        "decision": {"type": "string", "enum": ["approve", "reject", "hold"]},
        "reason": {"type": "string", "minLength": 1, "maxLength": 500},
    },
}


class ShopApi:
    """``Products`` and ``Orders`` functions behind ``Api`` (a ``ServerlessApi``).

    Not a construct: its parts are children of ``stack`` itself, so their logical ids do
    not depend on which stack builds them.

    :param table: the products/orders table (``pk``/``sk``); ``None`` makes ``Api`` create
        it (single-region stages).
    :param idempotency: Powertools' idempotency table of the order function.
    :param user_pool: the user pool of signed-in routes; ``None`` makes ``Api`` create one
        (with the ``admin`` group).
    :param allowed_origin: the storefront's origin (CORS).
    :param partner_key: the secret holding the ``ExamplePartner`` key's value (the same in
        every region); ``None`` lets API Gateway generate it.
    :param live_tokens: serves ``GET /live-token`` (signed-in callers) when given.
    :param review: serve ``POST /orders/{order_id}/review`` (``Reviewer``, for the
        ``admin`` group; ``stacks/order_review.py`` lets it answer the review workflow)
        when the stage reviews orders. Default: False.
    """

    def __init__(
        self,
        stack: cdk.Stack,
        *,
        config: StageConfig,
        table: dynamodb.ITable | None,
        idempotency: dynamodb.ITable,
        user_pool: cognito.IUserPool | None,
        allowed_origin: str,
        alarm_topic: sns.ITopic | None,
        partner_key: secretsmanager.ISecret | None = None,
        live_tokens: ServerlessFunction | None = None,
        review: bool = False,
    ) -> None:
        self.products = ServerlessFunction(
            stack,
            "Products",
            **handler_function("products"),
            description="Product catalogue API: list, read and create products",
            environment={"ALLOWED_ORIGIN": allowed_origin},
            alarm_topic=alarm_topic,
        )
        self.orders = ServerlessFunction(
            stack,
            "Orders",
            **handler_function("orders"),
            description="Order API: idempotent order placement and order lookup",
            environment={"ALLOWED_ORIGIN": allowed_origin},
            alarm_topic=alarm_topic,
        )
        if config.order_review_above_cents is not None:
            self.orders.function.add_environment(
                "REVIEW_ABOVE_CENTS", str(config.order_review_above_cents)
            )
        #: The admins' review decisions, where this API serves them.
        self.reviewer: ServerlessFunction | None = None
        if review and config.order_review_above_cents is not None:
            self.reviewer = ServerlessFunction(
                stack,
                "Reviewer",
                **handler_function("order_review"),
                description="Order review API: an admin approves, rejects or holds an order",
                environment={"ALLOWED_ORIGIN": allowed_origin},
                alarm_topic=alarm_topic,
            )
        if config.traffic_checks:
            # Products reads the table (its role, environment and code are all tried);
            # an order lookup without a signed-in caller must be refused, not crash.
            for function, probe in (
                (self.products, Probe("GET", "/products", 200, {"limit": "1"})),
                (self.orders, Probe("GET", "/orders/traffic-check", 401)),
            ):
                add_traffic_check(
                    function,
                    probe=probe,
                    alarm_topic=alarm_topic,
                    removal_policy=config.cdk_removal_policy,
                )
        idempotency.grant_read_write_data(self.orders.function)
        self.orders.function.add_environment("IDEMPOTENCY_TABLE", idempotency.table_name)
        self.live_tokens = live_tokens
        created_table = table is None
        self.api = ServerlessApi(
            stack,
            "Api",
            table=table,
            partition_key=dynamodb.Attribute(name="pk", type=_STRING) if created_table else None,
            sort_key=dynamodb.Attribute(name="sk", type=_STRING) if created_table else None,
            # New orders reach the purchase events' outbox (``stacks/purchase_events.py``).
            table_stream=dynamodb.StreamViewType.NEW_IMAGE if created_table else None,
            point_in_time_recovery=config.point_in_time_recovery,
            deletion_protection=config.termination_protection,
            removal_policy=config.cdk_removal_policy,
            default_auth="cognito",
            user_pool=user_pool,
            create_user_pool=user_pool is None,
            # The storefront signs shoppers in with fetch alone (no SRP library).
            password_sign_in=user_pool is None,
            cors_origins=[allowed_origin],
            cors_allow_headers=["Content-Type", "Authorization", "Idempotency-Key", "X-Api-Key"],
            alarm_topic=alarm_topic,
            **api_protection(config),
            usage_plans=[
                ApiUsagePlan(
                    "Partner",
                    throttle=Throttle(rate_limit=10, burst_limit=20),
                    quota=100_000,
                    quota_period="MONTH",
                    api_keys=("ExamplePartner",),
                    key_secrets={"ExamplePartner": partner_key} if partner_key else {},
                )
            ],
            routes=self._routes(config),
        )
        if user_pool is None:
            assert self.api.user_pool is not None
            cognito.CfnUserPoolGroup(
                stack,
                "AdminGroup",
                user_pool_id=self.api.user_pool.user_pool_id,
                group_name=ADMIN_GROUP,
                description="May create and change products, and review orders",
            )
        #: The API's custom domain and this region's record (multi-region stages).
        self.domain: ApiCustomDomain | None = None
        self.record: RegionalApiRecord | None = None

    def _routes(self, config: StageConfig) -> list[Route]:
        """The routes, each declaring the query strings and headers its handler reads.

        The catalogue reads are public, served twice by the same handler:

        * ``GET /products`` and ``GET /products/{sku}`` without an API key, for the
          storefront: a page in a browser cannot keep a key secret (anyone could copy it
          from the page), so a key there would meter nothing and protect nothing. They
          serve only what anyone may see, from the stage cache (keyed on the paging query
          strings and the headers the handler reads), within the stage's throttle and
          behind the API's WAF (managed rules and a per-IP rate rule).
        * ``GET /partner/products...`` with an API key of the ``Partner`` usage plan: the
          same answers, metered per partner (monthly quota, per-key throttle), so a
          partner's use is counted and capped on its own, apart from shoppers' traffic.

        A key meters and throttles a caller, it does not authenticate one (keys travel in
        a header and are shared with integrators).
        """
        public: dict[str, Any] = {"auth": "none", "headers": CORS_RESOLVER_HEADERS}
        partner = {**public, "api_key_required": True}
        order_headers = {"Idempotency-Key": True, **dict.fromkeys(CORS_RESOLVER_HEADERS, False)}
        routes = [
            Route("GET", "/products", self.products, "read", query_strings=PAGING, **public),
            Route("GET", "/products/{sku}", self.products, "read", **public),
            Route(
                "GET",
                f"{PARTNER_PREFIX}/products",
                self.products,
                "read",
                query_strings=PAGING,
                **partner,
            ),
            Route("GET", f"{PARTNER_PREFIX}/products/{{sku}}", self.products, "read", **partner),
            Route(
                "POST",
                "/products",
                self.products,
                "write",
                request_schema=PRODUCT_SCHEMA,
                headers=CORS_RESOLVER_HEADERS,
            ),
            Route(
                "POST",
                "/orders",
                self.orders,
                "read_write",
                request_schema=ORDER_SCHEMA,
                headers=order_headers,
            ),
            Route("GET", "/orders/{order_id}", self.orders, "read", headers=CORS_RESOLVER_HEADERS),
        ]
        if self.reviewer is not None:
            routes.append(
                Route(
                    "POST",
                    "/orders/{order_id}/review",
                    self.reviewer,
                    "read",
                    request_schema=REVIEW_SCHEMA,
                    headers=CORS_RESOLVER_HEADERS,
                )
            )
        if self.live_tokens is not None:
            # A token is per caller: never from the stage cache.
            routes.append(
                Route(
                    "GET",
                    "/live-token",
                    self.live_tokens,
                    cacheable=False,
                    headers=CORS_RESOLVER_HEADERS,
                )
            )
        if config.secondary_region is not None:
            routes.append(
                Route(
                    "GET",
                    HEALTH_PATH,
                    self.products,
                    auth="none",
                    health_check=True,
                    headers=CORS_RESOLVER_HEADERS,
                )
            )
        return routes

    def serve_on_domain(self, stack: cdk.Stack, *, config: StageConfig, primary: bool) -> str:
        """Serve the API on the stage's custom domain from ``stack``'s region, behind a
        latency (or failover) record with a health check; return the domain's URL."""
        assert config.api_domain_name is not None
        assert config.hosted_zone_id is not None
        assert config.hosted_zone_name is not None
        zone = route53.PublicHostedZone.from_hosted_zone_attributes(
            stack,
            "HostedZone",
            hosted_zone_id=config.hosted_zone_id,
            zone_name=config.hosted_zone_name,
        )
        self.domain = ApiCustomDomain(
            stack,
            "ApiDomain",
            stage=self.api.stage,
            domain_name=config.api_domain_name,
            hosted_zone=zone,
        )
        failover = config.api_routing == "failover"
        self.record = RegionalApiRecord(
            stack,
            "ApiRecord",
            domain=self.domain.domain,
            hosted_zone=zone,
            stage=self.api.stage,
            routing=config.api_routing,
            failover_role=("primary" if primary else "secondary") if failover else None,
            health_path=HEALTH_PATH,
        )
        return self.domain.url
