"""What S3 lifecycle does to old object versions in every versioned bucket of every stage."""

from __future__ import annotations

from tests.support.lifecycle import noncurrent_fate, objects_kept_forever, versioned_buckets
from tools.assembly import StackArtifact


def test_every_stage_has_versioned_buckets(stack_artifacts: dict[str, StackArtifact]) -> None:
    stages = {where.split("/")[0] for where, _ in versioned_buckets(stack_artifacts)}
    assert stages == {"Dev", "Staging", "Prod"}


def test_old_versions_of_every_object_expire_or_move_to_a_cheaper_tier(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    assert objects_kept_forever(stack_artifacts) == []


def test_the_fate_of_old_versions_is_read_as_s3_reads_rules() -> None:
    expire = {"Status": "Enabled", "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}
    assert noncurrent_fate([expire], "a/b") == ["expire after 30 days"]
    assert noncurrent_fate([{**expire, "Status": "Disabled"}], "a/b") == []
    assert noncurrent_fate([{**expire, "Prefix": "logs/"}], "a/b") == []
    assert noncurrent_fate([{**expire, "ObjectSizeGreaterThan": 1024}], "a/b", 1) == []
    tier = {
        "Status": "Enabled",
        "NoncurrentVersionTransitions": [{"StorageClass": "GLACIER", "TransitionInDays": 30}],
    }
    assert noncurrent_fate([tier], "a/b") == ["GLACIER after 30 days"]
