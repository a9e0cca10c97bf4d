"""``DataLake``: raw, curated and query-results zones, a Glue catalog and an Athena workgroup."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import aws_cdk as cdk
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from patterns._grants import acknowledged
from patterns._metadata import mark_pattern
from patterns._types import checked
from patterns._validation import check_range
from patterns.lake_crawlers import add_crawlers
from patterns.lake_zones import LifecycleTiers, check_prefix
from patterns.secure_bucket import SecureBucket

#: Athena refuses a per-query cutoff below 10 MB.
MIN_BYTES_SCANNED_CUTOFF = 10_000_000
_GLUE_CRON = re.compile(r"^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$")


def check_glue_schedule(name: str, schedule: str | None) -> None:
    """Raise ``ValueError`` unless ``schedule`` is a Glue ``cron(...)`` expression."""
    if schedule is None:
        return
    fields = schedule[5:-1].split(" ") if _GLUE_CRON.match(schedule) else []
    if len(fields) != 6 or "?" not in (fields[2], fields[4]):
        raise ValueError(
            f"{name} must be a Glue cron expression with six fields and '?' as day of month "
            f"or day of week, like 'cron(0 2 * * ? *)'; got {schedule!r}"
        )


class DataLake(Construct):
    """A data lake on S3 queried in place: zones, catalog, crawlers and a workgroup.

    Creates (unless given) the ``Raw``, ``Curated`` and ``Results`` zones as
    ``SecureBucket``s with lifecycle tiers and EventBridge notifications, a Glue database,
    one crawler per data zone (``RawCrawler``, ``CuratedCrawler``) whose tables are
    prefixed with the zone name, a Glue security configuration that encrypts with the
    lake's KMS key what Glue writes (CloudWatch logs, S3 objects, job bookmarks), and an
    Athena workgroup that enforces its result location in the results zone, encrypts
    results and cancels queries past a bytes-scanned cutoff.

    :param raw_bucket: existing raw zone. Default: a new ``SecureBucket``.
    :param curated_bucket: existing curated zone. Default: a new ``SecureBucket``.
    :param results_bucket: existing query-results zone. Default: a new ``SecureBucket``.
    :param crawl_prefixes: key prefixes (``events/``) crawled in the raw and curated zones.
        Default: the whole bucket.
    :param raw_tiers: storage tiers of the raw zone. Default: ``LifecycleTiers()``.
    :param curated_tiers: storage tiers of the curated zone. Default: ``LifecycleTiers()``.
    :param results_expire_after_days: age at which query results are deleted. Default: 30.
    :param crawler_schedule: Glue cron expression; ``None`` crawls on demand only.
        Default: ``cron(0 2 * * ? *)`` (02:00 UTC daily).
    :param crawler_enabled: whether the schedule runs (off: crawl on demand). Default: True.
    :param bytes_scanned_cutoff: bytes one query may scan, at least 10 MB. Default: 10 GB.
    :param named_queries: Athena named queries, name -> SQL. Default: none.
    :param encryption_key: the lake's key: Glue's logs, objects and job bookmarks, and
        query results when ``kms_query_results``. Default: a new key with rotation.
    :param zone_encryption_key: customer-managed KMS key of the created zones' objects
        (SSE-KMS with bucket keys); grants on the zones include it. Default: SSE-S3.
    :param kms_query_results: Athena encrypts query results with the lake's key (SSE_KMS)
        instead of S3-managed keys (SSE_S3); :meth:`grant_query` then grants the key too.
        Default: True when ``zone_encryption_key`` is given (customer-managed keys for the
        data, so for the results too), else False.
    :param server_access_logs_bucket: where the created zones log access. Default: none.
    :param removal_policy: for created zones. Default: ``RETAIN``.
    :param auto_delete_objects: empty created zones on stack deletion (needs DESTROY).
        Default: False.
    """

    @checked
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        raw_bucket: s3.IBucket | None = None,
        curated_bucket: s3.IBucket | None = None,
        results_bucket: s3.IBucket | None = None,
        crawl_prefixes: Sequence[str] | None = None,
        raw_tiers: LifecycleTiers | None = None,
        curated_tiers: LifecycleTiers | None = None,
        results_expire_after_days: int = 30,
        crawler_schedule: str | None = "cron(0 2 * * ? *)",
        crawler_enabled: bool = True,
        bytes_scanned_cutoff: int = 10_000_000_000,
        named_queries: Mapping[str, str] | None = None,
        encryption_key: kms.IKey | None = None,
        zone_encryption_key: kms.IKey | None = None,
        kms_query_results: bool | None = None,
        server_access_logs_bucket: s3.IBucket | None = None,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
        auto_delete_objects: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        mark_pattern(self)
        prefixes = list(crawl_prefixes or [""])
        for index, prefix in enumerate(prefixes):
            if prefix:
                check_prefix(f"crawl_prefixes[{index}]", prefix)
        check_range("results_expire_after_days", results_expire_after_days, 1, 36_500)
        check_glue_schedule("crawler_schedule", crawler_schedule)
        if bytes_scanned_cutoff < MIN_BYTES_SCANNED_CUTOFF:
            raise ValueError(
                f"bytes_scanned_cutoff must be at least {MIN_BYTES_SCANNED_CUTOFF} bytes "
                f"(Athena's minimum, 10 MB); got {bytes_scanned_cutoff}"
            )
        if crawler_schedule is None and not crawler_enabled:
            raise ValueError("crawler_enabled=False needs a crawler_schedule to switch off")

        def zone(
            given: s3.IBucket | None, zone_id: str, tiers: s3.LifecycleRule, events: bool
        ) -> s3.IBucket:
            if given is not None:
                return given
            return SecureBucket(
                self,
                zone_id,
                lifecycle_rules=[tiers],
                encryption_key=zone_encryption_key,
                event_bridge_enabled=events,
                removal_policy=removal_policy,
                auto_delete_objects=auto_delete_objects,
                server_access_logs_bucket=server_access_logs_bucket,
            ).bucket

        #: The raw zone: data as it arrives.
        self.raw_bucket = zone(
            raw_bucket, "Raw", (raw_tiers or LifecycleTiers()).rule("Tiers"), True
        )
        #: The curated zone: cleaned, query-ready data.
        self.curated_bucket = zone(
            curated_bucket, "Curated", (curated_tiers or LifecycleTiers()).rule("Tiers"), True
        )
        #: The query-results zone, where the workgroup writes.
        self.results_bucket = zone(
            results_bucket,
            "Results",
            s3.LifecycleRule(
                id="ExpireResults",
                expiration=cdk.Duration.days(results_expire_after_days),
                noncurrent_version_expiration=cdk.Duration.days(1),
            ),
            False,
        )
        #: The lake's KMS key (what Glue writes; query results with ``kms_query_results``).
        self.key: kms.IKey = encryption_key or kms.Key(
            self, "Key", enable_key_rotation=True, description=f"Data lake {self.node.path}"
        )
        #: The Glue database name (unique per lake, derived from the construct path).
        self.database_name = cdk.Names.unique_resource_name(self, max_length=60).lower()
        self.database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=cdk.Stack.of(self).account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=self.database_name, description=f"Catalog of {self.node.path}"
            ),
        )
        crawling = add_crawlers(
            self,
            database=self.database,
            database_name=self.database_name,
            key=self.key,
            zones={"raw": self.raw_bucket, "curated": self.curated_bucket},
            prefixes=prefixes,
            schedule=crawler_schedule if crawler_enabled else None,
        )
        #: Role the crawlers run as: read the zones, write this database's tables.
        self.crawler_role = crawling.role
        #: Encrypts what the crawlers write to CloudWatch Logs.
        self.security_configuration = crawling.security_configuration
        #: Crawlers by zone (``raw``, ``curated``).
        self.crawlers = crawling.crawlers
        #: The raw zone's crawler.
        self.crawler = self.crawlers["raw"]
        #: Whether query results are encrypted with :attr:`key` (SSE_KMS).
        self.kms_query_results = (
            zone_encryption_key is not None if kms_query_results is None else kms_query_results
        )
        self._add_workgroup(bytes_scanned_cutoff, removal_policy)
        #: Named queries by name.
        self.named_queries: dict[str, athena.CfnNamedQuery] = {}
        for name, sql in (named_queries or {}).items():
            self.add_named_query(name, sql)

    def _add_workgroup(self, cutoff: int, removal_policy: cdk.RemovalPolicy) -> None:
        #: The Athena workgroup: enforced, encrypted results location and a cutoff.
        self.workgroup = athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=cdk.Names.unique_resource_name(self, max_length=60, separator="-"),
            description=f"Queries over {self.node.path}",
            recursive_delete_option=removal_policy == cdk.RemovalPolicy.DESTROY,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=cutoff,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version="AUTO"
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"s3://{self.results_bucket.bucket_name}/athena/",
                    encryption_configuration=self._results_encryption(),
                ),
            ),
        )

    def _results_encryption(self) -> athena.CfnWorkGroup.EncryptionConfigurationProperty:
        if self.kms_query_results:
            return athena.CfnWorkGroup.EncryptionConfigurationProperty(
                encryption_option="SSE_KMS", kms_key=self.key.key_arn
            )
        return athena.CfnWorkGroup.EncryptionConfigurationProperty(encryption_option="SSE_S3")

    def add_named_query(self, name: str, sql: str) -> athena.CfnNamedQuery:
        """Save ``sql`` as named query ``name`` in the workgroup, against the database."""
        if not name or not sql.strip():
            raise ValueError(f"named query needs a name and SQL; got {name!r}: {sql!r}")
        if name in self.named_queries:
            raise ValueError(f"named query {name!r} already exists")
        query = athena.CfnNamedQuery(
            self,
            f"Query{len(self.named_queries)}",
            name=name,
            database=self.database_name,
            query_string=sql,
            work_group=self.workgroup.ref,
        )
        query.node.add_dependency(self.database)
        self.named_queries[name] = query
        return query

    def grant_query(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` run queries in the workgroup over the curated and raw zones: the
        workgroup, the catalog's database and its tables (Athena reads them with the
        caller's rights), the zones, the results bucket and, when results are encrypted
        with it, the lake's key."""
        return acknowledged(
            lambda: self._grant_query(grantee), grantee, f"queries of {self.node.path}"
        )

    def _grant_query(self, grantee: iam.IGrantable) -> iam.Grant:
        stack = cdk.Stack.of(self)
        grant = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=[
                "athena:StartQueryExecution",
                "athena:GetQueryExecution",
                "athena:GetQueryResults",
                "athena:StopQueryExecution",
                "athena:GetWorkGroup",
            ],
            resource_arns=[
                stack.format_arn(
                    service="athena", resource="workgroup", resource_name=self.workgroup.ref
                )
            ],
        )
        catalog = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartitions"],
            resource_arns=[
                stack.format_arn(service="glue", resource="catalog"),
                stack.format_arn(
                    service="glue", resource="database", resource_name=self.database_name
                ),
                stack.format_arn(
                    service="glue", resource="table", resource_name=f"{self.database_name}/*"
                ),
            ],
        )
        grant = grant.combine(catalog)
        for bucket in (self.raw_bucket, self.curated_bucket):
            grant = grant.combine(bucket.grant_read(grantee))
        grant = grant.combine(self.results_bucket.grant_read_write(grantee))
        if self.kms_query_results:
            # Athena encrypts and decrypts the caller's results with the caller's rights.
            grant = grant.combine(self.key.grant(grantee, "kms:GenerateDataKey", "kms:Decrypt"))
        return grant
