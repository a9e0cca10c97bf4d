from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template

from patterns import SecureBucket
from tests.support.lifecycle import noncurrent_fate


def bucket_properties(template: Template) -> dict[str, Any]:
    buckets = template.find_resources("AWS::S3::Bucket")
    assert len(buckets) == 1
    properties: dict[str, Any] = next(iter(buckets.values()))["Properties"]
    return properties


def test_defaults_block_public_access_encrypt_version_and_require_tls(stack: cdk.Stack) -> None:
    SecureBucket(stack, "Data")
    template = Template.from_stack(stack)
    props = bucket_properties(template)
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "AES256"}
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert [r["Id"] for r in props["LifecycleConfiguration"]["Rules"]] == [
        "ExpireNoncurrentVersions",
        "AbortIncompleteMultipartUploads",
    ]
    assert "LoggingConfiguration" not in props
    template.has_resource("AWS::S3::Bucket", {"DeletionPolicy": "Retain"})
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ),
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}},
                            }
                        ),
                    ]
                )
            }
        },
    )


def test_kms_key_access_logs_lifecycle_and_destroy(stack: cdk.Stack) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    logs = s3.Bucket.from_bucket_name(stack, "Logs", "existing-access-logs")
    SecureBucket(
        stack,
        "Data",
        encryption_key=key,
        server_access_logs_bucket=logs,
        lifecycle_rules=[s3.LifecycleRule(id="Expire", expiration=cdk.Duration.days(30))],
        removal_policy=cdk.RemovalPolicy.DESTROY,
        auto_delete_objects=True,
        event_bridge_enabled=True,
    )
    template = Template.from_stack(stack)
    props = next(r["Properties"] for r in template.find_resources("AWS::S3::Bucket").values())
    encryption = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert encryption["BucketKeyEnabled"] is True
    assert props["LoggingConfiguration"] == {
        "DestinationBucketName": "existing-access-logs",
        "LogFilePrefix": "Data/",
    }
    # Expiring current versions only adds delete markers: the old versions need a rule too.
    assert [r["Id"] for r in props["LifecycleConfiguration"]["Rules"]] == [
        "Expire",
        "ExpireNoncurrentVersions",
        "AbortIncompleteMultipartUploads",
    ]
    assert props["NotificationConfiguration"] == {
        "EventBridgeConfiguration": {"EventBridgeEnabled": True}
    }
    template.resource_count_is("Custom::S3BucketNotifications", 0)
    template.has_resource("AWS::S3::Bucket", {"DeletionPolicy": "Delete"})
    template.resource_count_is("Custom::S3AutoDeleteObjects", 1)


def test_auto_delete_needs_destroy(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match="auto_delete_objects=True needs removal_policy"):
        SecureBucket(stack, "Data", auto_delete_objects=True)


def test_log_prefix_needs_a_log_bucket(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match="server_access_logs_prefix needs"):
        SecureBucket(stack, "Data", server_access_logs_prefix="logs/")


def test_bucket_props_escape_hatch(stack: cdk.Stack) -> None:
    SecureBucket(stack, "Data", bucket_props={"bucket_name": "shop-data-1"})
    assert bucket_properties(Template.from_stack(stack))["BucketName"] == "shop-data-1"


def test_access_logs_are_granted_by_policy_without_the_app_flag() -> None:
    from patterns import access_logs_bucket

    stack = cdk.Stack(cdk.App(), "NoFlags")  # no cdk.json feature flags at all
    logs = access_logs_bucket(stack, "Logs")
    SecureBucket(stack, "Data", server_access_logs_bucket=logs.bucket)
    template = Template.from_stack(stack)
    for props in (r["Properties"] for r in template.find_resources("AWS::S3::Bucket").values()):
        assert "AccessControl" not in props
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Principal": {"Service": "logging.s3.amazonaws.com"}})]
                )
            }
        },
    )


def rules(stack: cdk.Stack) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = bucket_properties(Template.from_stack(stack))[
        "LifecycleConfiguration"
    ]["Rules"]
    return found


def test_old_versions_of_every_object_expire_after_90_days_by_default(stack: cdk.Stack) -> None:
    SecureBucket(
        stack,
        "Data",
        lifecycle_rules=[
            s3.LifecycleRule(
                id="TierLogs",
                prefix="logs/",
                noncurrent_version_expiration=cdk.Duration.days(7),
            )
        ],
    )
    assert noncurrent_fate(rules(stack), "images/cat.png") == ["expire after 90 days"]
    # The prefix rule covers only its prefix; the default still bounds it.
    assert noncurrent_fate(rules(stack), "logs/a.gz") == [
        "expire after 7 days",
        "expire after 90 days",
    ]


def test_a_whole_bucket_rule_for_old_versions_replaces_the_default(stack: cdk.Stack) -> None:
    SecureBucket(
        stack,
        "Data",
        lifecycle_rules=[
            s3.LifecycleRule(
                id="Tier",
                noncurrent_version_transitions=[
                    s3.NoncurrentVersionTransition(
                        storage_class=s3.StorageClass.GLACIER,
                        transition_after=cdk.Duration.days(30),
                    )
                ],
            )
        ],
    )
    assert noncurrent_fate(rules(stack), "any/key") == ["GLACIER after 30 days"]


def test_the_expiry_of_old_versions_can_be_chosen(stack: cdk.Stack) -> None:
    SecureBucket(stack, "Data", noncurrent_version_expiration=cdk.Duration.days(400))
    assert noncurrent_fate(rules(stack), "any/key") == ["expire after 400 days"]


def test_an_unversioned_bucket_has_no_rule_for_old_versions(stack: cdk.Stack) -> None:
    SecureBucket(stack, "Data", versioned=False)
    assert [r["Id"] for r in rules(stack)] == ["AbortIncompleteMultipartUploads"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"versioned": False, "noncurrent_version_expiration": cdk.Duration.days(3)}, "versioned"),
        ({"noncurrent_version_expiration": cdk.Duration.hours(3)}, "between 86400"),
        ({"noncurrent_version_expiration": cdk.Duration.hours(36)}, "whole days"),
    ],
)
def test_noncurrent_version_expiration_is_checked(
    stack: cdk.Stack, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        SecureBucket(stack, "Data", **kwargs)
