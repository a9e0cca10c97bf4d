"""The product catalogue over GraphQL (AppSync), beside the REST API in the ``Web`` stack."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns import GraphqlApi, PipelineStep
from stacks.config import StageConfig
from stacks.web_settings import graphql_settings

#: The schema and the JavaScript resolvers.
GRAPHQL_DIR = Path(__file__).resolve().parent / "graphql"
SCHEMA = GRAPHQL_DIR / "schema.graphql"


def catalog_graphql(
    scope: Construct,
    *,
    config: StageConfig,
    products: dynamodb.ITable,
    counts: dynamodb.ITable,
    user_pool: cognito.IUserPool,
    web_acl_arn: str | None,
    alarm_topic: sns.ITopic | None,
) -> GraphqlApi:
    """``CatalogGraphql``: ``products(limit, nextToken)`` and ``product(sku)`` (with its
    view and purchase counts, from ``counts``), ``updateProduct`` for the ``admin`` group
    and the ``onProductChanged`` subscription that follows it.

    Shoppers sign in with the shop's user pool (the default mode); IAM is the additional
    mode (back-office jobs, SigV4). Queries read through read-only data sources
    (``products``, ``counts``); only the mutation's ``productWrites`` can write, and only
    the products table.
    """
    api = GraphqlApi(
        scope,
        "CatalogGraphql",
        schema=SCHEMA,
        data_sources={"products": products, "productWrites": products, "counts": counts},
        read_only_tables=("products", "counts"),
        default_authorization="user_pool",
        additional_authorization=("iam",),
        user_pool=user_pool,
        web_acl_arn=web_acl_arn,
        alarm_topic=alarm_topic,
        removal_policy=config.cdk_removal_policy,
        **graphql_settings(config),
    )
    api.add_resolver(
        "Query",
        "products",
        code=GRAPHQL_DIR / "products.js",
        data_source="products",
        cache_keys=(
            ("$context.arguments.limit", "$context.arguments.nextToken")
            if api.cache is not None
            else None
        ),
    )
    api.add_pipeline_resolver(
        "Query",
        "product",
        code=GRAPHQL_DIR / "product.js",
        steps=[
            PipelineStep("getProduct", "products", GRAPHQL_DIR / "get_product.js"),
            PipelineStep("productCounts", "counts", GRAPHQL_DIR / "product_counts.js"),
        ],
    )
    api.add_resolver(
        "Mutation",
        "updateProduct",
        code=GRAPHQL_DIR / "update_product.js",
        data_source="productWrites",
    )
    return api
