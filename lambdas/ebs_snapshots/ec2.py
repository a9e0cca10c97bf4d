"""EBS volumes and snapshots behind a small adapter: the only module here that calls AWS."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import partial
from typing import Any

import boto3

from ebs_snapshots.plan import Snapshot
from shop_common.retry import NO_SDK_RETRIES, with_backoff

#: Tag every snapshot of this job carries, and the tag holding its backup day.
MANAGED_BY = ("managed-by", "ebs-snapshots")
BACKUP_DATE_TAG = "backup-date"


class Ec2Snapshots:
    """Lists tagged volumes and this job's snapshots; creates and deletes snapshots.

    Every call goes through :func:`with_backoff`, so throttling slows the run down
    instead of failing it.
    """

    def __init__(self, client: Any = None) -> None:
        self._ec2 = client or boto3.client("ec2", config=NO_SDK_RETRIES)

    def tagged_volumes(self, tag_key: str, tag_value: str) -> list[str]:
        """Ids of the volumes tagged ``tag_key=tag_value``."""
        filters = [{"Name": f"tag:{tag_key}", "Values": [tag_value]}]
        return [v["VolumeId"] for v in self._pages("describe_volumes", "Volumes", Filters=filters)]

    def managed_snapshots(self) -> list[Snapshot]:
        """This account's snapshots made by this job (others are never touched)."""
        filters = [{"Name": f"tag:{MANAGED_BY[0]}", "Values": [MANAGED_BY[1]]}]
        found: list[Snapshot] = []
        for raw in self._pages(
            "describe_snapshots", "Snapshots", OwnerIds=["self"], Filters=filters
        ):
            tags = {t["Key"]: t["Value"] for t in raw.get("Tags", [])}
            day = tags.get(BACKUP_DATE_TAG)
            backup_date = date.fromisoformat(day) if day else raw["StartTime"].date()
            found.append(Snapshot(raw["SnapshotId"], raw["VolumeId"], backup_date))
        return found

    def _pages(self, operation: str, result_key: str, **request: Any) -> Iterator[Any]:
        """Every item of every page of ``operation``, each page fetched with back-off."""
        call = getattr(self._ec2, operation)
        token: str | None = None
        while True:
            page = with_backoff(partial(call, **request, **({"NextToken": token} if token else {})))
            yield from page.get(result_key, [])
            token = page.get("NextToken")
            if not token:
                return

    def create_snapshot(self, volume_id: str, backup_date: date) -> str:
        """Snapshot ``volume_id``, tagged as this job's backup of ``backup_date``."""
        tags = [
            {"Key": MANAGED_BY[0], "Value": MANAGED_BY[1]},
            {"Key": BACKUP_DATE_TAG, "Value": backup_date.isoformat()},
        ]
        response = with_backoff(
            lambda: self._ec2.create_snapshot(
                VolumeId=volume_id,
                Description=f"Nightly backup of {volume_id} ({backup_date.isoformat()})",
                TagSpecifications=[{"ResourceType": "snapshot", "Tags": tags}],
            )
        )
        snapshot_id: str = response["SnapshotId"]
        return snapshot_id

    def delete_snapshot(self, snapshot_id: str) -> None:
        """Delete one of this job's snapshots."""
        with_backoff(lambda: self._ec2.delete_snapshot(SnapshotId=snapshot_id))
