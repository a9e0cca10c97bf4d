"""EventWorkflow: trigger, logging, tracing, timeout, on/off switch, failure notification."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_events as events
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk.assertions import Template

from patterns import EventWorkflow, SecureBucket
from tests.support.templates import all_of, only

UPLOADS = events.EventPattern(source=["aws.s3"], detail_type=["Object Created"])


def chain(stack: cdk.Stack) -> sfn.IChainable:
    return sfn.Pass(stack, "Start").next(sfn.Succeed(stack, "Done"))


def test_defaults_log_all_trace_and_notify_a_new_topic(stack: cdk.Stack) -> None:
    workflow = EventWorkflow(stack, "Flow", definition=chain(stack), event_pattern=UPLOADS)
    template = Template.from_stack(stack)
    machine = only(template, "AWS::StepFunctions::StateMachine")["Properties"]
    assert machine["TracingConfiguration"] == {"Enabled": True}
    assert machine["LoggingConfiguration"]["Level"] == "ALL"
    assert machine["LoggingConfiguration"]["IncludeExecutionData"] is True
    definition = json.loads(machine["DefinitionString"])
    assert definition["TimeoutSeconds"] == 3600
    assert definition["StartAt"] == "Start"
    log_group = only(template, "AWS::Logs::LogGroup")
    assert log_group["Properties"]["RetentionInDays"] == 30
    assert log_group["DeletionPolicy"] == "Retain"
    template.resource_count_is("AWS::SNS::Topic", 1)
    rules = all_of(template, "AWS::Events::Rule")
    trigger = rules[stack.get_logical_id(workflow.rule.node.default_child)]["Properties"]  # type: ignore[arg-type]
    assert trigger["State"] == "ENABLED"
    assert trigger["EventPattern"] == {"source": ["aws.s3"], "detail-type": ["Object Created"]}
    machine_id = stack.get_logical_id(workflow.state_machine.node.default_child)  # type: ignore[arg-type]
    assert trigger["Targets"][0]["Arn"] == {"Ref": machine_id}
    assert workflow.failure_rule is not None
    failure = rules[stack.get_logical_id(workflow.failure_rule.node.default_child)]["Properties"]  # type: ignore[arg-type]
    assert failure["State"] == "ENABLED"
    assert failure["EventPattern"] == {
        "source": ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        "detail": {
            "status": ["FAILED", "TIMED_OUT", "ABORTED"],
            "stateMachineArn": [{"Ref": machine_id}],
        },
    }
    assert "InputTransformer" in failure["Targets"][0]
    alarms = all_of(template, "AWS::CloudWatch::Alarm")
    assert sorted(a["Properties"]["MetricName"] for a in alarms.values()) == [
        "ExecutionThrottled",
        "ExecutionsAborted",
        "ExecutionsFailed",
    ]
    for alarm in alarms.values():
        assert alarm["Properties"]["Dimensions"] == [
            {"Name": "StateMachineArn", "Value": {"Ref": machine_id}}
        ]
        assert len(alarm["Properties"]["AlarmActions"]) == 1
    assert workflow.log_group is not None


def test_schedule_disabled_with_caller_log_settings_and_given_topic(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Ops")
    log_group = logs.LogGroup(stack, "Given")
    body = sfn.DefinitionBody.from_chainable(chain(stack))
    workflow = EventWorkflow(
        stack,
        "Flow",
        definition=body,
        schedule="cron(0 3 ? * MON *)",
        log_level=sfn.LogLevel.ERROR,
        include_execution_data=False,
        log_group=log_group,
        timeout=cdk.Duration.days(365),
        enabled=False,
        topic=topic,
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::SNS::Topic", 1)
    template.resource_count_is("AWS::Logs::LogGroup", 1)
    machine = only(template, "AWS::StepFunctions::StateMachine")["Properties"]
    assert machine["LoggingConfiguration"]["Level"] == "ERROR"
    assert machine["LoggingConfiguration"]["IncludeExecutionData"] is False
    trigger = template.to_json()["Resources"][
        stack.get_logical_id(workflow.rule.node.default_child)  # type: ignore[arg-type]
    ]["Properties"]
    assert trigger["ScheduleExpression"] == "cron(0 3 ? * MON *)"
    assert trigger["State"] == "DISABLED"
    assert workflow.log_group is log_group
    acknowledged = workflow.state_machine.node.metadata
    assert any("AwsSolutions-SF1" in json.dumps(entry.data) for entry in acknowledged)


def test_event_pattern_on_a_custom_bus(stack: cdk.Stack) -> None:
    bus = events.EventBus(stack, "Bus")
    workflow = EventWorkflow(
        stack, "Flow", definition=chain(stack), event_pattern=UPLOADS, event_bus=bus
    )
    trigger = Template.from_stack(stack).to_json()["Resources"][
        stack.get_logical_id(workflow.rule.node.default_child)  # type: ignore[arg-type]
    ]["Properties"]
    assert trigger["EventBusName"] == {"Ref": stack.get_logical_id(bus.node.default_child)}  # type: ignore[arg-type]


def test_escape_hatch_is_merged_last(stack: cdk.Stack) -> None:
    EventWorkflow(
        stack,
        "Flow",
        definition=chain(stack),
        event_pattern=UPLOADS,
        state_machine_props={"comment": "from hatch"},
    )
    machine = only(Template.from_stack(stack), "AWS::StepFunctions::StateMachine")
    assert "from hatch" in json.dumps(machine["Properties"]["DefinitionString"])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({}, ValueError, "exactly one of event_pattern and schedule.*neither"),
        ({"event_pattern": UPLOADS, "schedule": "rate(1 day)"}, ValueError, "both"),
        ({"schedule": "daily"}, ValueError, "schedule must be 'rate"),
        (
            {
                "schedule": "rate(1 day)",
                "event_bus": events.EventBus.from_event_bus_name(cdk.Stack(), "B", "bus"),
            },
            ValueError,
            "event_bus applies",
        ),
        (
            {"event_pattern": UPLOADS, "timeout": cdk.Duration.days(366)},
            ValueError,
            "timeout must be between 1 and 31536000 seconds",
        ),
        ({"event_pattern": UPLOADS, "timeout": 60}, TypeError, "timeout must be an aws_cdk"),
    ],
)
def test_bad_input_is_rejected(
    stack: cdk.Stack, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        EventWorkflow(stack, "Flow", definition=chain(stack), **kwargs)


def test_definition_of_wrong_type_is_rejected(stack: cdk.Stack) -> None:
    with pytest.raises(TypeError, match="definition must be"):
        EventWorkflow(stack, "Flow", definition="{}", event_pattern=UPLOADS)  # type: ignore[arg-type]


def _s3_pattern(name: str) -> events.EventPattern:
    return events.EventPattern(
        source=["aws.s3"], detail_type=["Object Created"], detail={"bucket": {"name": [name]}}
    )


def test_a_bucket_of_the_app_that_sends_no_events_is_refused(stack: cdk.Stack) -> None:
    """EventBridge would never see an object of this bucket: the workflow would never run."""
    quiet = SecureBucket(stack, "Quiet")
    with pytest.raises(ValueError, match=r"event_pattern's bucket .*Quiet.* EventBridge"):
        EventWorkflow(
            stack,
            "Flow",
            definition=sfn.Pass(stack, "Step"),
            event_pattern=_s3_pattern(quiet.bucket.bucket_name),
        )


@pytest.mark.parametrize("kind", ["SecureBucket", "s3.Bucket", "literal name"])
def test_buckets_that_send_events_or_are_named_literally_are_taken(
    stack: cdk.Stack, kind: str
) -> None:
    if kind == "SecureBucket":
        name = SecureBucket(stack, "Loud", event_bridge_enabled=True).bucket.bucket_name
    elif kind == "s3.Bucket":
        name = s3.Bucket(stack, "Loud", event_bridge_enabled=True).bucket_name
    else:
        name = "uploads-of-another-team"
    EventWorkflow(
        stack, "Flow", definition=sfn.Pass(stack, "Step"), event_pattern=_s3_pattern(name)
    )
    rules = Template.from_stack(stack).find_resources("AWS::Events::Rule")
    assert len(rules) >= 1
