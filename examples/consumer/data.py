"""A data lake on S3, and a catalog of its objects filled from S3 events."""

from __future__ import annotations

from aws_cdk import aws_sns as sns
from constructs import Construct

from patterns import DataCatalog, DataLake, ServerlessFunction

from .existing import HANDLERS, ExistingResources, import_function


def with_defaults(scope: Construct, topic: sns.ITopic) -> None:
    """A lake with its own zones and key; a catalog with its own table."""
    lake = DataLake(scope, "Lake")
    indexer = ServerlessFunction(scope, "Indexer", code_path=HANDLERS / "indexer")
    DataCatalog(
        scope,
        "Catalog",
        zones={"raw": lake.raw_bucket, "curated": lake.curated_bucket},
        indexer=indexer,
        alarm_topic=topic,
    )


def with_existing(scope: Construct, existing: ExistingResources) -> None:
    """The lake's zones, key and catalog table exist already."""
    lake = DataLake(
        scope,
        "Lake",
        raw_bucket=existing.lake_buckets["raw"],
        curated_bucket=existing.lake_buckets["curated"],
        results_bucket=existing.lake_buckets["results"],
        encryption_key=existing.key,
        crawl_prefixes=["events/"],
    )
    DataCatalog(
        scope,
        "Catalog",
        zones={"raw": lake.raw_bucket, "curated": lake.curated_bucket},
        indexer=import_function(scope, "catalog-indexer"),
        search_function=import_function(scope, "catalog-search"),
        table=existing.catalog_table,
        alarm_topic=existing.topic,
    )
