"""What ``cdk deploy "<pattern>"`` does with a cloud assembly: which stacks it deploys, in
which order, and which of them are certain to exist before each one.

Read from the manifests alone, as the CLI reads them: a pattern selects stacks by display
name (``Prod/*``), the CLI adds every stack they depend on, and deploys each stack only
after its dependencies. Stacks with no dependency between them may deploy in any order
(or at once, with ``--concurrency``), so a prerequisite is met only when its stack is a
(transitive) dependency of its user's: :meth:`DeployPlan.before`.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class PlannedStack:
    """One stack of the plan: where it deploys and what it holds."""

    artifact_id: str  # "ProdWebF45B1510"
    display_name: str  # "Prod/Web"
    stack_name: str  # "Prod-Web", as CloudFormation names it
    account: str | None  # None when environment-agnostic
    region: str | None
    dependencies: tuple[str, ...]  # artifact ids of the stacks it directly depends on
    template: dict[str, Any] = field(repr=False, compare=False)

    @property
    def environment(self) -> tuple[str | None, str | None]:
        """``(account, region)``; an agnostic stack deploys where the CLI's credentials
        point, the same place as every other agnostic stack of one ``cdk deploy``."""
        return (self.account, self.region)

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = self.template.get("Resources", {})
        return found

    @property
    def outputs(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = self.template.get("Outputs", {})
        return found


def assembly_stacks(assembly_dir: Path) -> list[PlannedStack]:
    """Every stack of the assembly (nested assemblies of stages included), in manifest
    order."""
    found: list[PlannedStack] = []
    _collect(Path(assembly_dir), found)
    return found


def _collect(directory: Path, found: list[PlannedStack]) -> None:
    manifest = json.loads((directory / "manifest.json").read_text())
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        properties = artifact.get("properties", {})
        if artifact["type"] == "cdk:cloud-assembly":
            _collect(directory / properties["directoryName"], found)
        elif artifact["type"] == "aws:cloudformation:stack":
            account, region = _environment(artifact["environment"])
            found.append(
                PlannedStack(
                    artifact_id=artifact_id,
                    display_name=artifact.get("displayName", artifact_id),
                    stack_name=properties.get("stackName", artifact_id),
                    account=account,
                    region=region,
                    dependencies=tuple(artifact.get("dependencies", ())),
                    template=json.loads((directory / properties["templateFile"]).read_text()),
                )
            )


def _environment(uri: str) -> tuple[str | None, str | None]:
    account, region = uri.removeprefix("aws://").split("/")
    return (
        None if account.startswith("unknown-") else account,
        None if region.startswith("unknown-") else region,
    )


class DeployPlan:
    """The stacks ``cdk deploy <pattern>`` deploys, in an order the CLI may use."""

    def __init__(self, assembly_dir: Path, pattern: str) -> None:
        every = {stack.artifact_id: stack for stack in assembly_stacks(assembly_dir)}
        chosen = [s for s in every.values() if fnmatch.fnmatchcase(s.display_name, pattern)]
        if not chosen:
            raise ValueError(f"no stack matches {pattern!r}")
        #: Selected stacks and (as the CLI adds them) everything they depend on.
        self.stacks: dict[str, PlannedStack] = {}
        pending = [stack.artifact_id for stack in chosen]
        while pending:
            artifact_id = pending.pop()
            if artifact_id in self.stacks or artifact_id not in every:
                continue  # asset manifests are dependencies too, but deploy no stack
            self.stacks[artifact_id] = every[artifact_id]
            pending.extend(every[artifact_id].dependencies)
        self._before = {artifact_id: self._upstream(artifact_id) for artifact_id in self.stacks}

    def _upstream(self, artifact_id: str) -> frozenset[str]:
        seen: set[str] = set()
        pending = list(self.stacks[artifact_id].dependencies)
        while pending:
            current = pending.pop()
            if current in self.stacks and current not in seen:
                seen.add(current)
                pending.extend(self.stacks[current].dependencies)
        return frozenset(seen)

    def before(self, earlier: PlannedStack, later: PlannedStack) -> bool:
        """True when ``earlier`` is deployed, whatever the order or concurrency, before
        ``later`` starts."""
        return earlier.artifact_id in self._before[later.artifact_id]

    def order(self) -> list[PlannedStack]:
        """One order the CLI deploys in: each stack after all of its dependencies, ties
        in manifest order (as ``cdk deploy`` with ``--concurrency 1`` does)."""
        done: list[PlannedStack] = []
        remaining = list(self.stacks.values())
        while remaining:
            ready = [
                s for s in remaining if self._before[s.artifact_id] <= {d.artifact_id for d in done}
            ]
            if not ready:
                raise ValueError(f"dependency cycle among {[s.display_name for s in remaining]}")
            done.append(ready[0])
            remaining.remove(ready[0])
        return done

    def by_stack_name(self, stack_name: str, region: str | None) -> PlannedStack | None:
        """The stack CloudFormation knows as ``stack_name`` in ``region``."""
        return next(
            (s for s in self.stacks.values() if s.stack_name == stack_name and s.region == region),
            None,
        )

    def exporting(self, export_name: str) -> tuple[PlannedStack, str] | None:
        """The stack and output id that export ``export_name``."""
        for stack in self.stacks.values():
            for output_id, output in stack.outputs.items():
                if output.get("Export", {}).get("Name") == export_name:
                    return stack, output_id
        return None

    def resources(self) -> Iterator[tuple[PlannedStack, str, dict[str, Any]]]:
        """``(stack, logical id, resource)`` of every resource in the plan."""
        for stack in self.stacks.values():
            for logical_id, resource in stack.resources.items():
                yield stack, logical_id, resource
