"""Inputs AWS accepts that the library must accept too (they were wrongly refused)."""

from __future__ import annotations

import re
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk.assertions import Template

from patterns import (
    EventWorkflow,
    Route,
    ScheduledJob,
    ServerlessApi,
    ServerlessFunction,
    StreamIngestApi,
    Throttle,
)
from tests.support.templates import properties


def test_a_stage_name_with_a_hyphen_is_accepted(stack: cdk.Stack, code_dir: Path) -> None:
    fn = ServerlessFunction(stack, "Fn", code_path=code_dir)
    ServerlessApi(stack, "Api", stage_name="v1-beta", routes=[Route("GET", "/x", fn)])
    StreamIngestApi(stack, "Ingest", stage_name="ingest-v2")
    names = {
        s["Properties"]["StageName"]
        for s in Template.from_stack(stack).find_resources("AWS::ApiGateway::Stage").values()
    }
    assert names == {"v1-beta", "ingest-v2"}


@pytest.mark.parametrize("name", ["", "v1/beta", "x" * 129, "v 1"])
def test_stage_names_api_gateway_refuses_are_named(
    stack: cdk.Stack, code_dir: Path, name: str
) -> None:
    with pytest.raises(ValueError, match="stage_name must be 1 to 128 letters, digits, '-' or '_'"):
        StreamIngestApi(stack, "Ingest", stage_name=name)


def test_a_burst_below_the_rate_is_rendered(stack: cdk.Stack, code_dir: Path) -> None:
    """API Gateway accepts it: the bucket of 50 caps each second at 50 requests."""
    fn = ServerlessFunction(stack, "Fn", code_path=code_dir)
    ServerlessApi(
        stack,
        "Api",
        throttle=Throttle(rate_limit=100, burst_limit=50),
        routes=[Route("GET", "/x", fn)],
    )
    stage = properties(Template.from_stack(stack), "AWS::ApiGateway::Stage")
    stage_wide = next(s for s in stage["MethodSettings"] if s["ResourcePath"] == "/*")
    assert (stage_wide["ThrottlingRateLimit"], stage_wide["ThrottlingBurstLimit"]) == (100, 50)


def test_a_one_time_schedule_runs_on_eventbridge_scheduler(
    stack: cdk.Stack, code_dir: Path
) -> None:
    fn = ServerlessFunction(stack, "Fn", code_path=code_dir)
    ScheduledJob(stack, "Once", function=fn, schedule="at(2027-03-01T09:30:00)")
    schedule = properties(Template.from_stack(stack), "AWS::Scheduler::Schedule")
    assert schedule["ScheduleExpression"] == "at(2027-03-01T09:30:00)"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda s, fn: ScheduledJob(
                s, "J", function=fn, schedule="at(2027-03-01T09:30:00)", use_rule=True
            ),
            "one-time at(...) schedules need EventBridge Scheduler",
        ),
        (
            lambda s, _fn: EventWorkflow(
                s, "W", definition=sfn.Pass(s, "P"), schedule="at(2027-03-01T09:30:00)"
            ),
            "one-time at(...) schedules need EventBridge Scheduler",
        ),
        (
            lambda s, fn: ScheduledJob(s, "J", function=fn, schedule="at(2027-02-30T09:30:00)"),
            "is not a valid at(...) schedule",
        ),
        (
            lambda s, fn: ScheduledJob(s, "J", function=fn, schedule="at(tomorrow)"),
            "is not a valid at(...) schedule",
        ),
    ],
)
def test_one_time_schedules_where_aws_refuses_them_are_named(
    stack: cdk.Stack, code_dir: Path, build: object, message: str
) -> None:
    fn = ServerlessFunction(stack, "Fn", code_path=code_dir)
    with pytest.raises(ValueError, match=re.escape(message)):
        build(stack, fn)  # type: ignore[operator]
