"""The settings of a stage, apart from their validation: what ``stacks.config_checks`` and
``stacks.stream_settings`` read and ``stacks.config.StageConfig`` validates, so that the
checks need not import the class that calls them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from patterns.choices import RoutingPolicy


class StageConfigError(ValueError):
    """A stage setting that cannot be deployed, named with its stage and field."""


def is_regulated(packs: Iterable[str]) -> bool:
    """True when ``packs`` hold one beyond AwsSolutions (HIPAA, PCI)."""
    return any(pack != "AwsSolutions" for pack in packs)


@dataclasses.dataclass(frozen=True, kw_only=True)
class StageFields:
    """The settings of one deployment stage of the reference app (``StageConfig`` is
    these, validated).

    :param name: lower-case stage name (``dev``); the CDK stage id is its title (``Dev``).
    :param account: 12-digit AWS account; ``None`` keeps synthesis environment-agnostic.
    :param region: AWS region such as ``eu-west-1``; ``None`` keeps it agnostic.
    :param removal_policy: ``destroy`` (stateful resources are deleted with the stack and
        buckets emptied) or ``retain``.
    :param log_retention_days: retention of every log group (a CloudWatch value).
    :param point_in_time_recovery: continuous backups on every DynamoDB table.
    :param alarm_email: address subscribed to the operations topic; ``None`` for none.
    :param lambda_memory_mb: default memory of every function, 128..10240.
    :param lambda_timeout_seconds: default timeout of every function, 1..900.
    :param deployment_preference: CodeDeploy traffic shifting of every function's alias
        (one of SAM's nine names, e.g. ``AllAtOnce``, ``Canary10Percent5Minutes``).
    :param feature_flags: flags from :data:`FEATURE_FLAGS` switched on or off.
    :param triggers_enabled: whether schedules and event rules start their targets;
        switch off to stop event-driven work while troubleshooting.
    :param termination_protection: protect the stage's stacks (and tables) from deletion.
    :param table_backups: back every DynamoDB table up with AWS Backup (daily and monthly).
    :param traffic_checks: before and after CodeDeploy shifts an API function, a hook sends
        the new version one real request and rolls back unless it answers as expected.
    :param stream_shards: shards of the usage-event stream (provisioned mode: 1,000
        records/s and 1 MiB/s of writes each from the start); ``None`` makes it on-demand
        (starts at 4,000 records/s and 4 MiB/s, doubling only as traffic is seen).
    :param stream_batch_size: most records per aggregator invocation, 1..10000; default 500.
    :param stream_batching_window_seconds: how long Lambda waits to fill a batch, 0..300;
        default 2.
    :param stream_consumer_timeout_seconds: the aggregator's timeout, 6..900 (the longest
        one batch takes); default 60.
    :param stream_consumer_memory_mb: the aggregator's memory (and so its CPU share),
        128..10240; ``None`` (default): ``lambda_memory_mb``.
    :param ingest_rate_limit: requests/s of the ingest API's stage (``POST /record`` and the
        default of every method); default 1000.
    :param ingest_burst_limit: burst of the ingest API's stage; default 2000.
    :param ingest_batch_rate_limit: requests/s of ``POST /records`` (up to 500 events each);
        ``None`` (default) gives it the stage's limits.
    :param counts_warm_writes_per_second: warm throughput of the counts table, writes/s it
        takes from its first minute, 4000..40000; ``None`` (default): on-demand's start.
    :param compliance_packs: cdk-nag rule packs every stack must pass, from
        :data:`COMPLIANCE_PACKS`; ``AwsSolutions`` always. HIPAA and PCI packs switch on what
        they demand: managed instead of inline IAM policies and KMS-encrypted log groups;
        they need ``reserved_concurrency``, ``customer_managed_keys`` and ``private_network``.
    :param customer_managed_keys: encrypt buckets and log groups with customer-managed KMS
        keys (rotated yearly) instead of AWS-managed encryption.
    :param reserved_concurrency: reserved concurrent executions of every function (caps
        each function and guarantees it capacity); ``None`` leaves them unreserved.
    :param api_cache_ttl_seconds: turn on the encrypted API Gateway cache of the shop's APIs
        with this TTL (GET routes only); ``None`` for no cache.
    :param private_network: run every function in a VPC of isolated subnets (one per region)
        that reaches AWS APIs through VPC endpoints only.
    :param secondary_region: a second region the API is also deployed to (its table becomes
        a DynamoDB global table with a replica there); needs explicit ``account`` and
        ``region`` and the API domain below. ``None`` keeps the stage single-region.
    :param witness_region: the third region of the order idempotency table, which is a
        multi-Region strongly consistent (MRSC) global table: it holds no data and only
        votes, so an idempotency key is settled once for both regions even if one of them
        is cut off. From the same MRSC Region set as ``region`` and ``secondary_region``
        (:data:`stacks.region_sets.MRSC_REGION_SETS`); required with ``secondary_region``.
    :param api_domain_name: the API's custom domain (``api.shop.example.com``), served by
        both regions; required with ``secondary_region``.
    :param storefront_domain_name: the storefront's custom domain (``www.shop.example.com``),
        in the hosted zone below, served by CloudFront with a DNS-validated ACM certificate
        and TLS 1.2 at least; needs the stage's ``region`` to be ``us-east-1`` (CloudFront
        takes certificates from there only). ``None``: CloudFront's own
        ``*.cloudfront.net`` name and certificate, which also accept TLS 1.0 and 1.1.
    :param hosted_zone_id: the Route 53 public hosted zone holding ``api_domain_name`` and
        ``storefront_domain_name``.
    :param hosted_zone_name: that zone's name (``shop.example.com``).
    :param api_routing: ``latency`` (each caller reaches the nearest healthy region) or
        ``failover`` (the primary region serves; the secondary only when it is unhealthy).
    :param availability_zone_ids: per region of the stage, the zone ids (``use1-az1``)
        its private network's subnets go to, at least two. A zone id is the same physical
        zone in every account (a zone name is not). A region not named gets the first
        two zones ``Fn::GetAZs`` returns to the account at deployment. No zone is ever
        looked up at synthesis.
    :param tracing: how functions are traced, a ``patterns.TracingMode`` value:
        ``xray-sdk`` (subsegments for every AWS call through the X-Ray SDK, whose end of
        support is 25 February 2027), ``lambda`` (Lambda's own trace of each invocation,
        nothing imported into the function) or ``off``.
    :param workflow_log_level: what the state machines' execution logs record, one of
        :data:`WORKFLOW_LOG_LEVELS` (``ALL`` every event, ``ERROR`` failures only).
    :param guest_events: visitors who have not signed in get identity-pool credentials
        that may only put usage events into the stage's stream (``PutRecord(s)``), and
        the storefront sends their events too; default False, only signed-in shoppers'.
    :param workflow_log_execution_data: whether those logs carry each state's input and
        output (the payloads: customer data where the workflow handles it).
    :param graphql_field_log_level: what the catalogue's GraphQL API logs per field, one of
        ``NONE``, ``ERROR``, ``INFO``, ``DEBUG``, ``ALL``.
    :param graphql_verbose_logs: whether those logs carry request headers, arguments and
        results (the callers' data).
    :param order_review_above_cents: orders whose total is above this (cents) wait for an
        admin's approval (``POST /orders/{id}/review``) before they are placed; ``None``:
        every order is placed at once. Default: 100000 (1,000.00).
    :param order_review_hours: how long an order waits for a decision before it is
        cancelled, 1..8760. Default: 72.
    :param order_review_heartbeat_hours: how long an order waits for its first look (and
        each ``hold`` gives the reviewer) before it is cancelled, shorter than
        ``order_review_hours``; ``None``: no such deadline. Default: 24.
    """

    name: str
    account: str | None = None
    region: str | None = None
    removal_policy: str = "retain"
    log_retention_days: int = 30
    point_in_time_recovery: bool = True
    alarm_email: str | None = None
    lambda_memory_mb: int = 256
    lambda_timeout_seconds: int = 10
    deployment_preference: str = "AllAtOnce"
    feature_flags: Mapping[str, bool] = dataclasses.field(
        default_factory=lambda: MappingProxyType({})
    )
    triggers_enabled: bool = True
    termination_protection: bool = False
    table_backups: bool = False
    traffic_checks: bool = False
    stream_shards: int | None = None
    stream_batch_size: int = 500
    stream_batching_window_seconds: int = 2
    stream_consumer_timeout_seconds: int = 60
    stream_consumer_memory_mb: int | None = None
    ingest_rate_limit: int = 1000
    ingest_burst_limit: int = 2000
    ingest_batch_rate_limit: int | None = None
    counts_warm_writes_per_second: int | None = None
    compliance_packs: tuple[str, ...] = ("AwsSolutions",)
    customer_managed_keys: bool = False
    reserved_concurrency: int | None = None
    api_cache_ttl_seconds: int | None = None
    private_network: bool = False
    secondary_region: str | None = None
    witness_region: str | None = None
    api_domain_name: str | None = None
    storefront_domain_name: str | None = None
    hosted_zone_id: str | None = None
    hosted_zone_name: str | None = None
    api_routing: RoutingPolicy = "latency"
    availability_zone_ids: Mapping[str, tuple[str, ...]] = dataclasses.field(
        default_factory=lambda: MappingProxyType({})
    )
    tracing: str = "xray-sdk"
    workflow_log_level: str = "ALL"
    workflow_log_execution_data: bool = True
    guest_events: bool = False
    graphql_field_log_level: str = "ALL"
    graphql_verbose_logs: bool = True
    order_review_above_cents: int | None = 100_000
    order_review_hours: int = 72
    order_review_heartbeat_hours: int | None = 24

    @property
    def regulated(self) -> bool:
        """True when a pack beyond AwsSolutions (HIPAA, PCI) applies to the stage."""
        return is_regulated(self.compliance_packs)
