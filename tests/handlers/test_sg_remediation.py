"""Security-policy remediation against EC2, S3 and SNS in moto.

``sg_remediation.app`` is imported inside the tests (see ``test_ebs_snapshots``).
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from sg_remediation.aws import BLOCK_ALL, Remediator
from sg_remediation.policy import offending_permissions, parse_ports, target_of

from tests.handlers.test_incident_recorder import FakeContext

ALLOWED = frozenset({80, 443})


def cloudtrail_event(source: str, name: str, parameters: dict[str, Any]) -> dict[str, Any]:
    return {
        "detail-type": "AWS API Call via CloudTrail",
        "source": f"aws.{source.split('.')[0]}",
        "detail": {
            "eventSource": source,
            "eventName": name,
            "requestParameters": parameters,
            "userIdentity": {"arn": "arn:aws:iam::123456789012:user/mallory"},
        },
    }


@pytest.fixture
def reports(aws: str) -> tuple[str, str]:
    """A topic for reports, with an SQS queue subscribed to read them back."""
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic = sns.create_topic(Name="ops")["TopicArn"]
    queue = sqs.create_queue(QueueName="reports")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    return topic, queue


def received(queue: str) -> list[dict[str, Any]]:
    messages = boto3.client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
    return [json.loads(json.loads(m["Body"])["Message"]) for m in messages.get("Messages", [])]


@pytest.fixture
def group(aws: str) -> str:
    ec2 = boto3.client("ec2")
    group_id: str = ec2.create_security_group(GroupName="web", Description="web")["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}, {"CidrIp": "10.0.0.0/8"}],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 3389,
                "ToPort": 3389,
                "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "IpRanges": [{"CidrIp": "10.1.0.0/16"}],
            },
        ],
    )
    return group_id


def ingress(group_id: str) -> set[tuple[int, str]]:
    group = boto3.client("ec2").describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    found = set()
    for permission in group["IpPermissions"]:
        for r in permission.get("IpRanges", []):
            found.add((permission["FromPort"], r["CidrIp"]))
        for r in permission.get("Ipv6Ranges", []):
            found.add((permission["FromPort"], r["CidrIpv6"]))
    return found


def test_world_open_ingress_on_other_ports_is_revoked_and_reported(
    reports: tuple[str, str], group: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    topic, queue = reports
    monkeypatch.setenv("REPORT_TOPIC_ARN", topic)
    monkeypatch.setenv("ALLOWED_PORTS", "80,443")
    from sg_remediation import app

    app._remediator.cache_clear()
    event = cloudtrail_event(
        "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", {"groupId": group}
    )
    result = app.handler(event, FakeContext())

    assert result["action"] == "revoked"
    assert ingress(group) == {(22, "10.0.0.0/8"), (443, "0.0.0.0/0"), (5432, "10.1.0.0/16")}
    [report] = received(queue)
    assert report["group_id"] == group
    assert report["caller"] == "arn:aws:iam::123456789012:user/mallory"
    assert sorted(p["FromPort"] for p in report["revoked"]) == [22, 3389]


def test_a_compliant_group_and_a_repeated_event_change_nothing(
    reports: tuple[str, str], group: str
) -> None:
    from sg_remediation.app import remediate

    topic, queue = reports
    remediator = Remediator(topic)
    event = cloudtrail_event(
        "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", {"groupId": group}
    )
    assert remediate(event, remediator, ALLOWED)["action"] == "revoked"
    before = ingress(group)
    assert remediate(event, remediator, ALLOWED) == {"action": "none", "group_id": group}
    assert ingress(group) == before
    assert len(received(queue)) == 1


@pytest.mark.parametrize(
    "event",
    [
        cloudtrail_event("ec2.amazonaws.com", "CreateSecurityGroup", {"groupName": "x"}),
        cloudtrail_event("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", {}),
        cloudtrail_event("s3.amazonaws.com", "CreateBucket", {"bucketName": "b"}),
        {"detail-type": "Scheduled Event", "detail": {}},
        {},
    ],
    ids=["other-ec2-call", "no-group", "other-s3-call", "not-cloudtrail", "empty"],
)
def test_events_it_does_not_own_are_a_no_op(
    reports: tuple[str, str], group: str, event: dict[str, Any]
) -> None:
    from sg_remediation.app import remediate

    topic, queue = reports
    before = ingress(group)
    assert remediate(event, Remediator(topic), ALLOWED) == {"action": "ignored"}
    assert ingress(group) == before
    assert received(queue) == []


def test_a_bucket_made_public_is_blocked_again_and_reported(reports: tuple[str, str]) -> None:
    from sg_remediation.app import remediate

    topic, queue = reports
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="shop-assets")
    s3.put_public_access_block(
        Bucket="shop-assets",
        PublicAccessBlockConfiguration={**BLOCK_ALL, "BlockPublicPolicy": False},
    )
    event = cloudtrail_event("s3.amazonaws.com", "PutBucketPolicy", {"bucketName": "shop-assets"})

    result = remediate(event, Remediator(topic), ALLOWED)

    assert result["action"] == "blocked"
    assert result["before"]["BlockPublicPolicy"] is False
    config = s3.get_public_access_block(Bucket="shop-assets")["PublicAccessBlockConfiguration"]
    assert config == BLOCK_ALL
    [report] = received(queue)
    assert report["bucket"] == "shop-assets"
    assert report["event"] == "PutBucketPolicy"
    assert remediate(event, Remediator(topic), ALLOWED) == {
        "action": "none",
        "bucket": "shop-assets",
    }


def test_a_bucket_without_any_block_is_blocked(reports: tuple[str, str]) -> None:
    from sg_remediation.app import remediate

    topic, _ = reports
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="open")
    event = cloudtrail_event(
        "s3.amazonaws.com", "DeleteBucketPublicAccessBlock", {"bucketName": "open"}
    )
    result = remediate(event, Remediator(topic), ALLOWED)
    assert result["before"] == dict.fromkeys(BLOCK_ALL, False)
    assert s3.get_public_access_block(Bucket="open")["PublicAccessBlockConfiguration"] == BLOCK_ALL


@pytest.mark.parametrize(
    ("permission", "offending"),
    [
        (
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            },
            False,
        ),
        (
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            },
            True,
        ),
        ({"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}, True),
        (
            {
                "IpProtocol": "icmp",
                "FromPort": -1,
                "ToPort": -1,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            },
            True,
        ),
        (
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "1.2.3.4/32"}],
            },
            False,
        ),
    ],
    ids=["allowed-port", "range-beyond-allowed", "all-protocols", "icmp", "not-world-open"],
)
def test_offending_permissions(permission: dict[str, Any], offending: bool) -> None:
    assert bool(offending_permissions([permission], ALLOWED)) is offending


def test_parse_ports() -> None:
    assert parse_ports(" 443, 80 ,") == {80, 443}
    with pytest.raises(ValueError, match="70000 is not a TCP/UDP port"):
        parse_ports("70000")


def test_target_of_reads_the_group_or_bucket() -> None:
    target = target_of(
        cloudtrail_event("ec2.amazonaws.com", "ModifySecurityGroupRules", {"groupId": "sg-1"})
    )
    assert target is not None
    assert (target.kind, target.resource) == ("security-group", "sg-1")
