"""What each stage's state machines write to their execution logs."""

from __future__ import annotations

from typing import Any

import pytest

from stacks import resolve_stages
from tests.support.cdk_app import cli_context
from tests.support.execution_logs import logged_events
from tools.assembly import StackArtifact

CONFIGS = {config.stage_id: config for config in resolve_stages(cli_context()["stages"])}
#: A customer's data, as it flows through a workflow's states.
PAYLOAD = '{"bucket": "shop-images", "key": "uploads/jane.doe@example.com/passport.jpg"}'
SUCCEEDED = [
    {"type": "ExecutionStarted", "input": PAYLOAD},
    {"type": "TaskStateEntered", "input": PAYLOAD},
    {"type": "TaskSucceeded", "output": PAYLOAD},
    {"type": "ExecutionSucceeded", "output": PAYLOAD},
]
FAILED = [
    {"type": "ExecutionStarted", "input": PAYLOAD},
    {"type": "TaskFailed", "error": "Rekognition.InvalidImageFormatException", "cause": PAYLOAD},
    {"type": "ExecutionFailed", "error": "States.TaskFailed", "cause": PAYLOAD},
]


def _logging(stack_artifacts: dict[str, StackArtifact], stage: str) -> list[dict[str, Any]]:
    found = [
        r["Properties"]["LoggingConfiguration"]
        for name, stack in stack_artifacts.items()
        if name.startswith(f"{stage}/")
        for r in stack.template()["Resources"].values()
        if r["Type"] == "AWS::StepFunctions::StateMachine"
    ]
    assert found, f"{stage} has no state machine"
    return found


@pytest.mark.parametrize("stage", sorted(CONFIGS))
def test_failures_are_always_logged(stack_artifacts: dict[str, StackArtifact], stage: str) -> None:
    for logging in _logging(stack_artifacts, stage):
        failures = [e["type"] for e in logged_events(logging, FAILED)]
        assert {"TaskFailed", "ExecutionFailed"} <= set(failures)
        errors = {e.get("error") for e in logged_events(logging, FAILED)}
        assert "Rekognition.InvalidImageFormatException" in errors


def test_prod_logs_no_customer_data_and_no_successful_executions(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    for logging in _logging(stack_artifacts, "Prod"):
        assert logged_events(logging, SUCCEEDED) == []
        assert PAYLOAD not in str(logged_events(logging, FAILED))


@pytest.mark.parametrize("stage", ["Dev", "Staging"])
def test_other_stages_log_every_step_with_its_data_for_debugging(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    for logging in _logging(stack_artifacts, stage):
        assert logged_events(logging, SUCCEEDED) == SUCCEEDED


@pytest.mark.parametrize("stage", sorted(CONFIGS))
def test_what_is_logged_follows_the_stage_config(
    stack_artifacts: dict[str, StackArtifact], stage: str
) -> None:
    config = CONFIGS[stage]
    for logging in _logging(stack_artifacts, stage):
        assert logging["Level"] == config.workflow_log_level
        assert logging["IncludeExecutionData"] is config.workflow_log_execution_data
