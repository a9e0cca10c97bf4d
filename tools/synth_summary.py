"""Print the table ``make synth`` ends with: one row per synthesized stack.

Columns: resources, template size, unacknowledged cdk-nag findings, acknowledgements,
and cfn-lint plus CDK's own CloudFormation validation findings. A second table gives,
per stage, each cdk-nag pack the stage runs with its findings and acknowledgements.
Exits 1 when any stack has a finding, listing each one under the tables.

    python -m tools.synth_summary cdk.out
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from tools.assembly import CFN_VALIDATE_PLUGIN, cfn_lint, stacks, validation_findings


@dataclass(frozen=True)
class Row:
    stack: str
    resources: int
    template_kib: float
    nag_findings: list[str]
    acknowledgements: int
    lint_findings: list[str]


def summarize(assembly_dir: Path) -> list[Row]:
    """One row per stack of the assembly."""
    findings = validation_findings(assembly_dir)
    rows = []
    for stack in stacks(assembly_dir):
        own = findings.get(stack.display_name, [])
        rows.append(
            Row(
                stack=stack.display_name,
                resources=stack.resource_count,
                template_kib=stack.template_bytes / 1024,
                nag_findings=[str(f) for f in own if f.plugin != CFN_VALIDATE_PLUGIN],
                acknowledgements=len(stack.acknowledgements()),
                lint_findings=[
                    *(str(f) for f in own if f.plugin == CFN_VALIDATE_PLUGIN),
                    *cfn_lint(stack.template_path),
                ],
            )
        )
    return rows


@dataclass(frozen=True)
class PackRow:
    stage: str
    pack: str
    findings: int
    acknowledgements: int


def summarize_packs(assembly_dir: Path) -> list[PackRow]:
    """One row per stage and cdk-nag pack that the stage's stacks are checked against."""
    findings = validation_findings(assembly_dir)
    packs: dict[str, list[str]] = {}
    counts: dict[tuple[str, str], list[int]] = {}
    for stack in stacks(assembly_dir):
        for pack in stack.compliance_packs():
            if pack not in packs.setdefault(stack.stage, []):
                packs[stack.stage].append(pack)
            tally = counts.setdefault((stack.stage, pack), [0, 0])
            tally[0] += sum(f.plugin == pack for f in findings.get(stack.display_name, []))
            tally[1] += sum(r.startswith(f"{pack}-") for r in stack.acknowledged_rules())
    return [
        PackRow(stage, pack, *counts[(stage, pack)])
        for stage, names in packs.items()
        for pack in names
    ]


def format_packs(rows: list[PackRow]) -> str:
    """A Markdown table of the per-stage pack rows."""
    lines = ["| stage | cdk-nag pack | findings | acknowledged |", "|---|---|---:|---:|"]
    lines += [f"| {r.stage} | {r.pack} | {r.findings} | {r.acknowledgements} |" for r in rows]
    return "\n".join(lines)


def format_table(rows: list[Row]) -> str:
    """A Markdown table of the rows."""
    lines = [
        "| stack | resources | template (KiB) | cdk-nag findings | acknowledged "
        "| cfn-lint findings |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.stack} | {r.resources} | {r.template_kib:.1f} | {len(r.nag_findings)} "
        f"| {r.acknowledgements} | {len(r.lint_findings)} |"
        for r in rows
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assembly", type=Path, nargs="?", default=Path("cdk.out"))
    args = parser.parse_args(argv)
    if not (args.assembly / "manifest.json").exists():
        print(f"No cloud assembly in {args.assembly}: synthesis did not run.", file=sys.stderr)
        return 1
    rows = summarize(args.assembly)
    print(format_table(rows))
    print()
    print(format_packs(summarize_packs(args.assembly)))
    problems = [(r.stack, f) for r in rows for f in (*r.nag_findings, *r.lint_findings)]
    for stack, finding in problems:
        print(f"  {stack}: {finding}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
