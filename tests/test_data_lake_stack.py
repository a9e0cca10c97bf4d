"""The DataLake stack's stateful resources keep their logical ids in every stage."""

from __future__ import annotations

import pytest

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
    "AWS::SQS::Queue": ["CatalogIndexerDeadLetters871D302F"],
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
