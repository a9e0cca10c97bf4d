from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match, Template

from patterns import ServerlessFunction, StreamProcessor
from tests.support.alarms import ALARM, OK, alarm_state, dimensions
from tests.support.templates import only, properties

STREAM_ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks"
FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:consumer"


def imported_function(stack: cdk.Stack, construct_id: str = "Consumer") -> lambda_.IFunction:
    return lambda_.Function.from_function_attributes(
        stack,
        construct_id,
        function_arn=FUNCTION_ARN,
        same_environment=True,
        role=iam.Role.from_role_arn(
            stack, f"{construct_id}Role", "arn:aws:iam::123456789012:role/consumer"
        ),
    )


def alarms_by_metric(template: Template) -> dict[str, dict[str, Any]]:
    return {
        a["Properties"]["MetricName"]: a["Properties"]
        for a in template.find_resources("AWS::CloudWatch::Alarm").values()
    }


def test_defaults_give_an_encrypted_on_demand_stream_and_a_safe_mapping(
    stack: cdk.Stack, code_dir: Path
) -> None:
    fn = ServerlessFunction(stack, "Fn", code_path=code_dir)
    processor = StreamProcessor(stack, "Clicks", function=fn)
    template = Template.from_stack(stack)

    stream = only(template, "AWS::Kinesis::Stream")
    assert stream["Properties"]["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert "ShardCount" not in stream["Properties"]
    assert stream["Properties"]["RetentionPeriodHours"] == 24
    assert stream["Properties"]["StreamEncryption"] == {
        "EncryptionType": "KMS",
        "KeyId": "alias/aws/kinesis",
    }
    assert stream["DeletionPolicy"] == "Retain"
    template.resource_count_is("AWS::KMS::Key", 0)

    mapping = properties(template, "AWS::Lambda::EventSourceMapping")
    assert "FnAlias" in str(mapping["FunctionName"])
    assert ":live" in str(mapping["FunctionName"])
    assert mapping["BatchSize"] == 100
    assert mapping["ParallelizationFactor"] == 1
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] == 3
    assert mapping["MaximumRecordAgeInSeconds"] == 24 * 3600
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["Enabled"] is True
    assert "TumblingWindowInSeconds" not in mapping
    assert "FilterCriteria" not in mapping
    destination = mapping["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"]
    assert destination[0].startswith("ClicksDeadLetterQueue")
    assert mapping["EventSourceArn"]["Fn::GetAtt"][0].startswith("ClicksStream")
    queue = properties(template, "AWS::SQS::Queue")
    assert queue["SqsManagedSseEnabled"] is True
    assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600
    template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            }
        },
    )
    # Read on the stream (and its key) and send to the queue, for the function's role.
    policy = str(template.find_resources("AWS::IAM::Policy"))
    for action in ("kinesis:GetRecords", "sqs:SendMessage"):
        assert action in policy
    template.resource_count_is("AWS::Kinesis::StreamConsumer", 0)

    alarms = alarms_by_metric(template)
    assert set(alarms) == {
        "IteratorAge",
        "Errors",
        "Throttles",
        "ReadProvisionedThroughputExceeded",
        "ApproximateNumberOfMessagesVisible",
    }
    # Half of 24 hours, in milliseconds, sustained for five minutes.
    assert alarms["IteratorAge"]["Threshold"] == 12 * 3600 * 1000
    assert alarms["IteratorAge"]["EvaluationPeriods"] == 5
    assert {d["Name"] for d in alarms["IteratorAge"]["Dimensions"]} == {"FunctionName", "Resource"}
    assert processor.alarms["errors"] is fn.errors_alarm
    assert set(processor.alarms) == {
        "iterator_age",
        "errors",
        "throttles",
        "read_throttles",
        "dead_letter_queue",
    }
    assert processor.function is fn.alias
    assert processor.consumer is None


def test_provisioned_stream_with_key_retention_and_tuned_mapping(
    stack: cdk.Stack,
) -> None:
    key = kms.Key(stack, "MyKey", enable_key_rotation=True)
    topic = sns.Topic(stack, "Topic")
    StreamProcessor(
        stack,
        "Clicks",
        function=imported_function(stack),
        stream_mode=kinesis.StreamMode.PROVISIONED,
        shard_count=4,
        retention_period=cdk.Duration.hours(48),
        encryption_key=key,
        removal_policy=cdk.RemovalPolicy.DESTROY,
        batch_size=500,
        max_batching_window=cdk.Duration.seconds(20),
        parallelization_factor=10,
        starting_position=lambda_.StartingPosition.LATEST,
        bisect_batch_on_error=False,
        retry_attempts=10,
        max_record_age=cdk.Duration.hours(2),
        report_batch_item_failures=False,
        tumbling_window=cdk.Duration.seconds(60),
        filters=[
            lambda_.FilterCriteria.filter({"data": {"kind": lambda_.FilterRule.is_equal("buy")}})
        ],
        enabled=False,
        alarm_topic=topic,
        iterator_age_alarm_fraction=0.25,
    )
    template = Template.from_stack(stack)

    stream = only(template, "AWS::Kinesis::Stream")
    assert stream["Properties"]["ShardCount"] == 4
    assert stream["Properties"]["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert stream["Properties"]["RetentionPeriodHours"] == 48
    assert stream["DeletionPolicy"] == "Delete"
    template.resource_count_is("AWS::KMS::Key", 1)  # the given key only
    assert stream["Properties"]["StreamEncryption"]["KeyId"]["Fn::GetAtt"][0].startswith("MyKey")
    assert "kms:Decrypt" in str(template.find_resources("AWS::IAM::Policy"))
    mapping = properties(template, "AWS::Lambda::EventSourceMapping")
    assert mapping["FunctionName"] == "consumer"
    assert mapping["BatchSize"] == 500
    assert mapping["MaximumBatchingWindowInSeconds"] == 20
    assert mapping["ParallelizationFactor"] == 10
    assert mapping["StartingPosition"] == "LATEST"
    assert mapping["BisectBatchOnFunctionError"] is False
    assert mapping["MaximumRetryAttempts"] == 10
    assert mapping["MaximumRecordAgeInSeconds"] == 7200
    assert "FunctionResponseTypes" not in mapping
    assert mapping["TumblingWindowInSeconds"] == 60
    assert mapping["FilterCriteria"] == {"Filters": [{"Pattern": '{"data":{"kind":["buy"]}}'}]}
    assert mapping["Enabled"] is False
    alarms = alarms_by_metric(template)
    # A quarter of the record age (2 h, shorter than the retention).
    assert alarms["IteratorAge"]["Threshold"] == 1800 * 1000
    assert {d["Name"] for d in alarms["Errors"]["Dimensions"]} == {"FunctionName"}
    for alarm in alarms.values():
        assert alarm["AlarmActions"][0]["Ref"].startswith("Topic")


def test_imported_stream_by_arn_given_queue_and_enhanced_fan_out(stack: cdk.Stack) -> None:
    stream = kinesis.Stream.from_stream_arn(stack, "Imported", STREAM_ARN)
    queue = sqs.Queue(stack, "MyQueue", enforce_ssl=True)
    processor = StreamProcessor(
        stack,
        "Clicks",
        function=imported_function(stack),
        stream=stream,
        dead_letter_queue=queue,
        enhanced_fan_out=True,
        retention_period=cdk.Duration.days(7),
    )
    template = Template.from_stack(stack)

    template.resource_count_is("AWS::Kinesis::Stream", 0)
    template.resource_count_is("AWS::KMS::Key", 0)
    template.resource_count_is("AWS::SQS::Queue", 1)
    consumer = properties(template, "AWS::Kinesis::StreamConsumer")
    assert consumer["StreamARN"] == STREAM_ARN
    assert consumer["ConsumerName"].endswith("-Consumer")
    mapping = properties(template, "AWS::Lambda::EventSourceMapping")
    source = mapping["EventSourceArn"]["Fn::GetAtt"]
    assert source[0].startswith("ClicksConsumer")
    assert source[1] == "ConsumerARN"
    assert mapping["MaximumRecordAgeInSeconds"] == 7 * 24 * 3600
    assert processor.stream is stream
    assert processor.dead_letter_queue is queue
    assert processor.consumer is not None
    assert processor.alarms["errors"].node.id == "ErrorsAlarm"


def test_infinite_retries_only_when_asked_explicitly(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match="allow_infinite_retries=True"):
        StreamProcessor(stack, "No", function=imported_function(stack), retry_attempts=-1)
    StreamProcessor(
        stack,
        "Yes",
        function=imported_function(stack, "Other"),
        retry_attempts=-1,
        allow_infinite_retries=True,
    )
    mapping = properties(Template.from_stack(stack), "AWS::Lambda::EventSourceMapping")
    assert mapping["MaximumRetryAttempts"] == -1
    assert mapping["MaximumRecordAgeInSeconds"] == 24 * 3600


def test_at_timestamp_and_escape_hatch(stack: cdk.Stack) -> None:
    StreamProcessor(
        stack,
        "Clicks",
        function=imported_function(stack),
        starting_position=lambda_.StartingPosition.AT_TIMESTAMP,
        starting_position_timestamp=1_790_000_000,
        event_source_props={"max_concurrency": None, "batch_size": 7},
    )
    mapping = properties(Template.from_stack(stack), "AWS::Lambda::EventSourceMapping")
    assert mapping["StartingPosition"] == "AT_TIMESTAMP"
    assert mapping["StartingPositionTimestamp"] == 1_790_000_000
    assert mapping["BatchSize"] == 7


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"batch_size": 0}, "batch_size must be between 1 and 10000"),
        ({"batch_size": 10_001}, "batch_size must be between 1 and 10000"),
        ({"max_batching_window": cdk.Duration.seconds(301)}, "max_batching_window"),
        ({"parallelization_factor": 0}, "parallelization_factor must be between 1 and 10"),
        ({"parallelization_factor": 11}, "parallelization_factor must be between 1 and 10"),
        ({"retry_attempts": -2}, "retry_attempts must be between -1 and 10000"),
        ({"retry_attempts": 10_001}, "retry_attempts must be between -1 and 10000"),
        ({"max_record_age": cdk.Duration.seconds(59)}, "max_record_age must be between 60"),
        ({"max_record_age": cdk.Duration.days(8)}, "max_record_age must be between 60"),
        (
            {"tumbling_window": cdk.Duration.seconds(901)},
            "tumbling_window must be between 0 and 900",
        ),
        ({"shard_count": 2}, "shard_count .* needs stream_mode=StreamMode.PROVISIONED"),
        (
            {"shard_count": 2, "stream_mode": kinesis.StreamMode.ON_DEMAND},
            "needs stream_mode=StreamMode.PROVISIONED",
        ),
        ({"shard_count": 0, "stream_mode": kinesis.StreamMode.PROVISIONED}, "shard_count"),
        ({"retention_period": cdk.Duration.hours(23)}, "retention_period"),
        ({"iterator_age_alarm_fraction": 0}, "iterator_age_alarm_fraction"),
        (
            {"starting_position": lambda_.StartingPosition.AT_TIMESTAMP},
            "needs starting_position_timestamp",
        ),
        ({"starting_position_timestamp": 1.0}, "only applies to AT_TIMESTAMP"),
    ],
)
def test_bad_arguments_raise_clear_errors(
    stack: cdk.Stack, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        StreamProcessor(stack, "Bad", function=imported_function(stack), **kwargs)


def test_stream_options_with_an_existing_stream_are_rejected(stack: cdk.Stack) -> None:
    stream = kinesis.Stream.from_stream_arn(stack, "Imported", STREAM_ARN)
    with pytest.raises(ValueError, match="stream_mode, shard_count only configure"):
        StreamProcessor(
            stack,
            "Bad",
            function=imported_function(stack),
            stream=stream,
            stream_mode=kinesis.StreamMode.PROVISIONED,
            shard_count=2,
        )


def test_function_must_be_a_function(stack: cdk.Stack) -> None:
    with pytest.raises(TypeError, match=r"function must be a patterns\.ServerlessFunction"):
        StreamProcessor(stack, "Bad", function="consumer")  # type: ignore[arg-type]


def read_throttles_alarm(template: Template) -> dict[str, Any]:
    return alarms_by_metric(template)["ReadProvisionedThroughputExceeded"]


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        ([0.0] * 30, OK),
        # A few polls throttled now and then: the readers retry and keep up.
        ([0.005] * 30, OK),
        ([0.0] * 10 + [1.0] * 5 + [0.0] * 15, OK),
        # Readers throttled for a quarter of an hour: they fall behind.
        ([0.0] * 10 + [0.05] * 15, ALARM),
        ([0.0] * 10 + [0.05] * 14 + [None], OK),
    ],
)
def test_sustained_read_throttling_of_the_stream_alarms(
    stack: cdk.Stack, code_dir: Path, minutes: list[float | None], expected: str
) -> None:
    StreamProcessor(stack, "Clicks", function=ServerlessFunction(stack, "Fn", code_path=code_dir))
    template = Template.from_stack(stack)
    alarm = read_throttles_alarm(template)
    assert alarm["Namespace"] == "AWS/Kinesis"
    (stream_id,) = template.find_resources("AWS::Kinesis::Stream")
    assert dimensions(alarm) == {"StreamName": {"Ref": stream_id}}
    assert alarm_state(alarm, minutes) == expected


def test_read_throttling_alarm_watches_a_given_stream_and_notifies_the_topic(
    stack: cdk.Stack,
) -> None:
    topic = sns.Topic(stack, "Topic")
    processor = StreamProcessor(
        stack,
        "Clicks",
        function=imported_function(stack),
        stream=kinesis.Stream.from_stream_arn(stack, "Imported", STREAM_ARN),
        retention_period=cdk.Duration.hours(24),
        alarm_topic=topic,
    )
    alarm = read_throttles_alarm(Template.from_stack(stack))
    assert dimensions(alarm) == {"StreamName": "clicks"}
    topic_ref = stack.resolve(topic.topic_arn)
    assert alarm["AlarmActions"] == [topic_ref]
    assert alarm["OKActions"] == [topic_ref]
    assert processor.alarms["read_throttles"].node.id == "ReadThrottlesAlarm"
