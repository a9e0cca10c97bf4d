"""Options the HIPAA/PCI stage uses: customer-managed keys on zones and the site, the
search API's extra settings, the enforcer's dead-letter queue, the ingest API's acks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from patterns import (
    ApiCallMatch,
    DataCatalog,
    DataLake,
    PolicyEnforcer,
    ServerlessFunction,
    StaticWebsite,
    StreamIngestApi,
)
from tests.support.templates import acknowledged_rules

MATCH = ApiCallMatch(
    name="OpenIngress",
    event_source="ec2.amazonaws.com",
    event_names=("AuthorizeSecurityGroupIngress",),
)


def _key_id(stack: cdk.Stack, key: kms.Key) -> str:
    return stack.get_logical_id(key.node.default_child)  # type: ignore[arg-type]


def _sse_kms_key(bucket: dict[str, Any]) -> Any:
    [rule] = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert rule["BucketKeyEnabled"] is True
    return rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]["Fn::GetAtt"][0]


def test_lake_zones_use_the_given_key_and_the_crawler_may_decrypt(stack: cdk.Stack) -> None:
    key = kms.Key(stack, "ZoneKey")
    lake = DataLake(stack, "Lake", zone_encryption_key=key)
    template = Template.from_stack(stack).to_json()["Resources"]
    for zone in (lake.raw_bucket, lake.curated_bucket, lake.results_bucket):
        bucket = template[stack.get_logical_id(zone.node.default_child)]  # type: ignore[arg-type]
        assert _sse_kms_key(bucket) == _key_id(stack, key)
    policies = [r for r in template.values() if r["Type"] == "AWS::IAM::Policy"]
    decrypts = [
        s
        for p in policies
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if "kms:Decrypt" in s["Action"]
        and s["Resource"] == {"Fn::GetAtt": [_key_id(stack, key), "Arn"]}
    ]
    assert decrypts  # the crawler's read grant covers the zone key


def test_site_bucket_key_lets_cloudfront_decrypt_through_oac(stack: cdk.Stack) -> None:
    key = kms.Key(stack, "SiteKey")
    site = StaticWebsite(stack, "Site", encryption_key=key)
    template = Template.from_stack(stack).to_json()["Resources"]
    bucket = template[stack.get_logical_id(site.bucket.node.default_child)]  # type: ignore[arg-type]
    assert _sse_kms_key(bucket) == _key_id(stack, key)
    statements = template[_key_id(stack, key)]["Properties"]["KeyPolicy"]["Statement"]
    assert any(
        s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}
        and "kms:Decrypt" in s["Action"]
        for s in statements
    )


def test_search_api_props_are_merged_into_the_new_api(stack: cdk.Stack, code_dir: Path) -> None:
    lake = DataLake(stack, "Lake")
    catalog = DataCatalog(
        stack,
        "Catalog",
        zones={"raw": lake.raw_bucket},
        indexer=ServerlessFunction(stack, "Indexer", code_path=code_dir),
        search_function=ServerlessFunction(stack, "Search", code_path=code_dir),
        search_api_props={"waf": True, "cache_ttl": cdk.Duration.seconds(30)},
    )
    assert catalog.api is not None
    assert catalog.api.web_acl is not None
    template = Template.from_stack(stack)
    [stage] = template.find_resources("AWS::ApiGateway::Stage").values()
    assert stage["Properties"]["CacheClusterEnabled"] is True
    assert stage["Properties"]["MethodSettings"][0]["CacheTtlInSeconds"] == 30


def test_enforcer_dead_letters_deliveries_and_failed_invocations(
    stack: cdk.Stack, code_dir: Path
) -> None:
    function = ServerlessFunction(stack, "Remediate", code_path=code_dir)
    enforcer = PolicyEnforcer(stack, "Guard", function=function, api_calls=[MATCH])
    queue_id = stack.get_logical_id(enforcer.dead_letter_queue.node.default_child)  # type: ignore[arg-type]
    template = Template.from_stack(stack)
    [rule] = template.find_resources("AWS::Events::Rule").values()
    [target] = [t for t in rule["Properties"]["Targets"] if "DeadLetterConfig" in t]
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [queue_id, "Arn"]}}
    [fn] = template.find_resources("AWS::Lambda::Function").values()
    assert fn["Properties"]["DeadLetterConfig"] == {"TargetArn": {"Fn::GetAtt": [queue_id, "Arn"]}}
    [queue] = template.find_resources("AWS::SQS::Queue").values()
    assert queue["DeletionPolicy"] == "Retain"


def test_enforcer_uses_a_given_queue(stack: cdk.Stack, code_dir: Path) -> None:
    given = sqs.Queue(stack, "Given")
    enforcer = PolicyEnforcer(
        stack,
        "Guard",
        function=ServerlessFunction(stack, "Remediate", code_path=code_dir),
        api_calls=[MATCH],
        dead_letter_queue=given,
    )
    assert enforcer.dead_letter_queue is given
    Template.from_stack(stack).resource_count_is("AWS::SQS::Queue", 1)


def test_ingest_stage_acknowledges_only_what_cannot_apply(stack: cdk.Stack) -> None:
    ingest = StreamIngestApi(stack, "Ingest")
    rules = acknowledged_rules(ingest.api.deployment_stage)
    assert {
        "HIPAA.Security-APIGWSSLEnabled",
        "PCI.DSS.321-APIGWSSLEnabled",
        "HIPAA.Security-APIGWCacheEnabledAndEncrypted",
        "PCI.DSS.321-APIGWCacheEnabledAndEncrypted",
    } <= rules
    # Logging and WAF are configurable, so they are never acknowledged for these packs.
    assert not {r for r in rules if "ExecutionLogging" in r or "WAF" in r}
