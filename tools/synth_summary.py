"""Print the table ``make synth`` ends with: one row per synthesized stack.

Columns: resources, template size, unacknowledged cdk-nag findings, acknowledgements,
and cfn-lint plus CDK's own CloudFormation validation findings. Exits 1 when any stack
has a finding, listing each one under the table.

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
    problems = [(r.stack, f) for r in rows for f in (*r.nag_findings, *r.lint_findings)]
    for stack, finding in problems:
        print(f"  {stack}: {finding}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
