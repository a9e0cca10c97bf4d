"""Reading a synthesized cloud assembly: its stacks, their findings and acknowledgements.

Used by the synth summary (``make synth``), the benchmark and the test suite, so the
three agree on what counts as a finding.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

#: The validation plugin CDK itself runs (CloudFormation schema and best-practice rules).
CFN_VALIDATE_PLUGIN = "CloudFormation Validate"
ACKNOWLEDGED_RULES = "aws:cdk:acknowledged-rules"
#: Stack metadata listing the cdk-nag packs the stack is checked against (written by
#: ``stacks.base.ShopStack``; the same string as ``stacks.compliance.PACKS_METADATA``).
PACKS_METADATA = "serverless-patterns:compliance-packs"


@dataclass(frozen=True)
class StackArtifact:
    """One synthesized stack."""

    display_name: str  # "Dev/Operations"
    stage: str  # "Dev"
    template_path: Path
    metadata_path: Path
    #: The stack's region (``aws://<account>/<region>``), ``None`` when region-agnostic.
    region: str | None = None

    def template(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.template_path.read_text())
        return loaded

    @property
    def resource_count(self) -> int:
        return len(self.template().get("Resources", {}))

    @property
    def template_bytes(self) -> int:
        return self.template_path.stat().st_size

    def _metadata(self, kind: str) -> Iterator[tuple[str, Any]]:
        """``(construct path, data)`` of each metadata entry of type ``kind``."""
        if not self.metadata_path.exists():
            return
        for path, entries in json.loads(self.metadata_path.read_text()).items():
            for entry in entries:
                if entry.get("type") == kind:
                    yield path, entry["data"]

    def _acknowledged(self) -> Iterator[tuple[str, str, str]]:
        """``(construct path, rule id, reason)`` of each acknowledgement."""
        for path, data in self._metadata(ACKNOWLEDGED_RULES):
            for rule, reason in data.items():
                yield path, rule, reason

    def acknowledgements(self) -> dict[str, str]:
        """Every acknowledged rule in the stack, ``"<construct path> <rule>" -> reason``."""
        return {f"{path} {rule}": reason for path, rule, reason in self._acknowledged()}

    def compliance_packs(self) -> list[str]:
        """The cdk-nag packs the stack was checked against (from its metadata)."""
        return next((list(data) for _, data in self._metadata(PACKS_METADATA)), [])

    def acknowledged_rules(self) -> list[str]:
        """Rule id of each acknowledgement (``HIPAA.Security-LambdaDLQ``), one per construct
        and rule, as :meth:`acknowledgements` counts them.

        Read from the metadata itself: construct paths may hold spaces
        (``.../S3 Destination Role/...``), so the joined keys of :meth:`acknowledgements`
        cannot be split back reliably.
        """
        acknowledged = {(path, rule) for path, rule, _ in self._acknowledged()}
        return [re.sub(r"^annotation::", "", rule, flags=re.IGNORECASE) for _, rule in acknowledged]


def stacks(assembly_dir: Path) -> list[StackArtifact]:
    """Every stack of every stage in the assembly, in manifest order."""
    found: list[StackArtifact] = []
    _collect(Path(assembly_dir), found)
    return found


def _collect(directory: Path, found: list[StackArtifact]) -> None:
    manifest = json.loads((directory / "manifest.json").read_text())
    for artifact in manifest.get("artifacts", {}).values():
        properties = artifact.get("properties", {})
        if artifact["type"] == "cdk:cloud-assembly":
            _collect(directory / properties["directoryName"], found)
        elif artifact["type"] == "aws:cloudformation:stack":
            template = directory / properties["templateFile"]
            name = artifact.get("displayName", template.stem)
            found.append(
                StackArtifact(
                    display_name=name,
                    stage=_stage_of(name),
                    template_path=template,
                    metadata_path=template.with_name(
                        template.name.replace(".template.json", ".metadata.json")
                    ),
                    region=_region_of(artifact.get("environment", "")),
                )
            )


def _region_of(environment: str) -> str | None:
    region = environment.rsplit("/", 1)[-1] if environment.startswith("aws://") else ""
    return None if region in ("", "unknown-region") else region


def _stage_of(display_name: str) -> str:
    """``Dev`` for ``Dev/Operations`` and ``Pipeline/Dev/Operations`` (a stage nested in a
    stack, as CDK Pipelines builds them); a stack outside any stage is its own."""
    parts = display_name.split("/")
    return parts[-2] if len(parts) > 1 else parts[0]


def _stack_of(construct_path: str, stack_names: list[str]) -> str:
    """The stack holding ``construct_path``: the longest display name prefixing it."""
    owners = [n for n in stack_names if construct_path == n or construct_path.startswith(f"{n}/")]
    return max(owners, key=len) if owners else "/".join(construct_path.split("/")[:2])


@dataclass(frozen=True)
class Finding:
    """One unacknowledged violation reported by a validation plugin."""

    plugin: str
    rule: str
    construct_path: str
    description: str

    def __str__(self) -> str:
        return f"{self.plugin} {self.rule} at {self.construct_path}: {self.description}"


def validation_findings(assembly_dir: Path) -> dict[str, list[Finding]]:
    """Unacknowledged findings per stack display name, from ``validation-report.json``.

    Construct paths map to the stack whose path prefixes them (``Dev/Operations/...``,
    ``Pipeline/...``, ``Pipeline/Dev/Operations/...``).
    """
    report_path = Path(assembly_dir) / "validation-report.json"
    result: dict[str, list[Finding]] = defaultdict(list)
    if not report_path.exists():
        return result
    report = json.loads(report_path.read_text())
    stack_names = [stack.display_name for stack in stacks(assembly_dir)]
    for plugin in report.get("pluginReports", []):
        for violation in plugin.get("violations", []):
            for construct in violation.get("violatingConstructs", []):
                path = construct["constructPath"]
                result[_stack_of(path, stack_names)].append(
                    Finding(
                        plugin=plugin["pluginName"],
                        rule=violation["ruleName"],
                        construct_path=path,
                        description=violation.get("description", ""),
                    )
                )
    return result


@cache
def _lint_args() -> Any:
    from cfnlint.api import ManualArgs

    return ManualArgs(regions=["us-east-1", "eu-west-1"])


def cfn_lint(template_path: Path) -> list[str]:
    """cfn-lint errors and warnings (informational matches excluded) of one template."""
    from cfnlint.api import lint_file

    matches = lint_file(Path(template_path), config=_lint_args())
    return [
        f"{m.rule.id} {m.message} ({m.linenumber}:{m.columnnumber})"
        for m in matches
        if not m.rule.id.startswith("I")
    ]
