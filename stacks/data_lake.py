"""The ``DataLake`` stack: the shop's events and datasets, catalogued and queryable."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns import DataCatalog, DataLake, QueueProcessor, ServerlessFunction
from patterns.acknowledgements import acknowledge_packs
from patterns.secure_bucket import access_logs_bucket
from stacks.base import ShopStack
from stacks.config import StageConfig
from stacks.keys import data_key
from stacks.lambda_code import handler_function
from stacks.tables import acknowledge_no_pitr
from stacks.web_settings import RESOLVER_HEADERS, api_protection

#: Where the stream archive lands in the raw zone; the crawler makes it ``raw_usage_events``.
EVENTS_PREFIX = "usage-events/"
EVENTS_TABLE = "raw_usage_events"

#: The indexer's share of the stage's concurrency: bursts of uploads wait in its queue
#: instead of running up to a thousand indexers against the catalog table at once.
INDEXER_CONCURRENCY = 5
#: Events per indexer invocation, and how long the queue waits to fill a batch.
INDEXER_BATCH_SIZE = 10
INDEXER_BATCHING_WINDOW = cdk.Duration.seconds(1)

#: The shop's questions, as Athena named queries over the archived usage events.
NAMED_QUERIES = {
    "most-viewed-products-per-day": (
        "SELECT substr(occurred_at, 1, 10) AS day, product_id, count(*) AS views\n"
        f"FROM {EVENTS_TABLE}\n"
        "WHERE event_type = 'view'\n"
        "GROUP BY 1, 2\n"
        "ORDER BY day DESC, views DESC"
    ),
    "conversion-by-product": (
        "SELECT product_id,\n"
        "       count_if(event_type = 'view') AS views,\n"
        "       count_if(event_type = 'purchase') AS purchases,\n"
        "       CAST(count_if(event_type = 'purchase') AS double)\n"
        "         / nullif(count_if(event_type = 'view'), 0) AS conversion\n"
        f"FROM {EVENTS_TABLE}\n"
        "GROUP BY product_id\n"
        "ORDER BY conversion DESC"
    ),
}


class DataLakeStack(ShopStack):
    """Raw, curated and results zones with a Glue catalog, an Athena workgroup with the
    shop's named queries, and a DynamoDB catalog of every object, kept current by an
    S3-event-driven indexer and searched by the ``CatalogSearch`` function."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        alarm_topic: sns.ITopic | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope, construct_id, config=config, purpose="Shop data lake and catalog", **kwargs
        )
        bucket_options: dict[str, Any] = {
            "removal_policy": config.cdk_removal_policy,
            "auto_delete_objects": config.destroy_on_delete,
        }
        self.access_logs = access_logs_bucket(
            self,
            "AccessLogs",
            expire_after=cdk.Duration.days(max(config.log_retention_days, 30)),
            **bucket_options,
        ).bucket
        self.lake = DataLake(
            self,
            "Lake",
            crawl_prefixes=[EVENTS_PREFIX],
            crawler_enabled=config.triggers_enabled,
            named_queries=NAMED_QUERIES,
            server_access_logs_bucket=self.access_logs,
            zone_encryption_key=data_key(self, config),
            **bucket_options,
        )
        for bucket, reason in (
            (
                self.lake.curated_bucket,
                "Curated data is derived from the raw zone, which is "
                "replicated; it is rebuilt from there after a regional outage.",
            ),
            (
                self.lake.results_bucket,
                "Query results are transient copies of what Athena "
                "returned (expiring within days); queries are rerun, not restored.",
            ),
        ):
            acknowledge_packs(bucket, "S3BucketReplicationEnabled", reason)
        self.indexer = ServerlessFunction(
            self,
            "CatalogIndexer",
            **handler_function("catalog_indexer"),
            description="Indexes the lake's objects in the catalog as they come and go",
            alarm_topic=alarm_topic,
        )
        # S3 events reach the indexer through a queue, in batches with partial responses:
        # its writes are conditional on the S3 sequencer, so a retried message is harmless.
        self.index_queue = QueueProcessor(
            self,
            "IndexQueue",
            function=self.indexer,
            batch_size=INDEXER_BATCH_SIZE,
            max_batching_window=INDEXER_BATCHING_WINDOW,
            max_concurrency=INDEXER_CONCURRENCY,
            removal_policy=config.cdk_removal_policy,
            alarm_topic=alarm_topic,
        )
        self.search = ServerlessFunction(
            self,
            "CatalogSearch",
            **handler_function("catalog_search"),
            description="Answers catalog searches: datasets by tag, objects by date",
            alarm_topic=alarm_topic,
        )
        self.catalog = DataCatalog(
            self,
            "Catalog",
            zones={"raw": self.lake.raw_bucket, "curated": self.lake.curated_bucket},
            indexer=self.indexer,
            indexer_queue=self.index_queue.queue,
            search_function=self.search,
            search_headers=RESOLVER_HEADERS,
            point_in_time_recovery=config.point_in_time_recovery,
            deletion_protection=config.termination_protection,
            removal_policy=config.cdk_removal_policy,
            enabled=config.triggers_enabled,
            alarm_topic=alarm_topic,
            search_api_props=api_protection(config),
        )
        acknowledge_no_pitr(
            self.catalog.table, config, ": the catalog can be rebuilt from the lake itself."
        )

    @property
    def raw_bucket(self) -> s3.IBucket:
        """The raw zone, where the stream archive lands."""
        return self.lake.raw_bucket
