"""The nightly snapshot job against EC2 in moto: what it creates, prunes and reports.

``ebs_snapshots.app`` is imported inside the tests: Powertools reads its namespace from
the environment when ``shop_common.observability`` is first imported, and the ``aws``
fixture sets that environment.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import boto3
import pytest
from ebs_snapshots.ec2 import Ec2Snapshots
from ebs_snapshots.plan import Snapshot, plan_backups

from tests.handlers.test_incident_recorder import FakeContext

TODAY = date(2026, 11, 23)
MANAGED = {"managed-by": "ebs-snapshots"}


def tags(**values: str) -> list[dict[str, Any]]:
    return [{"ResourceType": "volume", "Tags": [{"Key": k, "Value": v} for k, v in values.items()]}]


@pytest.fixture
def ec2(aws: str) -> Any:
    return boto3.client("ec2")


def volume(ec2: Any, **tag_values: str) -> str:
    kwargs: dict[str, Any] = {"AvailabilityZone": "us-east-1a", "Size": 1}
    if tag_values:
        kwargs["TagSpecifications"] = tags(**tag_values)
    volume_id: str = ec2.create_volume(**kwargs)["VolumeId"]
    return volume_id


def snapshot(ec2: Any, volume_id: str, snapshot_tags: dict[str, str]) -> str:
    response = ec2.create_snapshot(
        VolumeId=volume_id,
        TagSpecifications=[
            {
                "ResourceType": "snapshot",
                "Tags": [{"Key": k, "Value": v} for k, v in snapshot_tags.items()],
            }
        ],
    )
    snapshot_id: str = response["SnapshotId"]
    return snapshot_id


def snapshots_of(ec2: Any, volume_id: str) -> dict[str, dict[str, str]]:
    found = ec2.describe_snapshots(
        OwnerIds=["self"], Filters=[{"Name": "volume-id", "Values": [volume_id]}]
    )["Snapshots"]
    return {s["SnapshotId"]: {t["Key"]: t["Value"] for t in s.get("Tags", [])} for s in found}


def test_run_snapshots_tagged_volumes_and_prunes_only_its_expired_snapshots(ec2: Any) -> None:
    tagged = volume(ec2, backup="true")
    other_tagged = volume(ec2, backup="true")
    untagged = volume(ec2)
    opted_out = volume(ec2, backup="false")
    expired = snapshot(ec2, tagged, {**MANAGED, "backup-date": "2026-11-01"})
    recent = snapshot(ec2, tagged, {**MANAGED, "backup-date": "2026-11-20"})
    foreign = snapshot(ec2, tagged, {"backup-date": "2026-01-01"})
    last_of_untagged = snapshot(ec2, untagged, {**MANAGED, "backup-date": "2026-10-01"})

    from ebs_snapshots.app import run_backups

    result = run_backups(
        Ec2Snapshots(), today=TODAY, tag_key="backup", tag_value="true", retention_days=7
    )

    assert result["deleted"] == [expired]
    assert result["skipped"] == []
    assert len(result["created"]) == 2
    after = snapshots_of(ec2, tagged)
    assert expired not in after
    assert recent in after
    assert foreign in after
    new = [sid for sid, t in after.items() if t.get("backup-date") == TODAY.isoformat()]
    assert len(new) == 1
    assert after[new[0]] == {**MANAGED, "backup-date": "2026-11-23"}
    assert len(snapshots_of(ec2, other_tagged)) == 1
    # The newest snapshot of a volume is kept even past the retention.
    assert list(snapshots_of(ec2, untagged)) == [last_of_untagged]
    assert snapshots_of(ec2, opted_out) == {}


def test_a_second_run_on_the_same_day_changes_nothing(ec2: Any) -> None:
    from ebs_snapshots.app import run_backups

    tagged = volume(ec2, backup="true")
    store = Ec2Snapshots()
    first = run_backups(store, today=TODAY, tag_key="backup", tag_value="true", retention_days=7)
    second = run_backups(store, today=TODAY, tag_key="backup", tag_value="true", retention_days=7)
    assert len(first["created"]) == 1
    assert second == {"created": [], "deleted": [], "skipped": [tagged]}
    assert len(snapshots_of(ec2, tagged)) == 1


def test_handler_publishes_the_counts_as_metrics(
    ec2: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    volume(ec2, backup="true")
    volume(ec2, backup="true")
    old = volume(ec2, backup="true")
    snapshot(ec2, old, {**MANAGED, "backup-date": "2020-01-01"})
    snapshot(ec2, old, {**MANAGED, "backup-date": "2020-01-02"})
    monkeypatch.setenv("RETENTION_DAYS", "7")
    from ebs_snapshots import app

    from shop_common.observability import metrics

    app._ec2.cache_clear()
    metrics.clear_metrics()  # run_backups calls of other tests added unflushed values
    result = app.handler({"source": "aws.scheduler"}, FakeContext())

    assert len(result["created"]) == 3
    assert len(result["deleted"]) == 1
    emitted = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line
    ]
    assert len(emitted) == 1
    assert emitted[0]["SnapshotsCreated"] == [3.0]
    assert emitted[0]["SnapshotsDeleted"] == [1.0]
    names = {m["Name"] for m in emitted[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert names == {"SnapshotsCreated", "SnapshotsDeleted"}


def test_plan_rejects_a_retention_below_one_day() -> None:
    with pytest.raises(ValueError, match="retention_days must be at least 1"):
        plan_backups([], [], today=TODAY, retention_days=0)


def test_plan_uses_the_backup_day_not_the_run_time() -> None:
    snaps = [
        Snapshot("snap-old", "vol-1", date(2026, 11, 15)),
        Snapshot("snap-edge", "vol-1", date(2026, 11, 16)),
        Snapshot("snap-today", "vol-1", TODAY),
    ]
    plan = plan_backups(["vol-1", "vol-2"], snaps, today=TODAY, retention_days=7)
    assert plan.to_create == ("vol-2",)
    assert plan.already_done == ("vol-1",)
    assert plan.to_delete == ("snap-old",)
