"""The ``Streaming`` stack: usage events counted in real time and archived."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns import (
    ServerlessFunction,
    StreamArchive,
    StreamIngestApi,
    StreamProcessor,
    retention_from_days,
)
from patterns.web_acl import managed_web_acl
from stacks.base import ShopStack
from stacks.config import StageConfig
from stacks.data_lake import EVENTS_PREFIX
from stacks.function_settings import METRICS_NAMESPACE, SERVICE_NAME
from stacks.lambda_code import handler_function
from stacks.live import add_live_updates
from stacks.tables import acknowledge_no_pitr

#: Event types the API accepts; ``lambdas/shop_common/usage_events.py`` checks the same set.
EVENT_TYPES = ("add_to_cart", "click", "purchase", "remove_from_cart", "view")
_ID = apigw.JsonSchema(type=apigw.JsonSchemaType.STRING, min_length=1, max_length=128)
#: One usage event as the ingest API accepts it (``product_id`` is the partition key).
USAGE_EVENT_SCHEMA = apigw.JsonSchema(
    type=apigw.JsonSchemaType.OBJECT,
    required=["event_id", "event_type", "occurred_at", "product_id"],
    properties={
        "event_id": _ID,
        "product_id": _ID,
        "event_type": apigw.JsonSchema(type=apigw.JsonSchemaType.STRING, enum=list(EVENT_TYPES)),
        "occurred_at": apigw.JsonSchema(
            type=apigw.JsonSchemaType.STRING, min_length=10, max_length=40
        ),
    },
)


class StreamingStack(ShopStack):
    """Real-time product insight from the shop's usage events.

    ``Ingest`` (API Gateway -> Kinesis, no Lambda) feeds the ``Events`` stream;
    ``Aggregator`` keeps per-product, per-event-type counts in ``CountsTable`` (one atomic
    update per key per batch); ``Archive`` lands every event, validated and normalised by
    ``Transformer``, in the archive bucket. ``Dashboard`` shows ingest rate, iterator age,
    errors and counts. ``Live`` pushes every change of a count to the WebSocket clients
    subscribed to its product, its event type or ``all`` (output ``LiveUrl``).

    :param config: the stage.
    :param alarm_topic: topic every alarm notifies. Default: none.
    :param archive_bucket: where events are archived, e.g. the data lake's raw zone.
        Default: a bucket of this stack.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        alarm_topic: sns.ITopic | None = None,
        archive_bucket: s3.IBucket | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            config=config,
            purpose="Shop usage events: ingest, real-time counts, archive",
            **kwargs,
        )
        removal = config.cdk_removal_policy
        retention = retention_from_days(config.log_retention_days)
        self.counts = dynamodb.Table(
            self,
            "CountsTable",
            partition_key=dynamodb.Attribute(name="product_id", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="event_type", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=config.point_in_time_recovery
            ),
            # The live dashboard's broadcaster pushes each counter's new value.
            stream=dynamodb.StreamViewType.NEW_IMAGE,
            deletion_protection=config.termination_protection,
            warm_throughput=(
                dynamodb.WarmThroughput(write_units_per_second=config.counts_warm_writes_per_second)
                if config.counts_warm_writes_per_second
                else None
            ),
            removal_policy=removal,
        )
        acknowledge_no_pitr(
            self.counts, config, ": its counters can be rebuilt by replaying the archived events."
        )

        self.aggregator = ServerlessFunction(
            self,
            "Aggregator",
            **handler_function("usage_aggregator"),
            description="Counts usage events per product and event type",
            environment={"COUNTS_TABLE": self.counts.table_name},
            # The longest a batch takes: part of the ingest-to-count budget.
            timeout=cdk.Duration.seconds(config.stream_consumer_timeout_seconds),
            memory_size=config.stream_consumer_memory_mb,
            alarm_topic=alarm_topic,
        )
        self.counts.grant(self.aggregator.function, "dynamodb:UpdateItem", "dynamodb:GetItem")
        shards = config.stream_shards
        self.processor = StreamProcessor(
            self,
            "Events",
            function=self.aggregator,
            stream_mode=kinesis.StreamMode.PROVISIONED if shards else kinesis.StreamMode.ON_DEMAND,
            shard_count=shards,
            removal_policy=removal,
            batch_size=config.stream_batch_size,
            max_batching_window=cdk.Duration.seconds(config.stream_batching_window_seconds),
            # 1 on purpose: the failure replay reads a failed range of a shard back whole,
            # so it must hold one batch's records only (not another lane's).
            parallelization_factor=1,
            retry_attempts=5,
            enabled=config.triggers_enabled,
            alarm_topic=alarm_topic,
        )
        self.ingest = StreamIngestApi(
            self,
            "Ingest",
            stream=self.processor.stream,
            partition_key_field="product_id",
            record_schema=USAGE_EVENT_SCHEMA,
            log_retention=retention,
            removal_policy=removal,
            execution_log_level=apigw.MethodLoggingLevel.ERROR,
            throttling_rate_limit=config.ingest_rate_limit,
            throttling_burst_limit=config.ingest_burst_limit,
            records_throttling_rate_limit=config.ingest_batch_rate_limit,
            # No common rule set: its 8 KB body limit would block full PutRecords batches.
            web_acl_arn=managed_web_acl(
                self,
                "IngestWebAcl",
                managed_rule_groups=(
                    "AWSManagedRulesKnownBadInputsRuleSet",
                    "AWSManagedRulesAmazonIpReputationList",
                ),
                rate_limit=20_000,
                log_removal_policy=removal,
            ).attr_arn,
        )
        self.transformer = ServerlessFunction(
            self,
            "Transformer",
            **handler_function("usage_transformer"),
            description="Validates and normalises usage events before they are archived",
            timeout=cdk.Duration.seconds(60),
            alarm_topic=alarm_topic,
        )
        self.archive = StreamArchive(
            self,
            "Archive",
            source_stream=self.processor.stream,
            bucket=archive_bucket,
            transformation=self.transformer,
            data_prefix=EVENTS_PREFIX,
            error_prefix="usage-events-errors/",
            backup_prefix="usage-events-source/",
            removal_policy=removal,
            log_retention=retention,
            alarm_topic=alarm_topic,
        )
        access = add_live_updates(
            self,
            config=config,
            counts=self.counts,
            log_retention=retention,
            alarm_topic=alarm_topic,
        )
        #: The counts' live updates (WebSocket API and broadcaster).
        self.live = access.live
        #: Its URL and token-signing secret, for the shop API's ``GET /live-token``.
        self.live_access = access
        self.dashboard = self._dashboard()

    def _dashboard(self) -> cloudwatch.Dashboard:
        minute = cdk.Duration.minutes(1)

        def counted(name: str, label: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace=METRICS_NAMESPACE,
                metric_name=name,
                dimensions_map={"service": SERVICE_NAME},
                statistic="Sum",
                period=minute,
                label=label,
            )

        stream = self.processor.stream
        consumer = self.processor.function
        widgets: list[cloudwatch.IWidget] = [
            cloudwatch.GraphWidget(
                title="Ingest rate (per minute)",
                left=[
                    stream.metric_incoming_records(statistic="Sum", period=minute),
                    self.ingest.api.metric_count(statistic="Sum", period=minute),
                ],
            ),
            cloudwatch.GraphWidget(
                title="Iterator age (ms)",
                left=[consumer.metric("IteratorAge", statistic="Maximum", period=minute)],
            ),
            cloudwatch.GraphWidget(
                title="Processing errors",
                left=[
                    consumer.metric_errors(statistic="Sum", period=minute),
                    counted("UsageEventsRejected", "rejected records"),
                    counted("CounterUpdatesFailed", "records of failed updates"),
                    self.processor.dead_letter_queue.metric_approximate_number_of_messages_visible(
                        statistic="Maximum", period=minute
                    ),
                ],
            ),
            cloudwatch.GraphWidget(
                title="Counts",
                left=[
                    counted("UsageEventsCounted", "events counted"),
                    counted("ArchiveRecordsOk", "events archived"),
                    counted("ArchiveRecordsFailed", "events failing archive validation"),
                ],
            ),
        ]
        return cloudwatch.Dashboard(
            self,
            "Dashboard",
            default_interval=cdk.Duration.hours(3),
            widgets=[widgets[:2], widgets[2:]],
        )
