"""``StorefrontEvents``: the ingest API shoppers' browsers send their usage events to.

The Streaming stack's own ingest API takes SigV4-signed requests (AWS producers); a page
cannot sign them. This one writes into the same stream, takes the shop's user-pool
tokens (a signed-in shopper's page sends its ID token), answers CORS for the storefront's
origin only, and shares the shop API's WAF web ACL (one rate rule per IP across both).
Events of signed-out visitors are not sent (see the storefront's ``usage.js``).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from patterns import StreamIngestApi, StreamProcessor, retention_from_days
from stacks.config import StageConfig
from stacks.streaming import USAGE_EVENT_SCHEMA

#: Most events in one request of a page (it batches a few seconds of views and clicks).
MAX_EVENTS_PER_REQUEST = 50


def storefront_events(
    scope: Construct,
    *,
    config: StageConfig,
    events: StreamProcessor,
    user_pool: cognito.IUserPool,
    storefront_origin: str,
    web_acl: wafv2.CfnWebACL | None,
) -> StreamIngestApi:
    """The API (``StorefrontEvents``) and its user-pool authorizer."""
    authorizer = apigw.CognitoUserPoolsAuthorizer(
        scope,
        "StorefrontEventsAuthorizer",
        cognito_user_pools=[user_pool],
        results_cache_ttl=cdk.Duration.minutes(5),
    )
    removal = config.cdk_removal_policy
    return StreamIngestApi(
        scope,
        "StorefrontEvents",
        stream=events.stream,
        partition_key_field="product_id",
        record_schema=USAGE_EVENT_SCHEMA,
        max_records_per_request=MAX_EVENTS_PER_REQUEST,
        authorizer=authorizer,
        cors_origins=[storefront_origin],
        log_retention=retention_from_days(config.log_retention_days),
        removal_policy=removal,
        execution_log_level=apigw.MethodLoggingLevel.ERROR,
        throttling_rate_limit=config.ingest_rate_limit,
        throttling_burst_limit=config.ingest_burst_limit,
        records_throttling_rate_limit=config.ingest_batch_rate_limit,
        web_acl_arn=web_acl.attr_arn if web_acl is not None else None,
    )
