"""The prerequisites and placement rules every stage's deploy plan must meet.

Each entry is one fact about AWS that a template can pass cfn-lint and still fail to
deploy: add a line here when a new resource brings a new one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from tools.deploy_plan import DeployPlan, PlannedStack
from tools.prerequisites import (
    Located,
    Needs,
    Prerequisite,
    RegionRule,
    Resource,
    misplaced,
    problems,
    properties,
    references,
)
from tools.resource_rules import RESOURCE_RULES, refused


def of_type(*types: str) -> Callable[[Resource], bool]:
    return lambda resource: resource.get("Type") in types


def logs_requests(resource: Resource) -> bool:
    """An API Gateway stage with access logs or execution logs (which need the account's
    CloudWatch role: "CloudWatch Logs role ARN must be set in account settings")."""
    if resource.get("Type") != "AWS::ApiGateway::Stage":
        return False
    props = properties(resource)
    settings = props.get("MethodSettings", [])
    execution = any(
        s.get("LoggingLevel", "OFF") != "OFF" or s.get("DataTraceEnabled") for s in settings
    )
    return execution or "AccessLogSetting" in props


def in_same_environment(resource_type: str) -> Needs:
    """Needs one resource of ``resource_type`` in the consumer's account and region."""

    def needs(plan: DeployPlan, stack: PlannedStack, _: Resource) -> list[list[Located]]:
        return [
            [
                (other, logical_id)
                for other, logical_id, resource in plan.resources()
                if resource["Type"] == resource_type and other.environment == stack.environment
            ]
        ]

    return needs


def referenced(part: Callable[[Resource], Any]) -> Needs:
    """Needs everything ``part`` of the consumer refers to, in any stack."""

    def needs(plan: DeployPlan, stack: PlannedStack, resource: Resource) -> list[list[Located]]:
        return [[located] for located in references(plan, stack, part(resource))]

    return needs


def _flat(value: Any) -> str:
    """An ARN written as a join of pseudo parameters and text, as one string."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        return "".join(_flat(part) for part in value["Fn::Join"][1])
    if isinstance(value, dict) and value.get("Ref", "").startswith("AWS::"):
        return "aws"  # partition, region or account placeholders: not compared below
    return ""


def _named(
    plan: DeployPlan, resource_type: str, name_property: str, name: str, region: str | None
) -> list[Located]:
    return [
        (stack, logical_id)
        for stack, logical_id, resource in plan.resources()
        if resource["Type"] == resource_type
        and properties(resource).get(name_property) == name
        and (region is None or stack.region == region)
    ]


def replication_destinations(
    plan: DeployPlan, stack: PlannedStack, resource: Resource
) -> list[list[Located]]:
    """Each replication rule's destination bucket and replica key (S3 refuses a rule
    naming a bucket that does not exist, or a key it cannot find)."""
    needs = []
    for rule in properties(resource)["ReplicationConfiguration"].get("Rules", []):
        destination = rule.get("Destination", {})
        bucket = destination.get("Bucket")
        if isinstance(bucket, str):
            needs.append(
                _named(plan, "AWS::S3::Bucket", "BucketName", bucket.split(":::")[-1], None)
            )
        else:
            needs.extend([located] for located in references(plan, stack, bucket))
        key = destination.get("EncryptionConfiguration", {}).get("ReplicaKmsKeyID")
        needs.extend(_key_needs(plan, stack, key))
    return needs


def _key_needs(plan: DeployPlan, stack: PlannedStack, key: Any) -> list[list[Located]]:
    """The KMS key (or the alias, in the region its ARN names) that ``key`` points at."""
    arn = _flat(key)
    if ":alias/" in arn:
        region = arn.split(":")[3]
        alias = "alias/" + arn.split(":alias/")[1]
        return [_named(plan, "AWS::KMS::Alias", "AliasName", alias, region)]
    if key is None:
        return []
    return [[located] for located in references(plan, stack, key)]


def replica_keys(plan: DeployPlan, stack: PlannedStack, resource: Resource) -> list[list[Located]]:
    """Each global-table replica's KMS key, in the replica's region (DynamoDB refuses a
    replica whose key it cannot find there)."""
    needs = []
    for replica in properties(resource).get("Replicas", []):
        key = replica.get("SSESpecification", {}).get("KMSMasterKeyId")
        needs.extend(_key_needs(plan, stack, key))
    return needs


_SECRET_REFERENCE = re.compile(
    r"\{\{resolve:secretsmanager:(?P<id>[^:}]+(?::[^:}]+){0,6}?):SecretString"
)


def _secret_ids(value: Any) -> list[str]:
    """Secret names or ARNs that ``value``'s dynamic references read (in-stack ``Ref`` s
    are ordinary references and left to :func:`referenced`)."""
    text = json.dumps(value)
    return [m["id"] for m in _SECRET_REFERENCE.finditer(text) if not m["id"].startswith('"')]


def secrets_read(plan: DeployPlan, stack: PlannedStack, resource: Resource) -> list[list[Located]]:
    """Each secret a ``{{resolve:secretsmanager:...}}`` reads, in the reader's region (its
    own region or one it is replicated to): CloudFormation resolves it when it creates the
    reader."""
    needs: list[list[Located]] = []
    for secret_id in _secret_ids(properties(resource)):
        name = secret_id.split(":secret:")[-1]
        needs.append(
            [
                (other, logical_id)
                for other, logical_id, candidate in plan.resources()
                if candidate["Type"] == "AWS::SecretsManager::Secret"
                and properties(candidate).get("Name") == name
                and stack.region
                in (
                    other.region,
                    *(r["Region"] for r in properties(candidate).get("ReplicaRegions", [])),
                )
            ]
        )
    return needs


#: What must exist before each kind of resource is created.
PREREQUISITES = (
    Prerequisite(
        "API Gateway's account CloudWatch role before a stage that logs",
        logs_requests,
        in_same_environment("AWS::ApiGateway::Account"),
    ),
    Prerequisite(
        "the replica bucket and key before a replication rule naming them",
        lambda r: "ReplicationConfiguration" in properties(r),
        replication_destinations,
    ),
    Prerequisite(
        "each global-table replica's key, in the replica's region, before the table",
        of_type("AWS::DynamoDB::GlobalTable"),
        replica_keys,
    ),
    Prerequisite(
        "a stack's outputs (and what they name) before a stack reading them",
        lambda _: True,
        referenced(properties),
    ),
    Prerequisite(
        "a secret (or its replica) in the reader's region before a dynamic reference to it",
        lambda r: bool(_secret_ids(properties(r))),
        secrets_read,
    ),
    Prerequisite(
        "the subnets and security groups before a function in them",
        lambda r: r.get("Type") == "AWS::Lambda::Function" and "VpcConfig" in properties(r),
        referenced(lambda r: properties(r)["VpcConfig"]),
    ),
)

_US_EAST_1: Callable[[PlannedStack], str | None] = lambda _: "us-east-1"  # noqa: E731

#: Where what a resource points at must live.
REGION_RULES = (
    RegionRule(
        "CloudFront's certificate in us-east-1",
        of_type("AWS::CloudFront::Distribution"),
        lambda r: (
            properties(r)["DistributionConfig"]
            .get("ViewerCertificate", {})
            .get("AcmCertificateArn")
        ),
        _US_EAST_1,
    ),
    RegionRule(
        "a regional API domain's certificate in the API's region",
        of_type("AWS::ApiGateway::DomainName"),
        lambda r: properties(r).get("RegionalCertificateArn"),
        lambda stack: stack.region,
    ),
    RegionRule(
        "an edge-optimized API domain's certificate in us-east-1",
        of_type("AWS::ApiGateway::DomainName"),
        lambda r: properties(r).get("CertificateArn"),
        _US_EAST_1,
    ),
)


def check(plan: DeployPlan) -> list[str]:
    """Every unmet prerequisite, misplaced resource and refused resource of ``plan``."""
    return (
        problems(plan, PREREQUISITES)
        + misplaced(plan, REGION_RULES)
        + refused(plan, RESOURCE_RULES)
    )
