"""What the data lake's keys protect, and who KMS lets use them."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Template

from patterns.data_lake import DataLake
from tests.support.policies import ALLOW, Request, evaluate, role_may_use_key

#: What Athena (for the caller) and Glue (as its role) ask KMS for: a data key to write an
#: object, and decryption to read it back.
WRITE_AND_READ = ("kms:GenerateDataKey", "kms:Decrypt")


def lake_with_analyst(stack: cdk.Stack, **kwargs: Any) -> tuple[DataLake, dict[str, Any]]:
    lake = DataLake(stack, "Lake", **kwargs)
    analyst = iam.Role(stack, "Analyst", assumed_by=iam.AccountRootPrincipal())
    lake.grant_query(analyst)
    return lake, dict(Template.from_stack(stack).to_json())


def only_id(template: dict[str, Any], kind: str, contains: str = "") -> str:
    (found,) = [
        str(k) for k, r in template["Resources"].items() if r["Type"] == kind and contains in k
    ]
    return found


def results_encryption(template: dict[str, Any]) -> dict[str, Any]:
    workgroup = template["Resources"][only_id(template, "AWS::Athena::WorkGroup")]
    found: dict[str, Any] = workgroup["Properties"]["WorkGroupConfiguration"][
        "ResultConfiguration"
    ]["EncryptionConfiguration"]
    return found


def test_with_customer_managed_zones_results_use_the_lake_key_and_analysts_may(
    stack: cdk.Stack,
) -> None:
    zone_key = kms.Key(stack, "ZoneKey", enable_key_rotation=True)
    lake, template = lake_with_analyst(stack, zone_encryption_key=zone_key)
    lake_key = only_id(template, "AWS::KMS::Key", "LakeKey")
    assert results_encryption(template) == {
        "EncryptionOption": "SSE_KMS",
        "KmsKey": {"Fn::GetAtt": [lake_key, "Arn"]},
    }
    analyst = only_id(template, "AWS::IAM::Role", "Analyst")
    for action in WRITE_AND_READ:
        assert role_may_use_key(template, role_id=analyst, key_id=lake_key, action=action)
    assert lake.kms_query_results is True


def test_with_s3_managed_zones_results_use_sse_s3_and_the_key_is_not_granted(
    stack: cdk.Stack,
) -> None:
    _, template = lake_with_analyst(stack)
    assert results_encryption(template) == {"EncryptionOption": "SSE_S3"}
    analyst = only_id(template, "AWS::IAM::Role", "Analyst")
    lake_key = only_id(template, "AWS::KMS::Key", "LakeKey")
    assert not role_may_use_key(template, role_id=analyst, key_id=lake_key, action="kms:Decrypt")


@pytest.mark.parametrize(
    ("zones_key", "kms_results", "option"), [(False, True, "SSE_KMS"), (True, False, "SSE_S3")]
)
def test_kms_query_results_can_be_chosen_either_way(
    stack: cdk.Stack, zones_key: bool, kms_results: bool, option: str
) -> None:
    key = kms.Key(stack, "ZoneKey", enable_key_rotation=True) if zones_key else None
    _, template = lake_with_analyst(stack, zone_encryption_key=key, kms_query_results=kms_results)
    assert results_encryption(template)["EncryptionOption"] == option


@pytest.mark.parametrize("zones_key", [False, True])
def test_glue_encrypts_logs_objects_and_bookmarks_with_a_key_it_may_use(
    stack: cdk.Stack, zones_key: bool
) -> None:
    zone_key = kms.Key(stack, "ZoneKey", enable_key_rotation=True) if zones_key else None
    _, template = lake_with_analyst(stack, zone_encryption_key=zone_key)
    lake_key = only_id(template, "AWS::KMS::Key", "LakeKey")
    key_arn = {"Fn::GetAtt": [lake_key, "Arn"]}
    security = template["Resources"][only_id(template, "AWS::Glue::SecurityConfiguration")]
    encryption = security["Properties"]["EncryptionConfiguration"]
    assert encryption["CloudWatchEncryption"] == {
        "CloudWatchEncryptionMode": "SSE-KMS",
        "KmsKeyArn": key_arn,
    }
    assert encryption["S3Encryptions"] == [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": key_arn}]
    assert encryption["JobBookmarksEncryption"] == {
        "JobBookmarksEncryptionMode": "CSE-KMS",
        "KmsKeyArn": key_arn,
    }
    crawler_role = only_id(template, "AWS::IAM::Role", "CrawlerRole")
    for action in WRITE_AND_READ:
        assert role_may_use_key(template, role_id=crawler_role, key_id=lake_key, action=action)
    # CloudWatch Logs encrypts the crawlers' log events itself, as the regional service.
    key_policy = template["Resources"][lake_key]["Properties"]["KeyPolicy"]["Statement"]
    logs = ("Service", "logs.eu-west-1.amazonaws.com")
    for action in WRITE_AND_READ:
        assert evaluate(key_policy, Request(action, "*", logs)) == ALLOW
