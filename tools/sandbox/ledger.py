"""What happened to each resource of the deployed stacks, and the report built from it.

The emulator runs in this process, so the CloudFormation shim records every resource it
creates, skips or sees fail here; the report is a table of resource types with counts.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    """What moto's CloudFormation did with one resource."""

    DEPLOYED = "deployed"
    SKIPPED = "skipped"  # moto has no model for the type (or it needs Lambda code to run)
    FAILED = "failed"  # moto's model raised; the resource is a placeholder


@dataclass(frozen=True)
class ResourceRecord:
    """One resource of one stack."""

    stack: str
    logical_id: str
    resource_type: str
    outcome: Outcome
    detail: str = ""


class Ledger:
    """Records from the server's request threads; read after the deployment."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[tuple[str, str], ResourceRecord] = {}

    def record(self, record: ResourceRecord) -> None:
        """Remember ``record`` (a later record of the same resource replaces it)."""
        with self._lock:
            self._records[(record.stack, record.logical_id)] = record

    def records(self, stack_prefix: str = "") -> list[ResourceRecord]:
        """The records of stacks whose name starts with ``stack_prefix``, sorted."""
        with self._lock:
            found = [r for r in self._records.values() if r.stack.startswith(stack_prefix)]
        return sorted(found, key=lambda r: (r.stack, r.logical_id))


@dataclass(frozen=True)
class TypeRow:
    """One line of the report: a resource type and how many of each outcome."""

    resource_type: str
    deployed: int
    skipped: int
    failed: int


def type_rows(records: list[ResourceRecord]) -> list[TypeRow]:
    """Counts per resource type: types with skipped or failed resources first, then A-Z."""
    counts: dict[str, Counter[Outcome]] = {}
    for record in records:
        counts.setdefault(record.resource_type, Counter())[record.outcome] += 1
    rows = [
        TypeRow(name, c[Outcome.DEPLOYED], c[Outcome.SKIPPED], c[Outcome.FAILED])
        for name, c in counts.items()
    ]
    return sorted(rows, key=lambda r: (r.skipped == 0 and r.failed == 0, r.resource_type))


def format_report(records: list[ResourceRecord]) -> str:
    """The table of resource types (deployed / skipped / failed) and each failure's reason."""
    rows = type_rows(records)
    width = max([len("resource type"), *(len(r.resource_type) for r in rows)])
    lines = [
        f"{'resource type':<{width}}  deployed  skipped  failed",
        f"{'-' * width}  --------  -------  ------",
    ]
    lines += [
        f"{r.resource_type:<{width}}  {r.deployed:>8}  {r.skipped:>7}  {r.failed:>6}" for r in rows
    ]
    total = Counter(r.outcome for r in records)
    lines.append(
        f"{'total':<{width}}  {total[Outcome.DEPLOYED]:>8}  {total[Outcome.SKIPPED]:>7}"
        f"  {total[Outcome.FAILED]:>6}"
    )
    failures = [r for r in records if r.outcome is Outcome.FAILED]
    if failures:
        lines.append("failed resources (moto raised; a placeholder stands in for each):")
        lines += [f"  {r.stack}/{r.logical_id} ({r.resource_type}): {r.detail}" for r in failures]
    return "\n".join(lines)
