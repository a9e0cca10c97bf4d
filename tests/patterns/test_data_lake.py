from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template

from patterns.data_lake import DataLake
from patterns.lake_zones import LifecycleTiers


def resources(template: Template, kind: str) -> list[dict[str, Any]]:
    return [r["Properties"] for r in template.find_resources(kind).values()]


def test_defaults_create_three_zones_catalog_crawlers_and_workgroup(stack: cdk.Stack) -> None:
    lake = DataLake(stack, "Lake", named_queries={"daily": "SELECT 1"})
    template = Template.from_stack(stack)
    buckets = resources(template, "AWS::S3::Bucket")
    assert len(buckets) == 3
    rules = {r["Id"]: r for b in buckets for r in b["LifecycleConfiguration"]["Rules"]}
    assert [t["StorageClass"] for t in rules["Tiers"]["Transitions"]] == [
        "STANDARD_IA",
        "GLACIER_IR",
    ]
    assert rules["ExpireResults"]["ExpirationInDays"] == 30
    with_events = [b for b in buckets if "NotificationConfiguration" in b]
    assert len(with_events) == 2  # raw and curated announce their objects
    template.has_resource_properties(
        "AWS::Glue::Database", {"DatabaseInput": {"Name": lake.database_name}}
    )
    crawlers = resources(template, "AWS::Glue::Crawler")
    assert sorted(c["TablePrefix"] for c in crawlers) == ["curated_", "raw_"]
    assert all(c["Schedule"] == {"ScheduleExpression": "cron(0 2 * * ? *)"} for c in crawlers)
    assert all("CrawlerSecurityConfiguration" in c for c in crawlers)
    template.has_resource_properties(
        "AWS::Glue::SecurityConfiguration",
        {
            "EncryptionConfiguration": {
                "CloudWatchEncryption": {"CloudWatchEncryptionMode": "SSE-KMS"}
            }
        },
    )
    [workgroup] = resources(template, "AWS::Athena::WorkGroup")
    config = workgroup["WorkGroupConfiguration"]
    assert config["EnforceWorkGroupConfiguration"] is True
    assert config["BytesScannedCutoffPerQuery"] == 10_000_000_000
    assert config["ResultConfiguration"]["EncryptionConfiguration"] == {
        "EncryptionOption": "SSE_S3"
    }
    assert "athena/" in str(config["ResultConfiguration"]["OutputLocation"])
    template.has_resource_properties(
        "AWS::Athena::NamedQuery",
        {"Name": "daily", "QueryString": "SELECT 1", "Database": lake.database_name},
    )
    role = resources(template, "AWS::IAM::Role")[0]
    assert "ManagedPolicyArns" not in role
    assert set(lake.crawlers) == {"raw", "curated"}
    assert lake.crawler is lake.crawlers["raw"]


def test_existing_buckets_key_prefixes_on_demand_crawls(stack: cdk.Stack) -> None:
    raw = s3.Bucket.from_bucket_name(stack, "Raw", "existing-raw")
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    lake = DataLake(
        stack,
        "Lake",
        raw_bucket=raw,
        encryption_key=key,
        crawl_prefixes=["events/", "orders/"],
        crawler_schedule=None,
        bytes_scanned_cutoff=10_000_000,
        curated_tiers=LifecycleTiers(
            infrequent_access_after_days=None, archive_after_days=30, expire_after_days=365
        ),
    )
    template = Template.from_stack(stack)
    assert lake.raw_bucket is raw
    template.resource_count_is("AWS::S3::Bucket", 2)
    template.resource_count_is("AWS::KMS::Key", 1)
    crawlers = resources(template, "AWS::Glue::Crawler")
    raw_crawler = next(c for c in crawlers if c["TablePrefix"] == "raw_")
    assert [t["Path"] for t in raw_crawler["Targets"]["S3Targets"]] == [
        "s3://existing-raw/events/",
        "s3://existing-raw/orders/",
    ]
    assert all("Schedule" not in c for c in crawlers)
    curated = next(
        r
        for b in resources(template, "AWS::S3::Bucket")
        for r in b["LifecycleConfiguration"]["Rules"]
        if r["Id"] == "Tiers"
    )
    assert curated["ExpirationInDays"] == 365
    assert curated["Transitions"] == [{"StorageClass": "GLACIER_IR", "TransitionInDays": 30}]


def test_disabled_crawler_keeps_no_schedule(stack: cdk.Stack) -> None:
    DataLake(stack, "Lake", crawler_enabled=False)
    crawlers = resources(Template.from_stack(stack), "AWS::Glue::Crawler")
    assert all("Schedule" not in c for c in crawlers)


def test_grant_query_covers_workgroup_and_zones(stack: cdk.Stack) -> None:
    from aws_cdk import aws_iam as iam

    lake = DataLake(stack, "Lake")
    analyst = iam.Role(stack, "Analyst", assumed_by=iam.AccountRootPrincipal())
    lake.grant_query(analyst)
    Template.from_stack(stack).has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Action": Match.array_with(["athena:StartQueryExecution"])}
                        )
                    ]
                )
            }
        },
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"crawl_prefixes": ["no-trailing-slash"]},
            r"crawl_prefixes\[0\] must be an S3 key prefix",
        ),
        ({"crawl_prefixes": ["a//"]}, "must be an S3 key prefix"),
        ({"crawl_prefixes": ["../up/"]}, "must be an S3 key prefix"),
        ({"bytes_scanned_cutoff": 9_999_999}, "at least 10000000 bytes"),
        ({"crawler_schedule": "rate(1 day)"}, "Glue cron expression"),
        ({"crawler_schedule": "cron(0 2 * * * *)"}, "Glue cron expression"),
        ({"crawler_schedule": None, "crawler_enabled": False}, "needs a crawler_schedule"),
        ({"results_expire_after_days": 0}, "results_expire_after_days must be between"),
        ({"named_queries": {"empty": " "}}, "needs a name and SQL"),
    ],
)
def test_bad_arguments(stack: cdk.Stack, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DataLake(stack, "Lake", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"infrequent_access_after_days": 60, "archive_after_days": 60}, "must increase"),
        ({"archive_after_days": 100, "expire_after_days": 50}, "must increase"),
        ({"infrequent_access_after_days": 10}, "infrequent_access_after_days must be between 30"),
    ],
)
def test_lifecycle_days_must_increase(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LifecycleTiers(**kwargs)


def test_duplicate_named_query(stack: cdk.Stack) -> None:
    lake = DataLake(stack, "Lake", named_queries={"q": "SELECT 1"})
    with pytest.raises(ValueError, match="named query 'q' already exists"):
        lake.add_named_query("q", "SELECT 2")
