"""The data lake's Glue crawlers: one per zone, with a least-privilege role and encrypted logs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from patterns._nag import BUCKET_READ_ACTIONS, KEY_ENCRYPT_DECRYPT_ACTIONS, acknowledge_wildcards

_CATALOG_WRITES = (
    "glue:GetDatabase",
    "glue:GetTable",
    "glue:GetTables",
    "glue:CreateTable",
    "glue:UpdateTable",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchCreatePartition",
    "glue:BatchGetPartition",
    "glue:UpdatePartition",
    "glue:BatchUpdatePartition",
)


@dataclass(frozen=True)
class Crawling:
    """What ``add_crawlers`` created."""

    role: iam.Role
    security_configuration: glue.CfnSecurityConfiguration
    crawlers: dict[str, glue.CfnCrawler]


def add_crawlers(
    scope: Construct,
    *,
    database: glue.CfnDatabase,
    database_name: str,
    key: kms.IKey,
    zones: Mapping[str, s3.IBucket],
    prefixes: Sequence[str],
    schedule: str | None,
) -> Crawling:
    """Add ``CrawlerRole``, ``SecurityConfiguration`` and a ``<Zone>Crawler`` per zone.

    The security configuration encrypts with ``key`` what Glue writes under it: CloudWatch
    logs (SSE-KMS), S3 objects (SSE-KMS) and job bookmarks (CSE-KMS); the crawler role and
    the region's CloudWatch Logs service may use the key.

    Each crawler writes tables named ``<zone>_<folder>`` into ``database_name``; it runs
    on ``schedule`` (a Glue cron expression) or, with ``None``, on demand only.
    """
    stack = cdk.Stack.of(scope)
    role = iam.Role(scope, "CrawlerRole", assumed_by=iam.ServicePrincipal("glue.amazonaws.com"))
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=list(_CATALOG_WRITES),
            resources=[
                stack.format_arn(service="glue", resource="catalog"),
                stack.format_arn(service="glue", resource="database", resource_name=database_name),
                stack.format_arn(
                    service="glue", resource="table", resource_name=f"{database_name}/*"
                ),
            ],
        )
    )
    logs_arn = stack.format_arn(
        service="logs",
        resource="log-group",
        resource_name="/aws-glue/crawlers-role/*",
        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
    )
    key.grant_encrypt_decrypt(iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com"))
    key.grant_encrypt_decrypt(role)
    security = glue.CfnSecurityConfiguration(
        scope,
        "SecurityConfiguration",
        name=cdk.Names.unique_resource_name(scope, max_length=60, separator="-"),
        encryption_configuration=glue.CfnSecurityConfiguration.EncryptionConfigurationProperty(
            cloud_watch_encryption=glue.CfnSecurityConfiguration.CloudWatchEncryptionProperty(
                cloud_watch_encryption_mode="SSE-KMS", kms_key_arn=key.key_arn
            ),
            job_bookmarks_encryption=glue.CfnSecurityConfiguration.JobBookmarksEncryptionProperty(
                job_bookmarks_encryption_mode="CSE-KMS", kms_key_arn=key.key_arn
            ),
            s3_encryptions=[
                glue.CfnSecurityConfiguration.S3EncryptionProperty(
                    s3_encryption_mode="SSE-KMS", kms_key_arn=key.key_arn
                )
            ],
        ),
    )
    crawlers: dict[str, glue.CfnCrawler] = {}
    for zone_name, bucket in zones.items():
        bucket.grant_read(role)
        crawler = glue.CfnCrawler(
            scope,
            f"{zone_name.title()}Crawler",
            role=role.role_arn,
            database_name=database_name,
            table_prefix=f"{zone_name}_",
            crawler_security_configuration=security.name,
            targets=glue.CfnCrawler.TargetsProperty(
                s3_targets=[
                    glue.CfnCrawler.S3TargetProperty(path=f"s3://{bucket.bucket_name}/{p}")
                    for p in prefixes
                ]
            ),
            schedule=(
                glue.CfnCrawler.ScheduleProperty(schedule_expression=schedule) if schedule else None
            ),
            schema_change_policy=glue.CfnCrawler.SchemaChangePolicyProperty(
                update_behavior="UPDATE_IN_DATABASE", delete_behavior="LOG"
            ),
            recrawl_policy=glue.CfnCrawler.RecrawlPolicyProperty(
                recrawl_behavior="CRAWL_EVERYTHING"
            ),
        )
        crawler.node.add_dependency(database)
        crawlers[zone_name] = crawler
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=[
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:AssociateKmsKey",
            ],
            resources=[logs_arn, f"{logs_arn}:*"],
        )
    )
    acknowledge_wildcards(
        role,
        reason="A crawler discovers the tables and partitions of its zones, so it reads "
        "every object there and writes tables that do not exist yet; Glue names its "
        "per-crawler log groups itself.",
        actions=[*BUCKET_READ_ACTIONS, *KEY_ENCRYPT_DECRYPT_ACTIONS],
        resources=[
            stack.format_arn(service="glue", resource="table", resource_name=f"{database_name}/*"),
            logs_arn,
            f"{logs_arn}:*",
            *(f"{bucket.bucket_arn}/*" for bucket in zones.values()),
        ],
    )
    return Crawling(role=role, security_configuration=security, crawlers=crawlers)
