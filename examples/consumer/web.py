"""A static site and a REST API served by Lambda."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns import (
    ApiCustomDomain,
    ApiGatewayAccount,
    BrowserIdentity,
    GraphqlApi,
    LambdaAuthorizer,
    RegionalApiRecord,
    Route,
    ServerlessApi,
    ServerlessFunction,
    StaticWebsite,
    Throttle,
)

from .existing import HANDLERS, ExistingResources, import_function

#: The GraphQL schema and resolvers of the orders API.
GRAPHQL = HANDLERS / "graphql"

ORDER_SCHEMA = {
    "type": "object",
    "required": ["sku", "quantity"],
    "properties": {
        "sku": {"type": "string", "minLength": 1},
        "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
    },
}


def with_defaults(scope: Construct, topic: sns.ITopic) -> None:
    """A site with its own buckets; an API with its own table and user pool."""
    StaticWebsite(scope, "Site")
    handler = ServerlessFunction(scope, "ApiHandler", code_path=HANDLERS / "api")
    api = ServerlessApi(
        scope,
        "Api",
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        create_user_pool=True,
        default_auth="cognito",
        alarm_topic=topic,
        routes=[
            Route("GET", "/orders/{order_id}", handler, "read"),
            Route("POST", "/orders", handler, "write", request_schema=ORDER_SCHEMA),
            Route("GET", "/health", handler, auth="none", health_check=True),
        ],
    )
    # The same orders over GraphQL, signed with IAM (the default mode), read-only.
    if api.table is None:
        raise RuntimeError("the API was given a partition key, so it has a table")
    graphql = GraphqlApi(
        scope,
        "Graphql",
        schema=GRAPHQL / "schema.graphql",
        data_sources={"orders": api.table},
        read_only_tables=("orders",),
        alarm_topic=topic,
    )
    graphql.add_resolver("Query", "order", code=GRAPHQL / "get_order.js", data_source="orders")
    # Signed-in browsers read the orders table with identity-pool credentials.
    if api.user_pool is None or api.user_pool_client is None:
        raise RuntimeError("the API was asked to create a user pool and its client")
    identity = BrowserIdentity(
        scope, "Identity", user_pool=api.user_pool, user_pool_client=api.user_pool_client
    )
    identity.grant_read_data(api.table)
    # The account's logging role, before the stage (which logs) is created.
    ApiGatewayAccount(scope, "ApiGatewayAccount").required_by(api.stage)
    # This region's API on api.example.com: a new certificate validated in the zone,
    # and a latency record with a health check on GET /health.
    zone = route53.PublicHostedZone(scope, "Zone", zone_name="example.com")
    domain = ApiCustomDomain(
        scope, "ApiDomain", stage=api.stage, domain_name="api.example.com", hosted_zone=zone
    )
    RegionalApiRecord(scope, "ApiRecord", domain=domain.domain, hosted_zone=zone, stage=api.stage)


def with_existing(scope: Construct, existing: ExistingResources) -> None:
    """The site's bucket, domain and web ACL exist; the API uses the account's table,
    user pool, web ACL and deployed functions; a deployed partner API gets a custom domain
    with an existing certificate, the secondary of a failover pair."""
    site = StaticWebsite(
        scope,
        "Site",
        bucket=existing.site_bucket,
        log_bucket=existing.access_logs,
        domain_names=["www.example.com"],
        certificate=existing.certificate,
        web_acl_arn=existing.cloudfront_web_acl_arn,
    )
    # CDK cannot edit an imported bucket's policy: the site bucket's owner grants
    # CloudFront read access (condition AWS:SourceArn = the distribution's ARN).
    cdk.Annotations.of(site).acknowledge_warning(
        "@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac",
        "The site bucket's policy lets this distribution read through origin access control",
    )
    orders = import_function(scope, "order-api")
    api = ServerlessApi(
        scope,
        "Api",
        table=existing.orders_table,
        user_pool=existing.user_pool,
        default_auth="cognito",
        authorizer=LambdaAuthorizer(function=import_function(scope, "partner-authorizer")),
        web_acl_arn=existing.regional_web_acl_arn,
        throttle=Throttle(rate_limit=50, burst_limit=100),
        alarm_topic=existing.topic,
        routes=[
            Route("GET", "/orders/{order_id}", orders, "read"),
            Route("POST", "/orders", orders, "write", request_schema=ORDER_SCHEMA),
            Route("GET", "/partner/orders", orders, "read", auth="lambda"),
        ],
    )
    ApiGatewayAccount(scope, "ApiGatewayAccount").required_by(api.stage)
    # The account's orders over GraphQL: shoppers with the user pool, back office with IAM;
    # cancelling goes through a deployed function.
    graphql = GraphqlApi(
        scope,
        "Graphql",
        schema=GRAPHQL / "schema.graphql",
        data_sources={
            "orders": existing.orders_table,
            "cancel": import_function(scope, "order-canceller"),
        },
        read_only_tables=("orders",),
        default_authorization="user_pool",
        additional_authorization=("iam",),
        user_pool=existing.user_pool,
        web_acl_arn=existing.regional_web_acl_arn,
        alarm_topic=existing.topic,
    )
    graphql.add_resolver("Query", "order", code=GRAPHQL / "get_order.js", data_source="orders")
    graphql.add_resolver(
        "Mutation", "cancelOrder", code=GRAPHQL / "invoke.js", data_source="cancel"
    )
    # The account's user pool's browsers (its app client) read the orders table directly.
    identity = BrowserIdentity(
        scope,
        "Identity",
        user_pool=existing.user_pool,
        user_pool_client=cognito.UserPoolClient.from_user_pool_client_id(
            scope, "BrowserClient", "4f1dexampleclient0000000000"
        ),
    )
    identity.grant_read_data(existing.orders_table)
    partner = ApiCustomDomain(
        scope,
        "PartnerDomain",
        stage=existing.partner_api_stage,
        domain_name="partner.example.com",
        certificate=existing.regional_certificate,
        base_path="v2",
    )
    RegionalApiRecord(
        scope,
        "PartnerRecord",
        domain=partner.domain,
        hosted_zone=existing.hosted_zone,
        stage=existing.partner_api_stage,
        routing="failover",
        failover_role="secondary",
        health_path="/ping",
    )
