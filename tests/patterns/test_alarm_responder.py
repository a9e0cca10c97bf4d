"""AlarmResponder: alarms to the topic (once), topic to the responder, DLQ."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from patterns import AlarmResponder, ServerlessFunction, create_alarm
from tests.support.templates import all_of, only

ARN = "arn:aws:lambda:eu-west-1:123456789012:function:responder"
METRIC = cloudwatch.Metric(
    namespace="AWS/SQS", metric_name="NumberOfMessagesSent", dimensions_map={"QueueName": "q"}
)


def alarm(stack: cdk.Stack, construct_id: str, topic: sns.ITopic | None = None) -> cloudwatch.Alarm:
    return create_alarm(
        stack, construct_id, metric=METRIC, threshold=1, description="d", topic=topic
    )


def test_alarms_notify_a_new_topic_that_the_responder_subscribes(stack: cdk.Stack) -> None:
    function = lambda_.Function.from_function_arn(stack, "Responder", ARN)
    responder = AlarmResponder(
        stack, "Respond", alarms=[alarm(stack, "A"), alarm(stack, "B")], function=function
    )
    template = Template.from_stack(stack)
    topic_ref = {"Ref": stack.get_logical_id(responder.topic.node.default_child)}  # type: ignore[arg-type]
    for resource in all_of(template, "AWS::CloudWatch::Alarm").values():
        assert resource["Properties"]["AlarmActions"] == [topic_ref]
        assert resource["Properties"]["OKActions"] == [topic_ref]
    subscription = only(template, "AWS::SNS::Subscription")["Properties"]
    assert subscription["Protocol"] == "lambda"
    assert subscription["Endpoint"] == ARN
    assert subscription["TopicArn"] == topic_ref
    queue_id = stack.get_logical_id(responder.dead_letter_queue.node.default_child)  # type: ignore[arg-type]
    assert subscription["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [queue_id, "Arn"]}
    }
    assert only(template, "AWS::SQS::Queue")["Properties"]["SqsManagedSseEnabled"] is True
    assert responder.function is function


def test_existing_actions_are_not_repeated_and_ok_is_optional(
    stack: cdk.Stack, code_dir: Path
) -> None:
    topic = sns.Topic(stack, "Ops")
    queue = sqs.Queue(stack, "Given", enforce_ssl=True)
    function = ServerlessFunction(stack, "Fn", code_path=code_dir)
    wired, bare = alarm(stack, "Wired", topic), alarm(stack, "Bare")
    responder = AlarmResponder(
        stack,
        "Respond",
        alarms=[wired, bare],
        function=function,
        topic=topic,
        notify_on_ok=False,
        dead_letter_queue=queue,
    )
    template = Template.from_stack(stack).to_json()["Resources"]
    topic_ref = {"Ref": stack.get_logical_id(topic.node.default_child)}  # type: ignore[arg-type]
    wired_props = template[stack.get_logical_id(wired.node.default_child)]["Properties"]  # type: ignore[arg-type]
    assert wired_props["AlarmActions"] == [topic_ref]
    assert wired_props["OKActions"] == [topic_ref]
    bare_props = template[stack.get_logical_id(bare.node.default_child)]["Properties"]  # type: ignore[arg-type]
    assert bare_props["AlarmActions"] == [topic_ref]
    assert "OKActions" not in bare_props
    assert responder.topic is topic
    assert responder.function is function.alias
    assert responder.dead_letter_queue is queue
    queues = [r for r in template.values() if r["Type"] == "AWS::SQS::Queue"]
    assert len(queues) == 1


def test_composite_alarms_are_accepted(stack: cdk.Stack) -> None:
    inner = alarm(stack, "Inner")
    composite = cloudwatch.CompositeAlarm(
        stack,
        "Composite",
        alarm_rule=cloudwatch.AlarmRule.from_alarm(inner, cloudwatch.AlarmState.ALARM),
    )
    function = lambda_.Function.from_function_arn(stack, "Responder", ARN)
    AlarmResponder(stack, "Respond", alarms=[composite], function=function)
    props = only(Template.from_stack(stack), "AWS::CloudWatch::CompositeAlarm")["Properties"]
    assert len(props["AlarmActions"]) == 1


def test_empty_alarm_list_is_rejected(stack: cdk.Stack) -> None:
    function = lambda_.Function.from_function_arn(stack, "Responder", ARN)
    with pytest.raises(ValueError, match="alarms must hold at least one alarm"):
        AlarmResponder(stack, "Respond", alarms=[], function=function)


def test_imported_alarm_is_rejected(stack: cdk.Stack) -> None:
    function = lambda_.Function.from_function_arn(stack, "Responder", ARN)
    imported = cloudwatch.Alarm.from_alarm_arn(
        stack, "Imported", "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x"
    )
    with pytest.raises(TypeError, match="cannot take actions"):
        AlarmResponder(stack, "Respond", alarms=[imported], function=function)  # type: ignore[list-item]
