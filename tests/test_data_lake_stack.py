"""The DataLake stack's stateful resources keep their logical ids in every stage."""

from __future__ import annotations

import pytest

from tests.support.policies import ALLOW, IMPLICIT_DENY, Request, evaluate
from tests.support.templates import logical_ids_by_type, with_stage_keys
from tools.assembly import StackArtifact

# Renaming any of these replaces the resource and loses its data: change on purpose only.
STATEFUL = {
    "AWS::DynamoDB::Table": ["CatalogTableBBEA0CBC"],
    "AWS::S3::Bucket": [
        "AccessLogs247031D9",
        "LakeCurated7A56F755",
        "LakeRaw1082EB31",
        "LakeResultsD72493BF",
    ],
    "AWS::SQS::Queue": [
        "CatalogIndexerDeadLetters871D302F",
        "IndexQueue4D75802B",
        "IndexQueueDeadLetterQueue59C78060",
    ],
    "AWS::Logs::LogGroup": [
        "CatalogIndexerLogGroup844B8AF8",
        "CatalogSearchApiAccessLogs81F0544A",
        "CatalogSearchApiWebAclLogs360125F2",
        "CatalogSearchLogGroupCA5C1C14",
    ],
    "AWS::KMS::Key": ["LakeKey7B6C155C"],
    "AWS::Glue::Database": ["LakeDatabase161E1CC7"],
}


@pytest.mark.parametrize("stage", ["Dev", "Staging", "Prod"])
def test_stateful_logical_ids_are_pinned(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    found = logical_ids_by_type(stack_artifacts[f"{stage}/DataLake"], STATEFUL)
    assert found == with_stage_keys(STATEFUL, stage)


@pytest.mark.parametrize(("stage", "option"), [("Dev", "SSE_S3"), ("Prod", "SSE_KMS")])
def test_query_results_are_encrypted_as_the_stage_keys_its_data(
    stack_artifacts: dict[str, StackArtifact], stage: str, option: str
) -> None:
    template = stack_artifacts[f"{stage}/DataLake"].template()
    (workgroup,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::Athena::WorkGroup"
    ]
    encryption = workgroup["Properties"]["WorkGroupConfiguration"]["ResultConfiguration"][
        "EncryptionConfiguration"
    ]
    assert encryption["EncryptionOption"] == option
    if option == "SSE_KMS":
        assert encryption["KmsKey"] == {"Fn::GetAtt": ["LakeKey7B6C155C", "Arn"]}
    (security,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::Glue::SecurityConfiguration"
    ]
    modes = security["Properties"]["EncryptionConfiguration"]
    assert modes["S3Encryptions"][0]["S3EncryptionMode"] == "SSE-KMS"
    assert modes["JobBookmarksEncryption"]["JobBookmarksEncryptionMode"] == "CSE-KMS"


@pytest.mark.parametrize("stage", ["Dev", "Staging", "Prod"])
def test_object_events_reach_the_indexer_through_its_queue_only(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    """The rule sends to ``IndexQueue``, which only it may send to; the indexer reads the
    queue in batches with partial responses and a concurrency cap, and nothing invokes it
    per event any more (no permission for EventBridge)."""
    resources = stack_artifacts[f"{stage}/DataLake"].template()["Resources"]
    (rule,) = [r for r in resources.values() if r["Type"] == "AWS::Events::Rule"]
    (target,) = rule["Properties"]["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["IndexQueue4D75802B", "Arn"]}
    (mapping,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
    ]
    assert mapping["EventSourceArn"] == target["Arn"]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["ScalingConfig"]["MaximumConcurrency"] >= 2
    rule_id = next(k for k, r in resources.items() if r["Type"] == "AWS::Events::Rule")
    (policy,) = [
        r["Properties"]["PolicyDocument"]["Statement"]
        for r in resources.values()
        if r["Type"] == "AWS::SQS::QueuePolicy"
        and {"Ref": "IndexQueue4D75802B"} in r["Properties"]["Queues"]
    ]
    arn = target["Arn"]
    events = ("Service", "events.amazonaws.com")
    tls = {"aws:SecureTransport": "true"}
    ours = Request(
        "sqs:SendMessage", arn, events, {**tls, "aws:SourceArn": {"Fn::GetAtt": [rule_id, "Arn"]}}
    )
    assert evaluate(policy, ours) == ALLOW
    other = Request("sqs:SendMessage", arn, events, {**tls, "aws:SourceArn": "arn:aws:events:x"})
    assert evaluate(policy, other) == IMPLICIT_DENY
    permissions = [
        r["Properties"]["Principal"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::Permission"
    ]
    assert "events.amazonaws.com" not in permissions
