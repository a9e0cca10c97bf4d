from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match, Template

from patterns import OpsNotifications, create_alarm, messages_waiting_alarm
from tests.support.alarms import ALARM, OK, alarm_state, dimensions

WITH_DIMENSIONS = cloudwatch.Metric(
    namespace="AWS/SQS",
    metric_name="ApproximateNumberOfMessagesVisible",
    dimensions_map={"QueueName": "q"},
)


def test_alarm_without_topic_has_no_actions(stack: cdk.Stack) -> None:
    create_alarm(stack, "A", metric=WITH_DIMENSIONS, threshold=1, description="depth")
    props = Template.from_stack(stack).find_resources("AWS::CloudWatch::Alarm")
    alarm = next(iter(props.values()))["Properties"]
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": "q"}]
    assert alarm["TreatMissingData"] == "notBreaching"
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert "AlarmActions" not in alarm


def test_alarm_with_topic_notifies_on_alarm_and_ok(stack: cdk.Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    create_alarm(stack, "A", metric=WITH_DIMENSIONS, threshold=1, description="d", topic=topic)
    Template.from_stack(stack).has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {"AlarmActions": [{"Ref": Match.any_value()}], "OKActions": [{"Ref": Match.any_value()}]},
    )


def test_one_waiting_message_in_a_failure_queue_is_an_alarm(stack: cdk.Stack) -> None:
    """As CloudWatch evaluates it: the queue's own visible messages, one five-minute
    period with one message is enough, and an empty or idle queue (no datapoint) is OK."""
    queue = sqs.Queue.from_queue_arn(stack, "Failures", "arn:aws:sqs:eu-west-1:123456789012:f")
    messages_waiting_alarm(stack, "A", queue=queue, description="never done")
    (alarm,) = Template.from_stack(stack).find_resources("AWS::CloudWatch::Alarm").values()
    props = alarm["Properties"]
    assert props["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert dimensions(props) == {"QueueName": "f"}
    assert (props["Period"], props["Statistic"]) == (300, "Maximum")
    assert alarm_state(props, [0, 0, 1]) == ALARM
    assert alarm_state(props, [3, 1, 0]) == OK
    assert alarm_state(props, [0, None]) == OK


def test_alarm_requires_dimensions_even_inside_math(stack: cdk.Stack) -> None:
    bare = cloudwatch.Metric(namespace="AWS/Lambda", metric_name="Errors")
    with pytest.raises(ValueError, match="metric 'Errors' has no dimensions"):
        create_alarm(stack, "A", metric=bare, threshold=1, description="d")
    expression = cloudwatch.MathExpression(
        expression="a + b", using_metrics={"a": WITH_DIMENSIONS, "b": bare}
    )
    with pytest.raises(ValueError, match="has no dimensions"):
        create_alarm(stack, "B", metric=expression, threshold=1, description="d")


def test_alarm_on_math_expression_with_dimensions(stack: cdk.Stack) -> None:
    expression = cloudwatch.MathExpression(expression="a * 2", using_metrics={"a": WITH_DIMENSIONS})
    create_alarm(stack, "A", metric=expression, threshold=4, description="d")
    Template.from_stack(stack).resource_count_is("AWS::CloudWatch::Alarm", 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"evaluation_periods": 0}, "evaluation_periods must be between 1"),
        ({"evaluation_periods": 2, "datapoints_to_alarm": 3}, "datapoints_to_alarm must be"),
    ],
)
def test_alarm_periods_are_checked(stack: cdk.Stack, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        create_alarm(stack, "A", metric=WITH_DIMENSIONS, threshold=1, description="d", **kwargs)


def test_notifications_encrypt_require_tls_and_subscribe_emails(stack: cdk.Stack) -> None:
    ops = OpsNotifications(stack, "Ops", emails=["oncall@example.com"])
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    template.has_resource_properties(
        "AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value(), "DisplayName": "Operations"}
    )
    template.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "oncall@example.com"}
    )
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ),
                        Match.object_like(
                            {
                                "Action": "sns:Publish",
                                "Principal": {
                                    "Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
                                },
                            }
                        ),
                    ]
                )
            }
        },
    )
    key_policy = next(iter(template.find_resources("AWS::KMS::Key").values()))["Properties"][
        "KeyPolicy"
    ]
    services: set[str] = set()
    for statement in key_policy["Statement"]:
        service = statement.get("Principal", {}).get("Service", [])
        services.update([service] if isinstance(service, str) else service)
    assert {"cloudwatch.amazonaws.com", "events.amazonaws.com"} <= services
    assert ops.topic is not None
    assert ops.key is not None


def test_notifications_use_a_given_key_and_no_subscriptions(stack: cdk.Stack) -> None:
    key = kms.Key(stack, "Existing", enable_key_rotation=True)
    ops = OpsNotifications(stack, "Ops", master_key=key)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::KMS::Key", 1)
    template.resource_count_is("AWS::SNS::Subscription", 0)
    assert ops.key is key


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"emails": ["nobody"]}, ValueError, "emails contains 'nobody'"),
        ({"emails": "a@b.co"}, TypeError, "emails must be a sequence"),
        ({"display_name": "x" * 101}, ValueError, "display_name must be at most 100"),
    ],
)
def test_notifications_bad_arguments(
    stack: cdk.Stack, kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        OpsNotifications(stack, "Ops", **kwargs)  # type: ignore[arg-type]
