"""Each stage's functions trace as its ``tracing`` setting says; Prod and Staging import no
X-Ray SDK (end of support 25 February 2027), Dev keeps its subsegments."""

from __future__ import annotations

from typing import Any

import pytest

from stacks import STAGES
from tools.assembly import StackArtifact

EXPECTED = {"Dev": "xray-sdk", "Staging": "lambda", "Prod": "lambda"}


def _functions(stack: StackArtifact) -> list[dict[str, Any]]:
    return [
        r["Properties"]
        for r in stack.template()["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function"
        and "POWERTOOLS_SERVICE_NAME" in r["Properties"].get("Environment", {}).get("Variables", {})
    ]


@pytest.mark.parametrize("stage", sorted(EXPECTED))
def test_every_function_of_a_stage_traces_in_its_mode(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    assert STAGES[stage.lower()].tracing == EXPECTED[stage]
    functions = [
        f
        for name, s in stack_artifacts.items()
        if name.startswith(f"{stage}/")
        for f in _functions(s)
    ]
    assert len(functions) >= 10
    for function in functions:
        assert function["TracingConfig"] == {"Mode": "Active"}
        disabled = function["Environment"]["Variables"].get("POWERTOOLS_TRACE_DISABLED")
        assert disabled == (None if EXPECTED[stage] == "xray-sdk" else "true")
