"""``python -m tools.cost [--assembly cdk.out]``: the cost report of every stage.

Synthesizes the app in-process with cdk.json's context (as ``cdk synth`` would), unless
``--assembly`` names a cloud assembly; runs the handlers against moto; prints the tables;
writes ``docs/cost/cost.md`` and ``docs/cost/<stage>.svg``.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

from tools.assembly import stacks
from tools.cdk_context import ROOT
from tools.cost.actions import action_costs
from tools.cost.capacity import entry_points
from tools.cost.chart import svg
from tools.cost.idle import idle_lines
from tools.cost.metrics import in_use_lines
from tools.cost.report import StageReport, markdown
from tools.cost.runs import measure_all
from tools.cost.stage import Stage

OUTPUT = ROOT / "docs" / "cost"
README = ROOT / "README.md"
BEGIN, END = "<!-- cost:begin -->\n", "<!-- cost:end -->"
HEADER = "# Cost per user action\n\n"


def readme_copy(cost_md: str) -> str:
    """What the README holds between its markers for ``docs/cost/cost.md``: the same
    Markdown, its charts' paths from the repository's root."""
    body = cost_md.removeprefix(HEADER)
    return re.sub(r"\]\(([a-z]+\.svg)\)", r"](docs/cost/\1)", body)


def update_readme(readme: Path, cost_md: str) -> None:
    text = readme.read_text()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    readme.write_text(text[:start] + readme_copy(cost_md) + text[end:])


def synthesize(outdir: Path) -> Path:
    import aws_cdk as cdk

    from app import build_app
    from tools.cdk_context import cli_context

    app = cdk.App(outdir=str(outdir), context=cli_context())
    build_app(app)
    app.synth()
    return outdir


def stages_of(assembly: Path) -> list[Stage]:
    """Every stage of the assembly, in manifest order (nested pipeline stages left out)."""
    by_stage: dict[str, list[object]] = {}
    for artifact in stacks(assembly):
        if len(artifact.display_name.split("/")) == 2:
            by_stage.setdefault(artifact.stage, []).append(artifact)
    return [Stage.of(name, artifacts) for name, artifacts in by_stage.items()]  # type: ignore[arg-type]


def report(stages: list[Stage], output: Path) -> str:
    """Measure, price every stage, write the files; return the Markdown (README paths)."""
    measured = measure_all(stages[0].templates)
    results = []
    output.mkdir(parents=True, exist_ok=True)
    for stage in stages:
        costs = action_costs(stage, measured)
        results.append(
            StageReport(
                stage.name,
                costs,
                idle_lines(stage),
                in_use_lines(stage, measured),
                entry_points(stage, measured, costs),
                stage.account_quotas(),
            )
        )
        (output / f"{stage.name.lower()}.svg").write_text(svg(stage.name, costs))
    cost_md = HEADER + markdown(results, measured, images="")
    (output / "cost.md").write_text(cost_md)
    return cost_md


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.cost", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--assembly", type=Path, help="a synthesized cdk.out (default: synthesize)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--no-readme", action="store_true", help="leave README.md alone")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        assembly = args.assembly or synthesize(Path(scratch) / "cdk.out")
        cost_md = report(stages_of(assembly), args.output)
    print(cost_md)
    if not args.no_readme:
        update_readme(README, cost_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
