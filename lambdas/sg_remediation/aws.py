"""EC2, S3 and SNS behind a small adapter: the only module here that calls AWS."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

from shop_common.retry import NO_SDK_RETRIES, with_backoff

#: Every public-access setting on: what a bucket of this account must have.
BLOCK_ALL = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


class Remediator:
    """Reads and fixes security groups and buckets; publishes reports."""

    def __init__(self, topic_arn: str, *, ec2: Any = None, s3: Any = None, sns: Any = None) -> None:
        self._topic_arn = topic_arn
        self._ec2 = ec2 or boto3.client("ec2", config=NO_SDK_RETRIES)
        self._s3 = s3 or boto3.client("s3", config=NO_SDK_RETRIES)
        self._sns = sns or boto3.client("sns", config=NO_SDK_RETRIES)

    def ingress_permissions(self, group_id: str) -> list[dict[str, Any]]:
        """The group's current ingress permissions (``[]`` when it no longer exists)."""
        try:
            response = with_backoff(lambda: self._ec2.describe_security_groups(GroupIds=[group_id]))
        except ClientError as error:
            if error.response["Error"]["Code"] == "InvalidGroup.NotFound":
                return []
            raise
        groups = response.get("SecurityGroups", [])
        return list(groups[0].get("IpPermissions", [])) if groups else []

    def revoke_ingress(self, group_id: str, permissions: list[dict[str, Any]]) -> None:
        """Revoke exactly ``permissions`` from the group."""
        with_backoff(
            lambda: self._ec2.revoke_security_group_ingress(
                GroupId=group_id, IpPermissions=permissions
            )
        )

    def public_access_block(self, bucket: str) -> dict[str, bool]:
        """The bucket's public-access block (all False when it has none)."""
        try:
            response = with_backoff(lambda: self._s3.get_public_access_block(Bucket=bucket))
        except ClientError as error:
            if error.response["Error"]["Code"] == "NoSuchPublicAccessBlockConfiguration":
                return dict.fromkeys(BLOCK_ALL, False)
            raise
        config: dict[str, bool] = response["PublicAccessBlockConfiguration"]
        return config

    def block_public_access(self, bucket: str) -> None:
        """Turn every public-access block setting of the bucket on."""
        with_backoff(
            lambda: self._s3.put_public_access_block(
                Bucket=bucket, PublicAccessBlockConfiguration=BLOCK_ALL
            )
        )

    def report(self, subject: str, body: dict[str, Any]) -> None:
        """Publish a remediation report to the operations topic."""
        with_backoff(
            lambda: self._sns.publish(
                TopicArn=self._topic_arn, Subject=subject[:100], Message=json.dumps(body)
            )
        )
