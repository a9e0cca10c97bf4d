"""Resources that already exist in the account, imported by name or ARN.

Importing creates nothing: the patterns receive CDK interfaces (``s3.IBucket``,
``kinesis.IStream``, ``lambda_.IFunction``, ...) and only add what they need around them
(permissions, alarms, integrations).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

ACCOUNT, REGION = "123456789012", "eu-west-1"
#: The consumer's own handler code, one folder per function.
HANDLERS = Path(__file__).resolve().parent.parent / "consumer_src"


def arn(service: str, resource: str, region: str = REGION) -> str:
    """An ARN in the consumer's account."""
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{resource}"


def import_function(scope: Construct, name: str) -> lambda_.IFunction:
    """A deployed function with its execution role, so the patterns can grant it access."""
    construct_id = name.title().replace("-", "")  # "order-api" -> "OrderApi"
    return lambda_.Function.from_function_attributes(
        scope,
        f"{construct_id}Function",
        function_arn=arn("lambda", f"function:{name}"),
        role=iam.Role.from_role_arn(
            scope, f"{construct_id}Role", f"arn:aws:iam::{ACCOUNT}:role/{name}"
        ),
    )


@dataclasses.dataclass(frozen=True)
class ExistingResources:
    """What the consumer's account already has."""

    key: kms.IKey
    topic: sns.ITopic
    failures: sqs.IQueue
    access_logs: s3.IBucket
    site_bucket: s3.IBucket
    archive_bucket: s3.IBucket
    lake_buckets: dict[str, s3.IBucket]
    stream: kinesis.IStream
    orders_table: dynamodb.ITable
    catalog_table: dynamodb.ITable
    connections_table: dynamodb.ITable
    user_pool: cognito.IUserPool
    certificate: acm.ICertificate
    event_bus: events.IEventBus
    workflow_logs: logs.ILogGroup
    layer: lambda_.ILayerVersion
    regional_web_acl_arn: str
    cloudfront_web_acl_arn: str
    hosted_zone: route53.IHostedZone
    regional_certificate: acm.ICertificate
    partner_api_stage: apigateway.IStage

    @classmethod
    def import_into(cls, scope: Construct) -> ExistingResources:
        """Import every shared resource into ``scope``."""
        return cls(
            key=kms.Key.from_key_arn(
                scope, "Key", arn("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab")
            ),
            topic=sns.Topic.from_topic_arn(scope, "Topic", arn("sns", "ops")),
            failures=sqs.Queue.from_queue_arn(scope, "Failures", arn("sqs", "failures")),
            access_logs=s3.Bucket.from_bucket_name(scope, "AccessLogs", "acme-access-logs"),
            site_bucket=s3.Bucket.from_bucket_name(scope, "SiteBucket", "acme-site"),
            archive_bucket=s3.Bucket.from_bucket_name(scope, "ArchiveBucket", "acme-archive"),
            lake_buckets={
                zone: s3.Bucket.from_bucket_name(scope, f"{zone.title()}Zone", f"acme-lake-{zone}")
                for zone in ("raw", "curated", "results")
            },
            stream=kinesis.Stream.from_stream_arn(scope, "Stream", arn("kinesis", "stream/clicks")),
            orders_table=dynamodb.Table.from_table_name(scope, "OrdersTable", "orders"),
            catalog_table=dynamodb.Table.from_table_name(scope, "CatalogTable", "lake-catalog"),
            connections_table=dynamodb.Table.from_table_name(
                scope, "ConnectionsTable", "live-connections"
            ),
            user_pool=cognito.UserPool.from_user_pool_id(scope, "UserPool", f"{REGION}_AbCdEf123"),
            certificate=acm.Certificate.from_certificate_arn(
                scope, "Certificate", arn("acm", "certificate/0f1e2d3c", region="us-east-1")
            ),
            event_bus=events.EventBus.from_event_bus_arn(
                scope, "EventBus", arn("events", "event-bus/orders")
            ),
            workflow_logs=logs.LogGroup.from_log_group_name(
                scope, "WorkflowLogs", "/aws/vendedlogs/states/orders"
            ),
            layer=lambda_.LayerVersion.from_layer_version_arn(
                scope, "SharedLayer", arn("lambda", "layer:shared:3")
            ),
            regional_web_acl_arn=arn("wafv2", "regional/webacl/acme/a1b2c3"),
            cloudfront_web_acl_arn=arn("wafv2", "global/webacl/acme/d4e5f6", region="us-east-1"),
            hosted_zone=route53.PublicHostedZone.from_hosted_zone_attributes(
                scope, "HostedZone", hosted_zone_id="Z0123456789ACME", zone_name="example.com"
            ),
            regional_certificate=acm.Certificate.from_certificate_arn(
                scope, "RegionalCertificate", arn("acm", "certificate/4a5b6c7d")
            ),
            partner_api_stage=apigateway.Stage.from_stage_attributes(
                scope,
                "PartnerApiStage",
                rest_api=apigateway.RestApi.from_rest_api_id(scope, "PartnerApi", "a1b2c3d4e5"),
                stage_name="prod",
            ),
        )
