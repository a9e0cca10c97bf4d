"""The Operations stack's wiring: the stage's trigger switch and the alarm routing."""

from __future__ import annotations

import dataclasses

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from stacks.function_settings import function_defaults
from stacks.operations import OperationsStack
from stacks.stages import DEV
from tests.support.cdk_app import cli_context


def synthesize(triggers_enabled: bool) -> Template:
    config = dataclasses.replace(DEV, triggers_enabled=triggers_enabled)
    app = cdk.App(context=cli_context())
    function_defaults(config).apply_to(app)
    return Template.from_stack(OperationsStack(app, "Operations", config=config))


@pytest.mark.parametrize(("enabled", "state"), [(True, "ENABLED"), (False, "DISABLED")])
def test_the_stage_switch_drives_every_trigger(enabled: bool, state: str) -> None:
    template = synthesize(enabled)
    schedules = template.find_resources("AWS::Scheduler::Schedule")
    assert [s["Properties"]["State"] for s in schedules.values()] == [state]
    rules = template.find_resources("AWS::Events::Rule")
    triggers = {k: r for k, r in rules.items() if "FailureRule" not in k}
    assert len(triggers) == 3  # image uploads, open ingress, public bucket
    assert {r["Properties"]["State"] for r in triggers.values()} == {state}
    # Failure notifications keep flowing while triggers are off.
    failure = [r for k, r in rules.items() if "FailureRule" in k]
    assert [r["Properties"]["State"] for r in failure] == ["ENABLED"]


def test_every_alarm_notifies_the_topic_once_and_the_recorder_subscribes() -> None:
    template = synthesize(True)
    topics = list(template.find_resources("AWS::SNS::Topic"))
    assert len(topics) == 1
    alarms = template.find_resources("AWS::CloudWatch::Alarm")
    assert len(alarms) >= 8
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topics[0]}]
    subscriptions = [
        s["Properties"]
        for s in template.find_resources("AWS::SNS::Subscription").values()
        if s["Properties"]["Protocol"] == "lambda"
    ]
    assert len(subscriptions) == 1
    assert "IncidentRecorderAlias" in subscriptions[0]["Endpoint"]["Ref"]
