"""Deciding what to snapshot and what to delete: plain functions, no AWS calls."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Snapshot:
    """A snapshot this job made: its id, volume and the backup day it belongs to."""

    snapshot_id: str
    volume_id: str
    backup_date: date


@dataclass(frozen=True)
class Plan:
    """Volumes to snapshot today and snapshots past the retention."""

    to_create: tuple[str, ...]
    to_delete: tuple[str, ...]
    already_done: tuple[str, ...]


def plan_backups(
    volume_ids: Iterable[str],
    snapshots: Sequence[Snapshot],
    *,
    today: date,
    retention_days: int,
) -> Plan:
    """What one run does.

    A volume that already has today's snapshot is not snapshotted again, so a retried
    run creates nothing twice. Snapshots older than ``retention_days`` days are deleted;
    the newest snapshot of a volume is always kept, so a volume whose tag was removed
    still has its last backup.
    """
    if retention_days < 1:
        raise ValueError(f"retention_days must be at least 1, got {retention_days}")
    done_today = {s.volume_id for s in snapshots if s.backup_date == today}
    volumes = sorted(set(volume_ids))
    cutoff = today - timedelta(days=retention_days)
    newest: dict[str, date] = {}
    for snapshot in snapshots:
        newest[snapshot.volume_id] = max(
            newest.get(snapshot.volume_id, date.min), snapshot.backup_date
        )
    expired = sorted(
        s.snapshot_id
        for s in snapshots
        if s.backup_date < cutoff and s.backup_date < newest[s.volume_id]
    )
    return Plan(
        to_create=tuple(v for v in volumes if v not in done_today),
        to_delete=tuple(expired),
        already_done=tuple(v for v in volumes if v in done_today),
    )
