"""Records into Kinesis through an API, processed by Lambda, archived to S3 and pushed
to WebSocket clients."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns import (
    LiveUpdates,
    ServerlessFunction,
    StreamArchive,
    StreamIngestApi,
    StreamProcessor,
)

from .existing import HANDLERS, ExistingResources, import_function


def with_defaults(scope: Construct, topic: sns.ITopic) -> None:
    """Each construct with its own stream (and the archive with its own bucket)."""
    StreamIngestApi(scope, "Ingest")
    records = ServerlessFunction(scope, "Records", code_path=HANDLERS / "records")
    processor = StreamProcessor(scope, "Processor", function=records, alarm_topic=topic)
    StreamArchive(scope, "Archive", alarm_topic=topic)
    LiveUpdates(
        scope,
        "Live",
        handler=ServerlessFunction(scope, "LiveRoutes", code_path=HANDLERS / "records"),
        broadcaster=ServerlessFunction(scope, "LivePusher", code_path=HANDLERS / "records"),
        source_stream=processor.stream,
        alarm_topic=topic,
    )


def with_existing(scope: Construct, existing: ExistingResources) -> None:
    """All three on the account's ``clicks`` stream, archived into its bucket."""
    StreamIngestApi(
        scope,
        "Ingest",
        stream=existing.stream,
        partition_key_field="session_id",
        web_acl_arn=existing.regional_web_acl_arn,
    )
    StreamProcessor(
        scope,
        "Processor",
        function=import_function(scope, "click-processor"),
        stream=existing.stream,
        retention_period=cdk.Duration.days(7),
        dead_letter_queue=existing.failures,
        alarm_topic=existing.topic,
    )
    StreamArchive(
        scope,
        "Archive",
        source_stream=existing.stream,
        bucket=existing.archive_bucket,
        transformation=import_function(scope, "click-flattener"),
        alarm_topic=existing.topic,
    )
    LiveUpdates(
        scope,
        "Live",
        handler=import_function(scope, "live-routes"),
        broadcaster=import_function(scope, "live-pusher"),
        authorizer=import_function(scope, "live-gate"),
        source_stream=existing.stream,
        connections_table=existing.connections_table,
        dead_letter_queue=existing.failures,
        alarm_topic=existing.topic,
    )
