"""Prod keeps its data: every stateful resource of the prod stage carries its protection."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tools.assembly import StackArtifact

#: Resource types that hold data or keys and must survive a stack deletion.
STATEFUL = {
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::S3::Bucket",
    "AWS::SQS::Queue",
    "AWS::Kinesis::Stream",
    "AWS::Logs::LogGroup",
    "AWS::KMS::Key",
    "AWS::Cognito::UserPool",
}


def prod_stacks(stack_artifacts: dict[str, StackArtifact]) -> list[StackArtifact]:
    found = [s for s in stack_artifacts.values() if s.stage == "Prod"]
    assert found
    return found


def test_every_stateful_resource_is_retained_and_protected(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    problems: list[str] = []
    checked = 0
    for stack in prod_stacks(stack_artifacts):
        for logical_id, resource in stack.template()["Resources"].items():
            if resource["Type"] not in STATEFUL:
                continue
            checked += 1
            where = f"{stack.display_name}/{logical_id}"
            problems += [f"{where}: {p}" for p in _missing_protection(resource)]
    assert checked > 20
    assert problems == []


def _missing_protection(resource: dict[str, Any]) -> list[str]:
    missing = []
    props = resource.get("Properties", {})
    if resource.get("DeletionPolicy") != "Retain":
        missing.append("not retained")
    if resource["Type"] == "AWS::DynamoDB::Table":
        if props.get("PointInTimeRecoverySpecification") != {"PointInTimeRecoveryEnabled": True}:
            missing.append("no point-in-time recovery")
        if props.get("DeletionProtectionEnabled") is not True:
            missing.append("no deletion protection")
    if resource["Type"] == "AWS::DynamoDB::GlobalTable":
        missing += _unprotected_replicas(props.get("Replicas", []))
    if resource["Type"] == "AWS::S3::Bucket" and props.get("VersioningConfiguration") != {
        "Status": "Enabled"
    }:
        missing.append("not versioned")
    if resource["Type"] == "AWS::KMS::Key" and props.get("EnableKeyRotation") is not True:
        missing.append("no key rotation")
    return missing


def _unprotected_replicas(replicas: list[dict[str, Any]]) -> list[str]:
    """A global table's protection is per replica: each region's copy needs its own."""
    missing = [] if len(replicas) >= 2 else ["no replica in a second region"]
    for replica in replicas:
        region = replica["Region"]
        if replica.get("PointInTimeRecoverySpecification") != {"PointInTimeRecoveryEnabled": True}:
            missing.append(f"replica {region}: no point-in-time recovery")
        if replica.get("DeletionProtectionEnabled") is not True:
            missing.append(f"replica {region}: no deletion protection")
    return missing


def test_the_checks_see_unprotected_replicas() -> None:
    # The walk above finds nothing wrong in prod; this shows it would.
    unprotected = {"Type": "AWS::DynamoDB::GlobalTable", "DeletionPolicy": "Retain"}
    replicas = [
        {"Region": "us-east-1", "DeletionProtectionEnabled": True},
        {
            "Region": "us-west-2",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        },
    ]
    assert _missing_protection({**unprotected, "Properties": {"Replicas": replicas}}) == [
        "replica us-east-1: no point-in-time recovery",
        "replica us-west-2: no deletion protection",
    ]
    assert _missing_protection({**unprotected, "Properties": {"Replicas": replicas[:1]}})[0] == (
        "no replica in a second region"
    )


def test_prod_global_tables_replicate_to_the_secondary_region(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    tables = stack_artifacts["Prod/Web"].template()["Resources"]
    global_tables = {k: r for k, r in tables.items() if r["Type"] == "AWS::DynamoDB::GlobalTable"}
    assert sorted(global_tables) == ["ApiGlobalTable93D7F737", "IdempotencyStrongTable14734F45"]
    for table in global_tables.values():
        replicas = table["Properties"]["Replicas"]
        assert sorted(r["Region"] for r in replicas) == ["us-east-1", "us-west-2"]
        assert _missing_protection(table) == []


@pytest.mark.parametrize("stage", ["Prod"])
def test_prod_stacks_have_termination_protection(
    assembly_dir: Path, stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    manifest = json.loads((assembly_dir / f"assembly-{stage}" / "manifest.json").read_text())
    stacks = {
        a["displayName"]: a["properties"].get("terminationProtection")
        for a in manifest["artifacts"].values()
        if a["type"] == "aws:cloudformation:stack"
    }
    assert stacks
    assert set(stacks.values()) == {True}, stacks


def test_dev_deletes_what_it_creates(stack_artifacts: dict[str, StackArtifact]) -> None:
    # The opposite guarantee: dev tears down cleanly (no retained tables or buckets).
    kept = [
        f"{stack.display_name}/{logical_id}"
        for stack in stack_artifacts.values()
        if stack.stage == "Dev"
        for logical_id, resource in stack.template()["Resources"].items()
        if resource["Type"] in {"AWS::DynamoDB::Table", "AWS::S3::Bucket"}
        and resource.get("DeletionPolicy") == "Retain"
    ]
    assert kept == []


def test_prod_tables_are_backed_up_and_dev_tables_are_not(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    for stage, expected in (("Prod", True), ("Dev", False)):
        resources: list[dict[str, Any]] = []
        for stack in stack_artifacts.values():
            if stack.stage != stage:
                continue
            template = stack.template()["Resources"]
            resources.extend(template.values())
            kinds = {"AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"}
            tables = {i for i, r in template.items() if r["Type"] in kinds}
            selections = [
                r for r in template.values() if r["Type"] == "AWS::Backup::BackupSelection"
            ]
            if not expected or not tables:
                assert selections == [], stack.display_name
                continue
            # Each stack's selection names exactly that stack's tables.
            [selection] = selections
            listed = selection["Properties"]["BackupSelection"]["Resources"]
            assert {ref["Fn::GetAtt"][0] for ref in listed} == tables, stack.display_name
        if not expected:
            continue
        [plan] = [r for r in resources if r["Type"] == "AWS::Backup::BackupPlan"]
        rules = plan["Properties"]["BackupPlan"]["BackupPlanRule"]
        assert {r["RuleName"] for r in rules} == {"Daily", "Monthly1Year"}


#: Buckets of primary data, each replicated into its replica in the secondary region.
REPLICATED = {
    "Prod/Operations": "ImageRecognitionImages",
    "Prod/DataLake": "LakeRaw",
    "Prod/Web": "StorefrontBucket",
}


def test_prod_primary_data_is_replicated_to_the_secondary_region(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    replicas = stack_artifacts["Prod/Replicas"]
    replica_buckets = {
        logical_id: resource
        for logical_id, resource in replicas.template()["Resources"].items()
        if resource["Type"] == "AWS::S3::Bucket" and "BucketName" in resource["Properties"]
    }
    assert len(replica_buckets) == 3
    names = {r["Properties"]["BucketName"] for r in replica_buckets.values()}
    for stack_name, prefix in REPLICATED.items():
        resources = stack_artifacts[stack_name].template()["Resources"]
        [bucket] = [
            r
            for logical_id, r in resources.items()
            if r["Type"] == "AWS::S3::Bucket" and logical_id.startswith(prefix)
        ]
        [rule] = bucket["Properties"]["ReplicationConfiguration"]["Rules"]
        assert rule["Status"] == "Enabled"
        assert rule["DeleteMarkerReplication"] == {"Status": "Enabled"}
        destination = rule["Destination"]
        # The replica is named in the secondary region (a literal, no cross-region export).
        assert destination["Bucket"].removeprefix("arn:aws:s3:::") in names, stack_name
        # Replication Time Control: 99.99 % of objects within 15 minutes, with metrics.
        assert destination["ReplicationTime"] == {"Status": "Enabled", "Time": {"Minutes": 15}}
        assert destination["Metrics"]["Status"] == "Enabled"
        # Objects are SSE-KMS: selected, and re-encrypted with the replica key in us-west-2.
        assert rule["SourceSelectionCriteria"] == {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
        assert ":kms:us-west-2:" in json.dumps(destination["EncryptionConfiguration"])


def test_replicas_live_in_the_secondary_region_and_outlive_their_stack(
    assembly_dir: Path,
) -> None:
    manifest = json.loads((assembly_dir / "assembly-Prod" / "manifest.json").read_text())
    [replicas] = [
        a for a in manifest["artifacts"].values() if a.get("displayName") == "Prod/Replicas"
    ]
    assert replicas["environment"].endswith("/us-west-2")
    # Deploying "Prod/*" creates the replicas before the buckets that replicate into them.
    replica_id = next(k for k, a in manifest["artifacts"].items() if a is replicas)
    for name in REPLICATED:
        [source] = [a for a in manifest["artifacts"].values() if a.get("displayName") == name]
        assert replica_id in source["dependencies"], name


def test_stages_without_a_secondary_region_have_no_replication(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    for stack in stack_artifacts.values():
        if stack.stage == "Prod":
            continue
        buckets = [
            r for r in stack.template()["Resources"].values() if r["Type"] == "AWS::S3::Bucket"
        ]
        assert all("ReplicationConfiguration" not in b["Properties"] for b in buckets)
