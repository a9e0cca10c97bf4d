from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from patterns import ServerlessFunction, StreamArchive
from tests.support.templates import only, properties

HOURLY = "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/"


def destination(template: Template) -> dict[str, Any]:
    config: dict[str, Any] = properties(template, "AWS::KinesisFirehose::DeliveryStream")[
        "ExtendedS3DestinationConfiguration"
    ]
    return config


def test_defaults_direct_put_to_a_secure_bucket_with_gzip_partitions_and_alarm(
    stack: cdk.Stack,
) -> None:
    archive = StreamArchive(stack, "Archive")
    template = Template.from_stack(stack)

    stream = properties(template, "AWS::KinesisFirehose::DeliveryStream")
    assert stream["DeliveryStreamType"] == "DirectPut"
    assert stream["DeliveryStreamEncryptionConfigurationInput"] == {"KeyType": "AWS_OWNED_CMK"}
    config = destination(template)
    assert config["BufferingHints"] == {"IntervalInSeconds": 300, "SizeInMBs": 64}
    assert config["CompressionFormat"] == "GZIP"
    assert config["Prefix"] == "data/" + HOURLY
    assert config["ErrorOutputPrefix"] == (
        "errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}"
        "/day=!{timestamp:dd}/"
    )
    assert config["CloudWatchLoggingOptions"]["Enabled"] is True
    assert "ProcessingConfiguration" not in config
    assert "S3BackupMode" not in config
    assert config["BucketARN"]["Fn::GetAtt"][0].startswith("ArchiveBucket")

    buckets = template.find_resources("AWS::S3::Bucket")
    assert len(buckets) == 2  # the archive and its access-log bucket
    archive_bucket = next(b for k, b in buckets.items() if k.startswith("ArchiveBucket"))
    assert archive_bucket["DeletionPolicy"] == "Retain"
    assert archive_bucket["Properties"]["LoggingConfiguration"]["DestinationBucketName"] == {
        "Ref": next(k for k in buckets if k.startswith("ArchiveAccessLogsBucket"))
    }
    assert archive_bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 30})
    # Unused CIDR mapping of the Firehose L2 is gone.
    assert "Mappings" not in template.to_json()

    alarm = properties(template, "AWS::CloudWatch::Alarm")
    assert alarm["MetricName"] == "DeliveryToS3.DataFreshness"
    assert alarm["Threshold"] == 900
    assert [d["Name"] for d in alarm["Dimensions"]] == ["DeliveryStreamName"]
    assert "AlarmActions" not in alarm
    assert archive.access_logs_bucket is not None
    assert archive.freshness_alarm.node.id == "FreshnessAlarm"


def test_stream_source_transformation_backup_and_tuning(stack: cdk.Stack, code_dir: Path) -> None:
    source = kinesis.Stream(stack, "Source")
    transformer = ServerlessFunction(stack, "Transformer", code_path=code_dir)
    topic = sns.Topic(stack, "Topic")
    StreamArchive(
        stack,
        "Archive",
        source_stream=source,
        transformation=transformer,
        transformation_buffer_size=cdk.Size.mebibytes(1),
        transformation_buffer_interval=cdk.Duration.seconds(120),
        buffering_size=cdk.Size.mebibytes(128),
        buffering_interval=cdk.Duration.seconds(900),
        compression=firehose.Compression.SNAPPY,
        data_prefix="events/",
        error_prefix="failed/",
        backup_prefix="raw/",
        removal_policy=cdk.RemovalPolicy.DESTROY,
        log_retention=cdk.aws_logs.RetentionDays.ONE_WEEK,
        alarm_topic=topic,
    )
    template = Template.from_stack(stack)

    stream = properties(template, "AWS::KinesisFirehose::DeliveryStream")
    assert stream["DeliveryStreamType"] == "KinesisStreamAsSource"
    assert "DeliveryStreamEncryptionConfigurationInput" not in stream
    config = stream["ExtendedS3DestinationConfiguration"]
    assert config["BufferingHints"] == {"IntervalInSeconds": 900, "SizeInMBs": 128}
    assert config["CompressionFormat"] == "Snappy"
    assert config["Prefix"] == "events/" + HOURLY
    assert config["ErrorOutputPrefix"].startswith("failed/!{firehose:error-output-type}/")
    parameters = {
        p["ParameterName"]: p["ParameterValue"]
        for p in config["ProcessingConfiguration"]["Processors"][0]["Parameters"]
    }
    assert parameters["LambdaArn"]["Ref"].startswith("TransformerAlias")
    assert parameters["BufferSizeInMBs"] == "1"
    assert parameters["BufferIntervalInSeconds"] == "120"
    assert config["S3BackupMode"] == "Enabled"
    assert config["S3BackupConfiguration"]["Prefix"] == "raw/" + HOURLY
    assert config["S3BackupConfiguration"]["BucketARN"] == config["BucketARN"]
    template.has_resource("AWS::S3::Bucket", {"DeletionPolicy": "Delete"})
    template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 7})
    alarm = next(
        a["Properties"]
        for a in template.find_resources("AWS::CloudWatch::Alarm").values()
        if a["Properties"]["MetricName"] == "DeliveryToS3.DataFreshness"
    )
    assert alarm["Threshold"] == 1800  # twice the 900 s buffering interval
    assert alarm["AlarmActions"][0]["Ref"].startswith("Topic")
    policies = str(template.find_resources("AWS::IAM::Policy"))
    for action in ("kinesis:GetRecords", "lambda:InvokeFunction", "s3:PutObject"):
        assert action in policies


def test_given_imported_bucket_plain_function_key_and_threshold(stack: cdk.Stack) -> None:
    bucket = s3.Bucket.from_bucket_name(stack, "Lake", "shop-raw-zone")
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    function = lambda_.Function.from_function_attributes(
        stack,
        "Fn",
        function_arn="arn:aws:lambda:eu-west-1:123456789012:function:transformer",
        same_environment=True,
        role=iam.Role.from_role_arn(stack, "Role", "arn:aws:iam::123456789012:role/t"),
    )
    archive = StreamArchive(
        stack,
        "Archive",
        bucket=bucket,
        transformation=function,
        encryption_key=key,
        freshness_threshold=cdk.Duration.minutes(30),
    )
    template = Template.from_stack(stack)

    template.resource_count_is("AWS::S3::Bucket", 0)
    assert archive.bucket is bucket
    assert archive.access_logs_bucket is None
    stream = properties(template, "AWS::KinesisFirehose::DeliveryStream")
    assert stream["DeliveryStreamEncryptionConfigurationInput"]["KeyType"] == "CUSTOMER_MANAGED_CMK"
    config = stream["ExtendedS3DestinationConfiguration"]
    assert "shop-raw-zone" in str(config["BucketARN"])
    assert "function:transformer" in str(config["ProcessingConfiguration"])
    assert config["S3BackupMode"] == "Enabled"
    assert properties(template, "AWS::CloudWatch::Alarm")["Threshold"] == 1800


def test_given_access_log_bucket_and_escape_hatch(stack: cdk.Stack) -> None:
    logs_bucket = s3.Bucket.from_bucket_name(stack, "Logs", "access-logs")
    StreamArchive(
        stack,
        "Archive",
        server_access_logs_bucket=logs_bucket,
        delivery_stream_props={"delivery_stream_name": "archive"},
    )
    template = Template.from_stack(stack)
    bucket = properties(template, "AWS::S3::Bucket")
    assert bucket["LoggingConfiguration"]["DestinationBucketName"] == "access-logs"
    assert (
        properties(template, "AWS::KinesisFirehose::DeliveryStream")["DeliveryStreamName"]
        == "archive"
    )
    assert only(template, "AWS::S3::Bucket")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"buffering_size": cdk.Size.mebibytes(129)}, "buffering_size must be between 1 and 128"),
        ({"buffering_size": cdk.Size.kibibytes(512)}, "buffering_size must be between 1 and 128"),
        ({"buffering_interval": cdk.Duration.seconds(901)}, "buffering_interval must be between 0"),
        ({"freshness_threshold": cdk.Duration.seconds(30)}, "freshness_threshold"),
        ({"data_prefix": "data"}, "data_prefix must be a non-empty key prefix ending in '/'"),
        ({"error_prefix": "/errors/"}, "error_prefix must be"),
        ({"backup_prefix": "raw/!{timestamp:yyyy}/"}, "backup_prefix must be"),
        ({"data_prefix": "same/", "error_prefix": "same/"}, "must differ"),
        ({"transformation_buffer_size": cdk.Size.mebibytes(2)}, "need a transformation"),
        ({"buffering_size": 64}, "buffering_size must be an aws_cdk.Size"),
    ],
)
def test_bad_arguments_raise_clear_errors(
    stack: cdk.Stack, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        StreamArchive(stack, "Bad", **kwargs)


def test_transformation_buffer_bounds(stack: cdk.Stack, code_dir: Path) -> None:
    function = ServerlessFunction(stack, "Fn", code_path=code_dir)
    with pytest.raises(ValueError, match="transformation_buffer_size must be between 1 and 3"):
        StreamArchive(
            stack,
            "Bad",
            transformation=function,
            transformation_buffer_size=cdk.Size.mebibytes(4),
        )
    with pytest.raises(ValueError, match="transformation_buffer_interval must be between 60"):
        StreamArchive(
            stack,
            "Bad2",
            transformation=function,
            transformation_buffer_interval=cdk.Duration.seconds(30),
        )
