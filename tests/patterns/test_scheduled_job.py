"""ScheduledJob: Scheduler or rule, retries, event age, DLQ, alarm, on/off switch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match, Template

from patterns import ScheduledJob, ServerlessFunction
from tests.support.templates import only

IMPORTED_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:nightly"


def imported(stack: cdk.Stack) -> lambda_.IFunction:
    return lambda_.Function.from_function_arn(stack, "Imported", IMPORTED_ARN)


def test_defaults_schedule_the_alias_daily_with_bounded_retries(
    stack: cdk.Stack, code_dir: Path
) -> None:
    function = ServerlessFunction(stack, "Fn", code_path=code_dir)
    job = ScheduledJob(stack, "Job", function=function)
    template = Template.from_stack(stack)
    props = only(template, "AWS::Scheduler::Schedule")["Properties"]
    assert props["ScheduleExpression"] == "rate(1 day)"
    assert props["State"] == "ENABLED"
    assert props["ScheduleExpressionTimezone"] == "Etc/UTC"
    target = props["Target"]
    assert target["Arn"] == {"Ref": stack.get_logical_id(function.alias.node.default_child)}  # type: ignore[arg-type]
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 2}
    assert "DeadLetterConfig" in target
    queue = only(template, "AWS::SQS::Queue")
    assert queue["Properties"]["SqsManagedSseEnabled"] is True
    assert queue["DeletionPolicy"] == "Retain"
    template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                )
            }
        },
    )
    assert job.schedule is not None
    assert job.rule is None
    assert job.function is function.alias


def test_cron_with_time_zone_disabled_with_payload_and_topic(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    ScheduledJob(
        stack,
        "Job",
        function=imported(stack),
        schedule="cron(0 2 * * ? *)",
        time_zone=cdk.TimeZone.EUROPE_PARIS,
        payload={"task": "nightly"},
        retry_attempts=0,
        max_event_age=cdk.Duration.minutes(1),
        enabled=False,
        alarm_topic=topic,
    )
    template = Template.from_stack(stack)
    props = only(template, "AWS::Scheduler::Schedule")["Properties"]
    assert props["ScheduleExpression"] == "cron(0 2 * * ? *)"
    assert props["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert props["State"] == "DISABLED"
    assert props["Target"]["Arn"] == IMPORTED_ARN
    assert props["Target"]["Input"] == '{"task":"nightly"}'
    assert props["Target"]["RetryPolicy"] == {
        "MaximumEventAgeInSeconds": 60,
        "MaximumRetryAttempts": 0,
    }
    alarm = only(template, "AWS::CloudWatch::Alarm")["Properties"]
    assert alarm["AlarmActions"] == [{"Ref": stack.get_logical_id(topic.node.default_child)}]  # type: ignore[arg-type]
    metrics = {m["Id"]: m for m in alarm["Metrics"]}
    assert metrics["errors"]["MetricStat"]["Metric"]["Dimensions"] == [
        {"Name": "FunctionName", "Value": "nightly"}
    ]
    assert metrics["undelivered"]["MetricStat"]["Metric"]["MetricName"] == (
        "ApproximateNumberOfMessagesVisible"
    )


def test_rule_variant_uses_the_given_queue_and_can_be_disabled(stack: cdk.Stack) -> None:
    queue = sqs.Queue(stack, "Given", enforce_ssl=True)
    job = ScheduledJob(
        stack,
        "Job",
        function=imported(stack),
        schedule="rate(15 minutes)",
        use_rule=True,
        dead_letter_queue=queue,
        payload={"a": 1},
        enabled=False,
        schedule_props={"description": "from hatch"},
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::Scheduler::Schedule", 0)
    template.resource_count_is("AWS::SQS::Queue", 1)
    rule = only(template, "AWS::Events::Rule")["Properties"]
    assert rule["ScheduleExpression"] == "rate(15 minutes)"
    assert rule["State"] == "DISABLED"
    assert rule["Description"] == "from hatch"
    target = rule["Targets"][0]
    assert target["Arn"] == IMPORTED_ARN
    assert target["Input"] == '{"a":1}'
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 2}
    assert target["DeadLetterConfig"]["Arn"] == {
        "Fn::GetAtt": [stack.get_logical_id(queue.node.default_child), "Arn"]  # type: ignore[arg-type]
    }
    assert job.rule is not None
    assert job.schedule is None
    assert job.dead_letter_queue is queue


def test_escape_hatch_is_merged_last(stack: cdk.Stack) -> None:
    ScheduledJob(
        stack, "Job", function=imported(stack), schedule_props={"description": "from hatch"}
    )
    props = only(Template.from_stack(stack), "AWS::Scheduler::Schedule")["Properties"]
    assert props["Description"] == "from hatch"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"schedule": "every day"}, "must be 'rate"),
        ({"schedule": "rate(0 days)"}, "not a valid rate"),
        ({"schedule": "rate(1 days)"}, "not a valid rate"),
        ({"schedule": "rate(5 minute)"}, "not a valid rate"),
        ({"schedule": "rate(5 weeks)"}, "must be 'rate"),
        ({"schedule": "cron(0 2 * * *)"}, "six fields"),
        ({"schedule": "cron(0 2 * * MON *)"}, "exactly one of"),
        ({"schedule": "cron(0 2 ? * ? *)"}, "exactly one of"),
        ({"retry_attempts": -1}, "retry_attempts must be between 0 and 185"),
        ({"retry_attempts": 186}, "retry_attempts must be between 0 and 185"),
        ({"max_event_age": cdk.Duration.seconds(59)}, "max_event_age must be between 60"),
        ({"max_event_age": cdk.Duration.hours(25)}, "max_event_age must be between 60"),
        ({"use_rule": True, "time_zone": cdk.TimeZone.EUROPE_PARIS}, "time_zone needs"),
    ],
)
def test_bad_input_is_rejected(stack: cdk.Stack, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ScheduledJob(stack, "Job", function=imported(stack), **kwargs)


def test_function_of_wrong_type_is_rejected(stack: cdk.Stack) -> None:
    with pytest.raises(TypeError, match=r"function must be a patterns\.ServerlessFunction"):
        ScheduledJob(stack, "Job", function="nightly")  # type: ignore[arg-type]
