"""The ``Web`` stack: the shop's storefront and its product/order API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3_deployment as s3_deployment
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns import (
    BrowserIdentity,
    GraphqlApi,
    StaticWebsite,
    StreamIngestApi,
    StreamProcessor,
)
from patterns.static_website import DEFAULT_CONTENT_SECURITY_POLICY
from stacks.base import ShopStack
from stacks.browser_access import shopper_identity
from stacks.catalog_graphql import catalog_graphql
from stacks.config import StageConfig
from stacks.keys import data_key
from stacks.live import LiveAccess, add_token_issuer
from stacks.order_idempotency import idempotency_table
from stacks.order_review import OrderReview
from stacks.purchase_events import PurchaseEvents
from stacks.shop_api import ShopApi
from stacks.storefront_domain import storefront_domain
from stacks.storefront_events import storefront_events
from stacks.tables import acknowledge_no_pitr, global_table

#: The storefront's files.
STOREFRONT_DIR = Path(__file__).resolve().parent.parent / "web" / "storefront"


def storefront_policy(config: StageConfig, region: str, url_suffix: str) -> str:
    """The storefront's Content-Security-Policy: the website's default, and ``connect-src``
    naming what the page calls with ``fetch`` (and the dashboard's WebSocket): the stage's
    APIs (API Gateway in the stack's region, and the API's custom domain), Cognito (user
    pools and identity pools) and Kinesis (the page's usage events).

    API Gateway's hosts by wildcard, not the API's own id: the distribution naming the API
    stage, whose CORS names the distribution's domain, would be a dependency cycle.
    """
    api_hosts = f"*.execute-api.{region}.{url_suffix}"
    sources = [
        f"https://{api_hosts}",
        f"wss://{api_hosts}",
        f"https://cognito-idp.{region}.{url_suffix}",
        # The identity pool's credentials, and the stream the page writes events into.
        f"https://cognito-identity.{region}.{url_suffix}",
        f"https://kinesis.{region}.{url_suffix}",
    ]
    if config.api_domain_name is not None:
        sources.append(f"https://{config.api_domain_name}")
    return f"{DEFAULT_CONTENT_SECURITY_POLICY}; connect-src 'self' {' '.join(sources)}"


class WebStack(ShopStack):
    """The storefront (``Storefront``) and the product/order API (``Api``).

    ``Api`` keeps products and orders in one table (``pk``/``sk``). Product reads are
    public (``GET /products...``, for the storefront, cached and throttled) and, metered
    per partner, ``GET /partner/products...`` with an API key of the ``Partner`` usage plan
    (see ``ShopApi._routes``); creating products needs a Cognito user of the ``admin``
    group; orders need a signed-in Cognito user and are placed idempotently
    (``IdempotencyTable``).

    When the stage names a secondary region, both tables are DynamoDB global tables with a
    replica there (``ApiGlobalTable``; ``IdempotencyStrongTable``, strongly consistent with
    the stage's witness region and swept by ``IdempotencySweeper``), the API also
    answers ``GET /health`` and is served on the stage's custom domain (``ApiDomain``)
    behind a latency or failover record with a health check (``ApiRecord``);
    ``WebSecondaryStack`` serves the same API from the other region.

    :param alarm_topic: topic every alarm of the stack notifies. Default: none.
    :param partner_key: the secret holding the partner API key's value, shared by every
        region of the stage. Default: none, API Gateway generates the value.
    :param counts: the usage counts table; given, the catalogue is also served over
        GraphQL (``CatalogGraphql``, with each product's counts), and administrators'
        pages may read it (``ShopperIdentity``). Default: none.
    :param usage_events: the usage events' stream, which gets a ``purchase`` event for each
        product of every order stored (``PurchaseEvents``) and the pages' view and cart
        events (``ShopperIdentity``: straight from the browser with identity-pool
        credentials). Default: none, no events.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        alarm_topic: sns.ITopic | None = None,
        partner_key: secretsmanager.ISecret | None = None,
        usage_events: StreamProcessor | None = None,
        live: LiveAccess | None = None,
        counts: dynamodb.ITable | None = None,
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
        # With a custom domain: its certificate, TLS 1.2 at least (CloudFront's default
        # certificate also accepts TLS 1.0 and 1.1).
        domain = storefront_domain(self, config)
        self.storefront = StaticWebsite(
            self,
            "Storefront",
            removal_policy=removal,
            waf=config.region == "us-east-1",
            content_security_policy=storefront_policy(config, self.region, self.url_suffix),
            encryption_key=data_key(self, config),
            domain_names=[domain.name] if domain else None,
            certificate=domain.certificate if domain else None,
        )
        if domain is not None:
            domain.add_records(self, self.storefront.distribution)

        # With a secondary region, both tables are global tables replicated there, where
        # ``WebSecondary`` serves the same API from the replicas.
        self.api_table: dynamodb.TableV2 | None = None
        if config.secondary_region is not None:
            self.api_table = global_table(
                self, "ApiGlobalTable", config=config, partition_key="pk", sort_key="sk"
            )
        self.idempotency, self.sweeper = idempotency_table(self, config, alarm_topic=alarm_topic)
        self.shop_api = ShopApi(
            self,
            config=config,
            table=self.api_table,
            idempotency=self.idempotency,
            user_pool=None,
            allowed_origin=self.storefront.url,
            alarm_topic=alarm_topic,
            partner_key=partner_key,
            live_tokens=(
                add_token_issuer(
                    self,
                    access=live,
                    allowed_origin=self.storefront.url,
                    alarm_topic=alarm_topic,
                )
                if live is not None
                else None
            ),
            review=True,
        )
        self.products, self.orders = self.shop_api.products, self.shop_api.orders
        self.api = self.shop_api.api
        api_url = self.api.url
        #: New orders as purchase usage events, when the stage's stream is given.
        self.purchase_events: PurchaseEvents | None = None
        if usage_events is not None:
            assert self.api.table is not None
            self.purchase_events = PurchaseEvents(
                self,
                "PurchaseEvents",
                config=config,
                table=self.api.table,
                events=usage_events,
                alarm_topic=alarm_topic,
            )
        #: The review of large orders, when the stage reviews them.
        self.order_review: OrderReview | None = None
        if self.shop_api.reviewer is not None:
            assert self.api.table is not None
            self.order_review = OrderReview(
                self,
                "OrderReview",
                config=config,
                table=self.api.table,
                reviewer=self.shop_api.reviewer,
                alarm_topic=alarm_topic,
            )
        #: The ingest API shoppers' pages send view and cart events to.
        self.storefront_events: StreamIngestApi | None = None
        if usage_events is not None:
            assert self.api.user_pool is not None
            self.storefront_events = storefront_events(
                self,
                config=config,
                events=usage_events,
                user_pool=self.api.user_pool,
                storefront_origin=self.storefront.url,
                web_acl=self.api.web_acl,
            )
        #: The identity pool whose credentials shoppers' pages put their events with.
        self.shopper_identity: BrowserIdentity | None = None
        self._events_stream = usage_events.stream if usage_events is not None else None
        if usage_events is not None:
            assert self.api.user_pool is not None
            assert self.api.user_pool_client is not None
            self.shopper_identity = shopper_identity(
                self,
                config=config,
                user_pool=self.api.user_pool,
                user_pool_client=self.api.user_pool_client,
                events=usage_events.stream,
                counts=counts,
            )
        #: The catalogue over GraphQL, when the counts table is given.
        self.catalog_graphql: GraphqlApi | None = None
        if counts is not None:
            assert self.api.table is not None
            assert self.api.user_pool is not None
            self.catalog_graphql = catalog_graphql(
                self,
                config=config,
                products=self.api.table,
                counts=counts,
                user_pool=self.api.user_pool,
                web_acl_arn=self.api.web_acl.attr_arn if self.api.web_acl else None,
                alarm_topic=alarm_topic,
            )
            cdk.CfnOutput(self, "GraphqlUrl", value=self.catalog_graphql.url)
        if config.secondary_region is not None:
            api_url = self.shop_api.serve_on_domain(self, config=config, primary=True)
        for table in (self.api.table, self.idempotency):
            assert table is not None
            acknowledge_no_pitr(
                table, config, ": its data is disposable test data deleted with the stack."
            )
        # Deployed last: config.json tells the page where the API is.
        self.storefront.add_content(
            STOREFRONT_DIR,
            [
                s3_deployment.Source.json_data(
                    "config.json", self._page_config(config, api_url, live)
                )
            ],
        )
        cdk.CfnOutput(self, "StorefrontUrl", value=self.storefront.url)
        cdk.CfnOutput(self, "ApiUrl", value=api_url)

    def _page_config(
        self, config: StageConfig, api_url: str, live: LiveAccess | None
    ) -> dict[str, str]:
        """The storefront's ``config.json``: the API, the user pool and app client the page
        signs shoppers in with (``USER_PASSWORD_AUTH`` and the TOTP challenge, at
        ``cognitoEndpoint``, which the local backend points at its emulator), the events
        API (``ingestUrl``, the page's fallback), the identity pool and stream the page puts
        its events into (``identityPoolId``, ``eventsStream``; ``guestEvents`` when guests'
        count too) and the dashboard's WebSocket URL (``liveUrl``)."""
        pool, client = self.api.user_pool, self.shop_api.api.user_pool_client
        assert pool is not None
        assert client is not None
        cognito_endpoint = f"https://cognito-idp.{self.region}.{self.url_suffix}/"
        return {
            "apiUrl": api_url,
            "stage": config.name,
            "region": self.region,
            "userPoolId": pool.user_pool_id,
            "userPoolClientId": client.user_pool_client_id,
            "cognitoEndpoint": cognito_endpoint,
            **({"ingestUrl": self.storefront_events.api.url} if self.storefront_events else {}),
            **self._identity_config(),
            **({"liveUrl": live.url} if live is not None else {}),
        }

    def _identity_config(self) -> dict[str, str]:
        identity, stream = self.shopper_identity, self._events_stream
        if identity is None or stream is None:
            return {}
        found = {
            "identityPoolId": identity.identity_pool_id,
            "identityEndpoint": f"https://cognito-identity.{self.region}.{self.url_suffix}/",
            "eventsStream": stream.stream_arn,
            "kinesisEndpoint": f"https://kinesis.{self.region}.{self.url_suffix}/",
        }
        if identity.guest_role is not None:
            found["guestEvents"] = "true"
        return found
