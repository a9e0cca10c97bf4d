"""The ``Streaming`` stack: what each stage gets, and the archive bucket as an argument."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from stacks import DEV
from stacks.streaming import StreamingStack
from tests.support.alarms import ALARM, alarm_state, alarms_on, dimensions
from tests.support.cdk_app import cli_context
from tests.support.templates import logical_ids_by_type
from tools.assembly import StackArtifact


def resources(artifact: StackArtifact, kind: str) -> list[dict[str, Any]]:
    return [r for r in artifact.template()["Resources"].values() if r["Type"] == kind]


def counts_tables(artifact: StackArtifact) -> list[dict[str, Any]]:
    """The counts table(s): not the live updates' connections table beside them."""
    return [
        r
        for r in resources(artifact, "AWS::DynamoDB::Table")
        if r["Properties"]["KeySchema"][0]["AttributeName"] == "product_id"
    ]


def kinesis_mappings(artifact: StackArtifact) -> list[dict[str, Any]]:
    """Mappings reading a Kinesis stream (the live broadcaster reads the table's stream)."""
    return [
        r
        for r in resources(artifact, "AWS::Lambda::EventSourceMapping")
        if r["Properties"]["EventSourceArn"].get("Fn::GetAtt", ["", ""])[1] == "Arn"
    ]


def test_stages_differ_in_shards_retention_and_recovery(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    dev, prod = stack_artifacts["Dev/Streaming"], stack_artifacts["Prod/Streaming"]
    (dev_stream,) = resources(dev, "AWS::Kinesis::Stream")
    (prod_stream,) = resources(prod, "AWS::Kinesis::Stream")
    assert dev_stream["Properties"]["ShardCount"] == 1
    assert dev_stream["Properties"]["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    # Prod's shards are provisioned: their capacity is there from the first minute.
    assert prod_stream["Properties"]["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert prod_stream["Properties"]["ShardCount"] > dev_stream["Properties"]["ShardCount"]
    assert dev_stream["DeletionPolicy"] == "Delete"
    assert prod_stream["DeletionPolicy"] == "Retain"
    (prod_table,) = counts_tables(prod)
    assert prod_table["Properties"]["PointInTimeRecoverySpecification"] == {
        "PointInTimeRecoveryEnabled": True
    }
    assert prod_table["Properties"]["KeySchema"] == [
        {"AttributeName": "product_id", "KeyType": "HASH"},
        {"AttributeName": "event_type", "KeyType": "RANGE"},
    ]


def test_every_piece_is_wired(stack_artifacts: dict[str, StackArtifact]) -> None:
    dev = stack_artifacts["Dev/Streaming"]
    (mapping,) = kinesis_mappings(dev)
    assert mapping["Properties"]["BatchSize"] == 500
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["Properties"]["Enabled"] is True
    (delivery,) = resources(dev, "AWS::KinesisFirehose::DeliveryStream")
    config = delivery["Properties"]["ExtendedS3DestinationConfiguration"]
    assert config["Prefix"].startswith("usage-events/year=")
    assert config["S3BackupMode"] == "Enabled"
    methods = resources(dev, "AWS::ApiGateway::Method")
    assert len(methods) == 2
    assert all(m["Properties"]["Integration"]["Type"] == "AWS" for m in methods)
    (dashboard,) = resources(dev, "AWS::CloudWatch::Dashboard")
    body = str(dashboard["Properties"]["DashboardBody"])
    for title in ("Ingest rate", "Iterator age", "Processing errors", "Counts"):
        assert title in body
    # Every alarm notifies the operations topic of the stage.
    for alarm in resources(dev, "AWS::CloudWatch::Alarm"):
        assert "Operations" in str(alarm["Properties"]["AlarmActions"])
    # The aggregator may only read and update counters.
    statements = [
        s
        for p in resources(dev, "AWS::IAM::Policy")
        if "AggregatorServiceRole" in str(p["Properties"]["Roles"])
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if "dynamodb" in str(s["Action"])
    ]
    assert [sorted(s["Action"]) for s in statements] == [
        ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    ]


def test_read_throttling_of_the_shared_stream_alarms_in_every_stage(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    for stage in ("Dev", "Staging", "Prod"):
        streaming = stack_artifacts[f"{stage}/Streaming"]
        template = streaming.template()
        (stream_id,) = [
            k for k, r in template["Resources"].items() if r["Type"] == "AWS::Kinesis::Stream"
        ]
        stream_arn = {"Fn::GetAtt": [stream_id, "Arn"]}
        # Two readers poll the same stream, sharing each shard's read limit.
        (mapping,) = kinesis_mappings(streaming)
        (delivery,) = resources(streaming, "AWS::KinesisFirehose::DeliveryStream")
        source = delivery["Properties"]["KinesisStreamSourceConfiguration"]
        assert mapping["Properties"]["EventSourceArn"] == stream_arn
        assert source["KinesisStreamARN"] == stream_arn
        (alarm,) = alarms_on(template, "ReadProvisionedThroughputExceeded")
        assert dimensions(alarm) == {"StreamName": {"Ref": stream_id}}, stage
        assert alarm_state(alarm, [0.02] * 15) == ALARM
        assert "Operations" in str(alarm["AlarmActions"]), stage


def test_archive_bucket_can_be_passed_in() -> None:
    app = cdk.App(context=cli_context())
    lake = cdk.Stack(app, "Lake")
    raw_zone = s3.Bucket(lake, "RawZone", enforce_ssl=True)
    streaming = StreamingStack(
        app,
        "Streaming",
        config=DEV.with_overrides({"triggers_enabled": False}),
        archive_bucket=raw_zone,
    )
    template = Template.from_stack(streaming)
    template.resource_count_is("AWS::S3::Bucket", 0)
    assert streaming.archive.bucket is raw_zone
    mapping = next(iter(template.find_resources("AWS::Lambda::EventSourceMapping").values()))
    assert mapping["Properties"]["Enabled"] is False


def test_logical_ids_of_stateful_resources_are_pinned(
    stack_artifacts: dict[str, StackArtifact],
) -> None:
    # Renaming any of these replaces the resource and loses its data: change on purpose only.
    stateful = {
        "AWS::DynamoDB::Table",
        "AWS::Kinesis::Stream",
        "AWS::SQS::Queue",
        "AWS::S3::Bucket",
        "AWS::Logs::LogGroup",
        "AWS::KinesisFirehose::DeliveryStream",
    }
    for stage in ("Dev", "Staging", "Prod"):
        by_type = logical_ids_by_type(stack_artifacts[f"{stage}/Streaming"], stateful)
        found = {logical_id for ids in by_type.values() for logical_id in ids}
        assert found == {
            "CountsTableB8E46BA5",
            "EventsStreamA348795C",
            "EventsDeadLetterQueueC3DB07E1",
            "IngestAccessLogs70FDC781",
            "IngestWebAclLogs89CEA4A4",
            "AggregatorLogGroupE35D2796",
            "TransformerLogGroup51C62487",
            "ArchiveLogGroup12EBE074",
            "ArchiveEFD34886",
            "LiveConnectionsTable8D198457",
            "LiveDeadLetterQueue6340F1C6",
            "LiveAccessLogsF2C5CF40",
            "LiveRoutesLogGroup3DD3F034",
            "LiveAuthorizerLogGroupB60C7D69",
            "LiveBroadcasterLogGroupAF129794",
        }, stage
